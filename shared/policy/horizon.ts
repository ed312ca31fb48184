/**
 * Steps sized to the horizon (both kinds: on Azure Data Explorer each operation costs a cache warm-up). On an elastic cluster every scale-out costs one shard rebalance, during which the
 * cluster serves less, and the next one cannot start until it and the cooldown are over. Meeting a surge one node
 * per operation pays that price once per node. So a scale-out asks at once for the capacity the load will need
 * when the new nodes carry it: at the end of the horizon (provisioning plus rebalance, as long as the target's
 * last scale-out took, or a default).
 *
 * The need comes from `input.horizonNeed` when a forecaster supplies it; otherwise from the recent trend of the
 * metric that asked for the scale-out: its load now (utilization x capacity) plus its rise per minute over the
 * last half hour, carried over the horizon. Only ever raises a scale-out the signals already asked for; a steady
 * or falling load keeps the signals' step. Pure: everything comes from the context.
 */
import { KIND_FACTS } from '../vocabulary/kinds.js';
import type { HorizonNeed } from './input.js';
import { evaluateWindow } from './windows.js';
import { formatValue, noteGuard, unitsOf, type PolicyContext, type Proposal, type Stage } from './proposal.js';
import { kindOf } from '../kinds/registry.js';
import { cacheWarmupMinutes } from './guards/cooldown.js';

const MINUTE_MS = 60_000;
/** A horizon learnt from a scale-out is kept within these bounds (a stuck or instant operation says little). */
const HORIZON_BOUNDS_MINUTES = { min: 15, max: 240 };
/** Recent load: the last 10 minutes; trend: against the last 30 (centres 10 minutes apart). */
const RECENT_MINUTES = 10;
/** Minutes of a scale-out metric the trend reads; the metrics fetch reaches back this far (required-metrics.ts). */
export const TREND_MINUTES = 30;
const TREND_CENTRES_APART_MINUTES = (TREND_MINUTES - RECENT_MINUTES) / 2;
/** A utilization this high is pinned: the load behind it cannot be read. */
const SATURATED_PERCENT = 97;
const SATURATED_LOAD_FACTOR = 1.5;

/**
 * A sized scale-in leaves the load at this share of the scale-out threshold on the same metric: far enough below
 * it that the next rise of a few percent does not undo the scale-in, close enough that it does not stop halfway.
 */
export const SCALE_IN_TARGET_SHARE_OF_OUT_THRESHOLD = 0.8;

export const horizonStep: Stage = (proposal, context) => {
  if (proposal.origin !== 'signals') return proposal;
  if (proposal.to < proposal.from) return sizedScaleIn(proposal, context);
  if (proposal.to <= proposal.from) return proposal;
  const sizing = sizingSignal(proposal, context);
  if (!sizing) return proposal;
  const need = context.horizonNeed ?? trendHorizonNeed(context, sizing.metric);
  if (!need) return proposal;
  const units = Math.ceil((need.loadUnits * 100) / sizing.targetPercent - 1e-9);
  const withNote = { ...proposal, horizon: { ...need, targetPercent: sizing.targetPercent, units } };
  if (units <= proposal.to) return noteGuard(withNote, 'horizon');
  const message = `${proposal.message}; sized for the ${need.horizonMinutes}-min horizon (one ${kindOf(context.target).words.settling}): ${need.detail}, ${unitsOf(context.target, units)} at ${formatValue(sizing.targetPercent)} %`;
  return noteGuard(withNote, 'horizon', { to: units, reason: proposal.reason, message });
};

/**
 * Custom mode on a target that can scale back in: the in-rules say when, the load says how far. Each operation on
 * Azure Data Explorer costs a cache reorganization and the scale-in cooldown, so coming down one instance per
 * operation takes hours and pays for the capacity all the while. The scale-in goes at once to the capacity at
 * which the load of the last minutes (the higher of the in-rule's window and the last 10 minutes) runs at
 * `SCALE_IN_TARGET_SHARE_OF_OUT_THRESHOLD` of the lowest scale-out threshold on the same metric. Only ever
 * deepens the rules' own step; a metric without an out-rule keeps it. The flapping projection still checks it.
 */
function sizedScaleIn(proposal: Proposal, context: PolicyContext): Proposal {
  if (context.target.mode !== 'custom' || !KIND_FACTS[context.target.kind].canScaleIn) return proposal;
  const fired = proposal.signals.filter((signal) => signal.direction === 'in' && signal.fired);
  if (fired.length === 0) return proposal;
  const capacity = context.observed.capacity;
  let units = 0;
  const details: string[] = [];
  for (const signal of fired) {
    const outThreshold = lowestOutThreshold(proposal, signal.metric);
    const recent = recentAverage(context, signal.metric);
    if (outThreshold === undefined || signal.value === null || recent === undefined) return proposal;
    const load = (Math.max(signal.value, recent) * capacity) / 100;
    const targetPercent = outThreshold * SCALE_IN_TARGET_SHARE_OF_OUT_THRESHOLD;
    units = Math.max(units, Math.ceil((load * 100) / targetPercent - 1e-9));
    details.push(`${signal.metric} load ${load.toFixed(1)} at ${formatValue(targetPercent)} %`);
  }
  const to = Math.max(units, context.bounds.min);
  if (to >= proposal.to) return noteGuard(proposal, 'horizon');
  const message = `${proposal.message}; sized for the load: ${details.join(', ')} needs ${unitsOf(context.target, to)}`;
  return noteGuard(proposal, 'horizon', { to, reason: proposal.reason, message });
}

function lowestOutThreshold(proposal: Proposal, metric: string): number | undefined {
  const thresholds = proposal.signals
    .filter((signal) => signal.direction === 'out' && signal.metric === metric)
    .map((signal) => signal.threshold);
  return thresholds.length > 0 ? Math.min(...thresholds) : undefined;
}

function recentAverage(context: PolicyContext, metric: string): number | undefined {
  const spec = { metric, statistic: 'Average' as const, timeGrainMinutes: 1, timeAggregation: 'Average' as const };
  const recent = evaluateWindow(
    context.metrics,
    { ...spec, windowMinutes: RECENT_MINUTES },
    context.target.dataQuality,
  );
  return recent.status === 'ok' && recent.value !== null ? recent.value : undefined;
}

/** The metric that asked for the scale-out, and the utilization to size it for. */
function sizingSignal(
  proposal: Proposal,
  context: PolicyContext,
): { metric: string; targetPercent: number } | undefined {
  const fired = proposal.signals.filter(
    (signal) => signal.direction === 'out' && signal.fired && signal.value !== null,
  );
  const hottest = fired.sort((a, b) => (b.value ?? 0) / b.threshold - (a.value ?? 0) / a.threshold)[0];
  if (!hottest) return undefined;
  // Custom mode: just below the rule's threshold, so the rule does not fire again at the horizon's load. Not
  // lower: an elastic cluster keeps every node it gets, so headroom beyond the user's own rule is paid forever.
  const targetPercent =
    context.target.mode === 'optimized' ? context.target.optimized.targetUtilizationPercent : hottest.threshold;
  return { metric: hottest.metric, targetPercent };
}

/**
 * How long the target's last scale-out took from the ask to its end (rebalance included), within bounds, plus the
 * cache warm-up that follows it where the kind has one: the new capacity carries load only then.
 */
export function horizonMinutes(context: PolicyContext): number {
  const last = context.history.lastScaleOut;
  if (last?.completedAt) {
    const minutes = Math.round((last.completedAt.getTime() - last.startedAt.getTime()) / MINUTE_MS);
    const bounded = Math.min(HORIZON_BOUNDS_MINUTES.max, Math.max(HORIZON_BOUNDS_MINUTES.min, minutes));
    return bounded + cacheWarmupMinutes(context);
  }
  return kindOf(context.target).defaultHorizonMinutes;
}

/** Load at the end of the horizon from the last half hour of `metric` (a utilization in percent of the current capacity). */
export function trendHorizonNeed(context: PolicyContext, metric: string): HorizonNeed | undefined {
  const spec = { metric, statistic: 'Average' as const, timeGrainMinutes: 1, timeAggregation: 'Average' as const };
  const recent = evaluateWindow(
    context.metrics,
    { ...spec, windowMinutes: RECENT_MINUTES },
    context.target.dataQuality,
  );
  const earlier = evaluateWindow(
    context.metrics,
    { ...spec, windowMinutes: TREND_MINUTES },
    context.target.dataQuality,
  );
  if (recent.status !== 'ok' || recent.value === null) return undefined;
  const capacity = context.observed.capacity;
  const loadNow = (recent.value * capacity) / 100;
  const risePerMinute =
    earlier.status === 'ok' && earlier.value !== null
      ? Math.max(0, ((recent.value - earlier.value) * capacity) / 100 / TREND_CENTRES_APART_MINUTES)
      : 0;
  const minutes = horizonMinutes(context);
  // A utilization pinned at its ceiling hides how much load there is. Where a step too large can be undone
  // (Azure Data Explorer scales back in), assume half as much again; an elastic cluster keeps every node, so it
  // is sized for what it can see.
  const saturated = recent.value >= SATURATED_PERCENT && kindOf(context.target).assumesHiddenLoadWhenSaturated;
  if (saturated)
    return {
      loadUnits: loadNow * SATURATED_LOAD_FACTOR,
      horizonMinutes: minutes,
      source: 'trend',
      detail: `load at least ${loadNow.toFixed(1)} now (utilization pinned at ${formatValue(recent.value)} %), assumed ${(loadNow * SATURATED_LOAD_FACTOR).toFixed(1)}`,
    };
  // The recent window's centre is half of it in the past.
  const loadUnits = loadNow + risePerMinute * (minutes + RECENT_MINUTES / 2);
  const detail = `load ${loadNow.toFixed(1)} now, rising ${(risePerMinute * 60).toFixed(1)} per hour, ${loadUnits.toFixed(1)} expected`;
  return { loadUnits, horizonMinutes: minutes, source: 'trend', detail };
}
