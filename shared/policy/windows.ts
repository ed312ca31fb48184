/**
 * Turns raw 1-minute samples into one value per rule window, the way Azure Monitor autoscale does: samples of
 * one time grain combine with the rule's statistic (across minutes and across per-node series), grains combine
 * with the time aggregation. Only complete grains count: the grain still in progress at `asOfMs` is dropped.
 */
import type { MetricSeries, MetricSample, Statistic } from '../metrics/metric-series.js';
import type { TimeAggregation } from '../config/schema.js';
import type { MetricsSnapshot } from './input.js';
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

export function evaluateWindow(snapshot: MetricsSnapshot | undefined, spec: WindowSpec, quality: DataQuality): WindowResult {
  const grainsExpected = Math.floor(spec.windowMinutes / spec.timeGrainMinutes);
  const empty = { value: null, grainsUsed: 0, grainsExpected, windowStartMs: null, windowEndMs: null };
  if (!snapshot) return { ...empty, status: 'no-data', note: 'metrics could not be read' };

  const grainMs = spec.timeGrainMinutes * MINUTE_MS;
  const lastCompleteGrainEnd = Math.floor(snapshot.asOfMs / grainMs) * grainMs;
  // Older samples can never fall in a window that is still fresh enough to count: skip them (a day of 1-minute
  // samples would otherwise be bucketed for every one-hour window).
  const earliestUsefulMs = lastCompleteGrainEnd - (spec.windowMinutes + quality.maxLagMinutes + 2 * spec.timeGrainMinutes) * MINUTE_MS;
  const series = matchingSeries(snapshot.series, spec);
  const grains = bucketIntoGrains(series, grainMs, lastCompleteGrainEnd, earliestUsefulMs);
  if (grains.size === 0) {
    const stale = series.some((one) => one.samples.some((sample) => sample.value !== null && Number.isFinite(sample.value)));
    return { ...empty, status: 'no-data', note: stale ? `newest data of ${spec.metric} is older than ${quality.maxLagMinutes} minutes` : `no ${spec.statistic} samples of ${spec.metric}` };
  }
  const newestGrainStart = Math.max(...grains.keys());

  const windowEndMs = newestGrainStart + grainMs;
  const lagMinutes = (snapshot.asOfMs - windowEndMs) / MINUTE_MS;
  if (lagMinutes > quality.maxLagMinutes + spec.timeGrainMinutes) {
    return { ...empty, status: 'no-data', note: `newest data of ${spec.metric} is ${Math.round(lagMinutes)} minutes old` };
  }

  const windowStartMs = windowEndMs - grainsExpected * grainMs;
  const grainValues: number[] = [];
  for (let start = windowStartMs; start < windowEndMs; start += grainMs) {
    const samples = grains.get(start);
    if (samples) grainValues.push(combine(spec.statistic, samples));
  }
  const value = aggregate(spec.timeAggregation, grainValues);
  const required = Math.ceil((grainsExpected * quality.minWindowCoveragePercent) / 100);
  const base = { value, grainsUsed: grainValues.length, grainsExpected, windowStartMs, windowEndMs };
  if (grainValues.length < required) {
    return { ...base, status: 'insufficient-data', note: `${grainValues.length} of ${grainsExpected} grains have data; ${required} needed` };
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

/** Grain start -> finite sample values, for complete grains only. NaN, infinities and nulls are not data. */
function bucketIntoGrains(series: MetricSeries[], grainMs: number, lastCompleteGrainEnd: number, earliestMs: number): Map<number, number[]> {
  const grains = new Map<number, number[]>();
  const add = (sample: MetricSample) => {
    if (sample.value === null || !Number.isFinite(sample.value) || sample.timestampMs < earliestMs) return;
    const grainStart = Math.floor(sample.timestampMs / grainMs) * grainMs;
    if (grainStart + grainMs > lastCompleteGrainEnd) return;
    const bucket = grains.get(grainStart);
    if (bucket) bucket.push(sample.value);
    else grains.set(grainStart, [sample.value]);
  };
  for (const one of series) one.samples.forEach(add);
  return grains;
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
