import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
import { requiredMetrics } from '../../../shared/policy/required-metrics.js';
import {
  completedOperation,
  cpuIn,
  cpuOut,
  flat,
  input,
  kustoTarget,
  MINUTE,
  NOW,
  pgTarget,
  series,
  snapshot,
} from './builders.js';

/** cpu_percent rising linearly from `from` to `to` over the last `minutes` minutes. */
function rising(from: number, to: number, minutes = 30) {
  return snapshot(
    series(
      'cpu_percent',
      Array.from({ length: minutes }, (_, minute) => from + ((to - from) * minute) / (minutes - 1)),
    ),
  );
}

describe('horizon-sized steps on an elastic cluster', () => {
  const target = pgTarget({ maxStep: { out: 10 }, limits: { min: 2, max: 20 } });

  it('asks at once for the capacity that serves a steady load below the rule threshold (one rebalance, not one per node)', () => {
    // 95 % of 4 nodes is 3.8 nodes of load: 5 nodes would still be above 75 %, 6 are not.
    const decision = decide(input({ target, capacity: 4, metrics: snapshot(flat('cpu_percent', 95, 30)) }));
    expect(decision).toMatchObject({ action: 'scale-out', to: 6, reason: 'ScaleOutRuleFired' });
    expect(decision.evidence.horizon).toMatchObject({
      source: 'trend',
      horizonMinutes: 60,
      units: 6,
      targetPercent: 75,
    });
  });

  it('carries a rising load over the horizon', () => {
    const steady = decide(input({ target, capacity: 4, metrics: snapshot(flat('cpu_percent', 90, 30)) }));
    const climbing = decide(input({ target, capacity: 4, metrics: rising(60, 90) }));
    expect(climbing.to).toBeGreaterThan(steady.to);
    expect(climbing.message).toMatch(/sized for the 60-min horizon \(one rebalance\): load 3\.\d now, rising/);
  });

  it('learns the horizon from how long the last scale-out took, rebalance included', () => {
    const lastScaleOut = {
      ...completedOperation('out', 120),
      startedAt: new Date(NOW - 220 * MINUTE),
      completedAt: new Date(NOW - 120 * MINUTE),
    };
    const decision = decide(input({ target, capacity: 4, metrics: rising(60, 90), history: { lastScaleOut } }));
    expect(decision.evidence.horizon?.horizonMinutes).toBe(100);
  });

  it('sizes for a forecast when one is given', () => {
    const horizonNeed = {
      loadUnits: 9,
      horizonMinutes: 90,
      source: 'forecast' as const,
      detail: 'forecast peak 9 nodes',
    };
    const decision = decide({
      ...input({ target, capacity: 4, metrics: snapshot(flat('cpu_percent', 80, 30)) }),
      horizonNeed,
    });
    expect(decision).toMatchObject({ action: 'scale-out', to: 12 });
    expect(decision.evidence.horizon).toMatchObject({ source: 'forecast', units: 12 });
  });

  it('never starts a scale-out by itself, and never shrinks the step the rules asked for', () => {
    const calm = decide(input({ target, capacity: 4, metrics: snapshot(flat('cpu_percent', 50, 30)) }));
    expect(calm).toMatchObject({ action: 'none', reason: 'WithinThresholds' });
    expect(calm.evidence.horizon).toBeUndefined();
    const byFive = pgTarget({ maxStep: { out: 10 }, rules: [cpuOut({ change: { type: 'count', value: 5 } })] });
    expect(decide(input({ target: byFive, capacity: 4, metrics: snapshot(flat('cpu_percent', 80, 30)) })).to).toBe(9);
  });

  it('still keeps to maxStep', () => {
    expect(
      decide(input({ target: pgTarget({ maxStep: { out: 2 } }), capacity: 4, metrics: rising(60, 99) })),
    ).toMatchObject({
      to: 6,
      reason: 'StepLimited',
    });
  });

  it('sizes Azure Data Explorer for half as much again when CPU is pinned at 100 % (the load behind it cannot be read)', () => {
    const adx = kustoTarget({ rules: [cpuOut({ metric: 'CPU' }), cpuIn()], maxStep: { out: 10 } });
    // 4 instances pinned: at least 4 of load, assumed 6, which needs 8 below 75 %.
    expect(decide(input({ target: adx, capacity: 4, metrics: snapshot(flat('CPU', 100, 30)) })).to).toBe(8);
    expect(decide(input({ target, capacity: 4, metrics: snapshot(flat('cpu_percent', 100, 30)) })).to).toBe(6);
  });
});

describe('the cache warm-up on Azure Data Explorer', () => {
  const target = kustoTarget({
    rules: [cpuOut({ metric: 'CPU' }), cpuIn()],
    cooldowns: { scaleOutMinutes: 15, scaleInMinutes: 60 },
  });
  const hot = snapshot(flat('CPU', 95, 30));

  it('holds the next scale-out while the cache still warms after ARM finished', () => {
    const decision = decide(
      input({ target, capacity: 5, metrics: hot, history: { lastScaleOut: completedOperation('out', 30, 4, 5) } }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'CooldownActive' });
    expect(decision.message).toMatch(/after the 60-min cache warm-up .* has 45 min left/);
  });

  it('scales out again once the warm-up and the cooldown are over', () => {
    expect(
      decide(
        input({ target, capacity: 5, metrics: hot, history: { lastScaleOut: completedOperation('out', 76, 4, 5) } }),
      ).action,
    ).toBe('scale-out');
  });

  it('learns a horizon of ARM time plus the warm-up, so a learnt horizon agrees with the default one', () => {
    const lastScaleOut = {
      ...completedOperation('out', 120, 4, 5),
      startedAt: new Date(NOW - 140 * MINUTE),
      completedAt: new Date(NOW - 120 * MINUTE),
    };
    const sized = (warmup: number) =>
      decide(
        input({
          target: kustoTarget({
            rules: [cpuOut({ metric: 'CPU' }), cpuIn()],
            maxStep: { out: 10 },
            followUp: { cacheWarmupMinutes: warmup },
          }),
          capacity: 5,
          metrics: hot,
          history: { lastScaleOut },
        }),
      );
    expect(sized(60).evidence.horizon?.horizonMinutes).toBe(80);
    expect(sized(60).message).toMatch(/sized for the 80-min horizon \(one cache warm-up\)/);
    expect(sized(0).evidence.horizon?.horizonMinutes).toBe(20);
  });

  it('follows the configured warm-up, 0 for none', () => {
    const noWarmup = kustoTarget({ rules: [cpuOut({ metric: 'CPU' }), cpuIn()], followUp: { cacheWarmupMinutes: 0 } });
    expect(
      decide(
        input({
          target: noWarmup,
          capacity: 5,
          metrics: hot,
          history: { lastScaleOut: completedOperation('out', 16, 4, 5) },
        }),
      ).action,
    ).toBe('scale-out');
  });
});

describe('sized scale-ins on Azure Data Explorer (custom mode)', () => {
  const rules = [cpuOut({ metric: 'CPU' }), cpuIn()];

  it('goes at once to the capacity at which the load runs at 80 % of the scale-out threshold', () => {
    // 15 % of 10 instances is 1.5 of load; at 60 % (0.8 x 75) that needs 3 instances, not 9.
    const decision = decide(
      input({ target: kustoTarget({ rules }), capacity: 10, metrics: snapshot(flat('CPU', 15, 30)) }),
    );
    expect(decision).toMatchObject({ action: 'scale-in', from: 10, to: 3, reason: 'ScaleInRulesFired' });
    expect(decision.message).toContain('sized for the load: CPU load 1.5 at 60 % needs 3 instances');
  });

  it("keeps the rule's own step when no scale-out rule watches the metric", () => {
    const target = kustoTarget({ rules: [cpuOut({ metric: 'IngestionUtilization' }), cpuIn()] });
    const metrics = snapshot(flat('CPU', 15, 30), flat('IngestionUtilization', 10, 30));
    expect(decide(input({ target, capacity: 10, metrics }))).toMatchObject({ to: 9 });
  });

  it('still keeps to maxStep.in and the lower limit', () => {
    const metrics = snapshot(flat('CPU', 5, 30));
    expect(decide(input({ target: kustoTarget({ rules, maxStep: { in: 3 } }), capacity: 10, metrics }))).toMatchObject({
      to: 7,
      reason: 'StepLimited',
    });
    expect(decide(input({ target: kustoTarget({ rules }), capacity: 10, metrics })).to).toBe(2);
  });
});

describe('the trend a scale-out is sized from', () => {
  it('is fetched: the metrics reach back the half hour the trend reads, not only the rule window', () => {
    const target = pgTarget({ forecast: { mode: 'off' } });
    expect(requiredMetrics(target).lookbackMinutes).toBe(31 + target.dataQuality.maxLagMinutes);
  });

  it('raises the step for a load that is still rising', () => {
    const target = pgTarget({ maxStep: { out: 10 }, limits: { min: 2, max: 20 } });
    const steady = decide(input({ target, capacity: 4, metrics: snapshot(flat('cpu_percent', 90, 30)) }));
    const climbing = decide(input({ target, capacity: 4, metrics: rising(60, 99) }));
    expect(climbing.evidence.horizon?.detail).toMatch(/rising [1-9][\d.]* per hour/);
    expect(climbing.to).toBeGreaterThan(steady.to);
  });
});
