/**
 * An operator who asks for a capacity outside the limits gets a refusal that says so, like a cloud API's
 * validation error, rather than a silently different capacity. Alerts and rules are clamped as usual (limits.ts).
 * Runs after every other guard, so its reason wins: the request itself is wrong, whatever else holds it back.
 */
import type { Stage } from '../proposal.js';
import { requestedCapacity } from '../request.js';

export const operatorLimitsGuard: Stage = (proposal, context) => {
  const { request } = context;
  if (request?.source !== 'manual') return proposal;
  const clamped = proposal.guards.some(
    (note) => note.guard === 'limits' && (note.reason === 'ClampedToMax' || note.reason === 'ClampedToMin'),
  );
  if (!clamped) return proposal;
  const { min, max } = context.bounds;
  const message = `operator asked for ${requestedCapacity(request, context.observed.capacity)}, outside the limits ${min}..${max}; nothing changed: ask for a capacity within the limits, or change the limits in the config`;
  return {
    ...proposal,
    to: proposal.from,
    reason: 'OutsideLimits',
    message,
    guards: [
      ...proposal.guards,
      { guard: 'operator-limits', verdict: 'blocked', reason: 'OutsideLimits', detail: message },
    ],
  };
};
