import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
import type { MetricSeries } from '../../../shared/vocabulary/metric-series.js';
import {
  completedOperation,
  flat,
  HOUR,
  input,
  kustoTarget,
  MINUTE,
  NOW,
  pgTarget,
  series,
  snapshot,
} from './builders.js';

const DAY_MINUTES = 24 * 60;
const optimizedKusto = (overrides: Record<string, unknown> = {}) =>
  kustoTarget({
    mode: 'optimized',
    rules: [],
    limits: { min: 2, max: 20 },
    maxStep: { out: 10, in: 10 },
    ...overrides,
  });
const optimizedPg = (overrides: Record<string, unknown> = {}) =>
  pgTarget({ mode: 'optimized', rules: [], limits: { min: 2, max: 20 }, maxStep: { out: 10 }, ...overrides });

/** A quiet day on an ADX cluster: every scale-in check passes. */
function quietDay(overrides: Record<string, MetricSeries> = {}): MetricSeries[] {
  const base: Record<string, MetricSeries> = {
    CPU: flat('CPU', 20, DAY_MINUTES),
    IngestionUtilization: flat('IngestionUtilization', 10, DAY_MINUTES),
    CacheUtilizationFactor: flat('CacheUtilizationFactor', 30, DAY_MINUTES),
    KeepAlive: flat('KeepAlive', 1, DAY_MINUTES),
    TotalNumberOfThrottledQueries: flat('TotalNumberOfThrottledQueries', 0, DAY_MINUTES, { aggregation: 'Total' }),
    QueryResultOk: flat('QueryResult', 100, DAY_MINUTES, {
      aggregation: 'Count',
      dimensions: { QueryStatus: 'Succeeded' },
    }),
    QueryResultFailed: flat('QueryResult', 0, DAY_MINUTES, {
      aggregation: 'Count',
      dimensions: { QueryStatus: 'Failed' },
    }),
  };
  return Object.values({ ...base, ...overrides });
}

describe('optimized mode on Azure Data Explorer', () => {
  it('scales out when CPU stays above its threshold for the whole hour, proportionally', () => {
    const decision = decide(
      input({ target: optimizedKusto(), capacity: 4, metrics: snapshot(...quietDay({ CPU: flat('CPU', 95, 120) })) }),
    );
    // 4 instances at 95 % -> ceil(4 x 95 / 70) = 6 to bring CPU back to ~70 %.
    expect(decision).toMatchObject({ action: 'scale-out', from: 4, to: 6, reason: 'SustainedHighUtilization' });
  });

  it('does not scale out when one 5-minute grain of the hour dipped below the threshold', () => {
    const cpu = series('CPU', [...Array(30).fill(95), ...Array(5).fill(60), ...Array(25).fill(95)]);
    const decision = decide(
      input({ target: optimizedKusto(), capacity: 4, metrics: snapshot(...quietDay({ CPU: cpu })) }),
    );
    expect(decision.action).not.toBe('scale-out');
  });

  it.each([
    { name: 'cache utilization factor', metric: 'CacheUtilizationFactor', value: 120 },
    { name: 'ingestion utilization', metric: 'IngestionUtilization', value: 90 },
  ])('scales out on sustained $name', ({ metric, value }) => {
    const decision = decide(
      input({
        target: optimizedKusto(),
        capacity: 4,
        metrics: snapshot(...quietDay({ [metric]: flat(metric, value, 60) })),
      }),
    );
    expect(decision).toMatchObject({ action: 'scale-out', reason: 'SustainedHighUtilization' });
  });

  it('scales in after a full quiet day, to the capacity the busiest hour needs', () => {
    const metrics = snapshot(...quietDay({ CacheUtilizationFactor: flat('CacheUtilizationFactor', 10, DAY_MINUTES) }));
    const decision = decide(input({ target: optimizedKusto(), capacity: 10, metrics }));
    // Peak hourly CPU 20 % on 10 instances -> ceil(10 x 20 / 70) = 3.
    expect(decision).toMatchObject({ action: 'scale-in', from: 10, to: 3, reason: 'SustainedLowUtilization' });
  });

  it('keeps enough instances for the hot cache as well as for CPU', () => {
    // Cache factor 30 % on 10 instances needs ceil(10 x 30 / 70) = 5 to stay near the target.
    const decision = decide(input({ target: optimizedKusto(), capacity: 10, metrics: snapshot(...quietDay()) }));
    expect(decision).toMatchObject({ action: 'scale-in', to: 5 });
  });

  it('removes one instance at a time under maxStep.in 1', () => {
    const target = optimizedKusto({ maxStep: { in: 1 } });
    expect(decide(input({ target, capacity: 10, metrics: snapshot(...quietDay()) }))).toMatchObject({
      action: 'scale-in',
      to: 9,
      reason: 'StepLimited',
    });
  });

  it("goes to the quiet day's need in one operation under the default maxStep.in (10)", () => {
    const target = optimizedKusto({ maxStep: {} });
    expect(decide(input({ target, capacity: 10, metrics: snapshot(...quietDay()) }))).toMatchObject({
      action: 'scale-in',
      to: 5,
      reason: 'SustainedLowUtilization',
    });
  });

  it.each([
    {
      name: 'one busy hour of CPU',
      override: { CPU: series('CPU', [...Array(DAY_MINUTES - 60).fill(20), ...Array(60).fill(60)]) },
    },
    { name: 'high ingestion', override: { IngestionUtilization: flat('IngestionUtilization', 55, DAY_MINUTES) } },
    {
      name: 'a cache that is not low',
      override: { CacheUtilizationFactor: flat('CacheUtilizationFactor', 76, DAY_MINUTES) },
    },
    {
      name: 'busy streaming ingest',
      override: { StreamingIngestUtilization: flat('StreamingIngestUtilization', 85, DAY_MINUTES) },
    },
    {
      name: 'missed keep-alives',
      override: { KeepAlive: series('KeepAlive', [...Array(DAY_MINUTES - 60).fill(1), ...Array(60).fill(0.5)]) },
    },
    {
      name: 'throttled queries',
      override: {
        TotalNumberOfThrottledQueries: series('TotalNumberOfThrottledQueries', [...Array(DAY_MINUTES - 1).fill(0), 3], {
          aggregation: 'Total',
        }),
      },
    },
    {
      name: 'failing queries',
      override: {
        QueryResultFailed: flat('QueryResult', 5, DAY_MINUTES, {
          aggregation: 'Count',
          dimensions: { QueryStatus: 'Failed' },
        }),
      },
    },
  ])('vetoes scale-in on $name', ({ override }) => {
    const decision = decide(
      input({ target: optimizedKusto(), capacity: 10, metrics: snapshot(...quietDay(override)) }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'WithinThresholds' });
    expect(decision.message).toMatch(/vetoed by/);
  });

  it('waits for a full window of data after the last operation finished', () => {
    // Finished 200 minutes ago, warmed 140 minutes ago: too recent for the day and for the 6-hour early window.
    const history = { lastScaleOut: completedOperation('out', 200, 8, 10) };
    const decision = decide(
      input({ target: optimizedKusto(), capacity: 10, metrics: snapshot(...quietDay()), history }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'EvaluationWindowIncomplete' });
  });

  it('reports an incomplete window when the day of data is not there yet', () => {
    // Four hours: not enough for the day, nor for the 6-hour early window (80 % of its grains).
    const metrics = snapshot(...quietDay().map((one) => ({ ...one, samples: one.samples.slice(-240) })));
    expect(decide(input({ target: optimizedKusto(), capacity: 10, metrics }))).toMatchObject({
      action: 'none',
      reason: 'EvaluationWindowIncomplete',
    });
  });

  it('passes streaming-ingest and throttling checks when the cluster does not emit them', () => {
    const day = quietDay().filter(
      (one) => one.metric !== 'TotalNumberOfThrottledQueries' && one.metric !== 'QueryResult',
    );
    expect(decide(input({ target: optimizedKusto(), capacity: 10, metrics: snapshot(...day) })).action).toBe(
      'scale-in',
    );
  });

  it('scales in after six quiet hours with strong evidence: every peak stays below its scale-in threshold at the smaller size', () => {
    // Warmed up 7 hours ago; CPU 20 % and cache 30 % on 10 instances stay below 50 % and 75 % on 5 (40 %, 60 %), not on 4.
    const history = { lastScaleOut: completedOperation('out', 480, 8, 10) };
    const decision = decide(
      input({ target: optimizedKusto(), capacity: 10, metrics: snapshot(...quietDay()), history }),
    );
    expect(decision).toMatchObject({ action: 'scale-in', from: 10, to: 5, reason: 'SustainedLowUtilization' });
    expect(decision.message).toMatch(
      /strong evidence: every scale-in check agreed over the last 360 min .* without waiting 1440 min/,
    );
    expect(decision.evidence.signals.map((signal) => signal.name)).toContain('cpu-low-360min');
  });

  it('waits for the whole day when the peak would leave the quiet zone at a smaller size', () => {
    const history = { lastScaleOut: completedOperation('out', 480, 8, 10) };
    const metrics = snapshot(...quietDay({ CPU: flat('CPU', 46, DAY_MINUTES) }));
    expect(decide(input({ target: optimizedKusto(), capacity: 10, metrics, history }))).toMatchObject({
      action: 'none',
      reason: 'EvaluationWindowIncomplete',
    });
    const off = optimizedKusto({ optimized: { scaleInEarlyWindowMinutes: 0 } });
    expect(decide(input({ target: off, capacity: 10, metrics: snapshot(...quietDay()), history }))).toMatchObject({
      action: 'none',
      reason: 'EvaluationWindowIncomplete',
    });
  });

  it('is not blocked forever on a cluster that reports no cache or ingestion series, and says so', () => {
    const day = quietDay().filter(
      (one) => one.metric !== 'CacheUtilizationFactor' && one.metric !== 'IngestionUtilization',
    );
    const decision = decide(input({ target: optimizedKusto(), capacity: 10, metrics: snapshot(...day) }));
    expect(decision).toMatchObject({ action: 'scale-in', reason: 'SustainedLowUtilization' });
    expect(decision.message).toMatch(
      /IngestionUtilization and CacheUtilizationFactor are not reported by this cluster, so scale-in is decided without them/,
    );
  });

  it('still holds when a reported cache series has a gap', () => {
    const cache = series('CacheUtilizationFactor', [...Array(DAY_MINUTES - 600).fill(30), ...Array(600).fill(null)]);
    const decision = decide(
      input({
        target: optimizedKusto(),
        capacity: 10,
        metrics: snapshot(...quietDay({ CacheUtilizationFactor: cache })),
      }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'EvaluationWindowIncomplete' });
  });

  it('raises to the default when no signal has data', () => {
    const target = optimizedKusto({ limits: { min: 2, max: 20, default: 6 } });
    expect(decide(input({ target, capacity: 4, metrics: undefined }))).toMatchObject({
      action: 'scale-out',
      to: 6,
      reason: 'RaisedToDefault',
    });
  });
});

describe('optimized mode on an elastic cluster', () => {
  it('scales out on sustained memory pressure', () => {
    const metrics = snapshot(
      flat('cpu_percent', 30, 60),
      flat('memory_percent', 95, 60),
      flat('storage_percent', 40, 60),
    );
    expect(decide(input({ target: optimizedPg(), capacity: 4, metrics }))).toMatchObject({
      action: 'scale-out',
      reason: 'SustainedHighUtilization',
    });
  });

  it('never scales in, however quiet the day', () => {
    const metrics = snapshot(
      flat('cpu_percent', 1, DAY_MINUTES),
      flat('memory_percent', 5, DAY_MINUTES),
      flat('storage_percent', 5, DAY_MINUTES),
    );
    expect(decide(input({ target: optimizedPg(), capacity: 10, metrics }))).toMatchObject({
      action: 'none',
      reason: 'WithinThresholds',
    });
  });

  it('uses the window evidence, not a single hot minute', () => {
    const cpu = series('cpu_percent', [...Array(59).fill(20), 100]);
    const metrics = snapshot(cpu, flat('memory_percent', 20, 60), flat('storage_percent', 20, 60));
    expect(decide(input({ target: optimizedPg(), capacity: 4, metrics })).action).toBe('none');
  });

  it('records when the window ended in the evidence', () => {
    const metrics = snapshot(
      flat('cpu_percent', 95, 60),
      flat('memory_percent', 20, 60),
      flat('storage_percent', 20, 60),
    );
    const decision = decide(input({ target: optimizedPg(), capacity: 4, metrics }));
    expect(decision.evidence.signals[0]).toMatchObject({
      name: 'cpu-high',
      windowEnd: new Date(NOW).toISOString(),
      windowStart: new Date(NOW - HOUR).toISOString(),
    });
    expect(MINUTE).toBe(60_000);
  });
});
