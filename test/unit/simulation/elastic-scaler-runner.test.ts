import { describe, expect, it } from 'vitest';
import { runPolicy, type RunSpec } from '../../../tools/simulation/run.js';
import { generateScenario } from '../../../tools/simulation/scenarios.js';
import { withRememberedReads } from '../../../tools/simulation/adapters/cached-reads.js';
import { MemoryStateStore } from '../../../tools/memory-state/memory-state-store.js';
import { config, EXACT_METRICS, kustoTarget, parameters, pgTarget, step, targetOf, trace } from './builders.js';

function spec(
  kind: RunSpec['kind'],
  target: Record<string, unknown>,
  load: RunSpec['trace'],
  overrides: Partial<RunSpec> = {},
): RunSpec {
  const scalerConfig = config([target]);
  return {
    kind,
    trace: load,
    policy: 'elastic-scaler',
    config: scalerConfig,
    target: targetOf(scalerConfig),
    parameters: parameters({ metrics: EXACT_METRICS }),
    ...overrides,
  };
}

describe('elastic-scaler in the simulator (the real Scaler, policy and guards)', () => {
  it('scales an elastic cluster out on a step, then holds while the rebalance runs and the cooldown is open', async () => {
    // Steps of at most 2, so that the step takes more than one operation (the default of 4 meets it at once).
    const target = pgTarget({ maxStep: { out: 2 } });
    const run = await runPolicy(spec('postgres-elastic-cluster', target, trace(step(600, 60, 3, 9))));
    expect(run.notes.errors).toBeUndefined();
    expect(run.outcomes.operations).toBeGreaterThanOrEqual(2);
    expect(run.notes.reasons).toMatchObject({
      OperationInProgress: expect.any(Number),
      CooldownActive: expect.any(Number),
    });
    // Each operation is a fired rule, its step sized for the load and then capped at 2.
    const reasons = run.notes.reasons ?? {};
    expect((reasons['ScaleOutRuleFired'] ?? 0) + (reasons['StepLimited'] ?? 0)).toBe(run.outcomes.operations);
    expect(run.timeline.billed.at(-1)).toBeGreaterThanOrEqual(10);
    expect(run.timeline.effective.at(-1)).toBe(run.timeline.billed.at(-1));
  });

  it('scales Azure Data Explorer in when every in-rule fires, through the flapping projection', async () => {
    const run = await runPolicy(
      spec('kusto-cluster', kustoTarget({ cooldowns: { scaleInMinutes: 5 } }), trace(step(900, 120, 8, 1)), {
        initialCapacity: 8,
      }),
    );
    expect(run.outcomes.operations).toBeGreaterThan(0);
    expect(run.notes.reasons).toHaveProperty('ScaleInRulesFired');
    expect(run.timeline.billed.at(-1)).toBeLessThan(8);
  });

  it.each([
    { name: 'a dry-run target decides but never acts', overrides: { dryRun: true }, reason: 'DryRun' },
    { name: 'a paused scale-out is held', overrides: { paused: { scaleOut: true } }, reason: 'Paused' },
  ])('$name', async ({ overrides, reason }) => {
    const run = await runPolicy(spec('postgres-elastic-cluster', pgTarget(overrides), trace(step(300, 30, 3, 9))));
    expect(run.outcomes.operations).toBe(0);
    expect(run.notes.reasons).toHaveProperty(reason);
  });

  it('never scales an elastic cluster in, even with a config that asks the policy to', async () => {
    const run = await runPolicy(
      spec('postgres-elastic-cluster', pgTarget({ mode: 'optimized', rules: [] }), trace(step(600, 60, 5, 1)), {
        initialCapacity: 10,
      }),
    );
    expect(run.outcomes.operations).toBe(0);
    expect(run.outcomes.nodeHours).toBe(100);
  });

  it.each([
    {
      name: 'an elastic cluster in custom mode on flash spikes',
      kind: 'postgres-elastic-cluster' as const,
      target: pgTarget(),
      scenario: 'flash-spikes' as const,
    },
    {
      name: 'an elastic cluster in optimized mode on the daily cycle',
      kind: 'postgres-elastic-cluster' as const,
      target: pgTarget({ mode: 'optimized', rules: [] }),
      scenario: 'daily' as const,
    },
    {
      name: 'Azure Data Explorer in custom mode on the daily cycle',
      kind: 'kusto-cluster' as const,
      target: kustoTarget(),
      scenario: 'daily' as const,
    },
    {
      name: 'Azure Data Explorer in optimized mode (3-hour scale-in window) on noisy load',
      kind: 'kusto-cluster' as const,
      target: kustoTarget({
        mode: 'optimized',
        rules: [],
        optimized: { scaleInWindowMinutes: 180, scaleInGrainMinutes: 15 },
      }),
      scenario: 'noisy-flat' as const,
    },
  ])(
    'gives the same run on the fast path as with a full timer tick every minute: $name',
    async ({ kind, target, scenario }) => {
      const load = generateScenario(scenario, { days: 1 });
      const scalerConfig = config([target]);
      const base: RunSpec = {
        kind,
        trace: load,
        policy: 'elastic-scaler',
        config: scalerConfig,
        target: targetOf(scalerConfig),
        parameters: parameters(),
      };
      const [fast, exact] = await Promise.all([runPolicy(base), runPolicy({ ...base, exactTicks: true })]);
      expect(fast.outcomes.operations).toBeGreaterThan(0);
      expect(fast.outcomes).toEqual(exact.outcomes);
      expect(fast.timeline).toEqual(exact.timeline);
      expect(fast.notes.reasons).toEqual(exact.notes.reasons);
    },
    60_000,
  );
});

describe('withRememberedReads', () => {
  it('answers the per-minute reads from memory until any other call, which may write', async () => {
    const store = new MemoryStateStore();
    const remembered = withRememberedReads(store);
    const now = new Date(Date.UTC(2026, 0, 5));
    expect(await remembered.getScaleHistory('orders')).toEqual({});
    // Written behind its back: the remembered answer stays.
    await store.createOperation({
      id: 'op-1',
      target: 'orders',
      trigger: 'timer',
      direction: 'out',
      from: 2,
      to: 3,
      startedAt: now,
      arm: {},
      initiator: 'timer',
      reason: 'test',
    });
    expect(await remembered.getScaleHistory('orders')).toEqual({});
    // Any call through it forgets what it remembered.
    await remembered.listOperations('orders', 1);
    expect(await remembered.getScaleHistory('orders')).toMatchObject({ lastScaleOut: { from: 2, to: 3 } });
  });
});

describe('elastic-scaler with predictive scaling in the simulator', () => {
  const daily = generateScenario('daily', { days: 8 });
  const withForecast = (mode: 'off' | 'act') =>
    spec('kusto-cluster', kustoTarget({ forecast: { mode } }), daily, { parameters: parameters() });

  it('on a daily cycle costs less with the forecast acting than without, and overloads no more', async () => {
    const [off, act] = await Promise.all([runPolicy(withForecast('off')), runPolicy(withForecast('act'))]);
    expect(act.notes.errors).toBeUndefined();
    expect(act.notes.reasons).toHaveProperty('ForecastScaleOut');
    // Scale-ins are now held through the cache warm-up; the in-rules get there before the forecast's schedule does.
    expect(
      Object.keys(act.notes.reasons ?? {}).some(
        (reason) => reason === 'ForecastScaleIn' || reason === 'ScaleInRulesFired',
      ),
    ).toBe(true);
    expect(act.outcomes.nodeHours).toBeLessThan(off.outcomes.nodeHours);
    expect(act.outcomes.overloadMinutes).toBeLessThanOrEqual(off.outcomes.overloadMinutes);
  }, 120_000);

  it('leaves a load without seasonality to the reactive logic', async () => {
    const run = await runPolicy(
      spec('kusto-cluster', kustoTarget({ forecast: { mode: 'act' } }), generateScenario('noisy-flat', { days: 5 }), {
        parameters: parameters(),
      }),
    );
    expect(
      Object.keys(run.notes.reasons ?? {}).filter(
        (reason) => reason.startsWith('Forecast') || reason === 'WithinForecast',
      ),
    ).toEqual([]);
  }, 120_000);
});
