/**
 * The executor found the target's lease held by another evaluation: that one is acting on the target now, so
 * this one must not repeat the change. Fed by the executor's `leaseHeld` fact; leaves no note when it is absent.
 */
import type { Stage } from '../proposal.js';

export const leaseHeldGuard: Stage = (proposal, context) => {
  if (!context.executor.leaseHeld || proposal.to === proposal.from) return proposal;
  const message = `another evaluation is acting on this target right now (lease held); not repeating ${proposal.from} -> ${proposal.to}`;
  return {
    ...proposal,
    to: proposal.from,
    reason: 'LeaseHeld',
    message,
    guards: [...proposal.guards, { guard: 'lease', verdict: 'blocked', reason: 'LeaseHeld', detail: message }],
  };
};
