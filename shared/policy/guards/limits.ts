/**
 * Keeps capacity within limits (narrowed by the SKU's service bounds). A capacity already outside the limits is
 * pulled back inside, except that capacity is never lowered while metrics are missing.
 */
import { noteGuard, unitsOf, type Stage } from '../proposal.js';

export const limitsGuard: Stage = (proposal, context) => {
  const { min, max } = context.bounds;
  const { from, to } = proposal;
  const units = (count: number) => unitsOf(context.target, count);
  // Whose limits: a scheduled profile's are named, so an operator knows why they differ from the target's.
  const of = context.profile.kind === 'default' ? '' : ` of profile "${context.profile.name}"`;

  if (from < min && to < min) {
    return {
      ...noteGuard(proposal, 'limits', {
        to: min,
        reason: 'BelowMinimum',
        message: `capacity ${from} is below the minimum${of} of ${min}; scaling out to ${units(min)}`,
      }),
      origin: 'limits',
    };
  }
  // Without metrics we cannot know what the load needs: never lower capacity blind, even to enforce the maximum.
  const blind = proposal.metricsUnavailable || context.metrics === undefined;
  if (from > max && to > max && !blind) {
    return {
      ...noteGuard(proposal, 'limits', {
        to: max,
        reason: 'AboveMaximum',
        message: `capacity ${from} is above the maximum${of} of ${max}; scaling in to ${units(max)}`,
      }),
      origin: 'limits',
    };
  }
  if (to > max && to > from) {
    const atLimit = max <= from;
    return noteGuard(proposal, 'limits', {
      to: Math.max(from, max),
      reason: atLimit ? 'AtMaximum' : 'ClampedToMax',
      message: atLimit
        ? `${proposal.message}; but ${units(from)} is already the maximum${of}`
        : `${proposal.message}; clamped to the maximum${of} of ${units(max)}`,
    });
  }
  if (to < min && to < from) {
    const atLimit = min >= from;
    return noteGuard(proposal, 'limits', {
      to: Math.min(from, min),
      reason: atLimit ? 'AtMinimum' : 'ClampedToMin',
      message: atLimit
        ? `${proposal.message}; but ${units(from)} is already the minimum${of}`
        : `${proposal.message}; clamped to the minimum${of} of ${units(min)}`,
    });
  }
  return noteGuard(proposal, 'limits');
};
