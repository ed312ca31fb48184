import { describe, expect, it } from 'vitest';
import { runPolicy, type RunResult } from '../../../tools/simulation/run.js';
import { POLICIES, type PolicyName } from '../../../tools/simulation/policy-runner.js';
import { generateScenario, SCENARIOS } from '../../../tools/simulation/scenarios.js';
import type { TargetKind } from '../../../shared/vocabulary/kinds.js';
import type { Trace } from '../../../tools/simulation/trace.js';
import { config, kustoTarget, parameters, pgTarget, step, targetOf, trace } from './builders.js';

const KINDS: TargetKind[] = ['postgres-elastic-cluster', 'kusto-cluster'];

async function run(kind: TargetKind, load: Trace, policy: PolicyName): Promise<RunResult> {
  const scalerConfig = config([kind === 'kusto-cluster' ? kustoTarget() : pgTarget()]);
  return runPolicy({
    kind,
    trace: load,
    policy,
    config: scalerConfig,
    target: targetOf(scalerConfig),
    parameters: parameters(),
  });
}

/** Load that starts right at the common starting capacity and keeps growing: any first rebalance or warm-up overloads. */
function nearThresholdGrowth(minutes: number): Trace {
  return trace(
    Array.from({ length: minutes }, (_, minute) => 5.9 * (1 + (0.3 * minute) / minutes)),
    { name: 'near-threshold-growth' },
  );
}

describe('the oracle as a yardstick', () => {
  const cases = KINDS.flatMap((kind) => [
    ...SCENARIOS.map((scenario) => ({ kind, name: scenario as string })),
    { kind, name: 'near-threshold-growth' },
  ]);
  const load = (name: string) =>
    name === 'near-threshold-growth'
      ? nearThresholdGrowth(14 * 1440)
      : generateScenario(name as (typeof SCENARIOS)[number]);

  it.each(cases)(
    'never costs more than static-peak nor overloads more than any baseline on $name ($kind)',
    async ({ kind, name }) => {
      const trace14 = load(name);
      const runs = await Promise.all(
        POLICIES.filter((policy) => policy !== 'elastic-scaler').map((policy) => run(kind, trace14, policy)),
      );
      const oracle = runs.find((one) => one.policy === 'oracle') as RunResult;
      const staticPeak = runs.find((one) => one.policy === 'static-peak') as RunResult;
      expect(oracle.outcomes.nodeHours).toBeLessThanOrEqual(staticPeak.outcomes.nodeHours + 1e-6);
      for (const other of runs)
        expect(oracle.outcomes.overloadMinutes, other.policy).toBeLessThanOrEqual(other.outcomes.overloadMinutes);
    },
    30_000,
  );

  it.each(
    KINDS.flatMap((kind) =>
      ['daily', 'flash-spikes', 'organic-growth', 'nightly-batch'].map((name) => ({ kind, name })),
    ),
  )(
    'overloads no more than elastic-scaler on four days of $name ($kind)',
    async ({ kind, name }) => {
      const short = generateScenario(name as (typeof SCENARIOS)[number], { days: 4 });
      const [oracle, scaler] = await Promise.all([run(kind, short, 'oracle'), run(kind, short, 'elastic-scaler')]);
      expect(oracle.outcomes.overloadMinutes).toBeLessThanOrEqual(scaler.outcomes.overloadMinutes);
    },
    30_000,
  );

  it('does not drive an elastic cluster to its maximum when the load starts at the threshold', async () => {
    const oracle = await run('postgres-elastic-cluster', nearThresholdGrowth(14 * 1440), 'oracle');
    expect(oracle.outcomes.peakUnits).toBeLessThanOrEqual(8);
    expect(oracle.outcomes.overloadMinutes).toBe(0);
    expect(oracle.notes.notes?.join(' ')).toMatch(/started with 8 units instead of 6/);
  });

  it('buys the maximum in time for load above it, not from the start', async () => {
    // A step above the maximum: no schedule serves it, so the plan buys the maximum in time for it, not before.
    const load = trace(step(2000, 1000, 2.5, 25));
    const [oracle, staticPeak] = await Promise.all([
      run('postgres-elastic-cluster', load, 'oracle'),
      run('postgres-elastic-cluster', load, 'static-peak'),
    ]);
    expect(oracle.outcomes.overloadMinutes).toBe(1000);
    expect(oracle.outcomes.nodeHours).toBeLessThan(staticPeak.outcomes.nodeHours);
  });
});
