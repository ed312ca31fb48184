/**
 * ARM accepted a PATCH, but its answer or our record of it got lost: Table Storage failing right after the 202
 * (a TCP proxy in front of a real Azurite, cut at the moment the emulator accepts), or the connection dropping
 * after ARM carried the PATCH out (the SDK sends it again and gets 409). The registered timer and the alert
 * handler against the ARM/Monitor emulator; time is the emulator's clock.
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
import { startCuttableProxy, throughProxy, type CuttableProxy } from '../support/cuttable-proxy.js';
import { scalerApi } from '../support/api-services.js';
import { alertFor, alertId } from '../support/alert-fixtures.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';
import type { Services } from '../../functions/composition-root.js';

let harness: Harness;
let proxy: CuttableProxy;

beforeAll(async () => {
  harness = await startHarness();
  proxy = await startCuttableProxy(Number(new URL(harness.azurite.tableEndpoint).port));
});

afterAll(async () => {
  await proxy?.close();
  await harness?.stop();
});

const advance = (minutes: number) => harness.emulator.clock.advance(minutes * MINUTE_MS);
const patches = (name: string) => acceptedPatches(harness.emulator, name);
const config = (...targets: unknown[]): ConfigInput => ({ version: 1, targets }) as ConfigInput;

function hotPg(name: string) {
  const target = addManualPg(harness.emulator, name);
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
  return {
    ...target,
    mode: 'custom',
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
  };
}

/** Services whose Table Storage goes through the cuttable proxy. */
function servicesThroughProxy(...targets: unknown[]): Promise<Services> {
  return servicesFor(
    harness.emulator,
    { ...harness.azurite, connectionString: throughProxy(harness.azurite.connectionString, proxy.port) },
    config(...targets),
  );
}

/** Table Storage goes away at the moment ARM accepts the PATCH of `name`, before the 202 reaches the scaler. */
function cutStorageWhenArmAccepts(name: string): void {
  harness.emulator.requests.beforeAnswer({ method: 'PATCH', path: `/${name}`, status: 202 }, () => proxy.cut());
}

async function onlyOperation(services: Services, name: string) {
  const operations = await services.state.listOperations(name, 10);
  expect(operations).toHaveLength(1);
  return operations[0];
}

describe('an update ARM accepted while Table Storage failed', () => {
  it('is adopted by a later evaluation and carried to its end, never recorded as failed', async () => {
    const name = 'lostrecord';
    const services = await servicesThroughProxy(hotPg(name));
    cutStorageWhenArmAccepts(name);
    const lines = await tick(services);
    proxy.restore();

    expect(patches(name)).toHaveLength(1);
    expect(lines.find((line) => line.message.includes('but recording it failed'))).toMatchObject({
      level: 'error',
      fields: { target: name, operationId: expect.any(String) },
    });
    expect(await onlyOperation(services, name)).toMatchObject({ status: 'started', to: 4 });

    advance(1); // still within the lease of the evaluation that started it: left alone
    await tick(services);
    expect(await onlyOperation(services, name)).toMatchObject({ status: 'started' });

    advance(2);
    await tick(services);
    const adopted = await onlyOperation(services, name);
    expect(adopted?.status).toBe('running');
    expect(adopted?.history.at(-1)?.message).toMatch(
      /^adopted: an ARM operation is in progress \(server state Updating\), started when this operation sent 3 -> 4/,
    );

    advance(3); // the emulator's update takes 5 minutes
    await tick(services);
    const ended = await onlyOperation(services, name);
    expect(ended?.status).toBe('succeeded');
    expect(ended?.history.map((step) => step.status)).toEqual(['started', 'running', 'succeeded']);
    expect(patches(name)).toHaveLength(1);
    expect(harness.emulator.postgres.getCluster(pgResourceId(name)).properties.cluster?.clusterSize).toBe(4);
  });

  it("keeps the alert receipt, so Azure Monitor's redelivery scales nothing a second time", async () => {
    const name = 'lostalert';
    const services = await servicesThroughProxy({
      ...addManualPg(harness.emulator, name),
      cooldowns: { scaleOutMinutes: 0 },
      alerts: { allowRules: ['lost-alert-rule'] },
    });
    const api = scalerApi(services);
    const payload = alertFor({
      resourceId: pgResourceId(name),
      alertId: alertId('lost-1'),
      alertRule: 'lost-alert-rule',
      customProperties: { 'scaler.direction': 'out' },
    });
    cutStorageWhenArmAccepts(name);
    const first = await api.alert(payload);
    proxy.restore();

    expect(first.status).toBe(202);
    expect(patches(name)).toHaveLength(1);
    advance(3);
    const retry = await api.alert(payload);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ duplicate: true });
    expect(patches(name)).toHaveLength(1);
  });
});

describe('a PATCH whose answer was lost after ARM carried it out', () => {
  it("adopts the update the SDK's retry was refused for with 409, instead of cancelling it", async () => {
    const name = 'lostanswer';
    const services = await harness.services(config(hotPg(name)));
    harness.emulator.faults.loseAnswer({ method: 'PATCH', path: `/${name}` });
    const lines = await tick(services);

    const sent = harness.emulator.requests
      .filter({ method: 'PATCH' })
      .filter((request) => request.path.endsWith(`/${name}`));
    expect(sent.map((request) => request.fault ?? request.status)).toEqual(['answer-lost', 409]);
    const adopted = await onlyOperation(services, name);
    expect(adopted?.status).toBe('running');
    expect(adopted?.history.at(-1)?.message).toMatch(
      /^adopted: ARM answered 409 .*ServerBusy.* although the resource was idle a moment before/,
    );
    expect(lines.at(-1)?.message).toBe('evaluated 1 target(s): 1 scaled, 0 failed');

    advance(6);
    await tick(services);
    expect(await onlyOperation(services, name)).toMatchObject({ status: 'succeeded', to: 4 });
    expect(harness.emulator.postgres.getCluster(pgResourceId(name)).properties.cluster?.clusterSize).toBe(4);
  });

  it('gives up an update ARM shows no trace of, and only after the stale-start window', async () => {
    const name = 'neversent';
    const services = await harness.services(config(hotPg(name)));
    harness.emulator.faults.resetConnection({ method: 'PATCH', path: `/${name}`, times: 10 });
    await tick(services).catch(() => undefined);
    harness.emulator.faults.clear();
    expect(await onlyOperation(services, name)).toMatchObject({ status: 'started' });

    advance(10);
    await tick(services);
    expect(await onlyOperation(services, name)).toMatchObject({ status: 'started' });
    expect((await services.state.listDecisions(name, 1))[0]?.decision.reason).toBe('OperationInProgress');

    advance(6);
    await tick(services);
    const ended = (await services.state.listOperations(name, 10)).at(-1);
    expect(ended?.status).toBe('failed');
    expect(ended?.history.at(-1)?.message).toMatch(
      /^ARM shows no update of the resource and capacity still 3 15 min after this operation sent 3 -> 4/,
    );
  });
});
