/**
 * What the forecast needs from the outside world, gathered for the executor (shared/scaling/evaluation.ts): each target's
 * hourly metric history and its completed operations. The pure parts (load, forecast, lead time) live in
 * shared/policy; this file only reads and caches.
 *
 * History is read from Azure Monitor with a PT1H interval, in as few calls as the batch API allows (one per 50
 * resources of a subscription, region and kind), a couple of them in flight at once, and kept in Table Storage
 * (`putMetricHistory`), so a tick reads at most the hours since the last one, once an hour, and a cold instance
 * reads the cache instead of weeks of metrics. The forecast itself is recomputed only when the history or the operations changed.
 */
import type { MetricsSnapshot } from './vocabulary/metric-series.js';
import type { TargetConfig } from './config/schema/schema.js';
import type { Logger } from './logging.js';
import type { MetricsRequest, MetricsSource } from './metrics/metrics-source.port.js';
import type { ScaleHistory } from './policy/input.js';
import { forecastLoad } from './policy/forecast.js';
import type { ForecastInput } from './policy/forecast-stage.js';
import { learnLeadTime } from './policy/lead-time.js';
import { loadHistory, type HourlyLoad, type HourlyUtilization } from './policy/load-history.js';
import type { MetricHistory, OperationRecord, StateStore } from './state/state-store.port.js';
import { describeError } from './vocabulary/errors.js';
import { parseResourceId } from './vocabulary/resource-id.js';
import { mapWithConcurrency } from './concurrency.js';
import { chunk } from './chunk.js';
import { kindOf } from './kinds/registry.js';

const HOUR_MS = 3_600_000;
const INTERVAL_MINUTES = 60;
/** An hour counts as published this long after it ended (Azure Monitor's ingestion latency, with room to spare). */
export const HISTORY_PUBLISH_LAG_MS = 10 * 60_000;
/** The newest cached hour is read again with the new ones: late samples may have changed it. */
const REREAD_HOURS = 1;
/** Operations read to learn the lead time and the capacity over the history. */
const OPERATIONS_READ = 100;
/** Targets whose cached history is read or written at once; the state store's own limiter bounds its requests. */
const CONCURRENCY = 64;

/** One target as the executor knows it when it asks for its forecast. */
export interface ForecastSubject {
  target: TargetConfig;
  region: string;
  capacity: number;
  /** What the state store remembers of its operations: a change means the forecast must be rebuilt. */
  history: ScaleHistory;
  /** Its newest operations (at least OPERATIONS_READ of them when that many exist), when the caller has read them. */
  operations?: readonly OperationRecord[] | undefined;
}

/**
 * What an instance keeps per target between ticks, in typed arrays (NaN for an hour without data): 21 days of
 * three metrics are 1,512 numbers, which as a plain array of numbers and nulls cost three times as much heap.
 */
interface Remembered {
  history: CompactHistory;
  signature: string;
  input: ForecastInput;
  /** Only when the owner asked to keep them (`keepLoads`): a fleet's timer never reads them. */
  load?: { startMs: number; values: Float64Array } | undefined;
}

type CompactHistory = Omit<MetricHistory, 'metrics'> & { metrics: Record<string, Float64Array> };

function compact(values: readonly (number | null)[]): Float64Array {
  return Float64Array.from(values, (value) => value ?? Number.NaN);
}

function expand(values: Float64Array): (number | null)[] {
  return Array.from(values, (value) => (Number.isNaN(value) ? null : value));
}

function compactHistory(history: MetricHistory): CompactHistory {
  const metrics = Object.fromEntries(Object.entries(history.metrics).map(([name, values]) => [name, compact(values)]));
  return { ...history, metrics };
}

function expandHistory(history: CompactHistory): MetricHistory {
  const metrics = Object.fromEntries(Object.entries(history.metrics).map(([name, values]) => [name, expand(values)]));
  return { ...history, metrics };
}

/**
 * Stale targets whose history is read, merged and forecast at once: the raw samples of one chunk (Azure Monitor's
 * answers, a Date per point) are dropped before the next is read, so a cold instance never holds weeks of raw
 * points for the whole fleet. Chunks follow the metrics batches' grouping (subscription, region, kind), so a
 * chunk boundary costs at most one partly filled batch more.
 */
const HISTORY_CHUNK = 200;
/** Resources per metrics call (the batch API's limit), and the history calls in flight at once. */
const HISTORY_CALL_RESOURCES = 50;
const HISTORY_CALLS_IN_FLIGHT = 2;

export class ForecastInputs {
  private readonly remembered = new Map<string, Remembered>();
  /** History requests sent so far, for tests and the bench. */
  historyRequests = 0;

  constructor(
    private readonly deps: {
      metrics: MetricsSource;
      state: StateStore;
      log: Logger;
      /** Keep each target's hourly load for `loadOf` (4 KB a target): for `scaler forecast`, not for the timer. */
      keepLoads?: boolean;
    },
  ) {}

  /**
   * Forecast input per target name, for the subjects with forecasting on; a target whose history cannot be read is
   * left out. `persist: false` (requests from operators and alerts) keeps newly read hours in this instance only:
   * only the timer writes the Table Storage cache, so a request, however odd, writes nothing beyond the ledger.
   */
  async prepare(
    subjects: readonly ForecastSubject[],
    now: Date,
    options: { persist?: boolean } = {},
  ): Promise<Map<string, ForecastInput>> {
    const dueMs = Math.floor((now.getTime() - HISTORY_PUBLISH_LAG_MS) / HOUR_MS) * HOUR_MS;
    const active = subjects.filter(({ target }) => target.forecast.mode !== 'off');
    const stale = active.filter((subject) => !this.isFresh(subject, dueMs));
    const staleSet = new Set(stale);
    const answers = new Map<string, ForecastInput>();
    for (const subject of active) {
      const fresh = this.remembered.get(subject.target.name);
      if (fresh && !staleSet.has(subject)) answers.set(subject.target.name, fresh.input);
    }
    if (stale.length === 0) return answers;

    for (const chunk of chunksByBatch(stale)) await this.prepareChunk(chunk, dueMs, now, options, answers);
    return answers;
  }

  private async prepareChunk(
    stale: readonly ForecastSubject[],
    dueMs: number,
    now: Date,
    options: { persist?: boolean },
    answers: Map<string, ForecastInput>,
  ): Promise<void> {
    const cached = await mapWithConcurrency(stale, CONCURRENCY, (subject) => this.cachedHistory(subject, dueMs));
    const histories = await this.refresh(stale, cached, dueMs, now, options.persist !== false);
    await mapWithConcurrency(stale, CONCURRENCY, async (subject, index) => {
      const history = histories[index];
      if (!history) return;
      try {
        const { input, load } = await this.build(subject, history);
        this.remembered.set(subject.target.name, {
          history: compactHistory(history),
          signature: signatureOf(subject),
          input,
          load: this.deps.keepLoads ? { startMs: load.startMs, values: compact(load.values) } : undefined,
        });
        answers.set(subject.target.name, input);
      } catch (error) {
        this.deps.log.log(
          'warn',
          `forecast: reading the operations of ${subject.target.name} failed: ${describeError(error)}; the reactive logic decides until they can be read`,
          { target: subject.target.name },
        );
      }
    });
  }

  /** The hourly load the target's last forecast was made from (for `scaler forecast`'s backtest), if kept. */
  loadOf(target: string): HourlyLoad | undefined {
    const load = this.remembered.get(target)?.load;
    return load === undefined ? undefined : { startMs: load.startMs, values: expand(load.values) };
  }

  private isFresh(subject: ForecastSubject, dueMs: number): boolean {
    const remembered = this.remembered.get(subject.target.name);
    return (
      remembered !== undefined &&
      remembered.history.throughMs >= dueMs &&
      remembered.signature === signatureOf(subject) &&
      remembered.history.resourceId === subject.target.resourceId
    );
  }

  /** The history this process remembers, else Table Storage's, if it belongs to this resource. */
  private async cachedHistory(subject: ForecastSubject, dueMs: number): Promise<MetricHistory | undefined> {
    const { target } = subject;
    const usable = (history: MetricHistory | undefined) =>
      history &&
      history.resourceId === target.resourceId &&
      history.intervalMinutes === INTERVAL_MINUTES &&
      history.throughMs > windowStart(target, dueMs)
        ? history
        : undefined;
    const kept = this.remembered.get(target.name)?.history;
    const remembered = usable(kept && expandHistory(kept));
    if (remembered) return remembered;
    try {
      return usable(await this.deps.state.getMetricHistory(target.name));
    } catch (error) {
      this.deps.log.log(
        'warn',
        `forecast: the cached history of ${target.name} could not be read: ${describeError(error)}; reading it from Azure Monitor`,
        { target: target.name },
      );
      return undefined;
    }
  }

  /** Reads the missing hours of every stale target, a metrics call at a time, merges and stores them. */
  private async refresh(
    subjects: readonly ForecastSubject[],
    cached: (MetricHistory | undefined)[],
    dueMs: number,
    now: Date,
    persist: boolean,
  ): Promise<(MetricHistory | undefined)[]> {
    const requests = new Map<number, MetricsRequest>();
    subjects.forEach((subject, index) => {
      const have = cached[index];
      if (have && have.throughMs >= dueMs) return;
      const fromMs = have
        ? Math.max(windowStart(subject.target, dueMs), have.throughMs - REREAD_HOURS * HOUR_MS)
        : windowStart(subject.target, dueMs);
      requests.set(index, {
        target: subject.target.name,
        kind: subject.target.kind,
        resourceId: subject.target.resourceId,
        region: subject.region,
        needs: kindOf(subject.target).forecastMetrics.map((metric) => ({ metric, aggregations: ['Average'] })),
        lookbackMinutes: (dueMs - fromMs) / 60_000,
        intervalMinutes: INTERVAL_MINUTES,
      });
    });
    // Each answer is merged as soon as it arrives, so that only the raw answers of the calls in flight are held.
    const merged = [...cached];
    await mapWithConcurrency(historyCalls(subjects, [...requests.keys()]), HISTORY_CALLS_IN_FLIGHT, async (call) => {
      const fetched = await this.fetch(
        call.map((index) => requests.get(index) as MetricsRequest),
        dueMs,
      );
      for (const index of call)
        merged[index] = this.merged(subjects[index] as ForecastSubject, cached[index], fetched, dueMs);
    });
    if (persist) {
      await mapWithConcurrency(subjects, CONCURRENCY, async (subject, index) => {
        const history = merged[index];
        if (history && history !== cached[index]) await this.persist(history, now);
      });
    }
    return merged;
  }

  /** The cached history with the fetched hours merged in; the cached one alone when the read failed or was not made. */
  private merged(
    subject: ForecastSubject,
    have: MetricHistory | undefined,
    fetched: Map<string, MetricsSnapshot | Error>,
    dueMs: number,
  ): MetricHistory | undefined {
    const answer = fetched.get(subject.target.name);
    if (answer === undefined) return have;
    if (answer instanceof Error) {
      this.deps.log.log(
        'warn',
        `forecast: reading the history of ${subject.target.name} failed: ${answer.message}; ${have ? 'forecasting from the cached hours' : 'the reactive logic decides until it can be read'}`,
        { target: subject.target.name },
      );
      return have;
    }
    return mergeHistory(subject.target, have, answer, dueMs);
  }

  private async persist(history: MetricHistory, now: Date): Promise<void> {
    await this.deps.state
      .putMetricHistory(history, now)
      .catch((error: unknown) =>
        this.deps.log.log(
          'warn',
          `forecast: caching the history of ${history.target} failed: ${describeError(error)}; the next tick reads it again`,
          { target: history.target },
        ),
      );
  }

  private async fetch(requests: MetricsRequest[], dueMs: number): Promise<Map<string, MetricsSnapshot | Error>> {
    this.historyRequests += 1;
    try {
      return await this.deps.metrics.fetch(requests, new Date(dueMs));
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      return new Map(requests.map((request) => [request.target, failure]));
    }
  }

  private async build(
    subject: ForecastSubject,
    history: MetricHistory,
  ): Promise<{ input: ForecastInput; load: HourlyLoad }> {
    const { target } = subject;
    const operations = subject.operations ?? (await this.deps.state.listOperations(target.name, OPERATIONS_READ));
    const utilization: HourlyUtilization[] = Object.entries(history.metrics).map(([metric, values]) => ({
      metric,
      values: new Map(
        values.flatMap((value, hour) => (value === null ? [] : [[history.startMs + hour * HOUR_MS, value] as const])),
      ),
    }));
    const load = loadHistory(utilization, operations, subject.capacity, history.startMs, history.throughMs);
    const settings = target.forecast;
    const forecast = forecastLoad(load, {
      horizonHours: settings.horizonHours,
      minHistoryDays: settings.minHistoryDays,
      minConfidence: settings.minConfidence,
    });
    const warmupMinutes = kindOf(target).forecastWarmupMinutes(target);
    const leadTime = learnLeadTime(operations, { defaultMinutes: settings.defaultLeadMinutes, warmupMinutes });
    return { input: { forecast, leadTime }, load };
  }
}

function windowStart(target: TargetConfig, dueMs: number): number {
  return dueMs - target.forecast.historyDays * 24 * HOUR_MS;
}

/** The cached hours within the window, overwritten by the fetched ones, as contiguous arrays. */
export function mergeHistory(
  target: TargetConfig,
  cached: MetricHistory | undefined,
  fetched: MetricsSnapshot,
  dueMs: number,
): MetricHistory {
  const startMs = windowStart(target, dueMs);
  const hours = (dueMs - startMs) / HOUR_MS;
  const metrics: Record<string, (number | null)[]> = {};
  for (const metric of kindOf(target).forecastMetrics) {
    const values: (number | null)[] = new Array<number | null>(hours).fill(null);
    const old = cached?.metrics[metric];
    if (cached && old) {
      old.forEach((value, hour) => {
        const index = (cached.startMs - startMs) / HOUR_MS + hour;
        if (index >= 0 && index < hours) values[index] = value;
      });
    }
    for (const series of fetched.series) {
      if (series.metric !== metric || series.aggregation !== 'Average' || series.dimensions) continue;
      for (const sample of series.samples) {
        const index = Math.round((sample.timestampMs - startMs) / HOUR_MS);
        if (index >= 0 && index < hours && sample.value !== null && Number.isFinite(sample.value))
          values[index] = sample.value;
      }
    }
    metrics[metric] = values;
  }
  return {
    target: target.name,
    resourceId: target.resourceId,
    intervalMinutes: INTERVAL_MINUTES,
    startMs,
    throughMs: dueMs,
    metrics,
  };
}

/** The metrics batch a subject's history is read in: one subscription, region and kind. */
function batchOf({ target, region }: ForecastSubject): string {
  return `${parseResourceId(target.resourceId)?.subscriptionId ?? ''}|${region.toLowerCase()}|${target.kind}`;
}

/**
 * Stale subjects in chunks of HISTORY_CHUNK, sorted by metrics batch (subscription, region, kind) so that a chunk
 * splits as few batches as it can.
 */
function chunksByBatch(subjects: readonly ForecastSubject[]): ForecastSubject[][] {
  const sorted = [...subjects].sort((a, b) => (batchOf(a) < batchOf(b) ? -1 : batchOf(a) > batchOf(b) ? 1 : 0));
  return chunk(sorted, HISTORY_CHUNK);
}

/**
 * The subjects (by index) whose history is read, as the metrics calls the adapter will make of them: per batch,
 * at most HISTORY_CALL_RESOURCES each. Fetched one call at a time, they cost the requests one fetch of them all
 * costs, and only a call's answer is held at once.
 */
function historyCalls(subjects: readonly ForecastSubject[], indexes: readonly number[]): number[][] {
  const byBatch = new Map<string, number[]>();
  for (const index of indexes) {
    const key = batchOf(subjects[index] as ForecastSubject);
    const batch = byBatch.get(key);
    if (batch) batch.push(index);
    else byBatch.set(key, [index]);
  }
  return [...byBatch.values()].flatMap((batch) => chunk(batch, HISTORY_CALL_RESOURCES));
}

function signatureOf(subject: ForecastSubject): string {
  const stamp = (operation: ScaleHistory['lastScaleOut']) =>
    operation ? `${operation.startedAt.getTime()}:${operation.completedAt?.getTime() ?? ''}:${operation.to}` : '';
  return [subject.capacity, stamp(subject.history.lastScaleOut), stamp(subject.history.lastScaleIn)].join('|');
}
