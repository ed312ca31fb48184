import { describe, expect, it } from 'vitest';
import { MetricFeed, PREFILL_MINUTES } from '../../../tools/simulation/metric-feed.js';
import type { MetricsRequest } from '../../../shared/metrics/metrics-source.port.js';
import { countReversals, OutcomeRecorder } from '../../../tools/simulation/outcomes.js';
import { OUTCOME_DEFAULTS } from '../../../tools/simulation/model/parameters.js';
import { KUSTO_ID, PG_ID, START_MS } from './builders.js';

const MINUTE = 60_000;

function feed(
  kind: 'postgres-elastic-cluster' | 'kusto-cluster',
  options: { lag?: number; noise?: number; seed?: number } = {},
): MetricFeed {
  return new MetricFeed({
    kind,
    parameters: {
      reportingLagMinutes: options.lag ?? 2,
      noisePercentPoints: options.noise ?? 0,
      seed: options.seed ?? 1,
    },
    startMs: START_MS,
    minutes: 600,
    has: { cache: true, ingestion: true },
    snapshots: true,
  });
}

const reading = (demand: number, effective: number, extra: Partial<{ cache: number; ingestion: number }> = {}) => ({
  demand,
  cacheDemand: extra.cache ?? 0,
  ingestionDemand: extra.ingestion ?? 0,
  need: Math.max(demand, extra.cache ?? 0, extra.ingestion ?? 0),
  effective,
  readyUnits: Math.round(effective),
});

function request(overrides: Partial<MetricsRequest> = {}): MetricsRequest {
  return {
    target: 'orders',
    kind: 'postgres-elastic-cluster',
    resourceId: PG_ID,
    region: 'simulated',
    needs: [{ metric: 'cpu_percent', aggregations: ['Average', 'Maximum'] }],
    lookbackMinutes: 6,
    ...overrides,
  };
}

describe('MetricFeed', () => {
  it('answers like the Monitor adapter: asOf now, one sample per minute, null for minutes not published yet', () => {
    const cpu = feed('postgres-elastic-cluster', { lag: 2 });
    cpu.prefill(reading(2, 4));
    [1, 2, 3, 3, 4].forEach((demand, minute) => cpu.record(minute, reading(demand, 4)));
    const nowMs = START_MS + 5 * MINUTE;
    const snapshot = cpu.snapshot(request(), nowMs);
    expect(snapshot.asOfMs).toBe(nowMs);
    expect(snapshot.series.map((series) => series.aggregation)).toEqual(['Average', 'Maximum']);
    const samples = snapshot.series[0]?.samples ?? [];
    expect(samples.map((sample) => (sample.timestampMs - START_MS) / MINUTE)).toEqual([-1, 0, 1, 2, 3, 4]);
    // Published at the start of minute 5 with a 2-minute lag: minutes up to 2.
    expect(samples.map((sample) => sample.value)).toEqual([50, 25, 50, 75, null, null]);
  });

  it('caps CPU and ingestion at 100 % but lets the cache factor go above it, as Azure reports it', () => {
    const adx = feed('kusto-cluster', { lag: 0 });
    adx.prefill(reading(1, 4));
    adx.record(0, reading(6, 4, { cache: 5, ingestion: 8 }));
    expect(adx.valueAt('CPU', 0)).toBe(100);
    expect(adx.valueAt('IngestionUtilization', 0)).toBe(100);
    expect(adx.valueAt('CacheUtilizationFactor', 0)).toBe(125);
    expect(adx.valueAt('KeepAlive', 0)).toBeCloseTo(4 / 8, 9);
    expect(adx.valueAt('InstanceCount', 0)).toBe(4);
  });

  it('gives the same noise to every run with the same seed, and different noise to each metric', () => {
    const first = feed('kusto-cluster', { noise: 2, seed: 9 });
    const second = feed('kusto-cluster', { noise: 2, seed: 9 });
    for (const one of [first, second]) {
      one.prefill(reading(2, 4));
      for (let minute = 0; minute < 600; minute += 1) one.record(minute, reading(2, 4, { ingestion: 2 }));
    }
    expect(first.window('CPU', 600, 600)).toEqual(second.window('CPU', 600, 600));
    expect(first.valueAt('CPU', 10)).not.toBe(first.valueAt('IngestionUtilization', 10));
    const values = [...first.window('CPU', 600, 600)];
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const sd = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(50, 0);
    expect(sd).toBeGreaterThan(1.6);
    expect(sd).toBeLessThan(2.4);
  });

  it('has no series for metrics the cluster does not emit (memory, throttling, failed queries)', () => {
    const adx = feed('kusto-cluster');
    adx.prefill(reading(2, 4));
    const snapshot = adx.snapshot(
      request({
        target: 'telemetry',
        kind: 'kusto-cluster',
        resourceId: KUSTO_ID,
        needs: [
          { metric: 'TotalNumberOfThrottledQueries', aggregations: ['Total'] },
          { metric: 'QueryResult', aggregations: ['Count'], splitBy: 'QueryStatus' },
        ],
      }),
      START_MS,
    );
    expect(snapshot.series).toEqual([]);
  });

  it('fills a day and more before the trace with the first minute, so windows have data from the start', () => {
    const cpu = feed('postgres-elastic-cluster', { lag: 0 });
    cpu.prefill(reading(3, 4));
    expect(PREFILL_MINUTES).toBeGreaterThanOrEqual(1440 + 60);
    expect(cpu.window('cpu_percent', 0, 1500)).toHaveLength(1500);
    expect(cpu.valueAt('cpu_percent', -1500)).toBe(75);
  });

  it('starts the hourly history with the trace: the prefilled steady state is no day of load to learn from', () => {
    const cpu = feed('postgres-elastic-cluster', { lag: 0 });
    cpu.prefill(reading(3, 4));
    for (let minute = 0; minute < 180; minute += 1) cpu.record(minute, reading(minute < 60 ? 1 : 2, 4));
    const hourly = cpu.snapshot(request({ intervalMinutes: 60, lookbackMinutes: 26 * 60 }), START_MS + 180 * MINUTE);
    const samples = hourly.series.find((series) => series.aggregation === 'Average')?.samples ?? [];
    expect(samples.map((sample) => (sample.timestampMs - START_MS) / MINUTE)).toEqual([0, 60, 120]);
    expect(samples.map((sample) => sample.value)).toEqual([25, 50, 50]);
    // The minute feed still reaches back through the prefill.
    expect(cpu.snapshot(request({ lookbackMinutes: 120 }), START_MS).series[0]?.samples[0]?.value).toBe(75);
  });
});

describe('OutcomeRecorder', () => {
  it('counts overload, unserved load, hot minutes and billed node-hours from the true load', () => {
    const recorder = new OutcomeRecorder(OUTCOME_DEFAULTS, START_MS);
    recorder.minute(0, { need: 3, demand: 3, effective: 4, billed: 4 });
    recorder.minute(1, { need: 5, demand: 5, effective: 4, billed: 6 });
    recorder.minute(2, { need: 4, demand: 4, effective: 4, billed: 6 });
    expect(recorder.outcomes()).toEqual({
      nodeHours: 16 / 60,
      overloadMinutes: 1,
      unservedNodeMinutes: 1,
      hotMinutes: 2,
      operations: 0,
      reversals: 0,
      peakUnits: 6,
    });
  });

  it('keeps per-bucket peaks of load and billed capacity and the lowest effective capacity for the charts', () => {
    const recorder = new OutcomeRecorder(OUTCOME_DEFAULTS, START_MS, 2);
    [3, 5, 4].forEach((need, minute) =>
      recorder.minute(minute, { need, demand: need, effective: 6 - minute, billed: 6 }),
    );
    expect(recorder.timelineSoFar()).toMatchObject({
      bucketMinutes: 2,
      need: [5, 4],
      billed: [6, 6],
      effective: [5, 4],
    });
  });
});

describe('countReversals', () => {
  it('counts a change of direction within the window, not after it', () => {
    const operations = [
      { minute: 0, direction: 'out' as const },
      { minute: 30, direction: 'in' as const },
      { minute: 100, direction: 'out' as const },
      { minute: 120, direction: 'out' as const },
    ];
    expect(countReversals(operations, 60)).toBe(1);
  });
});
