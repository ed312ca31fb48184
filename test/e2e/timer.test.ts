import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armError, constant, MINUTE_MS, plateau, postgresClient, FAST_LRO } from '../../tools/emulator/index.js';
import {
  kustoResourceId,
  pgResourceId,
  servicesFor,
  startHarness,
  tick,
  type Harness,
  acceptedPatches,
} from '../support/scaler-harness.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';
import type { Services } from '../../functions/composition-root.js';

const HOUR_MS = 60 * MINUTE_MS;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

function pgTarget(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    kind: 'postgres-elastic-cluster',
    resourceId: pgResourceId(name),
    mode: 'custom',
    limits: { min: 2, max: 10 },
    cooldowns: { scaleOutMinutes: 30 },
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
    ...overrides,
  };
}

function addPg(name: string, clusterSize = 3) {
  return harness.emulator.postgres.addCluster({ resourceGroup: 'rg-data', name, location: 'westeurope', clusterSize })
    .id;
}

/** CPU at `value` % from `minutesAgo` on, and calm before. */
function cpuSince(resourceId: string, minutesAgo: number, value: number, metric = 'cpu_percent') {
  harness.emulator.metrics.set(
    resourceId,
    metric,
    plateau({
      from: new Date(harness.emulator.clock.nowMs() - minutesAgo * MINUTE_MS),
      minutes: 100_000,
      value,
      otherwise: 30,
    }),
  );
}

const patches = (name: string) => acceptedPatches(harness.emulator, name);
const config = (...targets: unknown[]): ConfigInput => ({ version: 1, targets }) as ConfigInput;
const advance = (minutes: number) => harness.emulator.clock.advance(minutes * MINUTE_MS);

async function lastDecision(services: Services, target: string) {
  const [record] = await services.state.listDecisions(target, 1);
  return record?.decision;
}

describe('evaluateTargets timer, end to end against ARM/Monitor emulators and Azurite', () => {
  it('scales an elastic cluster out once on a sustained spike, then waits out the cooldown from completion', async () => {
    const id = addPg('spike');
    cpuSince(id, 70, 92);
    const services = await harness.services(config(pgTarget('spike')));

    await tick(services);
    expect(patches('spike')).toHaveLength(1);
    expect(patches('spike')[0]?.body).toEqual({ properties: { cluster: { clusterSize: 4 } } });
    const operation = await services.state.getOperationInProgress('spike');
    expect(operation).toMatchObject({ status: 'running', from: 3, to: 4, trigger: 'timer' });
    expect(operation?.arm.asyncOperationUrl).toMatch(/^https:\/\/127\.0\.0\.1/);

    advance(1);
    await tick(services);
    expect(patches('spike')).toHaveLength(1);
    expect(await lastDecision(services, 'spike')).toMatchObject({ action: 'none', reason: 'OperationInProgress' });

    advance(5); // the emulator's PostgreSQL update takes 5 minutes
    await tick(services);
    const finished = await services.state.getOperation('spike', operation?.id ?? '');
    expect(finished).toMatchObject({ status: 'succeeded', completedAt: harness.emulator.clock.now() });
    expect(await lastDecision(services, 'spike')).toMatchObject({ action: 'none', reason: 'CooldownActive' });
    expect(harness.emulator.postgres.getCluster(id)?.properties.cluster?.clusterSize).toBe(4);

    advance(25); // 25 minutes after completion: the 30-minute cooldown still holds
    await tick(services);
    expect(patches('spike')).toHaveLength(1);
    expect((await lastDecision(services, 'spike'))?.message).toMatch(/cooldown of 30 min .* has 5 min left/);

    advance(6);
    await tick(services);
    expect(patches('spike')).toHaveLength(2);
    expect(patches('spike')[1]?.body).toEqual({ properties: { cluster: { clusterSize: 5 } } });
  });

  it('records every decision in the ledger, newest first, with its evidence', async () => {
    const id = addPg('calm');
    cpuSince(id, 70, 40);
    const services = await harness.services(config(pgTarget('calm')));
    await tick(services);
    advance(1);
    await tick(services);
    const decisions = await services.state.listDecisions('calm', 10);
    expect(decisions).toHaveLength(2);
    expect(decisions[0]?.decidedAt.getTime()).toBeGreaterThan(decisions[1]?.decidedAt.getTime() ?? 0);
    expect(decisions[0]?.decision).toMatchObject({ action: 'none', reason: 'WithinThresholds' });
    expect(decisions[0]?.decision.evidence.signals[0]).toMatchObject({
      metric: 'cpu_percent',
      value: 40,
      status: 'ok',
      grainsUsed: 10,
    });
  });

  it('never scales an elastic cluster in, however quiet, while an ADX cluster beside it does', async () => {
    const pg = addPg('quiet-pg', 6);
    cpuSince(pg, 3000, 2);
    harness.emulator.metrics.set(pg, 'memory_percent', constant(5));
    harness.emulator.metrics.set(pg, 'storage_percent', constant(5));
    const services = await harness.services(config(pgTarget('quiet-pg', { mode: 'optimized', rules: [] })));
    await tick(services);
    expect(
      harness.emulator.requests.filter({ method: 'PATCH' }).filter((request) => request.path.endsWith('/quiet-pg')),
    ).toHaveLength(0);
    expect(await lastDecision(services, 'quiet-pg')).toMatchObject({ action: 'none', reason: 'WithinThresholds' });
  });

  it('scales an ADX cluster in only after its one-day evaluation window', async () => {
    const id = harness.emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'quietadx', capacity: 6 }).id;
    const since = new Date(harness.emulator.clock.nowMs() - 10 * HOUR_MS);
    const quiet = (metric: string, value: number) =>
      harness.emulator.metrics.set(id, metric, plateau({ from: since, minutes: 100_000, value, otherwise: null }));
    quiet('CPU', 20);
    quiet('IngestionUtilization', 10);
    quiet('CacheUtilizationFactor', 10);
    quiet('KeepAlive', 1);
    // The early scale-in on strong evidence (6 quiet hours) is turned off: this test is about the full day.
    const target = {
      name: 'quietadx',
      kind: 'kusto-cluster',
      resourceId: kustoResourceId('quietadx'),
      mode: 'optimized',
      limits: { min: 2, max: 10 },
      optimized: { scaleInEarlyWindowMinutes: 0 },
    };
    const services = await harness.services(config(target));

    await tick(services);
    expect(patches('quietadx')).toHaveLength(0);
    expect(await lastDecision(services, 'quietadx')).toMatchObject({
      action: 'none',
      reason: 'EvaluationWindowIncomplete',
    });

    advance(15 * 60);
    await tick(services);
    expect(patches('quietadx')).toHaveLength(1);
    // To what the quiet day needs in one operation (maxStep.in 10): CPU 20 % of 6 at the 70 % target is 2.
    expect(patches('quietadx')[0]?.body).toMatchObject({ sku: { capacity: 2 } });
    expect(await lastDecision(services, 'quietadx')).toMatchObject({
      action: 'scale-in',
      from: 6,
      to: 2,
      reason: 'SustainedLowUtilization',
    });
  });

  it('does not act while another ARM update of the cluster runs', async () => {
    const id = addPg('busy');
    cpuSince(id, 70, 95);
    await postgresClient(harness.emulator).servers.beginUpdate(
      'rg-data',
      'busy',
      { cluster: { clusterSize: 5 } },
      FAST_LRO,
    );
    const services = await harness.services(config(pgTarget('busy')));
    await tick(services);
    expect(patches('busy')).toHaveLength(1); // only the one started outside the scaler
    expect(await lastDecision(services, 'busy')).toMatchObject({ action: 'none', reason: 'OperationInProgress' });
  });

  it("records an update ARM accepted and later failed as failed, with ARM's code and message, at the first tick that sees it", async () => {
    const id = addPg('noquota');
    cpuSince(id, 70, 95);
    harness.emulator.postgres.failNextUpdate(
      id,
      armError(409, 'QuotaExceeded', 'Not enough vCore quota in westeurope for 1 more node'),
    );
    const services = await harness.services(config(pgTarget('noquota')));
    await tick(services);
    const operation = await services.state.getOperationInProgress('noquota');
    expect(operation).toMatchObject({ status: 'running', to: 4 });

    advance(6); // the update fails when it ends, 5 minutes after ARM accepted it
    const lines = await tick(services);
    const ended = await services.state.getOperation('noquota', operation?.id ?? '');
    expect(ended).toMatchObject({ status: 'failed', completedAt: harness.emulator.clock.now() });
    expect(ended?.history.at(-1)?.message).toBe(
      'ARM reports the update failed: QuotaExceeded: Not enough vCore quota in westeurope for 1 more node',
    );
    expect(await services.state.getOperationInProgress('noquota')).toBeUndefined();
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('does not call an update that ended Succeeded with the size unchanged a success', async () => {
    const id = addPg('ignored');
    cpuSince(id, 70, 95);
    const services = await harness.services(config(pgTarget('ignored')));
    await tick(services);
    const operation = await services.state.getOperationInProgress('ignored');
    advance(6);
    // ARM says Succeeded, but the cluster is back at (or never left) 3 nodes.
    harness.emulator.postgres.modifyCluster(id, (body) => {
      if (body.properties.cluster) body.properties.cluster.clusterSize = 3;
    });
    await tick(services);
    const ended = await services.state.getOperation('ignored', operation?.id ?? '');
    expect(ended?.status).toBe('failed');
    expect(ended?.history.at(-1)?.message).toMatch(
      /^ARM reports the update to 4 as Succeeded, but it left the capacity unchanged at 3 \(state Ready\)/,
    );
  });

  it('survives a 429 storm with exactly one accepted PATCH', async () => {
    const id = addPg('throttled');
    cpuSince(id, 70, 95);
    harness.emulator.faults.throttle({ method: 'PATCH', path: '/throttled', times: 3, retryAfterSeconds: 0 });
    const services = await harness.services(config(pgTarget('throttled')));
    await tick(services);
    const attempts = harness.emulator.requests
      .filter({ method: 'PATCH' })
      .filter((request) => request.path.endsWith('/throttled'));
    expect(attempts.map((request) => request.status)).toEqual([429, 429, 429, 202]);
    advance(1);
    await tick(services);
    expect(patches('throttled')).toHaveLength(1);
    expect(await services.state.getOperationInProgress('throttled')).toMatchObject({ status: 'running', to: 4 });
  });

  it('lets only one of several concurrent evaluations act (lease, then a fresh read)', async () => {
    const id = addPg('raced');
    cpuSince(id, 70, 95);
    const prefix = `race${Date.now() % 100000}`;
    const configuration = config(pgTarget('raced'));
    const hosts = await Promise.all(
      [1, 2, 3, 4].map(() =>
        servicesFor(harness.emulator, harness.azurite, configuration, { SCALER_STATE_TABLE_PREFIX: prefix }),
      ),
    );
    await Promise.all(hosts.map((services) => tick(services)));
    expect(patches('raced')).toHaveLength(1);
    const reasons = (await hosts[0]!.state.listDecisions('raced', 10)).map((record) => record.decision.reason).sort();
    expect(reasons.filter((reason) => reason === 'ScaleOutRuleFired')).toHaveLength(1);
    expect(reasons.every((reason) => ['ScaleOutRuleFired', 'LeaseHeld', 'OperationInProgress'].includes(reason))).toBe(
      true,
    );
  });

  it('refuses to fight ADX optimized autoscale, and takes over when told to', async () => {
    const autoscale = { version: 1, isEnabled: true, minimum: 2, maximum: 8 };
    const hot = (name: string) => {
      const id = harness.emulator.kusto.addCluster({
        resourceGroup: 'rg-data',
        name,
        capacity: 3,
        optimizedAutoscale: autoscale,
      }).id;
      harness.emulator.metrics.set(id, 'CPU', constant(95));
    };
    hot('fightadx');
    hot('takeoveradx');
    const rules = [{ metric: 'CPU', operator: 'GreaterThan', threshold: 80, direction: 'out' }];
    const target = (name: string, onConflictingAutoscaler: string) => ({
      name,
      kind: 'kusto-cluster',
      resourceId: kustoResourceId(name),
      mode: 'custom',
      limits: { min: 2, max: 10 },
      rules,
      onConflictingAutoscaler,
    });
    const services = await harness.services(config(target('fightadx', 'refuse'), target('takeoveradx', 'take-over')));
    await tick(services);
    expect(patches('fightadx')).toHaveLength(0);
    expect(await lastDecision(services, 'fightadx')).toMatchObject({ reason: 'ConflictingAutoscaler' });
    expect(patches('takeoveradx')[0]?.body).toMatchObject({
      sku: { capacity: 4 },
      properties: { optimizedAutoscale: { isEnabled: false } },
    });
  });

  it('names the missing role when ARM refuses the update with 403', async () => {
    const id = addPg('forbidden');
    cpuSince(id, 70, 95);
    harness.emulator.faults.forbid({ method: 'PATCH', path: '/forbidden' });
    const services = await harness.services(config(pgTarget('forbidden')));
    // The only target failed, so the invocation fails too, and shows up as failed in Application Insights.
    await expect(tick(services)).rejects.toThrow(
      /lacks permission \(403 AuthorizationFailed.*grant it the ".*flexibleServers\/write\)" role on the resource/,
    );
    harness.emulator.faults.clear();
    expect((await services.state.listOperations('forbidden', 1))[0]).toMatchObject({ status: 'failed', to: 4 });
  });

  it('keeps evaluating the other targets when one cannot be read, and logs with the structured keys', async () => {
    const id = addPg('healthy');
    cpuSince(id, 70, 95);
    const services = await harness.services(config(pgTarget('healthy'), pgTarget('vanished')));
    const lines = await tick(services);
    expect(patches('healthy')).toHaveLength(1);
    const failure = lines.find((line) => line.level === 'error');
    expect(failure?.message).toMatch(/vanished failed: the resource does not exist \(404/);
    expect(failure?.fields).toMatchObject({
      target: 'vanished',
      resourceId: pgResourceId('vanished'),
      invocationId: expect.any(String),
    });
    const acted = lines.find(
      (line) => line.fields?.target === 'healthy' && line.message.startsWith('started scale-out'),
    );
    expect(acted?.fields).toMatchObject({
      resourceId: id,
      decisionId: expect.any(String),
      operationId: expect.any(String),
      invocationId: expect.any(String),
    });
    expect(lines.at(-1)?.message).toBe('evaluated 2 target(s): 1 scaled, 1 failed');
  });

  it('scales nothing when Table Storage is unreachable, and says why', async () => {
    const id = addPg('nostate');
    cpuSince(id, 70, 95);
    // Port 9 (discard) on loopback: nothing listens, so every Table Storage call is refused.
    const closedPort = harness.azurite.connectionString.replace(
      /TableEndpoint=http:\/\/127\.0\.0\.1:\d+/,
      'TableEndpoint=http://127.0.0.1:9',
    );
    const services = await servicesFor(
      harness.emulator,
      { ...harness.azurite, connectionString: closedPort },
      config(pgTarget('nostate')),
    );
    await expect(tick(services)).rejects.toThrow(/Table Storage unreachable/);
    expect(patches('nostate')).toHaveLength(0);
  });
});
