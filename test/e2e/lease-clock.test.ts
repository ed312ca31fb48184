/**
 * The lease that guards an act is timed from the moment it is taken, and renewed right before the PATCH. A tick
 * that takes a while (here: the metrics call, during which the emulator clock moves on) must not leave a lease
 * that is already expired, and a lease that expired and was taken over must stop the PATCH.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS, plateau } from '../../tools/emulator/index.js';
import {
  acceptedPatches,
  addManualPg,
  pgResourceId,
  servicesFor,
  startHarness,
  tick,
  type Harness,
} from '../support/scaler-harness.js';
import { StateConflictError } from '../../shared/vocabulary/errors.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';
import type { Services } from '../../functions/composition-root.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const advance = (minutes: number) => harness.emulator.clock.advance(minutes * MINUTE_MS);

function hotConfig(name: string): ConfigInput {
  const target = {
    ...addManualPg(harness.emulator, name),
    mode: 'custom',
    maxStep: { out: 1 },
    rules: [
      {
        name: 'cpu-high',
        metric: 'cpu_percent',
        operator: 'GreaterThan',
        threshold: 80,
        direction: 'out',
        windowMinutes: 10,
      },
    ],
  };
  harness.emulator.metrics.set(
    pgResourceId(name),
    'cpu_percent',
    plateau({
      from: new Date(harness.emulator.clock.nowMs() - 70 * MINUTE_MS),
      minutes: 100_000,
      value: 95,
      otherwise: 30,
    }),
  );
  return { version: 1, targets: [target] } as ConfigInput;
}

function hotTarget(name: string): Promise<Services> {
  return harness.services(hotConfig(name));
}

/** Runs `underLease` at the read of the cluster the executor makes under the lease (the first GET after the metrics). */
function atTheReadUnderTheLease(name: string, beforeThat: () => void, underLease: () => Promise<void>): void {
  harness.emulator.requests.beforeAnswer({ method: 'POST', path: 'metrics:getBatch' }, () => {
    beforeThat();
    harness.emulator.requests.beforeAnswer(
      { method: 'GET', path: new RegExp(`/flexibleServers/${name}$`) },
      underLease,
    );
  });
}

describe('the lease around an act', () => {
  it('is timed from when it is taken, not from the start of a slow tick', async () => {
    const name = 'slowtick';
    const services = await hotTarget(name);
    let intruder: unknown;
    // The metrics call takes 3 minutes: longer than the 2-minute lease, had it been timed from the tick's start.
    atTheReadUnderTheLease(
      name,
      () => advance(3),
      async () => {
        intruder = await services.state
          .acquireLease(name, 'another-instance', harness.emulator.clock.now(), 60)
          .catch((error: unknown) => error);
      },
    );
    await tick(services);

    expect(intruder).toBeInstanceOf(StateConflictError);
    expect(acceptedPatches(harness.emulator, name)).toHaveLength(1);
  });

  it('is renewed right before the PATCH, and a lease lost meanwhile stops the PATCH', async () => {
    const name = 'lostlease';
    const services = await hotTarget(name);
    // Under the lease, everything stalls for 5 minutes; the lease expires and another instance takes it.
    atTheReadUnderTheLease(
      name,
      () => undefined,
      async () => {
        advance(5);
        await services.state.acquireLease(name, 'another-instance', harness.emulator.clock.now(), 120);
      },
    );
    await tick(services);

    expect(acceptedPatches(harness.emulator, name)).toHaveLength(0);
    const [operation] = await services.state.listOperations(name, 1);
    expect(operation).toMatchObject({ status: 'cancelled' });
    expect(operation?.history.at(-1)?.message).toMatch(
      /^the lease expired before the update was sent and another evaluation holds it now/,
    );
  });
  it('cannot be taken while live by an instance whose clock runs ahead', async () => {
    const name = 'skewed';
    const configuration = hotConfig(name);
    const tablePrefix = `skew${Date.now() % 100000}`;
    const punctual = await servicesFor(harness.emulator, harness.azurite, configuration, {
      SCALER_STATE_TABLE_PREFIX: tablePrefix,
    });
    // Same tables, but this instance's clock runs 25 s ahead.
    const ahead = await servicesFor(
      harness.emulator,
      harness.azurite,
      configuration,
      { SCALER_STATE_TABLE_PREFIX: tablePrefix },
      { clock: () => new Date(harness.emulator.clock.nowMs() + 25_000) },
    );
    // While the punctual instance holds its 2-minute lease, 100 s pass; the other instance, 25 s ahead, sees it expired.
    atTheReadUnderTheLease(
      name,
      () => undefined,
      async () => {
        harness.emulator.clock.advance(100_000);
        await tick(ahead);
      },
    );
    await tick(punctual);

    expect((await punctual.state.listDecisions(name, 5)).map((record) => record.decision.reason)).toContain(
      'LeaseHeld',
    );
    expect(acceptedPatches(harness.emulator, name)).toHaveLength(1);
    expect((await punctual.state.listOperations(name, 5)).map((operation) => operation.status)).toEqual(['running']);
  });

  it('pulls back a completion an instance with a clock ten hours ahead stamped, so the cooldown still ends', async () => {
    const name = 'futuredone';
    const services = await hotTarget(name);
    const now = harness.emulator.clock.now();
    const tenHoursAhead = new Date(now.getTime() + 600 * MINUTE_MS);
    await services.state.createOperation({
      id: 'skewed-op',
      target: name,
      trigger: 'timer',
      direction: 'out',
      from: 2,
      to: 3,
      startedAt: now,
      arm: {},
      initiator: 'timer',
      reason: 'written by a skewed instance',
    });
    await services.state.updateOperationStatus(name, 'skewed-op', {
      status: 'running',
      at: tenHoursAhead,
      message: 'ARM accepted the update',
    });
    await services.state.updateOperationStatus(name, 'skewed-op', {
      status: 'succeeded',
      at: tenHoursAhead,
      message: 'ARM reports the update finished',
    });

    const lines = await tick(services);
    expect((await services.state.listDecisions(name, 1))[0]?.decision.reason).toBe('CooldownActive');
    expect(lines.find((line) => line.message.includes('completion time after this instance'))).toMatchObject({
      level: 'warning',
    });
    expect((await services.state.getOperation(name, 'skewed-op'))?.completedAt).toEqual(now);

    advance(31); // past this target's 30-minute scale-out cooldown, counted from the pulled-back completion
    await tick(services);
    expect(acceptedPatches(harness.emulator, name)).toHaveLength(1);
  });
});
