/**
 * Caps how far one operation moves. An operator's explicit request, a pull back inside the limits and a profile's
 * fixed instance count (the limits of that profile) are not capped.
 */
import { noteGuard, unitsOf, type Stage } from '../proposal.js';

export const maxStepGuard: Stage = (proposal, context) => {
  const exempt =
    proposal.origin === 'limits' ||
    proposal.origin === 'schedule' ||
    proposal.origin === 'metrics-unavailable' ||
    (proposal.origin === 'request' && context.request?.source === 'manual');
  if (exempt) return noteGuard(proposal, 'max-step');
  const { from, to } = proposal;
  const { out: maxOut, in: maxIn } = context.target.maxStep;
  if (to - from > maxOut) {
    const capped = from + maxOut;
    return noteGuard(proposal, 'max-step', {
      to: capped,
      reason: 'StepLimited',
      message: `${proposal.message}; limited to ${maxOut} per operation: ${unitsOf(context.target, capped)}`,
    });
  }
  if (from - to > maxIn) {
    const capped = from - maxIn;
    return noteGuard(proposal, 'max-step', {
      to: capped,
      reason: 'StepLimited',
      message: `${proposal.message}; limited to ${maxIn} per operation: ${unitsOf(context.target, capped)}`,
    });
  }
  return noteGuard(proposal, 'max-step');
};
