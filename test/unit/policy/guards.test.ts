import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
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
  snapshot,
} from './builders.js';

const hotPg = snapshot(flat('cpu_percent', 95, 10));
const coolKusto = snapshot(flat('CPU', 10, 10));
const kustoRules = [cpuOut({ metric: 'CPU', threshold: 80 }), cpuIn({ threshold: 30 })];

describe('limits guard', () => {
  it('pulls a capacity below the minimum back up, even within thresholds', () => {
    const decision = decide(
      input({
        target: pgTarget({ limits: { min: 3, max: 10 } }),
        capacity: 2,
        metrics: snapshot(flat('cpu_percent', 50, 10)),
      }),
    );
    expect(decision).toMatchObject({ action: 'scale-out', to: 3, reason: 'BelowMinimum' });
  });

  it('pulls a Kusto capacity above the maximum back down', () => {
    const target = kustoTarget({ rules: kustoRules, limits: { min: 2, max: 6 } });
    expect(decide(input({ target, capacity: 9, metrics: snapshot(flat('CPU', 50, 10)) }))).toMatchObject({
      action: 'scale-in',
      to: 6,
      reason: 'AboveMaximum',
    });
  });

  it('leaves an elastic cluster above its maximum alone: it cannot scale in', () => {
    const decision = decide(
      input({
        target: pgTarget({ limits: { min: 2, max: 6 } }),
        capacity: 9,
        metrics: snapshot(flat('cpu_percent', 50, 10)),
      }),
    );
    expect(decision).toMatchObject({ action: 'none', to: 9, reason: 'ScaleInUnsupported' });
  });

  it('clamps a rule whose step overshoots the maximum', () => {
    const target = pgTarget({
      limits: { min: 2, max: 6 },
      maxStep: { out: 10 },
      rules: [cpuOut({ change: { type: 'count', value: 5 } })],
    });
    expect(decide(input({ target, capacity: 4, metrics: hotPg }))).toMatchObject({
      action: 'scale-out',
      to: 6,
      reason: 'ClampedToMax',
    });
  });

  it('says the target is at its maximum when there is no room left', () => {
    expect(
      decide(input({ target: pgTarget({ limits: { min: 2, max: 4 } }), capacity: 4, metrics: hotPg })),
    ).toMatchObject({ action: 'none', reason: 'AtMaximum' });
  });

  it('clamps a scale-in to the minimum, and says when it is already there', () => {
    const target = kustoTarget({
      rules: [cpuOut({ metric: 'CPU', threshold: 80 }), cpuIn({ change: { type: 'count', value: 5 } })],
      limits: { min: 3, max: 10 },
      maxStep: { in: 10 },
    });
    expect(decide(input({ target, capacity: 5, metrics: coolKusto }))).toMatchObject({
      action: 'scale-in',
      to: 3,
      reason: 'ClampedToMin',
    });
    expect(decide(input({ target, capacity: 3, metrics: coolKusto }))).toMatchObject({
      action: 'none',
      reason: 'AtMinimum',
    });
  });

  it('narrows the limits to the service bounds of the SKU', () => {
    const target = kustoTarget({ rules: kustoRules, limits: { min: 2, max: 50 }, maxStep: { out: 50 } });
    const decision = decide(
      input({
        target,
        capacity: 4,
        metrics: snapshot(flat('CPU', 95, 10)),
        observed: { capacityBounds: { min: 2, max: 4 } },
      }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'AtMaximum' });
    expect(decision.evidence.limits.max).toBe(4);
  });
});

describe('max-step guard', () => {
  it('limits a rule-driven scale-out to maxStep.out', () => {
    const target = pgTarget({ maxStep: { out: 2 }, rules: [cpuOut({ change: { type: 'exact', value: 9 } })] });
    expect(decide(input({ target, capacity: 4, metrics: hotPg }))).toMatchObject({ to: 6, reason: 'StepLimited' });
  });

  it("does not cap an operator's explicit request", () => {
    const request = { source: 'manual' as const, capacity: 9, reason: 'launch day' };
    expect(decide(input({ target: pgTarget({ maxStep: { out: 1 } }), capacity: 4, request }))).toMatchObject({
      to: 9,
      reason: 'ManualRequest',
    });
  });

  it('caps an alert like a rule', () => {
    const request = { source: 'alert' as const, delta: 5, reason: 'cpu alert' };
    expect(decide(input({ target: pgTarget({ maxStep: { out: 2 } }), capacity: 4, request }))).toMatchObject({
      to: 6,
      reason: 'StepLimited',
    });
  });
});

describe('flapping projection', () => {
  const target = (change: unknown) =>
    kustoTarget({
      rules: [cpuOut({ metric: 'CPU', threshold: 60 }), cpuIn({ threshold: 45, change })],
      maxStep: { in: 10 },
    });

  it('shrinks a scale-in of 3 to 1 when a larger step would make the out-rule fire', () => {
    // 6 instances at 42 % CPU; the out-rule fires above 60 %. Projected: at 3 -> 84 %, at 4 -> 63 %, at 5 -> 50.4 %.
    const metrics = snapshot(flat('CPU', 42, 10));
    const decision = decide(input({ target: target({ type: 'count', value: 3 }), capacity: 6, metrics }));
    expect(decision).toMatchObject({ action: 'scale-in', from: 6, to: 5, reason: 'ScaleInReduced' });
    expect(decision.evidence.signals[0]?.projectedValue).toBeCloseTo(50.4);
  });

  it('skips the scale-in when even one unit fewer would fire the out-rule', () => {
    // 3 instances at 42 %: at 2 the load projects to 63 %, above the 60 % out-rule.
    const decision = decide(
      input({ target: target({ type: 'count', value: 1 }), capacity: 3, metrics: snapshot(flat('CPU', 42, 10)) }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'FlappingAvoided' });
  });

  it('refuses to scale in when a scale-out rule has no data to project', () => {
    const rules = [cpuOut({ metric: 'IngestionUtilization', threshold: 60 }), cpuIn({ threshold: 40 })];
    const decision = decide(input({ target: kustoTarget({ rules }), capacity: 6, metrics: coolKusto }));
    expect(decision).toMatchObject({ action: 'none', reason: 'FlappingAvoided' });
  });
});

describe('cooldown guard', () => {
  const target = pgTarget({ cooldowns: { scaleOutMinutes: 30, scaleInMinutes: 60 } });

  it('holds while the cooldown after the last completed operation is open', () => {
    const decision = decide(
      input({ target, capacity: 4, metrics: hotPg, history: { lastScaleOut: completedOperation('out', 10) } }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'CooldownActive' });
    expect(decision.message).toMatch(/20 min left/);
  });

  it('acts once the cooldown has passed', () => {
    expect(
      decide(input({ target, capacity: 4, metrics: hotPg, history: { lastScaleOut: completedOperation('out', 31) } }))
        .action,
    ).toBe('scale-out');
  });

  it('measures the scale-in cooldown from the last operation of either direction', () => {
    const kusto = kustoTarget({ rules: kustoRules, cooldowns: { scaleOutMinutes: 5, scaleInMinutes: 60 } });
    const decision = decide(
      input({
        target: kusto,
        capacity: 6,
        metrics: coolKusto,
        history: { lastScaleOut: completedOperation('out', 30) },
      }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'CooldownActive' });
  });

  it('lets an operator skip the cooldown explicitly', () => {
    const request = { source: 'manual' as const, delta: 1, reason: 'incident', ignoreCooldown: true };
    expect(
      decide(input({ target, capacity: 4, request, history: { lastScaleOut: completedOperation('out', 1) } })).action,
    ).toBe('scale-out');
  });

  it('holds an alert during the cooldown', () => {
    const request = { source: 'alert' as const, delta: 1, reason: 'cpu alert' };
    expect(
      decide(input({ target, capacity: 4, request, history: { lastScaleOut: completedOperation('out', 1) } })).reason,
    ).toBe('CooldownActive');
  });
});

describe('blocking guards', () => {
  it('holds while ARM reports an update in progress', () => {
    const observed = { operationInProgress: { description: 'an ARM update (state Updating)' } };
    expect(decide(input({ target: pgTarget(), capacity: 4, metrics: hotPg, observed }))).toMatchObject({
      action: 'none',
      reason: 'OperationInProgress',
    });
  });

  it('holds while our own last operation has not completed (e.g. its rebalance runs)', () => {
    const history = {
      lastScaleOut: { direction: 'out' as const, from: 3, to: 4, startedAt: new Date(NOW - 5 * MINUTE) },
    };
    expect(decide(input({ target: pgTarget(), capacity: 4, metrics: hotPg, history })).reason).toBe(
      'OperationInProgress',
    );
  });

  it.each([
    { name: 'in the config', target: pgTarget({ paused: { scaleOut: true } }), paused: undefined },
    { name: 'through the API', target: pgTarget(), paused: { scaleOut: true, scaleIn: false } },
  ])('holds a paused direction: paused $name', ({ target, paused }) => {
    expect(decide(input({ target, capacity: 4, metrics: hotPg, ...(paused ? { paused } : {}) }))).toMatchObject({
      action: 'none',
      reason: 'Paused',
    });
  });

  it('pausing scale-in does not stop scale-out', () => {
    expect(decide(input({ target: pgTarget({ paused: { scaleIn: true } }), capacity: 4, metrics: hotPg })).action).toBe(
      'scale-out',
    );
  });

  it("refuses to fight ADX's own optimized autoscale", () => {
    const observed = { conflictingAutoscaler: { name: 'ADX optimized autoscale', enabled: true } };
    const target = kustoTarget({ rules: kustoRules });
    expect(decide(input({ target, capacity: 4, metrics: snapshot(flat('CPU', 95, 10)), observed }))).toMatchObject({
      action: 'none',
      reason: 'ConflictingAutoscaler',
    });
  });

  it('takes over from it when the config says so', () => {
    const observed = { conflictingAutoscaler: { name: 'ADX optimized autoscale', enabled: true } };
    const target = kustoTarget({ rules: kustoRules, onConflictingAutoscaler: 'take-over' });
    const decision = decide(input({ target, capacity: 4, metrics: snapshot(flat('CPU', 95, 10)), observed }));
    expect(decision.action).toBe('scale-out');
    expect(decision.evidence.guards.find((note) => note.guard === 'conflicting-autoscaler')?.detail).toMatch(
      /turned off in the same update/,
    );
  });

  it('records what a dry-run target would have done, and does nothing', () => {
    const decision = decide(input({ target: pgTarget({ dryRun: true }), capacity: 4, metrics: hotPg }));
    expect(decision).toMatchObject({ action: 'none', from: 4, to: 4, reason: 'DryRun' });
    expect(decision.evidence.dryRun).toEqual({ action: 'scale-out', to: 6, reason: 'ScaleOutRuleFired' });
  });
});

describe('missing metrics', () => {
  it('raises to the default when metrics cannot be read', () => {
    const target = pgTarget({ limits: { min: 2, max: 10, default: 5 } });
    expect(decide(input({ target, capacity: 3, metrics: undefined }))).toMatchObject({
      action: 'scale-out',
      to: 5,
      reason: 'RaisedToDefault',
    });
  });

  it('holds, never lowers, when capacity is above the default', () => {
    const target = kustoTarget({ rules: kustoRules, limits: { min: 2, max: 10, default: 3 } });
    expect(decide(input({ target, capacity: 8, metrics: undefined }))).toMatchObject({
      action: 'none',
      reason: 'MetricsUnavailable',
    });
  });

  it('does not pull a capacity above the maximum down while blind', () => {
    const target = kustoTarget({ rules: kustoRules, limits: { min: 2, max: 6 } });
    expect(decide(input({ target, capacity: 9, metrics: undefined }))).toMatchObject({
      action: 'none',
      reason: 'MetricsUnavailable',
    });
  });

  it('still scales out on a rule that has data', () => {
    const target = pgTarget({ rules: [cpuOut(), cpuOut({ name: 'memory', metric: 'memory_percent' })] });
    expect(decide(input({ target, capacity: 4, metrics: hotPg })).reason).toBe('ScaleOutRuleFired');
  });
});

describe('in-progress guard, with every unfinished operation', () => {
  it('holds while an older operation runs behind a newer finished one', () => {
    const history = {
      lastScaleOut: completedOperation('out', 1),
      unfinished: { direction: 'out' as const, from: 3, to: 4, startedAt: new Date(NOW - 30 * MINUTE) },
    };
    const decision = decide(
      input({ target: pgTarget({ cooldowns: { scaleOutMinutes: 0 } }), capacity: 4, metrics: hotPg, history }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'OperationInProgress' });
    expect(decision.message).toContain('the scale-out 3 -> 4 is still in progress');
  });
});

describe('closing guards', () => {
  const manualPg = pgTarget({ mode: 'manual', rules: [] });

  it.each([
    { name: 'above the maximum', capacity: 25, limits: '2..10' },
    {
      name: 'below the minimum of a Kusto cluster',
      capacity: 1,
      limits: '2..10',
      target: kustoTarget({ mode: 'manual', rules: [] }),
    },
  ])("refuses an operator's capacity $name instead of clamping it", ({ capacity, limits, target }) => {
    const decision = decide(
      input({ target: target ?? manualPg, capacity: 4, request: { source: 'manual', capacity, reason: 'test' } }),
    );
    expect(decision).toMatchObject({ action: 'none', from: 4, to: 4, reason: 'OutsideLimits' });
    expect(decision.message).toBe(
      `operator asked for ${capacity}, outside the limits ${limits}; nothing changed: ask for a capacity within the limits, or change the limits in the config`,
    );
    expect(decision.evidence.guards.at(-1)).toMatchObject({
      guard: 'operator-limits',
      verdict: 'blocked',
      reason: 'OutsideLimits',
    });
  });

  it('clamps an alert that asks for more than the maximum, as rules are', () => {
    const decision = decide(
      input({
        target: pgTarget({ mode: 'manual', rules: [], maxStep: { out: 20 } }),
        capacity: 4,
        request: { source: 'alert', capacity: 25, reason: 'alert' },
      }),
    );
    expect(decision).toMatchObject({ action: 'scale-out', to: 10, reason: 'ClampedToMax' });
  });

  it("refuses an operator's capacity outside the limits even while a cooldown would hold it", () => {
    const decision = decide(
      input({
        target: manualPg,
        capacity: 4,
        request: { source: 'manual', capacity: 25, reason: 'test' },
        history: { lastScaleOut: completedOperation('out', 1) },
      }),
    );
    expect(decision.reason).toBe('OutsideLimits');
  });

  it('keeps what a dry-run target would have done when it refuses the capacity', () => {
    const decision = decide(
      input({
        target: pgTarget({ mode: 'manual', rules: [], dryRun: true }),
        capacity: 4,
        request: { source: 'manual', capacity: 25, reason: 'test' },
      }),
    );
    expect(decision.reason).toBe('OutsideLimits');
    expect(decision.evidence.dryRun).toEqual({ action: 'scale-out', to: 10, reason: 'ClampedToMax' });
  });

  it('stops a change while another evaluation holds the lease, and says which change', () => {
    const decision = decide({
      ...input({ target: pgTarget(), capacity: 4, metrics: hotPg }),
      executor: { leaseHeld: true },
    });
    expect(decision).toMatchObject({ action: 'none', from: 4, to: 4, reason: 'LeaseHeld' });
    expect(decision.message).toBe(
      'another evaluation is acting on this target right now (lease held); not repeating 4 -> 6',
    );
    expect(decision.evidence.guards.at(-1)).toMatchObject({ guard: 'lease', verdict: 'blocked', reason: 'LeaseHeld' });
  });

  it('leaves a decision to hold alone when the lease is held, and notes nothing', () => {
    const held = decide({
      ...input({ target: pgTarget(), capacity: 4, metrics: snapshot(flat('cpu_percent', 50, 10)) }),
      executor: { leaseHeld: true },
    });
    const free = decide(input({ target: pgTarget(), capacity: 4, metrics: snapshot(flat('cpu_percent', 50, 10)) }));
    expect(held).toEqual(free);
    expect(held.reason).toBe('WithinThresholds');
  });
});
