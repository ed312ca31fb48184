/**
 * How long before a forecast need the scale-out must start: learned from the target's own completed scale-outs.
 * An operation completes when its follow-up ends it: for an elastic cluster after ARM and the Citus rebalance,
 * for Azure Data Explorer when ARM finished, after which the hot cache still warms (`cacheWarmupMinutes`, which
 * ADX does not report). With no completed scale-out yet, the configured default stands in. Pure.
 */
/** A finished (or running) operation, as the lead time needs it. */
export interface TimedOperation {
  direction: 'out' | 'in';
  status: string;
  startedAt: Date;
  completedAt?: Date | undefined;
}

export interface LeadTime {
  minutes: number;
  source: 'learned' | 'default';
  /** Completed scale-outs the figure comes from. */
  samples: number;
  message: string;
}

export interface LeadTimeSettings {
  defaultMinutes: number;
  /** Added to each learned duration (ADX cache warm-up); 0 for elastic clusters, whose completion includes the rebalance. */
  warmupMinutes: number;
}

/** The most recent scale-outs learned from: recent enough to follow a cluster that grew. */
export const LEAD_TIME_SAMPLES = 10;
/** A high quantile, not the mean: starting too late costs overload, too early only a little capacity. */
const LEAD_QUANTILE = 0.8;
const MINUTE_MS = 60_000;

export function learnLeadTime(operations: readonly TimedOperation[], settings: LeadTimeSettings): LeadTime {
  const durations = operations
    .filter(
      (operation) =>
        operation.direction === 'out' && operation.status === 'succeeded' && operation.completedAt !== undefined,
    )
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())
    .slice(0, LEAD_TIME_SAMPLES)
    .map((operation) => ((operation.completedAt as Date).getTime() - operation.startedAt.getTime()) / MINUTE_MS)
    .filter((minutes) => Number.isFinite(minutes) && minutes >= 0);
  if (durations.length === 0) {
    return {
      minutes: settings.defaultMinutes,
      source: 'default',
      samples: 0,
      message: `no completed scale-out yet; assuming ${settings.defaultMinutes} min`,
    };
  }
  const sorted = [...durations].sort((a, b) => a - b);
  const operationMinutes = Math.ceil(
    sorted[Math.min(sorted.length - 1, Math.floor(LEAD_QUANTILE * sorted.length))] as number,
  );
  const minutes = operationMinutes + settings.warmupMinutes;
  const warmup = settings.warmupMinutes > 0 ? ` plus ${settings.warmupMinutes} min of cache warm-up` : '';
  return {
    minutes,
    source: 'learned',
    samples: durations.length,
    message: `${operationMinutes} min (80th percentile of the last ${durations.length} completed scale-out(s))${warmup}`,
  };
}
