/** Never fight another autoscaler (ADX optimized autoscale) unless the config says to take over from it. */
import { noteGuard, type Stage } from '../proposal.js';
import { kindOf } from '../../kinds/registry.js';

export const conflictingAutoscalerGuard: Stage = (proposal, context) => {
  const other = context.observed.conflictingAutoscaler;
  const { target } = context;
  if (proposal.to === proposal.from || !other?.enabled) return noteGuard(proposal, 'conflicting-autoscaler');
  if (kindOf(target).takesOverConflictingAutoscaler(target)) {
    return {
      ...proposal,
      guards: [
        ...proposal.guards,
        {
          guard: 'conflicting-autoscaler',
          verdict: 'passed',
          detail: `${other.name} is on and will be turned off in the same update (onConflictingAutoscaler: take-over)`,
        },
      ],
    };
  }
  return noteGuard(proposal, 'conflicting-autoscaler', {
    to: proposal.from,
    reason: 'ConflictingAutoscaler',
    message: `${other.name} is enabled on this cluster; not acting so the two do not fight. Turn it off, or set onConflictingAutoscaler to "take-over"`,
  });
};
