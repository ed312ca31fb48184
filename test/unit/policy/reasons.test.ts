import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
import { POLICY_REASON_CODES, type ReasonCode } from '../../../shared/policy/decision.js';
import type { DecideInput } from '../../../shared/policy/input.js';
import {
  completedOperation,
  cpuIn,
  cpuOut,
  failedInARow,
  flat,
  input,
  kustoTarget,
  pgTarget,
  snapshot,
  steadyForecast,
} from './builders.js';

const DAY = 24 * 60;
const hotPg = snapshot(flat('cpu_percent', 95, 10));
const calmPg = snapshot(flat('cpu_percent', 50, 10));
const coolKusto = snapshot(flat('CPU', 10, 10));
const kustoRules = [cpuOut({ metric: 'CPU', threshold: 80 }), cpuIn()];
const quietKustoDay = snapshot(
  flat('CPU', 20, DAY),
  flat('IngestionUtilization', 10, DAY),
  flat('CacheUtilizationFactor', 10, DAY),
  flat('KeepAlive', 1, DAY),
);
const optimizedKusto = kustoTarget({ mode: 'optimized', rules: [], maxStep: { out: 10, in: 10 } });
const manualPg = pgTarget({ mode: 'manual', rules: [] });
const forecastKusto = kustoTarget({ rules: kustoRules, forecast: { mode: 'act' }, maxStep: { out: 5, in: 10 } });
const everyDay = (overrides: Record<string, unknown>) => ({
  name: 'all-day',
  recurrence: {
    days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
    start: '00:00',
    timeZone: 'UTC',
  },
  ...overrides,
});

/** One named case per reason code: the whole closed union is reachable and documented by example. */
const CASES: Array<{ reason: ReasonCode; name: string; input: DecideInput }> = [
  { reason: 'WithinThresholds', name: 'CPU between thresholds', input: input({ target: pgTarget(), metrics: calmPg }) },
  { reason: 'NoRequest', name: 'manual mode with nothing asked', input: input({ target: manualPg }) },
  {
    reason: 'AlreadyAtRequestedCapacity',
    name: 'operator asks for the current size',
    input: input({ target: manualPg, capacity: 4, request: { source: 'manual', capacity: 4, reason: 'check' } }),
  },
  { reason: 'ScaleOutRuleFired', name: 'CPU above the out-rule', input: input({ target: pgTarget(), metrics: hotPg }) },
  {
    reason: 'ScaleInRulesFired',
    name: 'every in-rule fires',
    input: input({ target: kustoTarget({ rules: kustoRules }), metrics: coolKusto }),
  },
  {
    reason: 'SustainedHighUtilization',
    name: 'ADX CPU high for an hour',
    input: input({ target: optimizedKusto, metrics: snapshot(flat('CPU', 85, 60)) }),
  },
  {
    reason: 'SustainedLowUtilization',
    name: 'ADX quiet for a day',
    input: input({ target: optimizedKusto, capacity: 10, metrics: quietKustoDay }),
  },
  {
    reason: 'ManualRequest',
    name: 'operator asks for more',
    input: input({ target: manualPg, request: { source: 'manual', delta: 2, reason: 'launch' } }),
  },
  {
    reason: 'ForecastScaleOut',
    name: 'the forecast needs more within the lead time',
    input: input({
      target: forecastKusto,
      capacity: 4,
      metrics: snapshot(flat('CPU', 100, 10)),
      forecast: steadyForecast(5),
    }),
  },
  {
    reason: 'ForecastScaleIn',
    name: 'the forecast needs less for the coming lead time',
    input: input({
      target: forecastKusto,
      capacity: 10,
      metrics: snapshot(flat('CPU', 30, 10)),
      forecast: steadyForecast(3),
    }),
  },
  {
    reason: 'WithinForecast',
    name: 'the forecast needs what there is, though a rule fires',
    input: input({
      target: forecastKusto,
      capacity: 6,
      metrics: snapshot(flat('CPU', 83, 10)),
      forecast: steadyForecast(5),
    }),
  },
  {
    reason: 'AlertFired',
    name: 'an alert asks for one more',
    input: input({ target: manualPg, request: { source: 'alert', delta: 1, reason: 'cpu alert' } }),
  },
  {
    reason: 'ScheduledInstanceCount',
    name: 'a profile fixes more instances',
    input: input({
      target: kustoTarget({ rules: kustoRules, profiles: [everyDay({ instanceCount: 6 })] }),
      capacity: 4,
      metrics: coolKusto,
    }),
  },
  {
    reason: 'AtScheduledInstanceCount',
    name: 'a profile fixes the current count',
    input: input({
      target: kustoTarget({ rules: kustoRules, profiles: [everyDay({ instanceCount: 4 })] }),
      capacity: 4,
      metrics: coolKusto,
    }),
  },
  {
    reason: 'BelowMinimum',
    name: 'capacity under the minimum',
    input: input({ target: pgTarget({ limits: { min: 5, max: 10 } }), capacity: 4, metrics: calmPg }),
  },
  {
    reason: 'AboveMaximum',
    name: 'Kusto capacity over the maximum',
    input: input({
      target: kustoTarget({ rules: kustoRules, limits: { min: 2, max: 3 } }),
      capacity: 5,
      metrics: snapshot(flat('CPU', 50, 10)),
    }),
  },
  {
    reason: 'ClampedToMax',
    name: 'step overshoots the maximum',
    input: input({
      target: pgTarget({ limits: { min: 2, max: 5 }, rules: [cpuOut({ change: { type: 'count', value: 2 } })] }),
      metrics: hotPg,
    }),
  },
  {
    reason: 'ClampedToMin',
    name: 'step undershoots the minimum',
    input: input({
      target: kustoTarget({
        rules: [kustoRules[0], cpuIn({ change: { type: 'count', value: 3 } })],
        limits: { min: 3, max: 10 },
        maxStep: { in: 5 },
      }),
      metrics: coolKusto,
    }),
  },
  {
    reason: 'AtMaximum',
    name: 'already at the maximum',
    input: input({ target: pgTarget({ limits: { min: 2, max: 4 } }), metrics: hotPg }),
  },
  {
    reason: 'AtMinimum',
    name: 'already at the minimum',
    input: input({ target: kustoTarget({ rules: kustoRules, limits: { min: 4, max: 10 } }), metrics: coolKusto }),
  },
  {
    reason: 'StepLimited',
    name: 'rule asks for more than maxStep',
    input: input({
      target: pgTarget({ maxStep: { out: 1 }, rules: [cpuOut({ change: { type: 'count', value: 3 } })] }),
      metrics: hotPg,
    }),
  },
  {
    reason: 'MetricsUnavailable',
    name: 'no metrics, at or above the default',
    input: input({ target: pgTarget(), metrics: undefined }),
  },
  {
    reason: 'RaisedToDefault',
    name: 'no metrics, below the default',
    input: input({ target: pgTarget({ limits: { min: 2, max: 10, default: 6 } }), metrics: undefined }),
  },
  {
    reason: 'EvaluationWindowIncomplete',
    name: 'ADX scaled an hour ago',
    input: input({
      target: optimizedKusto,
      capacity: 10,
      metrics: quietKustoDay,
      history: { lastScaleOut: completedOperation('out', 60) },
    }),
  },
  {
    reason: 'Paused',
    name: 'scale-out paused',
    input: input({ target: pgTarget({ paused: { scaleOut: true } }), metrics: hotPg }),
  },
  {
    reason: 'OperationInProgress',
    name: 'ARM update running',
    input: input({
      target: pgTarget(),
      metrics: hotPg,
      observed: { operationInProgress: { description: 'an ARM update' } },
    }),
  },
  {
    reason: 'CooldownActive',
    name: 'just scaled out',
    input: input({ target: pgTarget(), metrics: hotPg, history: { lastScaleOut: completedOperation('out', 1) } }),
  },
  {
    reason: 'BackingOff',
    name: 'the same scale-out failed 5 minutes ago',
    input: input({ target: pgTarget(), metrics: hotPg, failures: { recent: failedInARow(1, 5) } }),
  },
  {
    reason: 'FailureLimitReached',
    name: 'the same scale-out failed 4 times in a row',
    input: input({ target: pgTarget(), metrics: hotPg, failures: { recent: failedInARow(4, 500) } }),
  },
  {
    reason: 'ScaleInUnsupported',
    name: 'operator asks an elastic cluster to shrink',
    input: input({ target: manualPg, request: { source: 'manual', capacity: 3, reason: 'save money' } }),
  },
  {
    reason: 'FlappingAvoided',
    name: 'scale-in would re-trigger scale-out',
    input: input({
      target: kustoTarget({ rules: [cpuOut({ metric: 'CPU', threshold: 60 }), cpuIn({ threshold: 45 })] }),
      capacity: 3,
      metrics: snapshot(flat('CPU', 42, 10)),
    }),
  },
  {
    reason: 'ScaleInReduced',
    name: 'projection shrinks the scale-in',
    input: input({
      target: kustoTarget({
        rules: [
          cpuOut({ metric: 'CPU', threshold: 60 }),
          cpuIn({ threshold: 45, change: { type: 'count', value: 3 } }),
        ],
        maxStep: { in: 5 },
      }),
      capacity: 6,
      metrics: snapshot(flat('CPU', 42, 10)),
    }),
  },
  {
    reason: 'ConflictingAutoscaler',
    name: 'ADX optimized autoscale on',
    input: input({
      target: kustoTarget({ rules: kustoRules }),
      metrics: snapshot(flat('CPU', 95, 10)),
      observed: { conflictingAutoscaler: { name: 'ADX optimized autoscale', enabled: true } },
    }),
  },
  { reason: 'DryRun', name: 'dry-run target', input: input({ target: pgTarget({ dryRun: true }), metrics: hotPg }) },
  {
    reason: 'OutsideLimits',
    name: 'operator asks for more than the maximum',
    input: input({ target: manualPg, request: { source: 'manual', capacity: 25, reason: 'big sale' } }),
  },
  {
    reason: 'LeaseHeld',
    name: 'another evaluation holds the lease',
    input: { ...input({ target: pgTarget(), metrics: hotPg }), executor: { leaseHeld: true } },
  },
];

describe('reason codes', () => {
  it.each(CASES)('$reason: $name', ({ reason, input: decideInput }) => {
    const decision = decide(decideInput);
    expect(decision.reason).toBe(reason);
    expect(decision.message.length).toBeGreaterThan(10);
  });

  it('has a named case for every reason the policy can give', () => {
    expect(new Set(CASES.map((testCase) => testCase.reason))).toEqual(new Set(POLICY_REASON_CODES));
  });
});
