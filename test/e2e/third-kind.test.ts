/**
 * Proof that a target kind is added by its own folder and the registries alone: a throwaway third kind, the test
 * pool (test/support/third-kind/), registered at run time, goes through config validation, decide(), the executor
 * against the HTTPS emulator (built by the real composition root), the follow-up's activities and the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTestPool, TEST_POOL } from '../support/third-kind/index.js';
import { validateConfig } from '../../shared/config/validate.js';
import type { TargetConfig } from '../../shared/config/schema/schema.js';
import { decide } from '../../shared/policy/decide.js';
import { flat, input, snapshot } from '../unit/policy/builders.js';
import {
  kustoResourceId,
  servicesFor,
  startHarness,
  acceptedPatches,
  type Harness,
} from '../support/scaler-harness.js';
import type { OperationRecord } from '../../shared/state/state-store.port.js';
import { followUpInputFor } from '../../shared/follow-up/input.js';
import { afterActivity, afterTimer, nextCommand, startFollowUp } from '../../shared/follow-up/machine.js';
import type { FollowUpResult } from '../../shared/follow-up/machine-state.js';
import { StepContext } from '../../shared/follow-up/steps/dependencies.js';
import { checkArm, finish } from '../../shared/follow-up/steps/arm-steps.js';
import type { Services } from '../../functions/composition-root.js';
import { runPolicy } from '../../tools/simulation/run.js';
import { generateScenario } from '../../tools/simulation/scenarios.js';
import { DEFAULT_SIMULATION_PARAMETERS } from '../../tools/simulation/model/parameters.js';
import type { TargetKind } from '../../shared/vocabulary/kinds.js';

const pool = (name: string, overrides: Record<string, unknown> = {}) => ({
  name,
  kind: TEST_POOL,
  resourceId: kustoResourceId(name),
  mode: 'manual',
  limits: { min: 2, max: 8 },
  ...overrides,
});

function validPool(overrides: Record<string, unknown> = {}): TargetConfig {
  const result = validateConfig({ version: 1, targets: [pool('pool-a', overrides)] });
  if (!result.ok) throw new Error(result.errors.map((problem) => problem.message).join('; '));
  return result.config.targets[0] as TargetConfig;
}

let removeTestPool: () => void;
let harness: Harness;

beforeAll(async () => {
  removeTestPool = withTestPool();
  harness = await startHarness();
});

afterAll(async () => {
  removeTestPool?.();
  await harness?.stop();
});

describe('a third kind, registered by its own folder', () => {
  it('is validated with its own schema, bounds, words, metric catalog and checks', () => {
    expect(validPool().kind).toBe(TEST_POOL);
    const problems = (raw: unknown) => {
      const result = validateConfig({ version: 1, targets: [raw] });
      return [...(result.ok ? [] : result.errors), ...result.warnings].map(
        (problem) => `${problem.path}: ${problem.message}`,
      );
    };
    expect(problems(pool('pool-a', { limits: { min: 2, max: 14 } }))).toEqual([
      'targets[0].limits.max: 14 is above the service maximum of 12 slots for a test pool; set it to 12 or less',
      'targets[0].limits.max: 14 slots need a quota request for a test pool above 8; file one, or set it to 8 or less',
    ]);
    const rule = { metric: 'CacheUtilizationFactor', operator: 'GreaterThan', threshold: 80, direction: 'out' };
    expect(problems(pool('pool-a', { mode: 'custom', rules: [rule] })).join('\n')).toContain(
      '"CacheUtilizationFactor" is not a metric of Microsoft.Kusto/clusters',
    );
    expect(problems(pool('pool-a', { limits: { min: 2, max: 8 }, colour: 'blue' }))).toEqual([
      expect.stringContaining('colour'),
    ]);
  });

  it('is decided by decide(): optimized mode reads its own signal and speaks in its own unit', () => {
    const target = validPool({ mode: 'optimized', forecast: { mode: 'off' } });
    const decision = decide(input({ target, capacity: 4, metrics: snapshot(flat('CPU', 95, 120)) }));
    expect(decision.action).toBe('scale-out');
    expect(decision.to).toBeGreaterThan(4);
    expect(decision.message).toMatch(/CPU stayed above .* slots/);
    const quiet = decide(input({ target, capacity: 4, metrics: snapshot(flat('CPU', 10, 120)) }));
    expect(quiet.action).toBe('none');
  });

  it('is scaled by the executor against the emulator, and its follow-up ends after ARM without any Citus step', async () => {
    harness.emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'pool-a', capacity: 4 });
    const launched: Array<{ target: TargetConfig; operation: OperationRecord }> = [];
    const services = await servicesFor(
      harness.emulator,
      harness.azurite,
      { version: 1, targets: [pool('pool-a')] } as never,
      {},
      { followUps: { launch: async (target, operation) => void launched.push({ target, operation }) } },
    );
    const outcome = await services.executor.evaluateTarget('pool-a', {
      trigger: 'manual',
      initiator: 'test',
      request: { source: 'manual', capacity: 6, reason: 'third-kind test' },
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.acted).toBe(true);
    expect(acceptedPatches(harness.emulator, 'pool-a').length).toBe(1);
    const [first] = launched;
    expect(first?.target.kind).toBe(TEST_POOL);

    const { activities, result } = await runFollowUp(services, first!.target, first!.operation);
    expect(activities).toEqual(expect.arrayContaining(['checkArm', 'finish']));
    expect(activities.filter((name) => name !== 'checkArm' && name !== 'finish')).toEqual([]);
    expect(result).toMatchObject({ status: 'succeeded', message: expect.stringContaining('6 slot(s)') });
    const operation = await services.state.getOperation('pool-a', first!.operation.id);
    expect(operation?.status).toBe('succeeded');
    expect(harness.emulator.kusto.getCluster(kustoResourceId('pool-a')).sku.capacity).toBe(6);
  });

  it('is simulated: the real scaler and a baseline run on its own model and metrics', async () => {
    const target = validPool({ mode: 'optimized', limits: { min: 2, max: 8 } });
    const trace = generateScenario('daily', { days: 1 });
    const config = { version: 1, settings: { minThresholdGapPercent: 20 }, targets: [target] } as never;
    for (const policy of ['elastic-scaler', 'static-peak'] as const) {
      const run = await runPolicy({
        kind: TEST_POOL as TargetKind,
        trace,
        policy,
        config,
        target,
        parameters: DEFAULT_SIMULATION_PARAMETERS,
      });
      expect(run.kind).toBe(TEST_POOL);
      expect(run.outcomes.nodeHours).toBeGreaterThan(0);
    }
  }, 120_000);
});

/** Interprets the follow-up's state machine as the orchestrator does, running its activities for real. */
async function runFollowUp(
  services: Services,
  target: TargetConfig,
  operation: OperationRecord,
): Promise<{ activities: string[]; result: FollowUpResult }> {
  const context = new StepContext(services.followUp.dependencies);
  const now = () => harness.emulator.clock.now();
  let state = startFollowUp(followUpInputFor(target, operation), now());
  const activities: string[] = [];
  for (let step = 0; step < 200; step += 1) {
    const command = nextCommand(state, now());
    if (command.kind === 'complete') return { activities, result: command.result };
    if (command.kind === 'timer') {
      harness.emulator.clock.advance(Math.max(0, Date.parse(command.fireAt) - now().getTime()));
      state = afterTimer(state);
    } else if (command.kind === 'activity') {
      activities.push(command.name);
      const result =
        command.name === 'checkArm'
          ? await checkArm(context, command.input)
          : command.name === 'finish'
            ? await finish(context, command.input)
            : undefined;
      if (result === undefined) throw new Error(`the test pool's follow-up asked for ${command.name}`);
      state = afterActivity(state, command, result, now());
    } else {
      throw new Error(`unexpected follow-up command ${command.kind}`);
    }
  }
  throw new Error('the follow-up did not end');
}
