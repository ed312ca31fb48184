/**
 * Turns raw 1-minute samples into one value per rule window, the way Azure Monitor autoscale does: samples of
 * one time grain combine with the rule's statistic (across minutes and across per-node series), grains combine
 * with the time aggregation. Only complete grains count: the grain still in progress at `asOfMs` is dropped.
 */
import type { MetricsSnapshot } from '../vocabulary/metric-series.js';
import type { MetricSeries, MetricSample, Statistic } from '../vocabulary/metric-series.js';
import type { TimeAggregation } from '../config/schema/schema.js';
import type { SignalStatus } from './decision.js';

export interface WindowSpec {
  metric: string;
  statistic: Statistic;
  timeGrainMinutes: number;
  windowMinutes: number;
  timeAggregation: TimeAggregation;
  /** Keep only series whose dimensions pass (e.g. QueryStatus = Failed). */
  dimensionFilter?: (dimensions: Record<string, string>) => boolean;
}

export interface DataQuality {
  minWindowCoveragePercent: number;
  maxLagMinutes: number;
}

export interface WindowResult {
  status: SignalStatus;
  /** Null when no grain in the window has data. */
  value: number | null;
  grainsUsed: number;
  grainsExpected: number;
  windowStartMs: number | null;
  windowEndMs: number | null;
  /** Why the window does not count, when it does not. */
  note?: string;
}

const MINUTE_MS = 60_000;

export function evaluateWindow(
  snapshot: MetricsSnapshot | undefined,
  spec: WindowSpec,
  quality: DataQuality,
): WindowResult {
  const grainsExpected = Math.floor(spec.windowMinutes / spec.timeGrainMinutes);
  const empty = { value: null, grainsUsed: 0, grainsExpected, windowStartMs: null, windowEndMs: null };
  if (!snapshot) return { ...empty, status: 'no-data', note: 'metrics could not be read' };

  const grainMs = spec.timeGrainMinutes * MINUTE_MS;
  const lastCompleteGrainEnd = Math.floor(snapshot.asOfMs / grainMs) * grainMs;
  // Older samples can never fall in a window that is still fresh enough to count: skip them (a day of 1-minute
  // samples would otherwise be bucketed for every one-hour window).
  const earliestUsefulMs =
    lastCompleteGrainEnd - (spec.windowMinutes + quality.maxLagMinutes + 2 * spec.timeGrainMinutes) * MINUTE_MS;
  const series = matchingSeries(snapshot.series, spec);
  const grains = bucketIntoGrains(series, grainMs, lastCompleteGrainEnd, earliestUsefulMs);
  const newestGrain = grains.newestWithData();
  if (newestGrain < 0) {
    const stale = series.some((one) =>
      one.samples.some((sample) => sample.value !== null && Number.isFinite(sample.value)),
    );
    return {
      ...empty,
      status: 'no-data',
      note: stale
        ? `newest data of ${spec.metric} is older than ${quality.maxLagMinutes} minutes`
        : `no ${spec.statistic} samples of ${spec.metric}`,
    };
  }

  const windowEndMs = grains.startMs(newestGrain) + grainMs;
  const lagMinutes = (snapshot.asOfMs - windowEndMs) / MINUTE_MS;
  if (lagMinutes > quality.maxLagMinutes + spec.timeGrainMinutes) {
    return {
      ...empty,
      status: 'no-data',
      note: `newest data of ${spec.metric} is ${Math.round(lagMinutes)} minutes old`,
    };
  }

  const windowStartMs = windowEndMs - grainsExpected * grainMs;
  const grainValues: number[] = [];
  for (let grain = newestGrain - grainsExpected + 1; grain <= newestGrain; grain += 1) {
    const combined = grains.combined(grain, spec.statistic);
    if (combined !== undefined) grainValues.push(combined);
  }
  const value = aggregate(spec.timeAggregation, grainValues);
  const required = Math.ceil((grainsExpected * quality.minWindowCoveragePercent) / 100);
  const base = { value, grainsUsed: grainValues.length, grainsExpected, windowStartMs, windowEndMs };
  if (grainValues.length < required) {
    return {
      ...base,
      status: 'insufficient-data',
      note: `${grainValues.length} of ${grainsExpected} grains have data; ${required} needed`,
    };
  }
  return { ...base, status: 'ok' };
}

function matchingSeries(series: MetricSeries[], spec: WindowSpec): MetricSeries[] {
  return series.filter(
    (candidate) =>
      candidate.metric === spec.metric &&
      candidate.aggregation === spec.statistic &&
      (!spec.dimensionFilter || spec.dimensionFilter(candidate.dimensions ?? {})),
  );
}

/**
 * Running sums, minima, maxima and counts per grain, for complete grains from `earliestMs` on. Filled in one pass
 * over the samples (a day of 1-minute samples is read on every evaluation), in the same order as the samples, so
 * a grain's sum is exactly what adding its values one by one gives.
 */
class GrainAccumulator {
  readonly sums: Float64Array;
  readonly minima: Float64Array;
  readonly maxima: Float64Array;
  readonly counts: Uint32Array;

  constructor(
    readonly firstStartMs: number,
    readonly grainMs: number,
    size: number,
  ) {
    this.sums = new Float64Array(size);
    this.minima = new Float64Array(size).fill(Infinity);
    this.maxima = new Float64Array(size).fill(-Infinity);
    this.counts = new Uint32Array(size);
  }

  startMs(grain: number): number {
    return this.firstStartMs + grain * this.grainMs;
  }

  newestWithData(): number {
    for (let grain = this.counts.length - 1; grain >= 0; grain -= 1)
      if ((this.counts[grain] as number) > 0) return grain;
    return -1;
  }

  /** The grain's samples combined with the statistic (see `combine`), or undefined when it has none. */
  combined(grain: number, statistic: Statistic): number | undefined {
    const count = grain >= 0 && grain < this.counts.length ? (this.counts[grain] as number) : 0;
    if (count === 0) return undefined;
    switch (statistic) {
      case 'Average':
        return (this.sums[grain] as number) / count;
      case 'Minimum':
        return this.minima[grain] as number;
      case 'Maximum':
        return this.maxima[grain] as number;
      case 'Total':
      case 'Count':
        return this.sums[grain] as number;
    }
  }
}

/** Complete grains only. NaN, infinities and nulls are not data. */
function bucketIntoGrains(
  series: MetricSeries[],
  grainMs: number,
  lastCompleteGrainEnd: number,
  earliestMs: number,
): GrainAccumulator {
  const firstStartMs = Math.floor(earliestMs / grainMs) * grainMs;
  const size = Math.max(0, Math.round((lastCompleteGrainEnd - firstStartMs) / grainMs));
  const grains = new GrainAccumulator(firstStartMs, grainMs, size);
  const { sums, minima, maxima, counts } = grains;
  for (const one of series) {
    const samples = one.samples;
    for (let index = firstUsefulIndex(samples, earliestMs); index < samples.length; index += 1) {
      const sample = samples[index] as MetricSample;
      const value = sample.value;
      if (value === null || !Number.isFinite(value) || sample.timestampMs < earliestMs) continue;
      const grain = Math.floor((sample.timestampMs - firstStartMs) / grainMs);
      if (grain >= size) continue;
      sums[grain] = (sums[grain] as number) + value;
      if (value < (minima[grain] as number)) minima[grain] = value;
      if (value > (maxima[grain] as number)) maxima[grain] = value;
      counts[grain] = (counts[grain] as number) + 1;
    }
  }
  return grains;
}

/** Whether each sample is later than the one before (memoized: one series is read by several windows). */
const inTimeOrder = new WeakMap<readonly MetricSample[], boolean>();

/**
 * Where the samples at or after `earliestMs` begin: a binary search when the samples are in time order (as Azure
 * Monitor returns them), else 0. A one-hour window then reads an hour of a day-long series, not the whole day.
 */
function firstUsefulIndex(samples: readonly MetricSample[], earliestMs: number): number {
  let ordered = inTimeOrder.get(samples);
  if (ordered === undefined) {
    ordered = true;
    for (let index = 1; index < samples.length && ordered; index += 1)
      ordered = (samples[index - 1] as MetricSample).timestampMs < (samples[index] as MetricSample).timestampMs;
    inTimeOrder.set(samples, ordered);
  }
  if (!ordered) return 0;
  let low = 0;
  let high = samples.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((samples[middle] as MetricSample).timestampMs < earliestMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** How the samples of one grain combine. Count and Total series already hold counts and sums per minute. */
export function combine(statistic: Statistic, values: number[]): number {
  switch (statistic) {
    case 'Average':
      return values.reduce((sum, value) => sum + value, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'Total':
    case 'Count':
      return values.reduce((sum, value) => sum + value, 0);
  }
}

export function aggregate(timeAggregation: TimeAggregation, grainValues: number[]): number | null {
  if (grainValues.length === 0) return timeAggregation === 'Count' ? 0 : null;
  switch (timeAggregation) {
    case 'Count':
      return grainValues.length;
    case 'Last':
      return grainValues[grainValues.length - 1] ?? null;
    default:
      return combine(timeAggregation, grainValues);
  }
}
