/**
 * `decide(input) -> Decision`: the one pure decision pipeline every trigger goes through.
 * signals (by mode) -> explicit request -> guards -> dry-run. Time comes in as `input.now`; nothing here reads
 * the clock, the network or random state.
 */
import type { TargetConfig } from '../config/schema/schema.js';
import { actionFor, type Decision, type Trigger } from './decision.js';
import type { DecideInput } from './input.js';
import type { PolicyContext, Proposal, Stage } from './proposal.js';
import { proposeFromRules } from './custom-rules.js';
import { proposeOptimized } from './optimized.js';
import { applyRequest } from './request.js';
import { applyForecast } from './forecast-stage.js';
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
import { proposeInstanceCount } from './instance-count.js';
import { activeProfile, targetUnderProfile, type ActiveProfile } from './schedule.js';
import type { ProfileEvidence } from './decision.js';
import { operatorLimitsGuard } from './guards/operator-limits.js';
import { leaseHeldGuard } from './guards/lease-held.js';

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

/**
 * Guards after dry-run, on what the request and the executor say: an operator's capacity outside the limits is
 * refused rather than clamped, then a lease held by another evaluation stops any change. They leave no note when
 * they do not apply.
 */
export const CLOSING_GUARDS: readonly Stage[] = [operatorLimitsGuard, leaseHeldGuard];

/**
 * The proposer for the active profile: its fixed instance count, or its mode. Manual mode proposes nothing;
 * requests are applied afterwards.
 */
export function proposerFor(target: TargetConfig, profile?: ActiveProfile): (context: PolicyContext) => Proposal {
  const count = profile?.settings.instanceCount;
  if (count !== undefined) return (context) => proposeInstanceCount(context, count);
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
  const profile = activeProfile(input.target, input.now.getTime());
  const context = contextFrom({ ...input, target: targetUnderProfile(input.target, profile) }, profile);
  const proposed = applyForecast(
    applyRequest(horizonStep(proposerFor(context.target, profile)(context), context), context),
    context,
  );
  const guarded = GUARDS.reduce((proposal, guard) => guard(proposal, context), proposed);
  const dried = dryRunGuard(guarded, context);
  const final = CLOSING_GUARDS.reduce((proposal, guard) => guard(proposal, context), dried);
  return {
    action: actionFor(final.from, final.to),
    from: final.from,
    to: final.to,
    reason: final.reason,
    message: final.message,
    evidence: {
      mode: profile.settings.instanceCount === undefined ? context.target.mode : 'instance-count',
      profile: profileEvidence(profile),
      trigger: context.trigger,
      now: input.now.toISOString(),
      limits: context.bounds,
      signals: final.signals,
      proposal: {
        action: actionFor(proposed.from, proposed.to),
        to: proposed.to,
        reason: proposed.reason,
        message: proposed.message,
      },
      guards: final.guards,
      ...(proposed.forecast ? { forecast: proposed.forecast } : {}),
      ...(final.horizon ? { horizon: final.horizon } : {}),
      ...(dried.reason === 'DryRun'
        ? { dryRun: { action: actionFor(guarded.from, guarded.to), to: guarded.to, reason: guarded.reason } }
        : {}),
    },
  };
}

export function profileEvidence(profile: ActiveProfile): ProfileEvidence {
  const { instanceCount } = profile.settings;
  return {
    name: profile.name,
    kind: profile.kind,
    why: profile.why,
    since: profile.sinceMs === undefined ? null : new Date(profile.sinceMs).toISOString(),
    next: profile.next ? { at: new Date(profile.next.atMs).toISOString(), profile: profile.next.name } : null,
    ...(instanceCount === undefined ? {} : { instanceCount }),
  };
}

/** `input.target` is already the target under the active profile. */
function contextFrom(input: DecideInput, profile: ActiveProfile): PolicyContext {
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
    executor: input.executor ?? { leaseHeld: false },
    trigger,
    bounds: effectiveBounds(input),
    forecast: input.forecast,
    profile,
    horizonNeed: input.horizonNeed,
  };
}

/** The config's limits narrowed by the service bounds the scale target reported (e.g. a Kusto SKU's maximum). */
export function effectiveBounds(input: Pick<DecideInput, 'target' | 'observed'>): PolicyContext['bounds'] {
  const { limits } = input.target;
  const service = input.observed.capacityBounds;
  const max = Math.min(limits.max, service?.max ?? Infinity);
  const min = Math.min(max, Math.max(limits.min, service?.min ?? -Infinity));
  return { min, max, default: Math.min(max, Math.max(min, limits.default)) };
}

function holdProposal(context: PolicyContext): Proposal {
  const from = context.observed.capacity;
  return {
    from,
    to: from,
    reason: 'NoRequest',
    message: '',
    origin: 'signals',
    signals: [],
    projectable: [],
    guards: [],
    metricsUnavailable: false,
  };
}
