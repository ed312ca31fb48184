/**
 * Azure Monitor adapter: one `metrics:getBatch` call (MetricsClient.queryResources) covers up to 50 resources
 * of one subscription, region and resource type. Targets are grouped that way, then by the aggregations and
 * dimension split they need, so 500 targets with the same rules cost a handful of requests.
 */
import type { MetricsSnapshot } from '../vocabulary/metric-series.js';
import type { Limiter } from '../concurrency.js';
import { concurrencyPolicy } from '../request-limits.js';
import type { TokenCredential } from '@azure/core-auth';
import { MetricsClient, type MetricValue, type MetricsQueryResult } from '@azure/monitor-query-metrics';
import { parseResourceId, normalizeResourceId } from '../vocabulary/resource-id.js';
import { mapWithConcurrency } from '../concurrency.js';
import { chunk } from '../chunk.js';
import { describeError, InvalidInputError, TransientError } from '../vocabulary/errors.js';
import { metricNamespace } from './catalog.js';
import { SAMPLE_INTERVAL_MS, type MetricSeries, type Statistic } from '../vocabulary/metric-series.js';
import type { MetricsRequest, MetricsSource } from './metrics-source.port.js';

/** Limits of the metrics batch API (docs/azure-monitor-metrics.md). */
export const MAX_RESOURCES_PER_CALL = 50;
export const MAX_METRICS_PER_CALL = 20;

export interface AzureMonitorSettings {
  credential: TokenCredential;
  /** Regional endpoint for a region; defaults to https://{region}.metrics.monitor.azure.com. */
  endpointFor?: ((region: string) => string) | undefined;
  tlsCa?: string | undefined;
  retry?: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number } | undefined;
  /** Metrics requests in flight at once, across every regional client. */
  limiter?: Limiter | undefined;
  /** Calls in flight at once. */
  concurrency?: number | undefined;
}

/** One metrics:getBatch request. */
export interface BatchCall {
  subscriptionId: string;
  region: string;
  namespace: string;
  resourceIds: string[];
  metricNames: string[];
  aggregations: Statistic[];
  splitBy: string | undefined;
  lookbackMinutes: number;
  /** Minutes per returned sample (the request's `interval`). */
  intervalMinutes: number;
}

/** The ISO 8601 durations Azure Monitor accepts as `interval` (docs/azure-monitor-metrics.md). */
const INTERVALS: Record<number, string> = {
  1: 'PT1M',
  5: 'PT5M',
  15: 'PT15M',
  30: 'PT30M',
  60: 'PT1H',
  360: 'PT6H',
  720: 'PT12H',
  1440: 'P1D',
};

export class AzureMonitorMetrics implements MetricsSource {
  private readonly clients = new Map<string, MetricsClient>();

  constructor(private readonly settings: AzureMonitorSettings) {}

  async fetch(requests: readonly MetricsRequest[], now: Date): Promise<Map<string, MetricsSnapshot | Error>> {
    const nowMs = now.getTime();
    const answers = new Map<string, MetricsSnapshot | Error>(
      requests.map((request) => [request.target, { asOfMs: nowMs, series: [] }]),
    );
    const targetsById = new Map(requests.map((request) => [normalizeResourceId(request.resourceId), request.target]));
    await mapWithConcurrency(planBatchCalls(requests), this.settings.concurrency ?? 8, async (call) => {
      try {
        const results = await this.query(call, nowMs);
        for (const result of results) addResult(answers, targetsById, result, call, nowMs);
      } catch (error) {
        const failure = new TransientError(
          `reading metrics ${call.metricNames.join(', ')} in ${call.region} failed: ${describeError(error)}`,
          { cause: error },
        );
        for (const id of call.resourceIds) answers.set(targetsById.get(normalizeResourceId(id)) ?? id, failure);
      }
    });
    return answers;
  }

  private async query(call: BatchCall, nowMs: number): Promise<MetricsQueryResult[]> {
    const intervalMs = call.intervalMinutes * SAMPLE_INTERVAL_MS;
    const endMs = Math.floor(nowMs / intervalMs) * intervalMs;
    const lookbackMs = Math.ceil(call.lookbackMinutes / call.intervalMinutes) * intervalMs;
    return this.clientFor(call.region).queryResources(call.resourceIds, call.metricNames, call.namespace, {
      startTime: new Date(endMs - lookbackMs),
      endTime: new Date(endMs),
      interval: intervalIso(call.intervalMinutes),
      aggregation: call.aggregations.join(','),
      ...(call.splitBy ? { filter: `${call.splitBy} eq '*'`, top: 50 } : {}),
    });
  }

  private clientFor(region: string): MetricsClient {
    const existing = this.clients.get(region);
    if (existing) return existing;
    const endpoint = this.settings.endpointFor?.(region) ?? `https://${region}.metrics.monitor.azure.com`;
    const client = new MetricsClient(endpoint, this.settings.credential, {
      ...(this.settings.tlsCa ? { tlsOptions: { ca: this.settings.tlsCa } } : {}),
      ...(this.settings.retry ? { retryOptions: this.settings.retry } : {}),
      ...(this.settings.limiter
        ? {
            additionalPolicies: [
              { policy: concurrencyPolicy('monitor', this.settings.limiter), position: 'perRetry' as const },
            ],
          }
        : {}),
    });
    this.clients.set(region, client);
    return client;
  }
}

/**
 * Groups the requests into as few batch calls as the API allows: per subscription, region and namespace, then
 * per set of aggregations and dimension split (a filter applies to every metric of a call).
 */
export function planBatchCalls(requests: readonly MetricsRequest[]): BatchCall[] {
  const groups = new Map<
    string,
    { base: Omit<BatchCall, 'resourceIds' | 'metricNames'>; resourceIds: Set<string>; metricNames: Set<string> }
  >();
  for (const request of requests) {
    const id = parseResourceId(request.resourceId);
    if (!id) continue;
    const namespace = metricNamespace(request.kind);
    const intervalMinutes = request.intervalMinutes ?? 1;
    for (const need of request.needs) {
      const aggregations = [...need.aggregations].sort();
      const key = [
        id.subscriptionId,
        request.region,
        namespace,
        aggregations.join(','),
        need.splitBy ?? '',
        intervalMinutes,
      ].join('|');
      const group = groups.get(key) ?? {
        base: {
          subscriptionId: id.subscriptionId,
          region: request.region,
          namespace,
          aggregations,
          splitBy: need.splitBy,
          lookbackMinutes: 0,
          intervalMinutes,
        },
        resourceIds: new Set(),
        metricNames: new Set(),
      };
      group.resourceIds.add(request.resourceId);
      group.metricNames.add(need.metric);
      group.base.lookbackMinutes = Math.max(group.base.lookbackMinutes, request.lookbackMinutes);
      groups.set(key, group);
    }
  }
  return [...groups.values()].flatMap(({ base, resourceIds, metricNames }) =>
    chunk([...resourceIds], MAX_RESOURCES_PER_CALL).flatMap((ids) =>
      chunk([...metricNames].sort(), MAX_METRICS_PER_CALL).map((names) => ({
        ...base,
        resourceIds: ids,
        metricNames: names,
      })),
    ),
  );
}

const AGGREGATION_FIELD: Record<Statistic, 'average' | 'minimum' | 'maximum' | 'total' | 'count'> = {
  Average: 'average',
  Minimum: 'minimum',
  Maximum: 'maximum',
  Total: 'total',
  Count: 'count',
};

function addResult(
  answers: Map<string, MetricsSnapshot | Error>,
  targetsById: Map<string, string>,
  result: MetricsQueryResult,
  call: BatchCall,
  nowMs: number,
): void {
  const target = result.resourceId ? targetsById.get(normalizeResourceId(result.resourceId)) : undefined;
  const snapshot = target ? answers.get(target) : undefined;
  if (!snapshot || snapshot instanceof Error) return;
  for (const metric of result.metrics) {
    // A per-metric error (e.g. a metric this resource does not emit) leaves that series missing: NoData.
    // Azure sets errorCode "Success" on metrics that are fine.
    const name = restNameOf(metric, call.metricNames);
    if ((metric.errorCode && metric.errorCode !== 'Success') || !name) continue;
    for (const timeseries of metric.timeseries) {
      const dimensions = dimensionsOf(timeseries.metadatavalues, call.splitBy);
      for (const aggregation of call.aggregations) {
        snapshot.series.push(
          seriesOf(
            name,
            aggregation,
            dimensions,
            timeseries.data ?? [],
            nowMs,
            call.intervalMinutes * SAMPLE_INTERVAL_MS,
          ),
        );
      }
    }
  }
}

/**
 * The SDK replaces a metric's REST name with its localized display name ("CPU percent" for cpu_percent), so the
 * REST name is taken from the metric id (`.../providers/Microsoft.Insights/metrics/cpu_percent`).
 */
function restNameOf(metric: { id: string; name: string }, requested: string[]): string | undefined {
  const fromId = metric.id.split('/').at(-1) ?? '';
  return (
    requested.find((name) => name.toLowerCase() === fromId.toLowerCase()) ??
    requested.find((name) => name === metric.name)
  );
}

function seriesOf(
  metric: string,
  aggregation: Statistic,
  dimensions: Record<string, string> | undefined,
  data: MetricValue[],
  nowMs: number,
  intervalMs: number,
): MetricSeries {
  const field = AGGREGATION_FIELD[aggregation];
  // One pass, no intermediate array: a history answer has hundreds of points per series.
  const samples: MetricSeries['samples'] = [];
  for (const point of data) {
    const timestampMs = point.timeStamp.getTime();
    // The interval still in progress is partial: drop it.
    if (timestampMs + intervalMs <= nowMs) samples.push({ timestampMs, value: point[field] ?? null });
  }
  return { metric, aggregation, ...(dimensions ? { dimensions } : {}), samples };
}

/** Dimension values of a split series, keyed by the dimension we split by (the SDK's names are localized too). */
function dimensionsOf(
  values: Array<{ name?: string | undefined; value?: string | undefined }> | undefined,
  splitBy: string | undefined,
): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  if (splitBy && values.length === 1) return { [splitBy]: values[0]?.value ?? '' };
  return Object.fromEntries(
    values.filter((entry) => entry.name !== undefined).map((entry) => [entry.name as string, entry.value ?? '']),
  );
}

function intervalIso(minutes: number): string {
  const iso = INTERVALS[minutes];
  if (!iso)
    throw new InvalidInputError(
      `metrics interval: ${minutes} minutes is not one Azure Monitor offers; use one of ${Object.keys(INTERVALS).join(', ')}`,
    );
  return iso;
}
