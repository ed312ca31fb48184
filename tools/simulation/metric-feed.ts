/**
 * The metrics a policy sees, as Azure Monitor would report them: one sample per minute per metric, computed from
 * the load and the effective capacity of that minute, with seeded measurement noise, readable only
 * `reportingLagMinutes` after the minute ends. Every policy reads this same feed (same noise on the same minute).
 *
 * Simulated metrics (REST names, docs/azure-monitor-metrics.md):
 * - elastic cluster: `cpu_percent` = demand / effective capacity, capped at 100 %;
 * - Azure Data Explorer: `CPU` likewise; `IngestionUtilization` = ingestion demand / effective capacity, capped at
 *   100 %; `CacheUtilizationFactor` = cache demand / effective capacity, not capped (the published metric goes
 *   above 100 % when the hot data does not fit); `KeepAlive` = 1, or the served share of the load while
 *   overloaded; `InstanceCount` = running instances. Cache and ingestion only when the trace has them.
 * Everything else (memory, storage, throttling, failed queries, streaming ingest) has no data, exactly as for a
 * resource that does not emit it; the policy reports such signals as NoData.
 *
 * Minutes before the trace are filled with the first minute's steady state, so windows that look back (up to a
 * day) have data from the start. Coarse (hourly) history, what the forecaster learns the load's pattern from,
 * starts with the trace: the simulator knows nothing of the load before it, and a day of that steady state would
 * read as a real day without any daily pattern (it kept the forecaster from trusting a plain daily cycle for days).
 */
import type { MetricsSnapshot } from '../../shared/vocabulary/metric-series.js';
import type { TargetKind } from '../../shared/vocabulary/kinds.js';
import type { MetricSample, MetricSeries, Statistic } from '../../shared/vocabulary/metric-series.js';
import type { MetricsRequest } from '../../shared/metrics/metrics-source.port.js';
import { hashSeed, normalAt } from './prng.js';
import type { MetricFeedParameters } from './model/parameters.js';
import { MINUTE_MS } from './trace.js';
import { simulationOf } from './kinds/registry.js';
import type { FeedMeasure } from './kinds/definition.js';

/** Enough history before the trace for the longest window any policy reads (a day) plus its grain. */
export const PREFILL_MINUTES = 26 * 60;

export interface MinuteReading {
  demand: number;
  cacheDemand?: number | undefined;
  ingestionDemand?: number | undefined;
  /** max of the demands: what the cluster must serve. */
  need: number;
  effective: number;
  readyUnits: number;
}

interface MetricDefinition {
  name: string;
  noisy: boolean;
  capPercent: boolean;
  value: (reading: MinuteReading) => number;
}

/** A cluster with no effective capacity left reports this (rather than an infinite ratio). */
const SATURATED_PERCENT = 1000;

const ratioPercent = (load: number, effective: number) =>
  effective > 0 ? Math.min(SATURATED_PERCENT, (100 * load) / effective) : load > 0 ? SATURATED_PERCENT : 0;

const MEASURES: Record<FeedMeasure, (reading: MinuteReading) => number> = {
  demand: (reading) => ratioPercent(reading.demand, reading.effective),
  cache: (reading) => ratioPercent(reading.cacheDemand ?? 0, reading.effective),
  ingestion: (reading) => ratioPercent(reading.ingestionDemand ?? 0, reading.effective),
  'keep-alive': (reading) => (reading.need <= reading.effective ? 1 : reading.effective / reading.need),
  instances: (reading) => reading.readyUnits,
};

function definitionsFor(kind: TargetKind, has: { cache: boolean; ingestion: boolean }): MetricDefinition[] {
  return simulationOf(kind)
    .feedMetrics.filter(({ measures }) =>
      measures === 'cache' ? has.cache : measures === 'ingestion' ? has.ingestion : true,
    )
    .map(({ name, noisy, capPercent, measures }) => ({ name, noisy, capPercent, value: MEASURES[measures] }));
}

/** The REST names of the metrics the feed produces for a kind (cache and ingestion only when the trace has them). */
export function simulatedMetricNames(kind: TargetKind, has: { cache: boolean; ingestion: boolean }): string[] {
  return definitionsFor(kind, has).map((definition) => definition.name);
}

const MEASURED_STATISTICS: ReadonlySet<Statistic> = new Set(['Average', 'Minimum', 'Maximum']);

export interface MetricFeedOptions {
  kind: TargetKind;
  parameters: MetricFeedParameters;
  startMs: number;
  minutes: number;
  has: { cache: boolean; ingestion: boolean };
  /** Keep ready-made sample objects for `snapshot` (only the real scaler reads snapshots). */
  snapshots: boolean;
}

class FeedSeries {
  readonly values: Float64Array;
  readonly samples: MetricSample[] = [];
  private readonly noiseSeed: number;

  constructor(
    readonly definition: MetricDefinition,
    length: number,
    seed: number,
  ) {
    this.values = new Float64Array(length);
    this.noiseSeed = hashSeed(seed, definition.name);
  }

  measure(reading: MinuteReading, index: number, noisePercentPoints: number): number {
    let value = this.definition.value(reading);
    if (this.definition.capPercent) value = Math.min(100, value);
    if (this.definition.noisy && noisePercentPoints > 0) value += noisePercentPoints * normalAt(this.noiseSeed, index);
    if (this.definition.capPercent) value = Math.min(100, value);
    return Math.max(0, value);
  }
}

export class MetricFeed {
  private readonly series = new Map<string, FeedSeries>();
  /** Minutes recorded so far, counting the prefill. */
  private recorded = 0;

  constructor(private readonly options: MetricFeedOptions) {
    const length = PREFILL_MINUTES + options.minutes;
    for (const definition of definitionsFor(options.kind, options.has)) {
      this.series.set(definition.name, new FeedSeries(definition, length, options.parameters.seed));
    }
  }

  get metricNames(): string[] {
    return [...this.series.keys()];
  }

  has(metric: string): boolean {
    return this.series.has(metric);
  }

  /** Fills the minutes before the trace with one steady-state reading. */
  prefill(reading: MinuteReading): void {
    for (let index = 0; index < PREFILL_MINUTES; index += 1) this.recordIndex(index, reading);
  }

  /** Records minute `minute` (0 = the trace's first); minutes must come in order. */
  record(minute: number, reading: MinuteReading): void {
    this.recordIndex(PREFILL_MINUTES + minute, reading);
  }

  /** The last minute (trace minute number) whose sample is readable at the start of `nowMinute`. */
  lastPublished(nowMinute: number): number {
    return Math.min(nowMinute - 1 - this.options.parameters.reportingLagMinutes, this.recorded - 1 - PREFILL_MINUTES);
  }

  /** Readable sample of `metric` for trace minute `minute` (negative = before the trace), or undefined. */
  valueAt(metric: string, minute: number): number | undefined {
    const series = this.series.get(metric);
    const index = PREFILL_MINUTES + minute;
    if (!series || index < 0 || index >= this.recorded) return undefined;
    return series.values[index];
  }

  /**
   * The readable samples of `metric` among the last `minutes` minutes before `nowMinute`, oldest first: what a
   * query of the last `minutes` minutes returns when the newest minutes have not been published yet.
   */
  window(metric: string, nowMinute: number, minutes: number): Float64Array {
    const series = this.series.get(metric);
    if (!series) return new Float64Array(0);
    const first = Math.max(-PREFILL_MINUTES, nowMinute - minutes);
    const last = this.lastPublished(nowMinute);
    if (last < first) return new Float64Array(0);
    return series.values.subarray(PREFILL_MINUTES + first, PREFILL_MINUTES + last + 1);
  }

  /**
   * What `AzureMonitorMetrics.fetch` returns for these requests at `nowMs` (a minute boundary): per need and
   * aggregation, one sample per minute of the lookback, `null` for the minutes not published yet.
   */
  snapshot(request: MetricsRequest, nowMs: number): MetricsSnapshot {
    if ((request.intervalMinutes ?? 1) > 1)
      return this.coarseSnapshot(request, nowMs, request.intervalMinutes as number);
    const nowMinute = Math.floor((nowMs - this.options.startMs) / MINUTE_MS);
    const first = Math.max(-PREFILL_MINUTES, nowMinute - request.lookbackMinutes);
    const lastPublished = this.lastPublished(nowMinute);
    const series: MetricSeries[] = [];
    for (const need of request.needs) {
      const feed = this.series.get(need.metric);
      if (!feed || need.splitBy) continue;
      const samples = this.samplesOf(feed, first, lastPublished, nowMinute);
      for (const aggregation of need.aggregations) {
        // One sample per minute: its average, minimum and maximum are the same number.
        if (MEASURED_STATISTICS.has(aggregation)) series.push({ metric: need.metric, aggregation, samples });
      }
    }
    return { asOfMs: nowMs, series };
  }

  /**
   * What Azure Monitor answers for a coarse interval (the forecast's PT1H history): per interval, the average of
   * its published minutes (minimum and maximum likewise); intervals not wholly published yet are left out, as the
   * adapter drops partial ones.
   */
  private coarseSnapshot(request: MetricsRequest, nowMs: number, intervalMinutes: number): MetricsSnapshot {
    const intervalMs = intervalMinutes * MINUTE_MS;
    const endMs = Math.floor(nowMs / intervalMs) * intervalMs;
    const startMs = Math.max(
      endMs - Math.ceil(request.lookbackMinutes / intervalMinutes) * intervalMs,
      Math.ceil(this.options.startMs / intervalMs) * intervalMs,
    );
    const lastPublished = this.lastPublished(Math.floor((nowMs - this.options.startMs) / MINUTE_MS));
    const series: MetricSeries[] = [];
    for (const need of request.needs) {
      const feed = this.series.get(need.metric);
      if (!feed || need.splitBy) continue;
      for (const aggregation of need.aggregations) {
        if (!MEASURED_STATISTICS.has(aggregation)) continue;
        const samples: MetricSample[] = [];
        for (let bucketMs = startMs; bucketMs < endMs; bucketMs += intervalMs) {
          const first = (bucketMs - this.options.startMs) / MINUTE_MS;
          const last = first + intervalMinutes - 1;
          if (last > lastPublished) continue;
          const values = feed.values.subarray(PREFILL_MINUTES + first, PREFILL_MINUTES + last + 1);
          samples.push({ timestampMs: bucketMs, value: combineMinutes(aggregation, values) });
        }
        series.push({ metric: need.metric, aggregation, samples });
      }
    }
    return { asOfMs: nowMs, series };
  }

  private samplesOf(feed: FeedSeries, first: number, lastPublished: number, nowMinute: number): MetricSample[] {
    const published = feed.samples.slice(
      PREFILL_MINUTES + first,
      Math.max(PREFILL_MINUTES + first, PREFILL_MINUTES + lastPublished + 1),
    );
    for (let minute = Math.max(first, lastPublished + 1); minute < nowMinute; minute += 1) {
      published.push({ timestampMs: this.options.startMs + minute * MINUTE_MS, value: null });
    }
    return published;
  }

  private recordIndex(index: number, reading: MinuteReading): void {
    if (index !== this.recorded)
      throw new Error(
        `metric feed: minute ${index - PREFILL_MINUTES} recorded out of order (expected ${this.recorded - PREFILL_MINUTES})`,
      );
    const timestampMs = this.options.startMs + (index - PREFILL_MINUTES) * MINUTE_MS;
    for (const feed of this.series.values()) {
      const value = feed.measure(reading, index, this.options.parameters.noisePercentPoints);
      feed.values[index] = value;
      if (this.options.snapshots) feed.samples.push({ timestampMs, value });
    }
    this.recorded += 1;
  }
}

function combineMinutes(aggregation: Statistic, values: Float64Array): number {
  if (aggregation === 'Minimum') return values.reduce((low, value) => Math.min(low, value), Infinity);
  if (aggregation === 'Maximum') return values.reduce((high, value) => Math.max(high, value), -Infinity);
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
