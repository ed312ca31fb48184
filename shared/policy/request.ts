/**
 * Explicit asks from an operator or an alert. They replace what the signals proposed (whose evidence is kept for
 * the ledger and the flapping projection) but still pass through every guard.
 */
import type { Stage } from './proposal.js';
import { unitsOf } from './proposal.js';
import type { ScaleRequest } from './input.js';

export const applyRequest: Stage = (proposal, context) => {
  const { request, target } = context;
  if (!request) {
    if (target.mode !== 'manual' || context.profile.settings.instanceCount !== undefined) return proposal;
    return {
      ...proposal,
      to: proposal.from,
      reason: 'NoRequest',
      message: `manual mode: holding ${unitsOf(target, proposal.from)} until an operator or alert asks for a change`,
    };
  }
  const from = proposal.from;
  const to = requestedCapacity(request, from);
  const who = request.source === 'alert' ? 'alert' : 'operator';
  const base = { ...proposal, origin: 'request' as const, metricsUnavailable: false };
  if (to === from) {
    return {
      ...base,
      to,
      reason: 'AlreadyAtRequestedCapacity',
      message: `${who} asked for ${unitsOf(target, to)}, which the target already has (${request.reason})`,
    };
  }
  return {
    ...base,
    to,
    reason: request.source === 'alert' ? 'AlertFired' : 'ManualRequest',
    message: `${who} asked to go from ${from} to ${unitsOf(target, to)}: ${request.reason}`,
  };
};

/** The capacity a request asks for, from the capacity the target has now. */
export function requestedCapacity(request: Pick<ScaleRequest, 'capacity' | 'delta'>, from: number): number {
  return request.capacity ?? from + (request.delta ?? 0);
}
