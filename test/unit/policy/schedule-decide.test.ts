import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
import { requiredMetrics } from '../../../shared/policy/required-metrics.js';
import {
  completedOperation,
  cpuIn,
  cpuOut,
  flat,
  HOUR,
  input,
  kustoTarget,
  MINUTE,
  NOW,
  pgTarget,
  snapshot,
} from './builders.js';

// NOW is Sunday 2026-11-22 12:00 UTC.
const sundayNoon = (overrides: Record<string, unknown> = {}) => ({
  name: 'sunday-noon',
  recurrence: { days: ['Sunday'], start: '11:00', end: '13:00', timeZone: 'UTC' },
  ...overrides,
});
const kustoRules = [cpuOut({ metric: 'CPU', threshold: 80 }), cpuIn({ threshold: 30 })];
const warmKusto = snapshot(flat('CPU', 50, 10));

describe('decide under a schedule', () => {
  it('records the default profile in the evidence of a target without profiles', () => {
    const decision = decide(input({ target: kustoTarget({ rules: kustoRules }), metrics: warmKusto }));
    expect(decision.evidence.profile).toEqual({
      name: 'default',
      kind: 'default',
      why: 'the target has no scheduled profiles',
      since: null,
      next: null,
    });
  });

  it('scales an ADX cluster out to the fixed count in one operation, past maxStep, and says why', () => {
    const target = kustoTarget({
      rules: kustoRules,
      maxStep: { out: 1 },
      profiles: [sundayNoon({ instanceCount: 8 })],
    });
    const decision = decide(input({ target, capacity: 3, metrics: warmKusto }));
    expect(decision).toMatchObject({ action: 'scale-out', from: 3, to: 8, reason: 'ScheduledInstanceCount' });
    expect(decision.message).toBe('profile "sunday-noon" holds 8 instances; scaling out from 3 to 8 instances');
    expect(decision.evidence).toMatchObject({
      mode: 'instance-count',
      limits: { min: 8, max: 8, default: 8 },
      profile: {
        name: 'sunday-noon',
        kind: 'recurrence',
        since: '2026-11-22T11:00:00.000Z',
        next: { at: '2026-11-22T13:00:00.000Z', profile: 'default' },
        instanceCount: 8,
      },
    });
  });

  it('scales an ADX cluster in to the fixed count, and holds it there', () => {
    const target = kustoTarget({ rules: kustoRules, profiles: [sundayNoon({ instanceCount: 4 })] });
    expect(decide(input({ target, capacity: 9, metrics: warmKusto }))).toMatchObject({
      action: 'scale-in',
      to: 4,
      reason: 'ScheduledInstanceCount',
    });
    expect(decide(input({ target, capacity: 4, metrics: warmKusto }))).toMatchObject({
      action: 'none',
      to: 4,
      reason: 'AtScheduledInstanceCount',
    });
  });

  it('never scales an elastic cluster in to a fixed count, but scales it out to one', () => {
    const target = pgTarget({ profiles: [sundayNoon({ instanceCount: 6 })] });
    expect(decide(input({ target, capacity: 9, metrics: snapshot(flat('cpu_percent', 40, 10)) }))).toMatchObject({
      action: 'none',
      to: 9,
      reason: 'ScaleInUnsupported',
    });
    expect(decide(input({ target, capacity: 3, metrics: snapshot(flat('cpu_percent', 40, 10)) }))).toMatchObject({
      action: 'scale-out',
      to: 6,
      reason: 'ScheduledInstanceCount',
    });
  });

  it('waits out the cooldown before going to a fixed count', () => {
    const target = kustoTarget({
      rules: kustoRules,
      cooldowns: { scaleOutMinutes: 30 },
      profiles: [sundayNoon({ instanceCount: 8 })],
    });
    const decision = decide(
      input({
        target,
        capacity: 3,
        metrics: warmKusto,
        history: { lastScaleOut: completedOperation('out', 10, 2, 3) },
      }),
    );
    expect(decision).toMatchObject({ action: 'none', to: 3, reason: 'CooldownActive' });
    expect(decision.evidence.proposal).toMatchObject({ to: 8, reason: 'ScheduledInstanceCount' });
  });

  it('goes to a fixed count even when metrics cannot be read: the count needs none', () => {
    const target = kustoTarget({ rules: kustoRules, profiles: [sundayNoon({ instanceCount: 5 })] });
    expect(decide(input({ target, capacity: 8, metrics: undefined }))).toMatchObject({
      action: 'scale-in',
      to: 5,
      reason: 'ScheduledInstanceCount',
    });
  });

  it("bounds the rules by the active profile's limits, and by the default's outside it", () => {
    const target = pgTarget({
      maxStep: { out: 5 },
      rules: [cpuOut({ change: { type: 'count', value: 4 } })],
      profiles: [sundayNoon({ limits: { min: 2, max: 5 } })],
    });
    const hot = snapshot(flat('cpu_percent', 95, 10));
    expect(decide(input({ target, capacity: 4, metrics: hot }))).toMatchObject({
      action: 'scale-out',
      to: 5,
      reason: 'ClampedToMax',
      evidence: { limits: { max: 5 }, profile: { name: 'sunday-noon' } },
    });
    const later = decide(
      input({
        target,
        capacity: 4,
        metrics: { asOfMs: NOW + 2 * HOUR, series: [flat('cpu_percent', 95, 10, { endMs: NOW + 2 * HOUR })] },
        nowMs: NOW + 2 * HOUR,
      }),
    );
    expect(later).toMatchObject({
      action: 'scale-out',
      to: 8,
      reason: 'ScaleOutRuleFired',
      evidence: { limits: { max: 10 }, profile: { name: 'default', kind: 'default' } },
    });
    expect(later.evidence.profile?.why).toMatch(/recurrence profile "sunday-noon" ended at 13:00 UTC/);
  });

  it('moves to the nearest limit of a profile that starts while capacity is outside them', () => {
    const target = kustoTarget({ rules: kustoRules, profiles: [sundayNoon({ limits: { min: 6, max: 10 } })] });
    const raised = decide(input({ target, capacity: 3, metrics: warmKusto }));
    expect(raised).toMatchObject({ action: 'scale-out', to: 6, reason: 'BelowMinimum' });
    expect(raised.message).toBe(
      'capacity 3 is below the minimum of profile "sunday-noon" of 6; scaling out to 6 instances',
    );
    const night = kustoTarget({ rules: kustoRules, profiles: [sundayNoon({ limits: { min: 2, max: 4 } })] });
    expect(decide(input({ target: night, capacity: 7, metrics: warmKusto }))).toMatchObject({
      action: 'scale-in',
      to: 4,
      reason: 'AboveMaximum',
    });
  });

  it("decides with the profile's own mode and rules, which replace the target's", () => {
    const target = kustoTarget({
      mode: 'optimized',
      rules: [],
      profiles: [sundayNoon({ mode: 'custom', rules: [cpuOut({ name: 'busy', metric: 'CPU', threshold: 60 })] })],
    });
    const decision = decide(input({ target, capacity: 4, metrics: snapshot(flat('CPU', 70, 10)) }));
    expect(decision).toMatchObject({
      action: 'scale-out',
      to: 5,
      reason: 'ScaleOutRuleFired',
      evidence: { mode: 'custom' },
    });
    expect(decision.evidence.signals.map((signal) => signal.name)).toEqual(['busy']);
  });

  it('keeps dry-run: the fixed count is what would have happened', () => {
    const target = kustoTarget({ rules: kustoRules, dryRun: true, profiles: [sundayNoon({ instanceCount: 6 })] });
    expect(decide(input({ target, capacity: 3, metrics: warmKusto }))).toMatchObject({
      action: 'none',
      reason: 'DryRun',
      evidence: { dryRun: { action: 'scale-out', to: 6, reason: 'ScheduledInstanceCount' } },
    });
  });

  it('lets a fixed date beat the recurrence that runs at the same time', () => {
    const target = kustoTarget({
      rules: kustoRules,
      profiles: [
        sundayNoon({ instanceCount: 4 }),
        {
          name: 'launch',
          fixedDate: { start: '2026-11-22T12:00', end: '2026-11-22T12:30', timeZone: 'UTC' },
          instanceCount: 9,
        },
      ],
    });
    expect(decide(input({ target, capacity: 4, metrics: warmKusto }))).toMatchObject({
      to: 9,
      reason: 'ScheduledInstanceCount',
      evidence: {
        profile: {
          name: 'launch',
          kind: 'fixed-date',
          next: { at: '2026-11-22T12:30:00.000Z', profile: 'sunday-noon' },
        },
      },
    });
    expect(decide(input({ target, capacity: 9, metrics: warmKusto, nowMs: NOW + 30 * MINUTE }))).toMatchObject({
      to: 4,
      reason: 'ScheduledInstanceCount',
      evidence: { profile: { name: 'sunday-noon' } },
    });
  });
});

describe('requiredMetrics with profiles', () => {
  it("reads every profile's metrics, so a profile that starts finds its windows filled", () => {
    // Forecasting off: its own metrics are not what this test is about.
    const target = kustoTarget({
      mode: 'manual',
      rules: [],
      forecast: { mode: 'off' },
      profiles: [
        sundayNoon({
          mode: 'custom',
          rules: [cpuOut({ metric: 'IngestionUtilization', threshold: 70, windowMinutes: 30 })],
        }),
      ],
    });
    const { needs, lookbackMinutes } = requiredMetrics(target);
    expect(needs.map((need) => need.metric)).toEqual(['IngestionUtilization']);
    expect(lookbackMinutes).toBe(31 + target.dataQuality.maxLagMinutes);
  });
});
