/**
 * A scale-out carried to its end, end to end: the registered timer (with its durableClient input) scales an
 * elastic cluster out in the HTTPS emulator and launches the follow-up through the real durable client (against a
 * stand-in of the extension's client API); the follow-up orchestration then runs through durable-functions' own
 * replay machinery with every activity executed for real against the emulator, the Citus stand-in and Azurite.
 */
import { randomUUID } from 'node:crypto';
import type { Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvocationContext } from '../support/functions-runtime.js';
import {
  kustoResourceId,
  pgResourceId,
  servicesFor,
  startHarness,
  type Harness,
  acceptedPatches,
} from '../support/scaler-harness.js';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { CITUS_SETTING_DEFAULTS } from '../../tools/citus-standin/index.js';
import { scaledOutCluster, type StandinDb } from '../../tools/citus-standin/testing.js';
import { ClusterClock, registeredApp, standinDatabase, type RegisteredApp } from '../support/follow-up-host.js';
import { ReplayDriver } from '../support/durable-replay.js';
import { TaskHubStandIn } from '../support/task-hub.js';
import { startCuttableProxy, throughProxy } from '../support/cuttable-proxy.js';
import { armError, constant, MINUTE_MS } from '../../tools/emulator/index.js';
import { DurableFollowUpLauncher, durableClientInput } from '../../functions/orchestration/launcher.js';
import { FOLLOW_UP_ORCHESTRATION } from '../../functions/orchestration/names.js';
import { followUpInstanceId } from '../../shared/follow-up/input.js';
import type { Services } from '../../functions/composition-root.js';
import type { FollowUpProgressDocument } from '../../shared/follow-up/progress.js';

let harness: Harness;
let server: PostgresServer;
let hub: TaskHubStandIn;

beforeAll(async () => {
  [harness, server] = await Promise.all([startHarness(), startPostgres({ config: CITUS_SETTING_DEFAULTS })]);
  hub = await TaskHubStandIn.start(() => harness.emulator.clock.now());
});

afterAll(async () => {
  await Promise.all([harness?.stop(), server?.stop(), hub?.close()]);
});

const advance = (minutes: number) => harness.emulator.clock.advance(minutes * MINUTE_MS);
const patches = (name: string) => acceptedPatches(harness.emulator, name);

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

async function lastDecision(services: Services, target: string) {
  return (await services.state.listDecisions(target, 1))[0]?.decision;
}

/** Runs the instance the launcher started, and tells the task hub how it ended. */
function driverFor(
  app: RegisteredApp,
  name: string,
  clock: ClusterClock,
  afterActivity?: () => Promise<void>,
): ReplayDriver {
  const instanceId = followUpInstanceId(name);
  const instance = hub.instances.get(instanceId);
  if (!instance) throw new Error(`the launcher started no instance ${instanceId}`);
  hub.setStatus(instanceId, 'Running');
  const driver = new ReplayDriver(app, {
    instanceId,
    orchestrationName: FOLLOW_UP_ORCHESTRATION,
    clock,
    ...(afterActivity ? { afterActivity } : {}),
  });
  driver.start(instance.input);
  return driver;
}

describe('a scale-out carried to its end by the durable follow-up', () => {
  let db: StandinDb;

  afterAll(async () => {
    await db?.close();
  });

  it('rebalances an elastic cluster after a timer tick, shows progress on the way, and starts the cooldown at completion', async () => {
    const name = 'orders';
    const id = harness.emulator.postgres.addCluster({
      resourceGroup: 'rg-data',
      name,
      location: 'westeurope',
      clusterSize: 2,
      updateDurationMs: 5 * MINUTE_MS,
      configurationUpdateDurationMs: 0,
    }).id;
    harness.emulator.metrics.set(id, 'cpu_percent', constant(93));
    db = await scaledOutCluster(server, { scaleOut: false });
    const { database, env } = standinDatabase(db.connectionString);
    const target = {
      name,
      kind: 'postgres-elastic-cluster',
      resourceId: pgResourceId(name),
      mode: 'custom',
      limits: { min: 2, max: 8 },
      maxStep: { out: 2 },
      cooldowns: { scaleOutMinutes: 30 },
      rules: [
        {
          metric: 'cpu_percent',
          operator: 'GreaterThan',
          threshold: 80,
          direction: 'out',
          windowMinutes: 10,
          change: { type: 'count', value: 2 },
        },
      ],
      // One move at a time: this test follows the sequential steps (the default of 4 adds raise/restore steps).
      rebalance: { pollIntervalSeconds: 30, parallelism: 1 },
      database,
    };
    const services = await servicesFor(
      harness.emulator,
      harness.azurite,
      { version: 1, targets: [target] } as never,
      env,
      { followUps: new DurableFollowUpLauncher(), followUp: { settingsVisibleWithinMs: 0 } },
    );
    const app = registeredApp(services);

    await tick(app);
    expect(patches(name).map((request) => request.body)).toEqual([{ properties: { cluster: { clusterSize: 4 } } }]);
    const operation = await services.state.getOperationInProgress(name);
    expect(operation).toMatchObject({ status: 'running', from: 2, to: 4 });
    expect(hub.starts).toEqual([
      { name: FOLLOW_UP_ORCHESTRATION, instanceId: followUpInstanceId(name), accepted: true },
    ]);
    expect(hub.instances.get(followUpInstanceId(name))?.input).toMatchObject({
      target: name,
      operationId: operation?.id,
      from: 2,
      to: 4,
      rebalance: { strategy: 'by_disk_size', parallelism: 1 },
    });

    // Another tick while ARM works: nothing new is started, and the running follow-up is adopted.
    advance(1);
    hub.setStatus(followUpInstanceId(name), 'Running');
    await tick(app);
    expect(patches(name)).toHaveLength(1);
    expect(hub.starts).toHaveLength(1);
    expect(await lastDecision(services, name)).toMatchObject({ action: 'none', reason: 'OperationInProgress' });

    const views: Array<FollowUpProgressDocument | undefined> = [];
    const watch = async () =>
      void views.push(
        (await services.queries.findOperation(operation?.id ?? ''))?.followUp?.document as
          FollowUpProgressDocument | undefined,
      );
    const driver = driverFor(app, name, new ClusterClock(harness.emulator, db, id), watch);
    await driver.run((run) => run.callsOf('followUp_pollRebalance').length >= 2);

    // While the rebalance runs, the timer still does not scale the cluster, whatever the CPU says.
    await tick(app);
    expect(patches(name)).toHaveLength(1);
    expect(await lastDecision(services, name)).toMatchObject({ action: 'none', reason: 'OperationInProgress' });
    expect(hub.starts).toHaveLength(1);

    await driver.run();
    hub.setStatus(followUpInstanceId(name), 'Completed', driver.output);
    const completedAt = harness.emulator.clock.now();
    expect(driver.output).toMatchObject({
      status: 'succeeded',
      message: expect.stringContaining('rebalanced: 8 move(s), 192.0 MiB'),
    });
    const ended = await services.state.getOperation(name, operation?.id ?? '');
    expect(ended).toMatchObject({ status: 'succeeded', completedAt });
    expect(ended?.history.at(-1)?.message).toMatch(
      /^ARM finished the update to 4 node\(s\); rebalanced: 8 move\(s\), 192\.0 MiB \(job 1\) \(took \d+ min\)$/,
    );

    // The status API's view of the operation moved along while the follow-up ran.
    const monitoring = views.filter((view) => view?.phase === 'monitor' && view.rebalance !== undefined);
    expect(
      monitoring.some((view) => (view?.rebalance?.percent ?? 0) > 0 && (view?.rebalance?.percent ?? 100) < 100),
    ).toBe(true);
    expect(views.at(-1)).toMatchObject({
      phase: 'completed',
      outcome: { status: 'succeeded' },
      rebalance: { state: 'finished', moves: { done: 8, total: 8 } },
    });

    // The cooldown runs from completion, not from the start of the scale-out.
    advance(20);
    await tick(app);
    expect(await lastDecision(services, name)).toMatchObject({
      action: 'none',
      reason: 'CooldownActive',
      message: expect.stringMatching(/cooldown of 30 min .* has 10 min left/),
    });
    advance(11);
    await tick(app);
    expect(patches(name).map((request) => request.body)).toEqual([
      { properties: { cluster: { clusterSize: 4 } } },
      { properties: { cluster: { clusterSize: 6 } } },
    ]);
    expect(hub.starts.map((start) => start.accepted)).toEqual([true, true]);
  });

  it('waits for an ADX update to finish, records how long it took, and starts the cooldown then', async () => {
    const name = 'telemetryadx';
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
      followUp: { pollIntervalSeconds: 60 },
    };
    const services = await servicesFor(
      harness.emulator,
      harness.azurite,
      { version: 1, targets: [target] } as never,
      {},
      { followUps: new DurableFollowUpLauncher() },
    );
    const app = registeredApp(services);

    await tick(app);
    const operation = await services.state.getOperationInProgress(name);
    expect(operation).toMatchObject({ status: 'running', from: 3, to: 4 });
    const driver = driverFor(app, name, new ClusterClock(harness.emulator));
    await driver.run();

    expect(driver.output).toMatchObject({ status: 'succeeded', message: 'ARM finished the update to 4 instance(s)' });
    expect(new Set(driver.calls.map((call) => call.name))).toEqual(new Set(['followUp_checkArm', 'followUp_finish']));
    const ended = await services.state.getOperation(name, operation?.id ?? '');
    expect(ended).toMatchObject({ status: 'succeeded', completedAt: harness.emulator.clock.now() });
    expect(ended?.history.at(-1)?.message).toBe('ARM finished the update to 4 instance(s) (took 12 min)');
    expect((await services.state.getFollowUpProgress(name, operation?.id ?? ''))?.document).toMatchObject({
      phase: 'completed',
      outcome: { status: 'succeeded', durationSeconds: 720 },
    });

    hub.setStatus(followUpInstanceId(name), 'Completed', driver.output);
    advance(5);
    await tick(app);
    expect(await lastDecision(services, name)).toMatchObject({ reason: 'CooldownActive' });
  });
  it("records an ADX update that ARM accepted and later failed as failed, with ARM's code and message, at the first check after it ended", async () => {
    const name = 'noquotaadx';
    const id = harness.emulator.kusto.addCluster({
      resourceGroup: 'rg-data',
      name,
      capacity: 3,
      updateDurationMs: 12 * MINUTE_MS,
    }).id;
    harness.emulator.metrics.set(id, 'CPU', constant(95));
    harness.emulator.kusto.failNextUpdate(
      id,
      armError(
        400,
        'QuotaExceeded',
        'Operation could not be completed as it results in exceeding approved Standard LSv3 Family Cores quota',
      ),
    );
    const target = {
      name,
      kind: 'kusto-cluster',
      resourceId: kustoResourceId(name),
      mode: 'custom',
      limits: { min: 2, max: 10 },
      rules: [{ metric: 'CPU', operator: 'GreaterThan', threshold: 80, direction: 'out' }],
      followUp: { pollIntervalSeconds: 60 },
    };
    const services = await servicesFor(
      harness.emulator,
      harness.azurite,
      { version: 1, targets: [target] } as never,
      {},
      { followUps: new DurableFollowUpLauncher() },
    );
    const app = registeredApp(services);

    await tick(app);
    const operation = await services.state.getOperationInProgress(name);
    const acceptedAt = harness.emulator.clock.nowMs();
    const driver = driverFor(app, name, new ClusterClock(harness.emulator));
    await driver.run();

    expect(driver.output).toMatchObject({
      status: 'failed',
      message: expect.stringContaining(
        'failed: ARM reports the update failed: QuotaExceeded: Operation could not be completed',
      ),
    });
    const ended = await services.state.getOperation(name, operation?.id ?? '');
    expect(ended?.status).toBe('failed');
    // Seen by the first check after the 12-minute update ended, not after the 180-minute ready timeout.
    expect((ended?.completedAt?.getTime() ?? Number.POSITIVE_INFINITY) - acceptedAt).toBeLessThanOrEqual(
      13 * MINUTE_MS,
    );
  });
  it('adopts an ADX update ARM accepted while Table Storage failed, with its follow-up, on a later tick', async () => {
    const name = 'lostrecordadx';
    const id = harness.emulator.kusto.addCluster({
      resourceGroup: 'rg-data',
      name,
      capacity: 3,
      updateDurationMs: 12 * MINUTE_MS,
    }).id;
    harness.emulator.metrics.set(id, 'CPU', constant(95));
    const proxy = await startCuttableProxy(Number(new URL(harness.azurite.tableEndpoint).port));
    try {
      const target = {
        name,
        kind: 'kusto-cluster',
        resourceId: kustoResourceId(name),
        mode: 'custom',
        limits: { min: 2, max: 10 },
        cooldowns: { scaleOutMinutes: 15 },
        rules: [{ metric: 'CPU', operator: 'GreaterThan', threshold: 80, direction: 'out' }],
        followUp: { pollIntervalSeconds: 60 },
      };
      const azurite = {
        ...harness.azurite,
        connectionString: throughProxy(harness.azurite.connectionString, proxy.port),
      };
      const services = await servicesFor(
        harness.emulator,
        azurite,
        { version: 1, targets: [target] } as never,
        {},
        { followUps: new DurableFollowUpLauncher() },
      );
      const app = registeredApp(services);
      harness.emulator.requests.beforeAnswer({ method: 'PATCH', path: `/${name}`, status: 202 }, () => proxy.cut());

      await tick(app);
      proxy.restore();
      expect(hub.instances.get(followUpInstanceId(name))).toBeUndefined();
      const [operation] = await services.state.listOperations(name, 1);
      expect(operation).toMatchObject({ status: 'started', to: 4 });

      advance(3); // past the lease of the evaluation that started it
      await tick(app);
      expect(await services.state.getOperation(name, operation?.id ?? '')).toMatchObject({ status: 'running' });
      const driver = driverFor(app, name, new ClusterClock(harness.emulator));
      await driver.run();

      expect(driver.output).toMatchObject({ status: 'succeeded', message: 'ARM finished the update to 4 instance(s)' });
      const ended = await services.state.getOperation(name, operation?.id ?? '');
      expect(ended?.history.map((step) => step.status)).toEqual(['started', 'running', 'succeeded']);
      expect(patches(name)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
