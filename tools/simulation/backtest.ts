/**
 * Backtesting: "what would this config have done over the last n days". The target's real metric history is read
 * from Azure Monitor through the same adapter the scaler uses, the load is reconstructed as utilization x
 * capacity, and that load is replayed against the policies like any other trace.
 *
 * Capacity over the window, best source first:
 * - Azure Data Explorer: the `InstanceCount` metric, minute by minute, where it has data;
 * - the scaler's own operation history (state store), when it can be read: capacity changes at each succeeded
 *   operation's completion (for an elastic cluster that is the end of the rebalance, so the minutes of the
 *   rebalance count at the old size, which is close to the effective capacity then);
 * - otherwise ARM's current capacity for the whole window, which is only right if nothing changed it.
 * CPU saturates at 100 %: minutes at 99 % or more give a lower bound of the load, and are counted.
 */
import type { MetricNeed } from '../../shared/vocabulary/metric-series.js';
import type { MetricsSnapshot } from '../../shared/vocabulary/metric-series.js';
import type { ScalerConfig, TargetConfig } from '../../shared/config/schema/schema.js';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { InvalidInputError, ScalerError } from '../../shared/vocabulary/errors.js';
import type { MetricsSource } from '../../shared/metrics/metrics-source.port.js';
import type { OperationRecord, StateStore } from '../../shared/state/state-store.port.js';
import type { ScaleTarget } from '../../shared/targets/scale-target.port.js';
import { MINUTE_MS, type Trace } from './trace.js';
import { simulationOf } from './kinds/registry.js';
import type { UtilizationMetrics } from './kinds/definition.js';

/** Azure Monitor keeps platform metrics 93 days (docs/azure-monitor-metrics.md). */
export const MAX_BACKTEST_DAYS = 93;
/** One metrics call per day of history keeps each answer at 1,440 points per metric. */
const CHUNK_MINUTES = 1440;
const CONCURRENT_CALLS = 4;
const SATURATED_PERCENT = 99;
/** More missing minutes than this and the reconstruction is refused: it would replay mostly guesses. */
const MAX_MISSING_SHARE = 0.2;
const OPERATIONS_READ = 1000;

export interface BacktestSources {
  scaleTarget: ScaleTarget;
  metrics: MetricsSource;
  /** The scaler's state store, for the operation history; optional. */
  state?: StateStore | undefined;
}

export interface ReconstructedHistory {
  trace: Trace;
  /** Billed capacity per minute, as reconstructed. */
  capacity: Float64Array;
  capacityAtStart: number;
  capacitySource: string;
  /** Assumptions and data problems a reader must know. */
  notes: string[];
  actualNodeHours: number;
}

export async function reconstructHistory(
  target: TargetConfig,
  days: number,
  now: Date,
  sources: BacktestSources,
): Promise<ReconstructedHistory> {
  if (!Number.isInteger(days) || days < 1 || days > MAX_BACKTEST_DAYS) {
    throw new InvalidInputError(
      `days: ${days} is not a whole number of days from 1 to ${MAX_BACKTEST_DAYS} (Azure Monitor keeps 93 days of metrics)`,
    );
  }
  const live = await sources.scaleTarget.read();
  const minutes = days * 1440;
  const endMs = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  const startMs = endMs - minutes * MINUTE_MS;
  const names = simulationOf(target.kind).backtestMetrics;
  const series = await readHistory(target, live.region, names, startMs, minutes, sources.metrics);
  const cpu = series.get(names.cpu) as Float64Array;
  const notes: string[] = [];

  const { capacity, source } = await capacityHistory(
    target,
    startMs,
    minutes,
    live.capacity,
    series.get(names.instances ?? ''),
    sources.state,
    notes,
  );
  const missing = fillGaps(cpu);
  if (missing === minutes) {
    throw new ScalerError(
      'provider',
      `no ${names.cpu} data for ${target.name} in the last ${days} day(s); check the resource id and region, and that the identity has Monitoring Reader on it`,
    );
  }
  if (missing > minutes * MAX_MISSING_SHARE) {
    throw new ScalerError(
      'provider',
      `${names.cpu} of ${target.name} has no data for ${missing} of ${minutes} minutes; a replay would be mostly guesswork. Choose a window with data (--days)`,
    );
  }
  if (missing > 0)
    notes.push(`${missing} minute(s) without ${names.cpu} data were filled with the previous minute's value`);
  const saturated = cpu.reduce((count, value) => count + (value >= SATURATED_PERCENT ? 1 : 0), 0);
  if (saturated > 0)
    notes.push(
      `${saturated} minute(s) at ${SATURATED_PERCENT} % CPU or more: the load then was at least what is shown (CPU cannot show more than 100 %)`,
    );

  const trace: Trace = { name: `${target.name}, last ${days} day(s)`, startMs, demand: loadFrom(cpu, capacity) };
  for (const [key, field] of [
    ['cache', 'cacheDemand'],
    ['ingestion', 'ingestionDemand'],
  ] as const) {
    const metric = names[key];
    const values = metric ? series.get(metric) : undefined;
    if (values && fillGaps(values) < minutes) trace[field] = loadFrom(values, capacity);
  }
  const actualNodeHours = capacity.reduce((sum, value) => sum + value, 0) / 60;
  return {
    trace,
    capacity,
    capacityAtStart: capacity[0] ?? live.capacity,
    capacitySource: source,
    notes,
    actualNodeHours,
  };
}

/** The window's 1-minute averages per metric, NaN where Azure Monitor had no data. */
async function readHistory(
  target: TargetConfig,
  region: string,
  names: UtilizationMetrics,
  startMs: number,
  minutes: number,
  metrics: MetricsSource,
): Promise<Map<string, Float64Array>> {
  const wanted = [names.cpu, names.cache, names.ingestion, names.instances].filter(
    (name): name is string => name !== undefined,
  );
  const needs: MetricNeed[] = wanted.map((metric) => ({ metric, aggregations: ['Average'] }));
  const series = new Map(wanted.map((metric) => [metric, new Float64Array(minutes).fill(Number.NaN)]));
  const chunks = Array.from({ length: Math.ceil(minutes / CHUNK_MINUTES) }, (_, index) => index);
  await mapWithConcurrency(chunks, CONCURRENT_CALLS, async (index) => {
    const chunkEndMs = Math.min(startMs + (index + 1) * CHUNK_MINUTES * MINUTE_MS, startMs + minutes * MINUTE_MS);
    const lookbackMinutes = Math.round((chunkEndMs - startMs) / MINUTE_MS) - index * CHUNK_MINUTES;
    const answers = await metrics.fetch(
      [{ target: target.name, kind: target.kind, resourceId: target.resourceId, region, needs, lookbackMinutes }],
      new Date(chunkEndMs),
    );
    const answer = answers.get(target.name);
    if (!answer || answer instanceof Error)
      throw answer ?? new ScalerError('provider', `Azure Monitor returned nothing for ${target.name}`);
    copySamples(answer, series, startMs, minutes);
  });
  return series;
}

function copySamples(
  snapshot: MetricsSnapshot,
  series: Map<string, Float64Array>,
  startMs: number,
  minutes: number,
): void {
  for (const one of snapshot.series) {
    const values = series.get(one.metric);
    if (!values || one.aggregation !== 'Average') continue;
    for (const sample of one.samples) {
      const index = Math.round((sample.timestampMs - startMs) / MINUTE_MS);
      if (index >= 0 && index < minutes && sample.value !== null && Number.isFinite(sample.value))
        values[index] = sample.value;
    }
  }
}

async function capacityHistory(
  target: TargetConfig,
  startMs: number,
  minutes: number,
  current: number,
  instances: Float64Array | undefined,
  state: StateStore | undefined,
  notes: string[],
): Promise<{ capacity: Float64Array; source: string }> {
  if (instances && fillGaps(instances) < minutes) {
    return { capacity: instances.map((value) => Math.max(1, Math.round(value))), source: 'the InstanceCount metric' };
  }
  const fromOperations = await operationTimeline(target, startMs, minutes, current, state, notes);
  if (fromOperations)
    return { capacity: fromOperations, source: "ARM's current capacity and the scaler's operation history" };
  const why = state
    ? 'no operation of the scaler completed in the window'
    : 'no state store configured to read the operation history from';
  return {
    capacity: new Float64Array(minutes).fill(current),
    source: `ARM's current capacity (${current}) for the whole window: ${why}, so a change made meanwhile is not seen`,
  };
}

/** Capacity per minute from succeeded operations that completed in the window; undefined when there are none. */
async function operationTimeline(
  target: TargetConfig,
  startMs: number,
  minutes: number,
  current: number,
  state: StateStore | undefined,
  notes: string[],
): Promise<Float64Array | undefined> {
  if (!state) return undefined;
  const endMs = startMs + minutes * MINUTE_MS;
  const operations: OperationRecord[] = (await state.listOperations(target.name, OPERATIONS_READ))
    .filter(
      (operation) =>
        operation.status === 'succeeded' &&
        operation.completedAt !== undefined &&
        operation.completedAt.getTime() >= startMs &&
        operation.completedAt.getTime() < endMs,
    )
    .sort((a, b) => (a.completedAt?.getTime() ?? 0) - (b.completedAt?.getTime() ?? 0));
  const first = operations[0];
  if (!first) return undefined;
  const timeline = new Float64Array(minutes).fill(first.from);
  for (const operation of operations) {
    const from = Math.max(0, Math.ceil(((operation.completedAt?.getTime() ?? endMs) - startMs) / MINUTE_MS));
    timeline.fill(operation.to, from);
  }
  const last = operations[operations.length - 1] as OperationRecord;
  if (last.to !== current)
    notes.push(
      `ARM shows ${current} now but the scaler's last operation left ${last.to}: something else changed the capacity; the minutes after that change are off`,
    );
  return timeline;
}

/** Replaces NaN by the previous value (or the first known one); returns how many were missing. */
function fillGaps(values: Float64Array): number {
  let missing = 0;
  let previous = values.find((value) => !Number.isNaN(value));
  if (previous === undefined) return values.length;
  for (let index = 0; index < values.length; index += 1) {
    if (Number.isNaN(values[index] as number)) {
      values[index] = previous;
      missing += 1;
    } else previous = values[index] as number;
  }
  return missing;
}

function loadFrom(percent: Float64Array, capacity: Float64Array): Float64Array {
  return percent.map((value, index) => (Math.max(0, value) / 100) * (capacity[index] ?? 0));
}

/** The config's target by name, with a helpful error. */
export function backtestTarget(config: ScalerConfig, name: string): TargetConfig {
  const target = config.targets.find((candidate) => candidate.name === name);
  if (!target)
    throw new InvalidInputError(
      `--target "${name}" is not in the config; its targets are ${config.targets.map((candidate) => candidate.name).join(', ')}`,
    );
  return target;
}
