import { describe, expect, it } from 'vitest';
import {
  AzureMonitorAutoscale,
  evaluateAutoscale,
  scheduledProfiles,
  typicalRulePair,
  type AutoscaleProfile,
  type AutoscaleRule,
  type AutoscaleState,
} from '../../../tools/simulation/baselines/azure-monitor-autoscale.js';
import { config, feedReading, kustoTarget, pgTarget, START_MS, targetOf } from './builders.js';

const rule = (overrides: Partial<AutoscaleRule>): AutoscaleRule => ({
  metric: 'CPU',
  operator: 'GreaterThan',
  threshold: 70,
  windowMinutes: 10,
  direction: 'out',
  changeCount: 1,
  cooldownMinutes: 5,
  ...overrides,
});
const profile = (rules: AutoscaleRule[], capacity = { min: 1, max: 30, default: 1 }): AutoscaleProfile => ({
  rules,
  capacity,
});

describe('evaluateAutoscale (Azure Monitor autoscale semantics)', () => {
  const twoOut = [
    rule({ metric: 'CPU', threshold: 70, changeCount: 1 }),
    rule({ metric: 'Requests', threshold: 200, changeCount: 3 }),
  ];

  it.each([
    { name: 'one out-rule fires', values: [75, 100], expected: 11 },
    { name: 'the other out-rule fires', values: [60, 250], expected: 13 },
    { name: 'both fire: the highest capacity wins', values: [75, 250], expected: 13 },
  ])('scales out if ANY out-rule fires: $name', ({ values, expected }) => {
    expect(evaluateAutoscale(profile(twoOut), 10, values, 0, {})).toMatchObject({ to: expected, reason: 'scale-out' });
  });

  const twoIn = [
    rule({ threshold: 90 }),
    rule({ metric: 'CPU', operator: 'LessThan', threshold: 30, direction: 'in', changeCount: 1 }),
    rule({ metric: 'Requests', operator: 'LessThan', threshold: 50, direction: 'in', changeCount: 4 }),
  ];

  it('does not scale in while only some in-rules fire', () => {
    expect(evaluateAutoscale(profile(twoIn), 10, [20, 20, 80], 0, {})).toEqual({ to: 10, reason: 'no-rule-fired' });
  });

  it('scales in when ALL in-rules fire, by the smallest reduction', () => {
    expect(evaluateAutoscale(profile(twoIn), 10, [20, 20, 30], 0, {})).toMatchObject({ to: 9, reason: 'scale-in' });
  });

  it('defers a scale-in that would make an out-rule fire (the flapping documentation: 2 instances at 28 %)', () => {
    const rules = [rule({ threshold: 50 }), rule({ operator: 'LessThan', threshold: 30, direction: 'in' })];
    // One instance would run at 56 % CPU, above the 50 % scale-out threshold.
    expect(evaluateAutoscale(profile(rules), 2, [28, 28], 0, {})).toEqual({ to: 2, reason: 'flapping-avoided' });
    expect(evaluateAutoscale(profile(rules), 2, [24, 24], 0, {})).toMatchObject({ to: 1, reason: 'scale-in' });
  });

  it('scales in by less than the rule asks, to the smallest count no out-rule would fire at', () => {
    const rules = [
      rule({ metric: 'CPU', threshold: 70 }),
      rule({ metric: 'Requests', operator: 'LessThanOrEqual', threshold: 50, direction: 'in', changeCount: 10 }),
    ];
    // 30 instances at 65 % CPU: 20 would run at 97.5 %; 28 at 69.6 % is the smallest count under 70 %.
    expect(evaluateAutoscale(profile(rules), 30, [65, 50], 0, {})).toMatchObject({
      to: 28,
      reason: 'scale-in-reduced',
    });
  });

  it('waits for the cooldown of the rule that fired last, in either direction', () => {
    const state: AutoscaleState = { lastAction: { minute: 100, cooldownMinutes: 40 } };
    const rules = [rule({ threshold: 70 })];
    expect(evaluateAutoscale(profile(rules), 5, [95], 139, state)).toEqual({ to: 5, reason: 'cooldown' });
    expect(evaluateAutoscale(profile(rules), 5, [95], 140, state)).toMatchObject({ to: 6, reason: 'scale-out' });
  });

  it('goes to the default capacity when no metric can be read and capacity is below it', () => {
    const rules = typicalRulePair('kusto-cluster');
    expect(evaluateAutoscale(profile(rules, { min: 2, max: 10, default: 4 }), 3, [null, null], 0, {})).toEqual({
      to: 4,
      reason: 'default-capacity',
    });
    expect(evaluateAutoscale(profile(rules, { min: 2, max: 10, default: 4 }), 6, [null, null], 0, {})).toEqual({
      to: 6,
      reason: 'no-rule-fired',
    });
  });

  it('stays within the instance limits', () => {
    expect(evaluateAutoscale(profile([rule({})], { min: 1, max: 5, default: 1 }), 5, [99], 0, {})).toEqual({
      to: 5,
      reason: 'no-rule-fired',
    });
  });

  it('uses the typical pair: out above 75 % over 10 min, in below 25 %, by 1, cooldown 5 min; no in-rule for elastic clusters', () => {
    expect(typicalRulePair('kusto-cluster')).toEqual([
      {
        metric: 'CPU',
        operator: 'GreaterThan',
        threshold: 75,
        windowMinutes: 10,
        direction: 'out',
        changeCount: 1,
        cooldownMinutes: 5,
      },
      {
        metric: 'CPU',
        operator: 'LessThan',
        threshold: 25,
        windowMinutes: 10,
        direction: 'in',
        changeCount: 1,
        cooldownMinutes: 5,
      },
    ]);
    expect(typicalRulePair('postgres-elastic-cluster').map((one) => one.direction)).toEqual(['out']);
  });
});

describe('AzureMonitorAutoscale', () => {
  it('averages the readable samples of the window and starts the cooldown only when ARM accepts the change', () => {
    const feed = feedReading('kusto-cluster', [...Array(20).fill(50), ...Array(10).fill(90)]);
    let current = 4;
    const autoscale = new AzureMonitorAutoscale(
      profile(typicalRulePair('kusto-cluster'), { min: 2, max: 10, default: 2 }),
      feed,
      () => current,
    );
    // At minute 30 the last ten minutes average 90 %.
    expect(autoscale.decide(30)).toBe(5);
    autoscale.onResult(30, 5, { accepted: false, reason: 'busy', message: 'busy' });
    expect(autoscale.decide(30)).toBe(5);
    autoscale.onResult(30, 5, { accepted: true, operationId: 1 });
    current = 5;
    expect(autoscale.decide(30)).toBe(5);
    // At minute 25 half of the window is hot: 70 % on average, under 75 %.
    expect(
      new AzureMonitorAutoscale(
        profile(typicalRulePair('kusto-cluster'), { min: 2, max: 10, default: 2 }),
        feed,
        () => 4,
      ).decide(25),
    ).toBe(4);
  });
});

describe('Azure Monitor autoscale profiles in the baseline', () => {
  const rules = typicalRulePair('kusto-cluster');

  it('moves to the nearest limit of the profile in force, after the cooldown', () => {
    expect(evaluateAutoscale(profile(rules, { min: 6, max: 10, default: 6 }), 3, [50, 50], 0, {})).toEqual({
      to: 6,
      reason: 'profile-limits',
    });
    expect(evaluateAutoscale(profile(rules, { min: 2, max: 4, default: 2 }), 9, [50, 50], 0, {})).toEqual({
      to: 4,
      reason: 'profile-limits',
    });
    expect(
      evaluateAutoscale(profile(rules, { min: 6, max: 10, default: 6 }), 3, [50, 50], 2, {
        lastAction: { minute: 0, cooldownMinutes: 5 },
      }),
    ).toEqual({ to: 3, reason: 'cooldown' });
  });

  it('keeps an elastic cluster above a smaller profile: nodes cannot be removed', () => {
    expect(
      evaluateAutoscale(
        {
          rules: typicalRulePair('postgres-elastic-cluster'),
          capacity: { min: 2, max: 4, default: 2 },
          canScaleIn: false,
        },
        9,
        [50],
        0,
        {},
      ),
    ).toEqual({ to: 9, reason: 'no-rule-fired' });
  });

  /** A SKU with at most 14 instances narrows every profile's limits, as policyLimits does. */
  const skuOf14 = (limits: AutoscaleProfile['capacity']) => {
    const max = Math.min(limits.max, 14);
    return { min: Math.min(limits.min, max), max, default: Math.min(limits.default, max) };
  };

  it("picks the profile in force with the product's schedule: rules and limits, or a fixed count without rules", () => {
    const everyDay = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
    const profiles = [
      {
        name: 'day',
        recurrence: { days: everyDay, start: '08:00', end: '18:00', timeZone: 'UTC' },
        limits: { min: 6, max: 12 },
      },
      {
        name: 'launch',
        fixedDate: { start: '2026-01-06T12:00', end: '2026-01-06T13:00', timeZone: 'UTC' },
        instanceCount: 15,
      },
    ];
    const profileAt = scheduledProfiles(targetOf(config([kustoTarget({ profiles })])), START_MS, skuOf14);
    expect(profileAt(7 * 60)).toMatchObject({ capacity: { min: 2, max: 14 }, canScaleIn: true });
    expect(profileAt(7 * 60)?.rules).toHaveLength(2);
    expect(profileAt(9 * 60)).toMatchObject({ capacity: { min: 6, max: 12 } });
    // 2026-01-06 12:30 UTC: the fixed date, its count narrowed like any limit.
    expect(profileAt(1440 + 12 * 60 + 30)).toEqual({
      rules: [],
      capacity: { min: 14, max: 14, default: 14 },
      canScaleIn: true,
    });
    expect(scheduledProfiles(targetOf(config([pgTarget()])), START_MS, (limits) => limits)(0)).toMatchObject({
      canScaleIn: false,
    });
  });
});
