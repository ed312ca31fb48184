/** Test builders for the simulator: small hand-made traces, feeds and configs through the real schema. */
import { configSchema, type ScalerConfig, type TargetConfig } from '../../../shared/config/schema/schema.js';
import type { TargetKind } from '../../../shared/vocabulary/kinds.js';
import { MetricFeed } from '../../../tools/simulation/metric-feed.js';
import {
  DEFAULT_SIMULATION_PARAMETERS,
  type SimulationParameters,
} from '../../../tools/simulation/model/parameters.js';
import type { Trace } from '../../../tools/simulation/trace.js';

export const START_MS = Date.UTC(2026, 0, 5);
export const PG_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders';
export const KUSTO_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Kusto/clusters/telemetry';

export function trace(
  demand: ArrayLike<number>,
  extra: { cache?: ArrayLike<number>; ingestion?: ArrayLike<number>; name?: string } = {},
): Trace {
  return {
    name: extra.name ?? 'hand-made',
    startMs: START_MS,
    demand: Float64Array.from(demand),
    ...(extra.cache ? { cacheDemand: Float64Array.from(extra.cache) } : {}),
    ...(extra.ingestion ? { ingestionDemand: Float64Array.from(extra.ingestion) } : {}),
  };
}

/** `minutes` minutes at `before`, then `after` from minute `at` on. */
export function step(minutes: number, at: number, before: number, after: number): number[] {
  return Array.from({ length: minutes }, (_, minute) => (minute < at ? before : after));
}

export function parameters(
  overrides: {
    elastic?: Partial<SimulationParameters['elastic']>;
    kusto?: Partial<SimulationParameters['kusto']>;
    metrics?: Partial<SimulationParameters['metrics']>;
  } = {},
): SimulationParameters {
  const base = DEFAULT_SIMULATION_PARAMETERS;
  return {
    elastic: { ...base.elastic, ...overrides.elastic },
    kusto: { ...base.kusto, ...overrides.kusto },
    metrics: { ...base.metrics, ...overrides.metrics },
    outcomes: { ...base.outcomes },
  };
}

/** Noise off and no reporting lag: what a test writes is what a policy reads. */
export const EXACT_METRICS = { noisePercentPoints: 0, reportingLagMinutes: 0 };

/**
 * A feed whose utilization metrics read `percent[minute]` (prefill: the first value). Effective capacity 1, so
 * demand = percent / 100.
 */
export function feedReading(
  kind: TargetKind,
  percent: readonly number[],
  options: { lag?: number; keepAliveShare?: readonly number[] } = {},
): MetricFeed {
  const feed = new MetricFeed({
    kind,
    parameters: { noisePercentPoints: 0, reportingLagMinutes: options.lag ?? 0, seed: 1 },
    startMs: START_MS,
    minutes: percent.length,
    has: { cache: kind === 'kusto-cluster', ingestion: kind === 'kusto-cluster' },
    snapshots: true,
  });
  const reading = (value: number) => ({
    demand: value / 100,
    cacheDemand: value / 200,
    ingestionDemand: value / 200,
    need: value / 100,
    effective: 1,
    readyUnits: 4,
  });
  feed.prefill(reading(percent[0] ?? 0));
  percent.forEach((value, minute) => feed.record(minute, reading(value)));
  return feed;
}

export function config(targets: Array<Record<string, unknown>>): ScalerConfig {
  return configSchema.parse({ version: 1, targets });
}

export function pgTarget(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'orders',
    kind: 'postgres-elastic-cluster',
    resourceId: PG_ID,
    mode: 'custom',
    limits: { min: 2, max: 20 },
    rules: [
      {
        name: 'cpu-high',
        metric: 'cpu_percent',
        operator: 'GreaterThan',
        threshold: 75,
        direction: 'out',
        windowMinutes: 10,
      },
    ],
    ...overrides,
  };
}

export function kustoTarget(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'telemetry',
    kind: 'kusto-cluster',
    resourceId: KUSTO_ID,
    mode: 'custom',
    limits: { min: 2, max: 20 },
    rules: [
      { name: 'cpu-high', metric: 'CPU', operator: 'GreaterThan', threshold: 75, direction: 'out', windowMinutes: 10 },
      { name: 'cpu-low', metric: 'CPU', operator: 'LessThan', threshold: 25, direction: 'in', windowMinutes: 10 },
    ],
    ...overrides,
  };
}

export function targetOf(scalerConfig: ScalerConfig): TargetConfig {
  const [first] = scalerConfig.targets;
  if (!first) throw new Error('the test config has no target');
  return first;
}
