/**
 * Optimized mode: Azure Data Explorer's documented reactive logic (docs/azure-data-explorer-scaling.md), with the
 * thresholds as tunable defaults (config/fields/defaults.ts). Elastic clusters use the same scale-out logic on their
 * own signals and never scale in.
 *
 * Scale out: a signal stays above its threshold for the whole window (its lowest grain is above it). The step
 * is proportional, like the HPA: enough to bring the hottest signal's window average to the target utilization.
 * Scale in: every check agrees over the evaluation window (1 day, hourly grains), and the window lies entirely
 * after the last operation finished, so it describes the current capacity.
 */
import type { ScaleOutCheck } from '../kinds/definition.js';
import type { ScaleInTarget } from '../kinds/registry.js';
import { kindOf } from '../kinds/registry.js';
import type { SignalEvidence } from './decision.js';
import { evaluateSignal, hasData, type SignalSpec } from './signal.js';
import { describeMissing, metricsUnavailableProposal } from './metrics-unavailable.js';
import { evaluateWindow } from './windows.js';
import { lastSettled } from './guards/cooldown.js';
import { type PolicyContext, type ProjectableSignal, type Proposal, formatValue, unitsOf } from './proposal.js';

export function proposeOptimized(context: PolicyContext): Proposal {
  const { target } = context;
  const kind = kindOf(target);
  const out = evaluateScaleOut(kind.optimized.scaleOutChecks(target), context);
  if (out.to > context.observed.capacity) return out;
  if (out.signals.every((signal) => !hasData(signal))) {
    return metricsUnavailableProposal(context, out.signals, describeMissing(out.signals));
  }
  const scalesIn = kind.optimized.scaleInTarget(target);
  return scalesIn ? evaluateScaleIn(scalesIn, context, out.signals) : out;
}

function evaluateScaleOut(checks: ScaleOutCheck[], context: PolicyContext): Proposal {
  const { target } = context;
  const from = context.observed.capacity;
  const { scaleOutWindowMinutes, scaleOutGrainMinutes, targetUtilizationPercent } = target.optimized;
  const evaluated = checks.map((check) => {
    const spec: SignalSpec = {
      ...check,
      direction: 'out',
      statistic: 'Average',
      timeGrainMinutes: scaleOutGrainMinutes,
      windowMinutes: scaleOutWindowMinutes,
      timeAggregation: 'Minimum',
      operator: 'GreaterThan',
    };
    const signal = evaluateSignal(spec, context);
    const average = evaluateWindow(context.metrics, { ...spec, timeAggregation: 'Average' }, target.dataQuality).value;
    return { signal, average };
  });
  const signals = evaluated.map(({ signal }) => signal);
  const base = { from, origin: 'signals' as const, signals, projectable: [], guards: [], metricsUnavailable: false };
  const fired = evaluated.filter(({ signal }) => signal.fired);
  if (fired.length === 0) {
    return {
      ...base,
      to: from,
      reason: 'WithinThresholds',
      message: `no signal stayed high for ${scaleOutWindowMinutes} min; holding ${unitsOf(target, from)}`,
    };
  }
  const wanted = Math.max(
    ...fired.map(({ average, signal }) =>
      proportionalCapacity(from, average ?? signal.value ?? 0, targetUtilizationPercent),
    ),
  );
  const to = Math.max(from + 1, wanted);
  const why = fired
    .map(
      ({ signal }) =>
        `${signal.metric} stayed above ${signal.threshold} % for ${scaleOutWindowMinutes} min (lowest ${formatValue(signal.value)} %)`,
    )
    .join('; ');
  return {
    ...base,
    to,
    reason: 'SustainedHighUtilization',
    message: `${why}; scaling out from ${from} to ${unitsOf(target, to)} to reach ~${targetUtilizationPercent} %`,
  };
}

/** Capacity at which `utilizationPercent` (measured at `from`) would fall to the target. */
export function proportionalCapacity(from: number, utilizationPercent: number, targetPercent: number): number {
  return Math.ceil((from * utilizationPercent) / targetPercent);
}

function evaluateScaleIn(target: ScaleInTarget, context: PolicyContext, outSignals: SignalEvidence[]): Proposal {
  const from = context.observed.capacity;
  const { scaleInWindowMinutes, scaleInEarlyWindowMinutes } = target.optimized;
  const day = judgeScaleIn(target, context, scaleInWindowMinutes);
  const early =
    scaleInEarlyWindowMinutes > 0 && scaleInEarlyWindowMinutes < scaleInWindowMinutes && day.verdict !== 'pass'
      ? judgeScaleIn(target, context, scaleInEarlyWindowMinutes)
      : undefined;
  const marked = (signal: SignalEvidence): SignalEvidence =>
    day.unreported.includes(signal.metric) && signal.status === 'no-data' ? { ...signal, notReported: true } : signal;
  const signals = [
    ...outSignals,
    ...day.checks.map(({ signal }) => signal),
    ...(early?.checks.map(({ signal }) => signal) ?? []),
  ].map(marked);
  const projectable = kustoProjectable(target, day.verdict === 'pass' || !early ? day.checks : early.checks);
  const base = { from, origin: 'signals' as const, signals, projectable, guards: [], metricsUnavailable: false };
  const unreported =
    day.unreported.length > 0
      ? `; ${day.unreported.join(' and ')} ${day.unreported.length === 1 ? 'is' : 'are'} not reported by this cluster, so scale-in is decided without ${day.unreported.length === 1 ? 'it' : 'them'}`
      : '';

  if (day.verdict === 'pass') {
    const needed = Math.max(
      1,
      ...projectable.map((signal) =>
        proportionalCapacity(from, signal.value, target.optimized.targetUtilizationPercent),
      ),
    );
    const to = Math.min(from - 1, needed);
    return {
      ...base,
      to,
      reason: 'SustainedLowUtilization',
      message: `every scale-in check agreed over the last ${scaleInWindowMinutes} min${unreported}; scaling in from ${from} to ${unitsOf(target, to)}`,
    };
  }
  if (early?.verdict === 'pass') {
    const to = strongEvidenceCapacity(target, from, early.checks);
    if (to < from) {
      return {
        ...base,
        to,
        reason: 'SustainedLowUtilization',
        message: `strong evidence: every scale-in check agreed over the last ${scaleInEarlyWindowMinutes} min and stays quiet at ${unitsOf(target, to)} (each peak projected below its scale-in threshold)${unreported}; scaling in from ${from} without waiting ${scaleInWindowMinutes} min`,
      };
    }
  }
  return {
    ...base,
    to: from,
    reason: day.verdict === 'incomplete' ? 'EvaluationWindowIncomplete' : 'WithinThresholds',
    message: `${day.message}${unreported}; holding ${unitsOf(target, from)}`,
  };
}

interface ScaleInJudgement {
  verdict: 'pass' | 'veto' | 'incomplete';
  checks: ScaleInCheck[];
  /** Metrics the cluster publishes no data for at all (it does not emit them): their checks do not block. */
  unreported: string[];
  message: string;
}

/** Every scale-in check over one window, which must lie after the last operation and its warm-up. */
function judgeScaleIn(target: ScaleInTarget, context: PolicyContext, windowMinutes: number): ScaleInJudgement {
  const checks = kustoScaleInChecks(target, context, windowMinutes);
  const unreported = checks
    .filter(
      ({ signal, optional }) =>
        !optional &&
        signal.status === 'no-data' &&
        NOT_ALWAYS_EMITTED.has(signal.metric) &&
        !reported(context, signal.metric),
    )
    .map(({ signal }) => signal.metric);
  const passes = ({ signal, optional }: ScaleInCheck) =>
    signal.fired || (signal.status === 'no-data' && (optional || unreported.includes(signal.metric)));
  const failing = checks.filter((check) => !passes(check));
  if (failing.length > 0) {
    const missing = failing.filter(({ signal }) => signal.status !== 'ok');
    if (missing.length === failing.length) {
      return {
        verdict: 'incomplete',
        checks,
        unreported,
        message: `scale-in needs ${windowMinutes} min of complete data (${describeMissing(missing.map(({ signal }) => signal))})`,
      };
    }
    return {
      verdict: 'veto',
      checks,
      unreported,
      message: `no scale-out signal fired and scale-in is vetoed by ${failing.map(({ signal }) => signal.name).join(', ')}`,
    };
  }
  const windowStart = checks[0]?.signal.windowStart;
  const settled = lastSettled(context);
  if (windowStart && settled !== undefined && Date.parse(windowStart) < settled) {
    return {
      verdict: 'incomplete',
      checks,
      unreported,
      message: `the ${windowMinutes}-min scale-in window must start after the last operation and its cache warm-up finished at ${new Date(settled).toISOString()}`,
    };
  }
  return { verdict: 'pass', checks, unreported, message: '' };
}

/** Cache and ingestion series exist only on clusters that use them; CPU and KeepAlive always do. */
const NOT_ALWAYS_EMITTED: ReadonlySet<string> = new Set(['CacheUtilizationFactor', 'IngestionUtilization']);

/** Whether the snapshot holds any value of `metric` at all. A series of nothing but nulls is not a report. */
function reported(context: PolicyContext, metric: string): boolean {
  return (context.metrics?.series ?? []).some(
    (one) =>
      one.metric === metric && one.samples.some((sample) => sample.value !== null && Number.isFinite(sample.value)),
  );
}

/**
 * The smallest capacity at which every check's peak, spread over fewer instances, still stays below its own
 * scale-in threshold: the cluster would still qualify as quiet after the scale-in, so there is no need to wait for
 * a whole quiet day.
 */
function strongEvidenceCapacity(target: ScaleInTarget, from: number, checks: ScaleInCheck[]): number {
  const thresholds: Record<string, number> = {
    CPU: target.optimized.scaleIn.cpuPercent,
    IngestionUtilization: target.optimized.scaleIn.ingestionUtilizationPercent,
    CacheUtilizationFactor: target.optimized.scaleIn.cacheUtilizationPercent,
  };
  let to = 1;
  for (const { signal } of checks) {
    const threshold = thresholds[signal.metric];
    if (threshold === undefined || signal.value === null) continue;
    to = Math.max(to, Math.floor((signal.value * from) / threshold) + 1);
  }
  return Math.min(from, to);
}

interface ScaleInCheck {
  signal: SignalEvidence;
  /** Optional signals (streaming ingest, throttling, failures) pass when the cluster does not emit them. */
  optional: boolean;
}

function kustoScaleInChecks(target: ScaleInTarget, context: PolicyContext, windowMinutes: number): ScaleInCheck[] {
  const { scaleIn, scaleInGrainMinutes } = target.optimized;
  const window = { timeGrainMinutes: scaleInGrainMinutes, windowMinutes, direction: 'in' as const };
  // The early window's checks carry its length in their names, so the evidence tells both apart.
  const suffix = windowMinutes === target.optimized.scaleInWindowMinutes ? '' : `-${windowMinutes}min`;
  const peakBelow = (name: string, metric: string, threshold: number, optional = false): ScaleInCheck => ({
    optional,
    signal: evaluateSignal(
      {
        ...window,
        name: `${name}${suffix}`,
        metric,
        threshold,
        statistic: 'Average',
        timeAggregation: 'Maximum',
        operator: 'LessThan',
      },
      context,
    ),
  });
  return [
    peakBelow('cpu-low', 'CPU', scaleIn.cpuPercent),
    peakBelow('ingestion-low', 'IngestionUtilization', scaleIn.ingestionUtilizationPercent),
    peakBelow('cache-not-high', 'CacheUtilizationFactor', scaleIn.cacheUtilizationPercent),
    peakBelow(
      'streaming-ingest-not-high',
      'StreamingIngestUtilization',
      scaleIn.streamingIngestUtilizationPercent,
      true,
    ),
    {
      optional: false,
      signal: evaluateSignal(
        {
          ...window,
          name: `keepalive-healthy${suffix}`,
          metric: 'KeepAlive',
          threshold: scaleIn.minKeepAlive,
          statistic: 'Average',
          timeAggregation: 'Minimum',
          operator: 'GreaterThanOrEqual',
        },
        context,
      ),
    },
    {
      optional: true,
      signal: evaluateSignal(
        {
          ...window,
          name: `no-query-throttling${suffix}`,
          metric: 'TotalNumberOfThrottledQueries',
          threshold: scaleIn.maxThrottledQueries,
          statistic: 'Total',
          timeAggregation: 'Total',
          operator: 'LessThanOrEqual',
        },
        context,
      ),
    },
    { optional: true, signal: failedQueryShare(target, context, windowMinutes, suffix) },
  ];
}

/** QueryResult (Count, split by QueryStatus) gives the failed share; there is no FailedQueries metric. */
function failedQueryShare(
  target: ScaleInTarget,
  context: PolicyContext,
  windowMinutes: number,
  suffix: string,
): SignalEvidence {
  const { scaleIn, scaleInGrainMinutes } = target.optimized;
  const spec = {
    metric: 'QueryResult',
    statistic: 'Count' as const,
    timeGrainMinutes: scaleInGrainMinutes,
    windowMinutes,
    timeAggregation: 'Total' as const,
  };
  const all = evaluateWindow(context.metrics, spec, target.dataQuality);
  const failed = evaluateWindow(
    context.metrics,
    { ...spec, dimensionFilter: (dimensions) => /fail/i.test(dimensions.QueryStatus ?? '') },
    target.dataQuality,
  );
  const share = all.value ? ((failed.value ?? 0) / all.value) * 100 : null;
  const signal = evaluateSignal(
    {
      ...spec,
      name: `failed-queries-low${suffix}`,
      direction: 'in',
      operator: 'LessThanOrEqual',
      threshold: scaleIn.maxFailedQueryPercent,
    },
    context,
  );
  const status = all.status;
  return {
    ...signal,
    statistic: 'Count',
    metric: 'QueryResult (failed %)',
    value: share,
    status,
    fired: status === 'ok' && share !== null && share <= scaleIn.maxFailedQueryPercent,
  };
}

/** The scale-out signals at their peak hour, re-checked by the flapping projection at the smaller capacity. */
function kustoProjectable(target: ScaleInTarget, checks: ScaleInCheck[]): ProjectableSignal[] {
  const { scaleOut } = target.optimized;
  const outThreshold: Record<string, number> = {
    CPU: scaleOut.cpuPercent,
    IngestionUtilization: scaleOut.ingestionUtilizationPercent,
    CacheUtilizationFactor: scaleOut.cacheUtilizationPercent,
  };
  return checks.flatMap(({ signal }) => {
    const threshold = outThreshold[signal.metric];
    if (threshold === undefined || signal.value === null) return [];
    return [{ name: signal.name, metric: signal.metric, value: signal.value, threshold, inclusive: false }];
  });
}
