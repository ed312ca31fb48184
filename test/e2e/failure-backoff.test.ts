/**
 * A scale-out that keeps failing after ARM accepted it (no quota), end to end: the registered timer against the
 * ARM/Monitor emulator and Azurite, the reset through the HTTP handler. Time is the emulator's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armError, MINUTE_MS, plateau } from '../../tools/emulator/index.js';
import {
  acceptedPatches,
  pgResourceId,
  startHarness,
  tick,
  type Harness,
  type LogLine,
} from '../support/scaler-harness.js';
import { scalerApi } from '../support/api-services.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';
import type { Services } from '../../functions/composition-root.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const NAME = 'quotabound';
const advance = (minutes: number) => harness.emulator.clock.advance(minutes * MINUTE_MS);
const patches = () => acceptedPatches(harness.emulator, NAME);

function hotCluster(): string {
  const { id } = harness.emulator.postgres.addCluster({
    resourceGroup: 'rg-data',
    name: NAME,
    location: 'westeurope',
    clusterSize: 3,
  });
  harness.emulator.metrics.set(
    id,
    'cpu_percent',
    plateau({
      from: new Date(harness.emulator.clock.nowMs() - 70 * MINUTE_MS),
      minutes: 100_000,
      value: 95,
      otherwise: 30,
    }),
  );
  return id;
}

const target = {
  name: NAME,
  kind: 'postgres-elastic-cluster',
  resourceId: pgResourceId(NAME),
  mode: 'custom',
  limits: { min: 2, max: 10 },
  // No cooldown at all: only the failure backoff keeps a failing change from being retried on every tick.
  cooldowns: { scaleOutMinutes: 0 },
  maxStep: { out: 1 },
  failureBackoff: { baseMinutes: 10, maxMinutes: 60, maxConsecutiveFailures: 3 },
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

async function lastReason(services: Services): Promise<string | undefined> {
  return (await services.state.listDecisions(NAME, 1))[0]?.decision.reason;
}

/** One tick per minute for `minutes` minutes; returns every line logged. */
async function tickEveryMinute(services: Services, minutes: number): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (let minute = 0; minute < minutes; minute += 1) {
    advance(1);
    lines.push(...(await tick(services)));
  }
  return lines;
}

describe('a change that keeps failing after ARM accepted it', () => {
  it('backs off exponentially, stops with an alert after the limit, and tries again once an operator resets the failures', async () => {
    const id = hotCluster();
    const quota = () =>
      harness.emulator.postgres.failNextUpdate(
        id,
        armError(409, 'QuotaExceeded', 'Not enough vCore quota in westeurope for 1 more node'),
      );
    const services = await harness.services({ version: 1, targets: [target] } as ConfigInput);

    quota();
    await tick(services); // t=0: first attempt
    expect(patches()).toHaveLength(1);
    quota();
    await tickEveryMinute(services, 14); // fails at t=5; 10 min backoff until t=15
    expect(patches()).toHaveLength(1);
    expect(await lastReason(services)).toBe('BackingOff');

    await tickEveryMinute(services, 1); // t=15: second attempt
    expect(patches()).toHaveLength(2);
    quota();
    await tickEveryMinute(services, 24); // fails at t=20; 20 min backoff until t=40
    expect(patches()).toHaveLength(2);
    expect((await services.state.listDecisions(NAME, 1))[0]?.decision.message).toMatch(
      /failed 2 time\(s\) in a row \(last: ARM reports the update failed: QuotaExceeded: Not enough vCore quota/,
    );

    await tickEveryMinute(services, 1); // t=40: third attempt
    expect(patches()).toHaveLength(3);
    const stopped = await tickEveryMinute(services, 8); // fails at t=45: the third failure in a row
    expect(await lastReason(services)).toBe('FailureLimitReached');
    expect(stopped.find((line) => line.fields?.['event'] === 'FailureLimitReached')).toMatchObject({
      level: 'error',
      fields: { alert: true, target: NAME, resourceId: id },
    });

    advance(24 * 60);
    await tick(services);
    expect(patches()).toHaveLength(3);
    expect(await lastReason(services)).toBe('FailureLimitReached');

    const api = scalerApi(services);
    const refused = await api.scale(NAME, { delta: 1, reason: 'try once more', ignoreCooldown: true });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ reason: 'FailureLimitReached' });

    const reset = await api.resetFailures(NAME, { reason: 'vCore quota raised to 64' });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({
      target: NAME,
      failuresReset: {
        at: harness.emulator.clock.now().toISOString(),
        by: 'operator (function key)',
        reason: 'vCore quota raised to 64',
      },
    });
    advance(1);
    await tick(services);
    expect(patches()).toHaveLength(4);
    expect(await services.state.getOperationInProgress(NAME)).toMatchObject({ status: 'running', from: 3, to: 4 });
  });

  it('refuses a reset without a reason, and changes nothing', async () => {
    const services = await harness.services({
      version: 1,
      targets: [{ ...target, name: 'noreason', resourceId: pgResourceId('noreason') }],
    } as ConfigInput);
    const answer = await scalerApi(services).resetFailures('noreason', {});
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(/reason/);
    await expect(services.state.getFailureReset('noreason')).resolves.toBeUndefined();
  });
});
