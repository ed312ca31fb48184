/** Test builders: configs go through the real schema (so defaults apply), metrics look like the adapter's output. */
import type { MetricsSnapshot } from '../../../shared/vocabulary/metric-series.js';
import { targetSchema, type TargetConfig } from '../../../shared/config/schema/schema.js';
import type { MetricSeries, Statistic } from '../../../shared/vocabulary/metric-series.js';
import type { LoadForecast } from '../../../shared/policy/forecast.js';
import type { ForecastInput } from '../../../shared/policy/forecast-stage.js';
import type {
  DecideInput,
  FailureHistory,
  FinishedOperation,
  ObservedTarget,
  ScaleHistory,
  ScaleRequest,
} from '../../../shared/policy/input.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
/** A fixed "now" on a minute boundary. */
export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

export const PG_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders';
export const KUSTO_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Kusto/clusters/telemetry';

export function pgTarget(overrides: Record<string, unknown> = {}): TargetConfig {
  return targetSchema.parse({
    name: 'orders',
    kind: 'postgres-elastic-cluster',
    resourceId: PG_ID,
    mode: 'custom',
    limits: { min: 2, max: 10 },
    rules: [cpuOut()],
    ...overrides,
  });
}

export function kustoTarget(overrides: Record<string, unknown> = {}): TargetConfig {
  return targetSchema.parse({
    name: 'telemetry',
    kind: 'kusto-cluster',
    resourceId: KUSTO_ID,
    mode: 'custom',
    limits: { min: 2, max: 10 },
    rules: [cpuOut(), cpuIn()],
    ...overrides,
  });
}

export function cpuOut(overrides: Record<string, unknown> = {}) {
  return {
    name: 'cpu-high',
    metric: 'cpu_percent',
    operator: 'GreaterThan',
    threshold: 75,
    direction: 'out',
    windowMinutes: 10,
    ...overrides,
  };
}

export function cpuIn(overrides: Record<string, unknown> = {}) {
  return {
    name: 'cpu-low',
    metric: 'CPU',
    operator: 'LessThan',
    threshold: 30,
    direction: 'in',
    windowMinutes: 10,
    ...overrides,
  };
}

export interface SeriesOptions {
  aggregation?: Statistic;
  /** Exclusive end of the last sample's minute; defaults to NOW. */
  endMs?: number;
  dimensions?: Record<string, string>;
}

/** One sample per minute, the last one ending at `endMs`. */
export function series(metric: string, values: Array<number | null>, options: SeriesOptions = {}): MetricSeries {
  const endMs = options.endMs ?? NOW;
  const firstMs = endMs - values.length * MINUTE;
  return {
    metric,
    aggregation: options.aggregation ?? 'Average',
    ...(options.dimensions ? { dimensions: options.dimensions } : {}),
    samples: values.map((value, index) => ({ timestampMs: firstMs + index * MINUTE, value })),
  };
}

export function flat(metric: string, value: number | null, minutes: number, options: SeriesOptions = {}): MetricSeries {
  return series(
    metric,
    Array.from({ length: minutes }, () => value),
    options,
  );
}

export function snapshot(...all: MetricSeries[]): MetricsSnapshot {
  return { asOfMs: NOW, series: all };
}

export interface InputOptions {
  target: TargetConfig;
  capacity?: number;
  metrics?: MetricsSnapshot | undefined;
  history?: ScaleHistory;
  failures?: FailureHistory;
  request?: ScaleRequest;
  observed?: Partial<ObservedTarget>;
  paused?: { scaleOut: boolean; scaleIn: boolean };
  nowMs?: number;
  forecast?: ForecastInput;
}

export function input(options: InputOptions): DecideInput {
  return {
    now: new Date(options.nowMs ?? NOW),
    target: options.target,
    observed: { capacity: options.capacity ?? 4, ...options.observed },
    metrics: 'metrics' in options ? options.metrics : snapshot(),
    history: options.history ?? {},
    ...(options.failures ? { failures: options.failures } : {}),
    ...(options.request ? { request: options.request } : {}),
    ...(options.paused ? { paused: options.paused } : {}),
    ...(options.forecast ? { forecast: options.forecast } : {}),
  };
}

export function completedOperation(direction: 'out' | 'in', completedMinutesAgo: number, from = 3, to = 4) {
  const completedAt = new Date(NOW - completedMinutesAgo * MINUTE);
  return { direction, from, to, startedAt: new Date(completedAt.getTime() - 10 * MINUTE), completedAt };
}

/** A finished operation that ended `endedMinutesAgo`, for the failure backoff. */
export function finishedOperation(
  status: FinishedOperation['status'],
  endedMinutesAgo: number,
  overrides: Partial<FinishedOperation> = {},
): FinishedOperation {
  const completedAt = new Date(NOW - endedMinutesAgo * MINUTE);
  return {
    direction: 'out',
    from: 4,
    to: 5,
    startedAt: new Date(completedAt.getTime() - 5 * MINUTE),
    completedAt,
    status,
    message: status === 'failed' ? 'ARM reports the update failed: QuotaExceeded: no quota' : undefined,
    ...overrides,
  };
}

/** `count` failures of the same scale-out, newest first, the newest `endedMinutesAgo`, one every 30 minutes before it. */
export function failedInARow(
  count: number,
  endedMinutesAgo: number,
  overrides: Partial<FinishedOperation> = {},
): FinishedOperation[] {
  return Array.from({ length: count }, (_unused, index) =>
    finishedOperation('failed', endedMinutesAgo + index * 30, overrides),
  );
}

/** A confident forecast of a constant load (node-equivalents) from NOW on, with the default lead time. */
export function steadyForecast(
  load: number,
  overrides: { status?: LoadForecast['status']; leadMinutes?: number } = {},
): ForecastInput {
  const fromMs = NOW - 5 * MINUTE;
  return {
    forecast: {
      status: overrides.status ?? 'confident',
      model: 'daily',
      confidence: 0.95,
      historyDays: 7,
      trendPerDay: 0,
      marginLoad: 0,
      fromMs,
      points: Array.from({ length: 36 }, (_, hour) => ({ startMs: fromMs + hour * HOUR, load })),
      message: 'daily seasonality found with confidence 0.95 over 7 day(s)',
    },
    leadTime: {
      minutes: overrides.leadMinutes ?? 60,
      source: 'default',
      samples: 0,
      message: 'no completed scale-out yet; assuming 60 min',
    },
  };
}
