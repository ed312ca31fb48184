/**
 * What to do when the signals cannot be trusted: hold, or rise to limits.default, never fall
 * (Azure Monitor autoscale's "default" instance count, docs/azure-data-explorer-scaling.md).
 */
import type { SignalEvidence } from './decision.js';
import { type PolicyContext, type Proposal, unitsOf } from './proposal.js';

export function metricsUnavailableProposal(
  context: PolicyContext,
  signals: SignalEvidence[],
  detail: string,
): Proposal {
  const from = context.observed.capacity;
  const fallback = context.bounds.default;
  const base = {
    from,
    origin: 'metrics-unavailable' as const,
    signals,
    projectable: [],
    guards: [],
    metricsUnavailable: true,
  };
  if (from < fallback) {
    return {
      ...base,
      to: fallback,
      reason: 'RaisedToDefault',
      message: `metrics unavailable (${detail}); raising to the default of ${unitsOf(context.target, fallback)}`,
    };
  }
  return {
    ...base,
    to: from,
    reason: 'MetricsUnavailable',
    message: `metrics unavailable (${detail}); holding ${unitsOf(context.target, from)}`,
  };
}

export function describeMissing(signals: SignalEvidence[]): string {
  const missing = signals
    .filter((signal) => signal.status !== 'ok')
    .map((signal) => `${signal.name}: ${signal.status}`);
  return missing.length > 0 ? missing.join(', ') : 'no signal';
}
