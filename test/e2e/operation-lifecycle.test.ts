/**
 * Every operation reaches a terminal state: the timer reconciles an operation whose follow-up ended without
 * recording its outcome (or vanished), and an operator can abandon one by hand. End to end through the registered
 * timer and HTTP handlers, the real durable client against a stand-in of the extension's client API, the follow-up
 * run through durable-functions' own replay machinery, the HTTPS emulator and Azurite.
 */
import { randomUUID } from 'node:crypto';
import type { Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvocationContext } from '../support/functions-runtime.js';
import {
  acceptedPatches,
  kustoResourceId,
  servicesFor,
  startHarness,
  type Harness,
} from '../support/scaler-harness.js';
import { ClusterClock, registeredApp, type RegisteredApp } from '../support/follow-up-host.js';
import { ReplayDriver } from '../support/durable-replay.js';
import { TaskHubStandIn } from '../support/task-hub.js';
import { scalerApi } from '../support/api-services.js';
import { startEntraStandIn } from '../support/entra-standin.js';
import { constant, MINUTE_MS } from '../../tools/emulator/index.js';
import { DurableFollowUpLauncher, durableClientInput } from '../../functions/orchestration/launcher.js';
import { FOLLOW_UP_ORCHESTRATION } from '../../functions/orchestration/names.js';
import { followUpInstanceId } from '../../shared/follow-up/input.js';
import type { Services } from '../../functions/composition-root.js';
import type { OperationRecord } from '../../shared/state/state-store.port.js';

let harness: Harness;
let hub: TaskHubStandIn;

beforeAll(async () => {
  harness = await startHarness();
  hub = await TaskHubStandIn.start(() => harness.emulator.clock.now());
});

afterAll(async () => {
  await Promise.all([harness?.stop(), hub?.close()]);
});

const advance = (minutes: number) => harness.emulator.clock.advance(minutes * MINUTE_MS);

/** The timer as the Functions host invokes it: with the task hub's client data in its durableClient input. */
async function tick(app: RegisteredApp): Promise<void> {
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: 'evaluateTargets',
    logHandler: () => undefined,
    options: {
      trigger: { type: 'timerTrigger', name: 'timer' },
      extraInputs: app.timerInputs['evaluateTargets'] as never,
    },
  });
  context.extraInputs.set(durableClientInput, hub.clientData);
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: '', lastUpdated: '' },
  };
  await app.timers['evaluateTargets']?.(timer, context);
}

interface Scene {
  name: string;
  services: Services;
  app: RegisteredApp;
  operation: OperationRecord;
  instanceId: string;
}

/** A hot ADX cluster that the first tick scales out by one, launching its follow-up in the task hub. */
async function scaledOut(
  name: string,
  followUp: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<Scene> {
  const id = harness.emulator.kusto.addCluster({
    resourceGroup: 'rg-data',
    name,
    capacity: 3,
    updateDurationMs: 12 * MINUTE_MS,
  }).id;
  harness.emulator.metrics.set(id, 'CPU', constant(95));
  const target = {
    name,
    kind: 'kusto-cluster',
    resourceId: kustoResourceId(name),
    mode: 'custom',
    limits: { min: 2, max: 10 },
    cooldowns: { scaleOutMinutes: 15 },
    rules: [{ metric: 'CPU', operator: 'GreaterThan', threshold: 80, direction: 'out' }],
    followUp: { pollIntervalSeconds: 60, ...followUp },
  };
  const services = await servicesFor(
    harness.emulator,
    harness.azurite,
    { version: 1, targets: [target] } as never,
    env,
    { followUps: new DurableFollowUpLauncher() },
  );
  const app = registeredApp(services);
  await tick(app);
  const operation = await services.state.getOperationInProgress(name);
  if (!operation) throw new Error(`the first tick did not scale ${name} out`);
  return { name, services, app, operation, instanceId: followUpInstanceId(name) };
}

function driverFor(
  scene: Scene,
  options: { failDelivery?: (call: { name: string }) => string | undefined } = {},
): ReplayDriver {
  const instance = hub.instances.get(scene.instanceId);
  if (!instance) throw new Error(`the launcher started no instance ${scene.instanceId}`);
  hub.setStatus(scene.instanceId, 'Running');
  const driver = new ReplayDriver(scene.app, {
    instanceId: scene.instanceId,
    orchestrationName: FOLLOW_UP_ORCHESTRATION,
    clock: new ClusterClock(harness.emulator),
    ...options,
  });
  driver.start(instance.input);
  return driver;
}

const startsOf = (scene: Scene) => hub.starts.filter((start) => start.instanceId === scene.instanceId);
const lastDecision = async (scene: Scene) => (await scene.services.state.listDecisions(scene.name, 1))[0]?.decision;

describe('the timer reconciles an operation still running after its follow-up ended', () => {
  it('records the outcome a Failed follow-up could not record, from its custom status, and starts the cooldown from when it ended', async () => {
    const scene = await scaledOut('adxunrecorded');
    const driver = driverFor(scene, {
      failDelivery: (call) => (call.name === 'followUp_finish' ? 'Table Storage answered 503 ServerBusy' : undefined),
    });
    await driver.run();
    expect(driver.failureMessage).toMatch(
      /ended succeeded but could not record it after 10 tries \(Table Storage answered 503 ServerBusy\)/,
    );
    hub.setStatus(scene.instanceId, 'Failed', driver.failureMessage, driver.customStatus);
    const endedAt = harness.emulator.clock.now();
    expect((await scene.services.state.getOperation(scene.name, scene.operation.id))?.status).toBe('running');

    advance(2);
    await tick(scene.app);

    const ended = await scene.services.state.getOperation(scene.name, scene.operation.id);
    expect(ended).toMatchObject({ status: 'succeeded', completedAt: endedAt });
    expect(ended?.history.at(-1)?.message).toBe(
      'ARM finished the update to 4 instance(s) (recorded by the scaler: the follow-up could not record it)',
    );
    // Not relaunched: the outcome was known.
    expect(startsOf(scene)).toHaveLength(1);
    advance(5);
    await tick(scene.app);
    expect(await lastDecision(scene)).toMatchObject({ action: 'none', reason: 'CooldownActive' });
  });

  it('records the outcome of a follow-up that Completed without writing it, instead of adopting the completed instance forever', async () => {
    const scene = await scaledOut('adxcompleted');
    advance(15);
    const output = {
      target: scene.name,
      operationId: scene.operation.id,
      status: 'succeeded',
      message: 'ARM finished the update to 4 instance(s)',
      attempts: 0,
    };
    hub.setStatus(scene.instanceId, 'Completed', output);

    advance(1);
    await tick(scene.app);

    expect(await scene.services.state.getOperation(scene.name, scene.operation.id)).toMatchObject({
      status: 'succeeded',
      completedAt: new Date(harness.emulator.clock.nowMs() - MINUTE_MS),
    });
    expect(await scene.services.state.getOperationInProgress(scene.name)).toBeUndefined();
    expect(startsOf(scene)).toHaveLength(1);
  });

  it('launches the follow-up again when its instance is gone, and that follow-up ends the operation', async () => {
    const scene = await scaledOut('adxpurged');
    hub.instances.delete(scene.instanceId);

    advance(1);
    await tick(scene.app);

    expect(startsOf(scene).map((start) => start.accepted)).toEqual([true, true]);
    expect(hub.instances.get(scene.instanceId)?.input).toMatchObject({ operationId: scene.operation.id });
    const driver = driverFor(scene);
    await driver.run();
    expect(await scene.services.state.getOperation(scene.name, scene.operation.id)).toMatchObject({
      status: 'succeeded',
    });
  });

  it('frees the target of a follow-up that timed out: the operation ends timed-out, with an error-level alert', async () => {
    const scene = await scaledOut('adxslow', { timeoutMinutes: 5 });
    const driver = driverFor(scene);
    await driver.run();

    expect(driver.output).toMatchObject({
      status: 'timed-out',
      message: expect.stringMatching(/^timed out after waiting 5 min for ARM to finish the update to 4 instance\(s\)/),
    });
    expect(await scene.services.state.getOperation(scene.name, scene.operation.id)).toMatchObject({
      status: 'timed-out',
      completedAt: harness.emulator.clock.now(),
    });
    expect(driver.logLines.filter((line) => line.level === 'error')).toEqual([
      expect.objectContaining({
        fields: expect.objectContaining({ alert: true, event: 'FollowUpTimedOut', operationId: scene.operation.id }),
      }),
    ]);
    expect(await scene.services.state.getOperationInProgress(scene.name)).toBeUndefined();
  });
});

describe('POST /api/operations/{id}/abandon', () => {
  let refusals = 0;

  it('ends a running operation as abandoned, writes a ledger entry, terminates its follow-up, and frees the target', async () => {
    const scene = await scaledOut('adxabandon');
    hub.setStatus(scene.instanceId, 'Running');
    const api = scalerApi(scene.services, hub.clientData);
    advance(3);

    const answer = await api.abandon(scene.operation.id, { reason: 'the cluster was restored from a backup' });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: scene.operation.id,
      status: 'abandoned',
      completedAt: harness.emulator.clock.now().toISOString(),
      abandoned: true,
      decisionId: expect.any(String),
    });
    const ended = await scene.services.state.getOperation(scene.name, scene.operation.id);
    expect(ended).toMatchObject({ status: 'abandoned', completedAt: harness.emulator.clock.now() });
    expect(ended?.history.at(-1)?.message).toMatch(/^abandoned by .+: the cluster was restored from a backup$/);
    expect(await lastDecision(scene)).toMatchObject({
      action: 'none',
      reason: 'OperationAbandoned',
      message: expect.stringContaining(`operation ${scene.operation.id} (3 -> 4) abandoned by`),
    });
    expect(answer.logs.map((line) => line.message)).not.toContainEqual(
      expect.stringMatching(/could not be terminated/),
    );
    expect(hub.instances.get(scene.instanceId)?.runtimeStatus).toBe('Terminated');
    expect(hub.terminations).toContainEqual({
      instanceId: scene.instanceId,
      reason: expect.stringContaining('the cluster was restored from a backup'),
    });
    expect(await scene.services.state.getOperationInProgress(scene.name)).toBeUndefined();

    // Asking again answers the same and writes nothing more.
    const again = await api.abandon(scene.operation.id, { reason: 'again' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'abandoned', abandoned: false });
    expect(await scene.services.state.listDecisions(scene.name, 10)).toHaveLength(2);
  });

  it.each([
    { name: 'without a reason', body: {}, status: 400, detail: /reason: missing/ },
    { name: 'with an empty reason', body: { reason: ' ' }, status: 400, detail: /reason: must not be empty/ },
    { name: 'with a body that is not JSON', body: 'abandon it', status: 400, detail: /JSON/ },
  ])('answers $status $name and changes nothing', async ({ body, status, detail }) => {
    const scene = await scaledOut(`adxrefused${(refusals += 1)}`);
    const answer = await scalerApi(scene.services, hub.clientData).abandon(scene.operation.id, body);
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(String(answer.body['detail'])).toMatch(detail);
    expect((await scene.services.state.getOperation(scene.name, scene.operation.id))?.status).toBe('running');
    expect(hub.instances.get(scene.instanceId)?.runtimeStatus).not.toBe('Terminated');
  });

  it('needs the Scaler.Operate role, and records who abandoned it', async () => {
    const entra = await startEntraStandIn();
    try {
      const scene = await scaledOut('adxguarded', {}, entra.settings());
      const api = scalerApi(scene.services, hub.clientData);
      const reader = { authorization: `Bearer ${await entra.token({ roles: ['Scaler.Read'] })}` };
      const operator = {
        authorization: `Bearer ${await entra.token({ roles: ['Scaler.Operate'], claims: { upn: 'alice@contoso.com' } })}`,
      };

      const anonymous = await api.abandon(scene.operation.id, { reason: 'stuck' });
      const forbidden = await api.abandon(scene.operation.id, { reason: 'stuck' }, reader);
      expect([anonymous.status, forbidden.status]).toEqual([401, 403]);
      expect((await scene.services.state.getOperation(scene.name, scene.operation.id))?.status).toBe('running');

      const accepted = await api.abandon(scene.operation.id, { reason: 'stuck' }, operator);
      expect(accepted.status).toBe(200);
      expect((await scene.services.state.getOperation(scene.name, scene.operation.id))?.history.at(-1)?.message).toBe(
        'abandoned by alice@contoso.com: stuck',
      );
    } finally {
      await entra.close();
    }
  });

  it('answers 404 for an unknown operation and 409 for one that already ended otherwise', async () => {
    const scene = await scaledOut('adxended');
    const api = scalerApi(scene.services, hub.clientData);
    await scene.services.state.updateOperationStatus(scene.name, scene.operation.id, {
      status: 'succeeded',
      at: harness.emulator.clock.now(),
    });

    const unknown = await api.abandon('no-such-operation', { reason: 'stuck' });
    const ended = await api.abandon(scene.operation.id, { reason: 'stuck' });

    expect(unknown.status).toBe(404);
    expect(String(unknown.body['detail'])).toMatch(
      /^abandoning operation 'no-such-operation' failed: no operation has this id/,
    );
    expect(ended.status).toBe(409);
    expect(String(ended.body['detail'])).toMatch(
      new RegExp(
        `^abandoning operation '${scene.operation.id}' failed: it already ended succeeded at .+; there is nothing to abandon$`,
      ),
    );
    expect((await scene.services.state.getOperation(scene.name, scene.operation.id))?.status).toBe('succeeded');
    expect(acceptedPatches(harness.emulator, scene.name)).toHaveLength(1);
  });
});
