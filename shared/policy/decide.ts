/**
 * `decide(input) -> Decision`: the one pure decision pipeline every trigger goes through.
 * signals (by mode) -> explicit request -> guards -> dry-run. Time comes in as `input.now`; nothing here reads
 * the clock, the network or random state.
 */
import type { TargetConfig } from '../config/schema.js';
import { actionFor, type Decision, type Trigger } from './decision.js';
import type { DecideInput } from './input.js';
import type { PolicyContext, Proposal, Stage } from './proposal.js';
import { proposeFromRules } from './custom-rules.js';
import { proposeOptimized } from './optimized.js';
import { applyRequest } from './request.js';
import { horizonStep } from './horizon.js';
import { limitsGuard } from './guards/limits.js';
import { maxStepGuard } from './guards/max-step.js';
import { oneWayDoorGuard } from './guards/one-way-door.js';
import { flappingGuard } from './guards/flapping.js';
import { inProgressGuard } from './guards/in-progress.js';
import { pausedGuard } from './guards/paused.js';
import { conflictingAutoscalerGuard } from './guards/conflicting-autoscaler.js';
import { cooldownGuard } from './guards/cooldown.js';
import { failureBackoffGuard } from './guards/failure-backoff.js';
import { dryRunGuard } from './guards/dry-run.js';

/**
 * Guards in order. Those that reshape the change (limits, step, one-way door, flapping) run first; those that
 * only block it follow, so the reason reported is the most fundamental obstacle.
 */
export const GUARDS: readonly Stage[] = [
  limitsGuard,
  maxStepGuard,
  oneWayDoorGuard,
  flappingGuard,
  inProgressGuard,
  pausedGuard,
  conflictingAutoscalerGuard,
  failureBackoffGuard,
  cooldownGuard,
];

/** The proposer for a target's mode. Manual mode proposes nothing; requests are applied afterwards. */
export function proposerFor(target: TargetConfig): (context: PolicyContext) => Proposal {
  switch (target.mode) {
    case 'custom':
      return proposeFromRules;
    case 'optimized':
      return proposeOptimized;
    case 'manual':
      return holdProposal;
  }
}

export function decide(input: DecideInput): Decision {
  const context = contextFrom(input);
  const proposed = applyRequest(horizonStep(proposerFor(input.target)(context), context), context);
  const guarded = GUARDS.reduce((proposal, guard) => guard(proposal, context), proposed);
  const final = dryRunGuard(guarded, context);
  return {
    action: actionFor(final.from, final.to),
    from: final.from,
    to: final.to,
    reason: final.reason,
    message: final.message,
    evidence: {
      mode: input.target.mode,
      trigger: context.trigger,
      now: input.now.toISOString(),
      limits: context.bounds,
      signals: final.signals,
      proposal: { action: actionFor(proposed.from, proposed.to), to: proposed.to, reason: proposed.reason, message: proposed.message },
      guards: final.guards,
      ...(final.horizon ? { horizon: final.horizon } : {}),
      ...(final.reason === 'DryRun' ? { dryRun: { action: actionFor(guarded.from, guarded.to), to: guarded.to, reason: guarded.reason } } : {}),
    },
  };
}

function contextFrom(input: DecideInput): PolicyContext {
  const trigger: Trigger = input.request?.source ?? 'timer';
  return {
    nowMs: input.now.getTime(),
    target: input.target,
    observed: input.observed,
    metrics: input.metrics,
    history: input.history,
    failures: input.failures ?? { recent: [] },
    request: input.request,
    paused: input.paused ?? { scaleOut: false, scaleIn: false },
    trigger,
    bounds: effectiveBounds(input),
    horizonNeed: input.horizonNeed,
  };
}

/** The config's limits narrowed by the service bounds the provider reported (e.g. a Kusto SKU's maximum). */
export function effectiveBounds(input: Pick<DecideInput, 'target' | 'observed'>): PolicyContext['bounds'] {
  const { limits } = input.target;
  const service = input.observed.capacityBounds;
  const max = Math.min(limits.max, service?.max ?? Infinity);
  const min = Math.min(max, Math.max(limits.min, service?.min ?? -Infinity));
  return { min, max, default: Math.min(max, Math.max(min, limits.default)) };
}

function holdProposal(context: PolicyContext): Proposal {
  const from = context.observed.capacity;
  return { from, to: from, reason: 'NoRequest', message: '', origin: 'signals', signals: [], projectable: [], guards: [], metricsUnavailable: false };
}
