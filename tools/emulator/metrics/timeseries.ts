/** Building the `timeseries` of one metric of one resource from the scripted series: split, rolled up, ranked. */
import { armTimestamp } from '../arm.js';
import type { Bucket, DataPoint, Stats } from './aggregate.js';
import { bucketStats, combine, dataPoint } from './aggregate.js';
import type { Aggregation, MetricDefinition } from './catalog.js';
import { MINUTE_MS } from './load.js';
import type { DimensionFilter, MetricsQuery } from './query.js';
import { grainToIso, parseDimensionFilter } from './query.js';
import type { MetricSeries } from './store.js';

export interface TimeSeries {
  metadatavalues: Array<{ name: { value: string; localizedValue: string }; value: string }>;
  data: DataPoint[];
}

/** A bucket with its `timeStamp` as the answer prints it, formatted once per request rather than once per series. */
export interface StampedBucket extends Bucket {
  timeStamp: string;
}

export interface TimeWindow {
  buckets: StampedBucket[];
  /** The `interval` the response states: the grain, or the whole span for FULL (PT4H in the RollupBy example). */
  intervalIso: string;
}

/**
 * Buckets aligned to the grain, from the one holding `starttime` up to the last that ends by `endtime` (the
 * example answers 20:00:00.123-23:00:00.345 at PT15M with 20:00 ... 22:45).
 */
export function timeWindow(query: MetricsQuery): TimeWindow {
  if (query.interval.kind === 'full') {
    const startMs = Math.floor(query.startMs / MINUTE_MS) * MINUTE_MS;
    return { buckets: [stamped(startMs, query.endMs)], intervalIso: grainToIso(query.endMs - query.startMs) };
  }
  const grainMs = query.interval.ms;
  const buckets: StampedBucket[] = [];
  for (
    let startMs = Math.floor(query.startMs / grainMs) * grainMs;
    startMs + grainMs <= query.endMs;
    startMs += grainMs
  ) {
    buckets.push(stamped(startMs, startMs + grainMs));
  }
  return { buckets, intervalIso: query.interval.iso };
}

function stamped(startMs: number, endMs: number): StampedBucket {
  return { startMs, endMs, timeStamp: armTimestamp(startMs) };
}

/** The time series of one metric, each with a data point per bucket; points without data carry only `timeStamp`. */
export function timeSeries(
  series: readonly MetricSeries[],
  definition: MetricDefinition,
  query: MetricsQuery,
  buckets: readonly StampedBucket[],
  publishedUntilMs: number,
): TimeSeries[] {
  const aggregations = query.aggregations ?? definition.aggregations.slice(0, 1);
  const groups =
    query.filter === undefined
      ? [unsplitGroup(series)]
      : splitGroups(series, parseDimensionFilter(query.filter, definition), query);
  return rankGroups(groups, query, buckets, publishedUntilMs).map((group) => ({
    metadatavalues: group.metadata,
    data: buckets.map((bucket) =>
      dataPoint(bucket.timeStamp, bucketStats(group.loads, bucket, publishedUntilMs), aggregations),
    ),
  }));
}

interface SeriesGroup {
  metadata: TimeSeries['metadatavalues'];
  loads: MetricSeries['load'][];
}

/** Without a filter: the series without dimensions if the test set one, else all series folded together. */
function unsplitGroup(series: readonly MetricSeries[]): SeriesGroup {
  const plain = series.filter((candidate) => candidate.dimensions.size === 0);
  return { metadata: [], loads: (plain.length > 0 ? plain : series).map((candidate) => candidate.load) };
}

/** With a filter: one time series per combination of the filtered dimensions' values (minus `rollupby` ones). */
function splitGroups(series: readonly MetricSeries[], filter: DimensionFilter, query: MetricsQuery): SeriesGroup[] {
  const splitBy = [...filter.entries()].filter(([key]) => !query.rollUpBy.includes(key));
  const groups = new Map<string, SeriesGroup>();
  for (const candidate of series.filter((each) => passesFilter(each, filter))) {
    const metadata = splitBy.map(([key]) => {
      const dimension = candidate.dimensions.get(key);
      return { name: { value: key, localizedValue: key }, value: dimension?.value ?? '' };
    });
    const groupKey = metadata.map((entry) => entry.value.toLowerCase()).join('\u0000');
    const group = groups.get(groupKey) ?? { metadata, loads: [] };
    group.loads.push(candidate.load);
    groups.set(groupKey, group);
  }
  return [...groups.values()];
}

function passesFilter(series: MetricSeries, filter: DimensionFilter): boolean {
  for (const [key, { values }] of filter) {
    const dimension = series.dimensions.get(key);
    if (!dimension) return false;
    if (values !== '*' && !values.has(dimension.value.toLowerCase())) return false;
  }
  return true;
}

/** Applies `orderby` and `top`; `top` only limits split results, like the service. */
function rankGroups(
  groups: SeriesGroup[],
  query: MetricsQuery,
  buckets: readonly Bucket[],
  publishedUntilMs: number,
): SeriesGroup[] {
  if (query.filter === undefined) return groups;
  const { orderBy } = query;
  if (!orderBy) return groups.slice(0, query.top);
  const keyed = groups.map((group) => ({ group, key: rankKey(group, buckets, publishedUntilMs, orderBy.aggregation) }));
  keyed.sort((a, b) => (orderBy.descending ? b.key - a.key : a.key - b.key));
  return keyed.slice(0, query.top).map(({ group }) => group);
}

function rankKey(
  group: SeriesGroup,
  buckets: readonly Bucket[],
  publishedUntilMs: number,
  aggregation: Aggregation,
): number {
  const stats = buckets
    .map((bucket) => bucketStats(group.loads, bucket, publishedUntilMs))
    .filter((each): each is Stats => each !== undefined);
  return combine(stats)?.[aggregation] ?? Number.NEGATIVE_INFINITY;
}
