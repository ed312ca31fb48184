/**
 * Predictive scaling in the pipeline, after the reactive proposal and before the guards (docs/forecasting.md).
 * As Azure Data Explorer's predictive logic does it: when seasonality is found with high confidence, the forecast's
 * schedule decides, ahead of time, so that the operation (and its rebalance or cache warm-up) completes before the
 * load arrives; otherwise the reactive logic decides alone. A load above what the forecast foresaw is a spike:
 * the reactive proposal may then add capacity on top of the schedule. In `forecast-only` mode the forecast and
 * what it would do are evidence only. Every decision carries this stage's evidence, whatever the mode.
 */
import type { ForecastEvidence, ReasonCode } from './decision.js';
import type { ForecastInput } from './input.js';
import { planCapacity, type CapacityPlan } from './forecast-plan.js';
import type { LeadTime } from './lead-time.js';
import { type PolicyContext, type Proposal, unitsOf } from './proposal.js';
import { kindOf, kindDefinition } from '../kinds/registry.js';

export type { ForecastInput };

/** Minutes of current utilization compared with the forecast to tell a spike. */
const CURRENT_LOAD_MINUTES = 10;
const MINUTE_MS = 60_000;
/** Forecast hours kept in the evidence. */
const EVIDENCE_HOURS = 24;

export function applyForecast(proposal: Proposal, context: PolicyContext): Proposal {
  const settings = context.target.forecast;
  if (settings.mode === 'off')
    return withEvidence(proposal, {
      mode: 'off',
      status: 'off',
      applied: false,
      message: 'forecasting is off; the reactive logic decides',
    });
  const input = context.forecast;
  if (!input) {
    return withEvidence(proposal, {
      mode: settings.mode,
      status: 'unavailable',
      applied: false,
      message: 'no load history could be read; the reactive logic decides',
    });
  }
  const described = describeForecast(input);
  if (input.forecast.status !== 'confident') {
    return withEvidence(proposal, {
      ...described,
      mode: settings.mode,
      status: input.forecast.status,
      applied: false,
      message: `${input.forecast.message}; the reactive logic decides`,
    });
  }
  const canScaleIn = kindDefinition(context.target.kind).facts.canScaleIn;
  const plan = planCapacity(input.forecast, {
    nowMs: context.nowMs,
    leadMinutes: input.leadTime.minutes,
    bounds: context.bounds,
    targetUtilizationPercent: settings.targetUtilizationPercent,
    maxStepOut: context.target.maxStep.out,
    cooldownOutMinutes: context.target.cooldowns.scaleOutMinutes,
    canScaleIn,
  });
  const currentLoad = observedLoad(context);
  const evidence: ForecastEvidence = {
    ...described,
    ...planEvidence(plan),
    mode: settings.mode,
    status: 'confident',
    applied: false,
    currentLoad,
    message: input.forecast.message,
  };
  const blocker = notApplicable(proposal, context);
  if (blocker) return withEvidence(proposal, { ...evidence, message: `${input.forecast.message}; ${blocker}` });

  const from = proposal.from;
  const spike = currentLoad !== null && currentLoad > plan.upperLoadNow * (1 + settings.spikeTolerancePercent / 100);
  const scheduled = canScaleIn ? plan.capacityNow : Math.max(from, plan.capacityNow);
  const to = spike ? Math.max(proposal.to, scheduled) : scheduled;
  const reactiveWins = spike && proposal.to >= scheduled;
  const reason: ReasonCode = reactiveWins
    ? proposal.reason
    : to > from
      ? 'ForecastScaleOut'
      : to < from
        ? 'ForecastScaleIn'
        : 'WithinForecast';
  const message = reactiveWins
    ? `${proposal.message} (a spike the forecast did not foresee: load ${currentLoad?.toFixed(1)} above the forecast ${plan.upperLoadNow.toFixed(1)})`
    : forecastMessage(context, from, to, plan, input.leadTime);
  const decided = { ...evidence, spike, wouldDo: { to, reason } };
  if (settings.mode === 'forecast-only')
    return withEvidence(proposal, {
      ...decided,
      message: `${input.forecast.message}; forecast-only mode: would go to ${unitsOf(context.target, to)} (${reason}), the reactive logic decides`,
    });
  const next = reactiveWins
    ? { ...proposal, message }
    : { ...proposal, to, reason, message, origin: 'forecast' as const };
  return withEvidence(next, {
    ...decided,
    applied: true,
    message: `${input.forecast.message}; ${reactiveWins ? 'the reactive logic meets the spike' : 'the schedule decides'}`,
  });
}

function withEvidence(proposal: Proposal, forecast: ForecastEvidence): Proposal {
  return { ...proposal, forecast };
}

/** A request, missing metrics or a manual target: the forecast is shown but does not decide. */
function notApplicable(proposal: Proposal, context: PolicyContext): string | undefined {
  if (proposal.origin === 'request') return 'an explicit request decides';
  if (context.profile.settings.instanceCount !== undefined)
    return `the profile ${context.profile.name} holds a fixed instance count`;
  if (proposal.metricsUnavailable)
    return 'current metrics are unavailable, so a spike could not be told apart; the reactive logic decides';
  if (context.target.mode === 'manual') return 'manual mode: only requests change capacity';
  return undefined;
}

function forecastMessage(context: PolicyContext, from: number, to: number, plan: CapacityPlan, lead: LeadTime): string {
  const units = (count: number) => unitsOf(context.target, count);
  if (to === from)
    return `the forecast needs ${units(from)} for the next ${lead.minutes} min (lead time); holding, next change ${nextChange(plan, from)}`;
  const verb = to > from ? 'scaling out' : 'scaling in';
  return `forecast: ${verb} from ${from} to ${units(to)} ahead of the load, ${lead.minutes} min lead time (${lead.source}); schedule peak ${units(plan.peakCapacity)}`;
}

function nextChange(plan: CapacityPlan, from: number): string {
  const next = plan.schedule.find((change) => change.to !== from);
  return next ? `to ${next.to} at ${next.at}` : 'none within the horizon';
}

function describeForecast(input: ForecastInput): Omit<ForecastEvidence, 'mode' | 'status' | 'applied' | 'message'> {
  const { forecast, leadTime } = input;
  return {
    confidence: round(forecast.confidence, 3),
    model: forecast.model,
    historyDays: forecast.historyDays,
    trendPerDay: round(forecast.trendPerDay, 2),
    marginLoad: round(forecast.marginLoad, 2),
    leadMinutes: leadTime.minutes,
    leadSource: leadTime.source,
    hourly: forecast.points
      .slice(0, EVIDENCE_HOURS)
      .map((point) => ({ at: new Date(point.startMs).toISOString(), load: round(point.load, 2) })),
  };
}

function planEvidence(
  plan: CapacityPlan,
): Pick<ForecastEvidence, 'capacityNow' | 'upperLoadNow' | 'peakCapacity' | 'schedule'> {
  return {
    capacityNow: plan.capacityNow,
    upperLoadNow: round(plan.upperLoadNow, 2),
    peakCapacity: plan.peakCapacity,
    schedule: plan.schedule,
  };
}

/** The load now: the last minutes' mean utilization x capacity, the largest of the forecast metrics; null without data. */
export function observedLoad(context: PolicyContext): number | null {
  const snapshot = context.metrics;
  if (!snapshot) return null;
  const sinceMs = snapshot.asOfMs - CURRENT_LOAD_MINUTES * MINUTE_MS;
  let load: number | null = null;
  for (const metric of kindOf(context.target).forecastMetrics) {
    let sum = 0;
    let count = 0;
    for (const series of snapshot.series) {
      if (series.metric !== metric || series.aggregation !== 'Average' || series.dimensions) continue;
      for (const sample of series.samples) {
        if (sample.timestampMs < sinceMs || sample.value === null || !Number.isFinite(sample.value)) continue;
        sum += sample.value;
        count += 1;
      }
    }
    if (count > 0) load = Math.max(load ?? 0, (sum / count / 100) * context.observed.capacity);
  }
  return load === null ? null : round(load, 2);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
