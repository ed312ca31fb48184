/** Turning per-minute scripted samples into the statistics of a time-grain bucket. */
import type { Aggregation } from './catalog.js';
import type { MetricLoad, MinuteValue } from './load.js';
import { MINUTE_MS } from './load.js';

/** Statistics of a minute or a bucket; a statistic the script never gave (e.g. average of a pure count) is absent. */
export interface Stats {
  average?: number;
  minimum?: number;
  maximum?: number;
  total?: number;
  count: number;
}

export function toStats(value: MinuteValue): Stats | undefined {
  if (value === null) return undefined;
  if (typeof value === 'number') return { average: value, minimum: value, maximum: value, total: value, count: 1 };
  const count = value.count ?? 1;
  const average = value.average ?? (value.total === undefined ? undefined : value.total / count);
  return definedOnly({
    average,
    minimum: value.minimum ?? average,
    maximum: value.maximum ?? average,
    total: value.total ?? (average === undefined ? undefined : average * count),
    count,
  });
}

/** Combines samples the way Azure Monitor does across time and dimension values: count-weighted average. */
export function combine(samples: readonly Stats[]): Stats | undefined {
  if (samples.length === 0) return undefined;
  const averaged = samples.filter((sample) => sample.average !== undefined);
  const averagedCount = averaged.reduce((sum, sample) => sum + sample.count, 0);
  return definedOnly({
    average:
      averagedCount > 0
        ? averaged.reduce((sum, sample) => sum + (sample.average ?? 0) * sample.count, 0) / averagedCount
        : undefined,
    minimum: extreme(samples, 'minimum', Math.min),
    maximum: extreme(samples, 'maximum', Math.max),
    total: samples.some((sample) => sample.total !== undefined)
      ? samples.reduce((sum, sample) => sum + (sample.total ?? 0), 0)
      : undefined,
    count: samples.reduce((sum, sample) => sum + sample.count, 0),
  });
}

function extreme(
  samples: readonly Stats[],
  key: 'minimum' | 'maximum',
  pick: (...values: number[]) => number,
): number | undefined {
  const values = samples.map((sample) => sample[key]).filter((value): value is number => value !== undefined);
  return values.length > 0 ? pick(...values) : undefined;
}

type StatsDraft = Record<'average' | 'minimum' | 'maximum' | 'total', number | undefined> & { count: number };

/** Drops undefined statistics (exactOptionalPropertyTypes: absent, not undefined). */
function definedOnly(stats: StatsDraft): Stats {
  const result: Stats = { count: stats.count };
  for (const key of ['average', 'minimum', 'maximum', 'total'] as const) {
    const value = stats[key];
    if (value !== undefined) result[key] = value;
  }
  return result;
}

export interface Bucket {
  startMs: number;
  endMs: number;
}

/**
 * Statistics of one bucket over several series (the dimension values folded into one time series). A minute
 * counts only once it is published: its end plus the ingestion delay lies at or before "now".
 */
export function bucketStats(loads: readonly MetricLoad[], bucket: Bucket, publishedUntilMs: number): Stats | undefined {
  const folded = new StatsFold();
  for (let minuteMs = bucket.startMs; minuteMs < bucket.endMs; minuteMs += MINUTE_MS) {
    if (minuteMs + MINUTE_MS > publishedUntilMs) break;
    for (const load of loads) folded.add(load(minuteMs));
  }
  return folded.result();
}

/**
 * What `combine` gives for the samples added, in the same order of operations, kept as running sums: a bucket of
 * an hour folds 60 samples per series, and weeks of hourly history would otherwise make an object of each.
 */
class StatsFold {
  private samples = 0;
  private weightedAverage = 0;
  private averagedCount = 0;
  private minimum: number | undefined;
  private maximum: number | undefined;
  private total: number | undefined;
  private count = 0;

  add(value: MinuteValue): void {
    if (typeof value === 'number') this.addStats(value, value, value, value, 1);
    else if (value !== null) {
      const stats = toStats(value);
      if (stats) this.addStats(stats.average, stats.minimum, stats.maximum, stats.total, stats.count);
    }
  }

  private addStats(
    average: number | undefined,
    minimum: number | undefined,
    maximum: number | undefined,
    total: number | undefined,
    count: number,
  ): void {
    this.samples += 1;
    if (average !== undefined) {
      this.weightedAverage += average * count;
      this.averagedCount += count;
    }
    if (minimum !== undefined) this.minimum = this.minimum === undefined ? minimum : Math.min(this.minimum, minimum);
    if (maximum !== undefined) this.maximum = this.maximum === undefined ? maximum : Math.max(this.maximum, maximum);
    // Samples without a total add 0 to it, as in combine().
    if (total !== undefined) this.total = (this.total ?? 0) + total;
    this.count += count;
  }

  result(): Stats | undefined {
    if (this.samples === 0) return undefined;
    return definedOnly({
      average: this.averagedCount > 0 ? this.weightedAverage / this.averagedCount : undefined,
      minimum: this.minimum,
      maximum: this.maximum,
      total: this.total,
      count: this.count,
    });
  }
}

export type DataPoint = { timeStamp: string } & Partial<Record<Aggregation, number>>;

export function dataPoint(
  timeStamp: string,
  stats: Stats | undefined,
  aggregations: readonly Aggregation[],
): DataPoint {
  const point: DataPoint = { timeStamp };
  if (!stats) return point;
  for (const aggregation of aggregations) {
    const value = stats[aggregation];
    if (value !== undefined) point[aggregation] = value;
  }
  return point;
}
