import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
import { applyChange } from '../../../shared/policy/custom-rules.js';
import { ruleSchema } from '../../../shared/config/schema/schema.js';
import { cpuIn, cpuOut, flat, input, kustoTarget, series, snapshot } from './builders.js';

const kusto = (rules: unknown[], overrides: Record<string, unknown> = {}) =>
  kustoTarget({ rules, maxStep: { out: 10, in: 10 }, ...overrides });
const ruleOn = (metric: string, overrides: Record<string, unknown>) => cpuOut({ metric, ...overrides });

describe('custom rules (Azure Monitor autoscale semantics)', () => {
  it('scales out when any out-rule fires and takes the largest result', () => {
    const target = kusto([
      ruleOn('CPU', { name: 'cpu', threshold: 70, change: { type: 'count', value: 1 } }),
      ruleOn('IngestionUtilization', { name: 'ingestion', threshold: 70, change: { type: 'count', value: 3 } }),
      ruleOn('CacheUtilizationFactor', { name: 'cache', threshold: 70, change: { type: 'count', value: 5 } }),
    ]);
    const metrics = snapshot(
      flat('CPU', 90, 10),
      flat('IngestionUtilization', 90, 10),
      flat('CacheUtilizationFactor', 10, 10),
    );
    const decision = decide(input({ target, capacity: 4, metrics }));
    expect(decision).toMatchObject({ action: 'scale-out', from: 4, to: 7, reason: 'ScaleOutRuleFired' });
    expect(decision.evidence.signals.map((signal) => [signal.name, signal.fired])).toEqual([
      ['cpu', true],
      ['ingestion', true],
      ['cache', false],
    ]);
  });

  it('scales in only when every in-rule fires, by the smallest reduction', () => {
    const target = kusto([
      cpuOut({ metric: 'CPU', threshold: 80 }),
      cpuIn({ name: 'cpu-low', threshold: 30, change: { type: 'count', value: 3 } }),
      cpuIn({
        name: 'ingestion-low',
        metric: 'IngestionUtilization',
        threshold: 30,
        change: { type: 'count', value: 1 },
      }),
    ]);
    const metrics = snapshot(flat('CPU', 10, 10), flat('IngestionUtilization', 10, 10));
    expect(decide(input({ target, capacity: 8, metrics }))).toMatchObject({
      action: 'scale-in',
      to: 7,
      reason: 'ScaleInRulesFired',
    });
  });

  it('holds when only some in-rules fire', () => {
    const target = kusto([
      cpuOut({ metric: 'CPU', threshold: 80 }),
      cpuIn(),
      cpuIn({ name: 'ingestion-low', metric: 'IngestionUtilization' }),
    ]);
    const metrics = snapshot(flat('CPU', 10, 10), flat('IngestionUtilization', 50, 10));
    expect(decide(input({ target, capacity: 8, metrics }))).toMatchObject({
      action: 'none',
      reason: 'WithinThresholds',
    });
  });

  it('prefers scaling out when out- and in-rules fire together', () => {
    const target = kusto([ruleOn('IngestionUtilization', { threshold: 70 }), cpuIn()]);
    const metrics = snapshot(flat('CPU', 10, 10), flat('IngestionUtilization', 95, 10));
    expect(decide(input({ target, capacity: 4, metrics }))).toMatchObject({
      action: 'scale-out',
      reason: 'ScaleOutRuleFired',
    });
  });

  it('does not fire on a window with too few complete grains', () => {
    const target = kusto([ruleOn('CPU', { threshold: 70, windowMinutes: 10 })]);
    const metrics = snapshot(series('CPU', [95, 95, 95, 95, 95, null, null, null, null, 95]));
    const decision = decide(input({ target, capacity: 4, metrics }));
    expect(decision.action).toBe('none');
    expect(decision.evidence.signals[0]).toMatchObject({ status: 'insufficient-data', fired: false });
  });

  it.each([
    { name: 'GreaterThan at the threshold does not fire', operator: 'GreaterThan', value: 75, fires: false },
    { name: 'GreaterThanOrEqual at the threshold fires', operator: 'GreaterThanOrEqual', value: 75, fires: true },
    { name: 'Equals fires on equality', operator: 'Equals', value: 75, fires: true },
    { name: 'NotEquals fires on difference', operator: 'NotEquals', value: 74, fires: true },
  ])('compares with operators: $name', ({ operator, value, fires }) => {
    const target = kusto([ruleOn('CPU', { operator, threshold: 75 })]);
    const decision = decide(input({ target, capacity: 4, metrics: snapshot(flat('CPU', value, 10)) }));
    expect(decision.evidence.signals[0]?.fired).toBe(fires);
  });
});

describe('applyChange', () => {
  const rule = (change: unknown, direction = 'out') =>
    ruleSchema.parse({ metric: 'CPU', operator: 'GreaterThan', threshold: 1, direction, change });
  it.each([
    { name: 'count adds n', change: { type: 'count', value: 2 }, direction: 'out', from: 4, to: 6 },
    { name: 'count removes n', change: { type: 'count', value: 2 }, direction: 'in', from: 4, to: 2 },
    { name: 'percent rounds up when adding', change: { type: 'percent', value: 30 }, direction: 'out', from: 4, to: 6 },
    {
      name: 'percent moves at least one unit',
      change: { type: 'percent', value: 10 },
      direction: 'out',
      from: 3,
      to: 4,
    },
    {
      name: 'percent rounds down when removing',
      change: { type: 'percent', value: 30 },
      direction: 'in',
      from: 10,
      to: 7,
    },
    {
      name: 'percent removes at least one unit',
      change: { type: 'percent', value: 10 },
      direction: 'in',
      from: 4,
      to: 3,
    },
    { name: 'exact goes to n when above', change: { type: 'exact', value: 8 }, direction: 'out', from: 4, to: 8 },
    {
      name: 'exact never shrinks on an out-rule',
      change: { type: 'exact', value: 3 },
      direction: 'out',
      from: 4,
      to: 4,
    },
    { name: 'exact never grows on an in-rule', change: { type: 'exact', value: 6 }, direction: 'in', from: 4, to: 4 },
  ])('$name', ({ change, direction, from, to }) => {
    expect(applyChange(rule(change, direction), from, direction as 'out' | 'in')).toBe(to);
  });
});
