import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decide, effectiveBounds } from '../../../shared/policy/decide.js';
import { REASON_CODES } from '../../../shared/policy/decision.js';
import { targetSchema, type TargetConfig } from '../../../shared/config/schema/schema.js';
import type { DecideInput, ScaleRequest } from '../../../shared/policy/input.js';
import type { MetricSeries } from '../../../shared/vocabulary/metric-series.js';
import { KUSTO_ID, MINUTE, NOW, PG_ID } from './builders.js';

const METRICS = {
  'postgres-elastic-cluster': ['cpu_percent', 'memory_percent', 'storage_percent'],
  'kusto-cluster': ['CPU', 'IngestionUtilization', 'CacheUtilizationFactor', 'KeepAlive'],
} as const;
type Kind = keyof typeof METRICS;

const arbRule = (kind: Kind) =>
  fc
    .record({
      metric: fc.constantFrom(...METRICS[kind].slice(0, 3)),
      statistic: fc.constantFrom('Average', 'Maximum', 'Minimum'),
      timeGrainMinutes: fc.constantFrom(1, 5),
      windowMultiple: fc.integer({ min: 1, max: 6 }),
      timeAggregation: fc.constantFrom('Average', 'Minimum', 'Maximum', 'Last', 'Total', 'Count'),
      operator: fc.constantFrom('GreaterThan', 'GreaterThanOrEqual', 'LessThan', 'LessThanOrEqual'),
      threshold: fc.integer({ min: 0, max: 100 }),
      direction: kind === 'kusto-cluster' ? fc.constantFrom('out', 'in') : fc.constant('out'),
      change: fc.oneof(
        fc.record({ type: fc.constant('count'), value: fc.integer({ min: 1, max: 6 }) }),
        fc.record({ type: fc.constant('percent'), value: fc.integer({ min: 1, max: 200 }) }),
        fc.record({ type: fc.constant('exact'), value: fc.integer({ min: 1, max: 25 }) }),
      ),
    })
    .map(({ windowMultiple, ...rule }) => ({ ...rule, windowMinutes: rule.timeGrainMinutes * windowMultiple * 2 }));

const arbTarget: fc.Arbitrary<TargetConfig> = fc
  .constantFrom<Kind>('postgres-elastic-cluster', 'kusto-cluster')
  .chain((kind) =>
    fc
      .record({
        mode: fc.constantFrom('manual', 'custom', 'optimized'),
        min: fc.integer({ min: 2, max: 10 }),
        span: fc.integer({ min: 0, max: 10 }),
        defaultOffset: fc.integer({ min: 0, max: 10 }),
        rules: fc.array(arbRule(kind), { minLength: 1, maxLength: 4 }),
        maxStep: fc.record({ out: fc.integer({ min: 1, max: 5 }), in: fc.integer({ min: 1, max: 5 }) }),
        cooldowns: fc.record({
          scaleOutMinutes: fc.integer({ min: 0, max: 60 }),
          scaleInMinutes: fc.integer({ min: 0, max: 120 }),
        }),
        dryRun: fc.boolean(),
        onConflictingAutoscaler: fc.constantFrom('refuse', 'take-over'),
      })
      .map(({ min, span, defaultOffset, onConflictingAutoscaler, ...rest }) => {
        const max = kind === 'postgres-elastic-cluster' ? Math.min(20, min + span) : min + span;
        return targetSchema.parse({
          name: 'target',
          kind,
          resourceId: kind === 'kusto-cluster' ? KUSTO_ID : PG_ID,
          ...rest,
          limits: { min, max, default: Math.min(max, min + defaultOffset) },
          ...(kind === 'kusto-cluster' ? { onConflictingAutoscaler } : {}),
        });
      }),
  );

const arbValue = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 150, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant(Number.NaN) },
);

const arbSeries = (metric: string): fc.Arbitrary<MetricSeries[]> =>
  fc
    .record({
      level: fc.double({ min: 0, max: 120, noNaN: true }),
      values: fc.array(arbValue, { maxLength: 90 }),
      present: fc.boolean(),
    })
    .map(({ level, values, present }) =>
      present
        ? (['Average', 'Maximum', 'Minimum'] as const).map((aggregation) => ({
            metric,
            aggregation,
            samples: values.map((value, index) => ({
              timestampMs: NOW - (values.length - index) * MINUTE,
              value: value === null || Number.isNaN(value) ? value : (value + level) / 2,
            })),
          }))
        : [],
    );

const arbRequest: fc.Arbitrary<ScaleRequest | undefined> = fc.option(
  fc.oneof(
    fc.record({
      source: fc.constantFrom('manual' as const, 'alert' as const),
      delta: fc.integer({ min: -5, max: 5 }),
      reason: fc.constant('test'),
    }),
    fc.record({
      source: fc.constant('manual' as const),
      capacity: fc.integer({ min: 0, max: 30 }),
      reason: fc.constant('test'),
      ignoreCooldown: fc.boolean(),
    }),
  ),
  { nil: undefined },
);

const arbInput = (options: { metrics?: 'any' | 'missing'; request?: boolean } = {}): fc.Arbitrary<DecideInput> =>
  arbTarget.chain((target) =>
    fc
      .record({
        capacity: fc.integer({ min: 0, max: 25 }),
        series: fc.tuple(...METRICS[target.kind].map(arbSeries)),
        completedMinutesAgo: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: undefined }),
        inProgress: fc.boolean(),
        conflicting: fc.boolean(),
        bounds: fc.option(fc.record({ min: fc.integer({ min: 1, max: 4 }), max: fc.integer({ min: 4, max: 40 }) }), {
          nil: undefined,
        }),
        paused: fc.record({ scaleOut: fc.boolean(), scaleIn: fc.boolean() }),
        request: options.request === false ? fc.constant(undefined) : arbRequest,
      })
      .map((drawn) => ({
        now: new Date(NOW),
        target,
        observed: {
          capacity: drawn.capacity,
          ...(drawn.inProgress ? { operationInProgress: { description: 'an ARM update' } } : {}),
          ...(drawn.conflicting ? { conflictingAutoscaler: { name: 'ADX optimized autoscale', enabled: true } } : {}),
          ...(drawn.bounds ? { capacityBounds: drawn.bounds } : {}),
        },
        metrics: options.metrics === 'missing' ? undefined : { asOfMs: NOW, series: drawn.series.flat() },
        history:
          drawn.completedMinutesAgo === undefined
            ? {}
            : {
                lastScaleOut: {
                  direction: 'out' as const,
                  from: 2,
                  to: 3,
                  startedAt: new Date(NOW - (drawn.completedMinutesAgo + 20) * MINUTE),
                  completedAt: new Date(NOW - drawn.completedMinutesAgo * MINUTE),
                },
              },
        paused: drawn.paused,
        ...(drawn.request ? { request: drawn.request } : {}),
      })),
  );

const RUNS = { numRuns: 400 };

describe('decide (properties)', () => {
  it('never acts outside the limits, and never leaves them when it starts inside', () => {
    fc.assert(
      fc.property(arbInput(), (decideInput) => {
        const decision = decide(decideInput);
        const { min, max } = effectiveBounds(decideInput);
        const from = decideInput.observed.capacity;
        if (decision.action !== 'none')
          expect(
            (decision.to >= min && decision.to <= max) ||
              (from < min && decision.to > from) ||
              (from > max && decision.to < from),
          ).toBe(true);
        if (from >= min && from <= max) expect(decision.to >= min && decision.to <= max).toBe(true);
      }),
      RUNS,
    );
  });

  it('never scales in an elastic cluster', () => {
    fc.assert(
      fc.property(
        arbInput().filter((one) => one.target.kind === 'postgres-elastic-cluster'),
        (decideInput) => {
          expect(decide(decideInput).to).toBeGreaterThanOrEqual(decideInput.observed.capacity);
        },
      ),
      RUNS,
    );
  });

  it('never scales in when metrics are missing', () => {
    fc.assert(
      fc.property(arbInput({ metrics: 'missing', request: false }), (decideInput) => {
        expect(decide(decideInput).to).toBeGreaterThanOrEqual(decideInput.observed.capacity);
      }),
      RUNS,
    );
  });

  it('gives the same decision for the same input', () => {
    fc.assert(
      fc.property(arbInput(), (decideInput) => {
        expect(decide(structuredClone(decideInput))).toEqual(decide(decideInput));
      }),
      RUNS,
    );
  });

  it('always explains itself with a known reason and a sentence', () => {
    fc.assert(
      fc.property(arbInput(), (decideInput) => {
        const decision = decide(decideInput);
        expect(REASON_CODES).toContain(decision.reason);
        expect(decision.message).not.toBe('');
        expect(decision.action === 'none').toBe(decision.to === decision.from);
      }),
      RUNS,
    );
  });

  it('never acts on a dry-run target', () => {
    fc.assert(
      fc.property(
        arbInput().filter((one) => one.target.dryRun),
        (decideInput) => {
          expect(decide(decideInput).action).toBe('none');
        },
      ),
      RUNS,
    );
  });
});
