import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armError,
  startAzureEmulator,
  StaticTokenCredential,
  type AzureEmulator,
} from '../../../tools/emulator/index.js';
import { ArmClients } from '../../../shared/targets/azure-clients.js';
import { buildScaleTargets } from '../../../shared/targets/build.js';
import { validateConfig } from '../../../shared/config/validate.js';
import { OperationInProgressError } from '../../../shared/targets/errors.js';
import { NotFoundError, NotSupportedError, ProviderError } from '../../../shared/vocabulary/errors.js';
import type { ScaleTarget } from '../../../shared/targets/scale-target.port.js';
import { FAST_RETRY, kustoResourceId, pgResourceId, SUBSCRIPTION } from '../../support/scaler-harness.js';

const MINUTE = 60_000;
let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startAzureEmulator({ subscriptionId: SUBSCRIPTION });
});
afterAll(async () => emulator?.close());

function targets(...entries: Array<Record<string, unknown>>): Map<string, ScaleTarget> {
  const result = validateConfig({
    version: 1,
    targets: entries.map((entry) => ({ mode: 'manual', limits: { min: 2, max: 20 }, ...entry })),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const clients = new ArmClients({
    credential: new StaticTokenCredential(),
    endpoint: emulator.endpoint,
    tlsCa: emulator.caPem,
    retry: FAST_RETRY,
    lroPollIntervalMs: 10,
  });
  return buildScaleTargets(result.config, clients);
}

const pg = (name: string) =>
  targets({ name, kind: 'postgres-elastic-cluster', resourceId: pgResourceId(name) }).get(name) as ScaleTarget;
const kusto = (name: string, extra: Record<string, unknown> = {}) =>
  targets({ name, kind: 'kusto-cluster', resourceId: kustoResourceId(name), ...extra }).get(name) as ScaleTarget;

describe('postgres-elastic-cluster scale target (real SDK against the ARM emulator)', () => {
  it('reads the cluster size, state, region and high availability', async () => {
    emulator.postgres.addCluster({
      resourceGroup: 'rg-data',
      name: 'read-me',
      location: 'Canada Central',
      clusterSize: 4,
      highAvailability: { mode: 'ZoneRedundant', state: 'Healthy' },
    });
    const live = await pg('read-me').read();
    expect(live).toMatchObject({
      capacity: 4,
      region: 'canadacentral',
      status: 'Ready',
      operationInProgress: undefined,
      details: { highAvailability: 'ZoneRedundant' },
    });
  });

  it('starts a scale-out without waiting, and polls it to completion as time passes', async () => {
    emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'grow', clusterSize: 2 });
    const target = pg('grow');
    const start = await target.startScale(4, await target.read());
    expect(start.arm.asyncOperationUrl).toContain('/azureAsyncOperation/');
    expect(start.arm.operationId).toBeDefined();
    expect(await target.pollScale(start)).toEqual({ status: 'running' });
    expect(await target.read()).toMatchObject({
      status: 'Updating',
      operationInProgress: { description: expect.stringContaining('Updating') },
    });
    emulator.clock.advance(6 * MINUTE);
    expect(await target.pollScale(start)).toEqual({ status: 'succeeded' });
    expect((await target.read()).capacity).toBe(4);
  });

  it("reports a size the service refuses with ARM's own reason, at the first poll", async () => {
    emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'too-big', clusterSize: 2 });
    const target = pg('too-big');
    // The recorded exchange: 202, then the first status poll says Failed. The start sends no poll (it would cost
    // an ARM read per act), so the refusal is the first poll's answer.
    const start = await target.startScale(21, await target.read());
    expect(await target.pollScale(start)).toEqual({
      status: 'failed',
      message: 'ARM reports the update failed: UnsupportedValue: Unsupported value 21 for parameter NumberOfNodes',
    });
  });

  it("reports an update ARM accepted and later failed as failed, with ARM's code and message, at the first poll that sees it", async () => {
    const { id } = emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'no-quota', clusterSize: 2 });
    const target = pg('no-quota');
    emulator.postgres.failNextUpdate(
      id,
      armError(409, 'QuotaExceeded', 'Not enough vCore quota in canadacentral for 2 more nodes'),
    );
    const start = await target.startScale(4, await target.read());
    expect(await target.pollScale(start)).toEqual({ status: 'running' });
    emulator.clock.advance(6 * MINUTE);
    expect(await target.pollScale(start)).toEqual({
      status: 'failed',
      message: 'ARM reports the update failed: QuotaExceeded: Not enough vCore quota in canadacentral for 2 more nodes',
    });
    expect(await target.pollScale(start)).toMatchObject({ status: 'failed' });
  });

  it('turns a 409 from a concurrent update into OperationInProgressError', async () => {
    emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'contended', clusterSize: 2 });
    const target = pg('contended');
    const live = await target.read();
    await target.startScale(3, live);
    await expect(target.startScale(4, live)).rejects.toBeInstanceOf(OperationInProgressError);
  });

  it('refuses scale-in with NotSupportedError before calling ARM', async () => {
    emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'shrink', clusterSize: 4 });
    const target = pg('shrink');
    const before = emulator.requests.count({ method: 'PATCH' });
    await expect(target.startScale(3, await target.read())).rejects.toBeInstanceOf(NotSupportedError);
    expect(emulator.requests.count({ method: 'PATCH' })).toBe(before);
  });

  it('names the resource when it does not exist, and the role on 403', async () => {
    await expect(pg('missing').read()).rejects.toThrow(NotFoundError);
    emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'locked', clusterSize: 2 });
    emulator.faults.forbid({ method: 'GET', path: '/locked' });
    const error = await pg('locked')
      .read()
      .catch((caught: unknown) => caught);
    emulator.faults.clear();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toMatch(/grant it the "Reader" role/);
  });

  it('refuses a plain flexible server that is not an elastic cluster', async () => {
    emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'single', clusterSize: null });
    await expect(pg('single').read()).rejects.toThrow(/not an elastic cluster/);
  });
});

describe('kusto-cluster scale target (real SDK against the ARM emulator)', () => {
  it('reads capacity, state and the SKU bounds, looking each SKU up once', async () => {
    emulator.kusto.addCluster({
      resourceGroup: 'rg-data',
      name: 'adxone',
      capacity: 3,
      skuCapacity: { minimum: 2, maximum: 16 },
    });
    emulator.kusto.addCluster({
      resourceGroup: 'rg-data',
      name: 'adxtwo',
      capacity: 5,
      skuCapacity: { minimum: 2, maximum: 16 },
    });
    const built = targets(
      { name: 'adxone', kind: 'kusto-cluster', resourceId: kustoResourceId('adxone') },
      { name: 'adxtwo', kind: 'kusto-cluster', resourceId: kustoResourceId('adxtwo') },
    );
    const skuCalls = () => emulator.requests.all().filter((request) => request.path.endsWith('/skus')).length;
    const before = skuCalls();
    const [one, two] = await Promise.all([built.get('adxone')!.read(), built.get('adxtwo')!.read()]);
    expect(one).toMatchObject({
      capacity: 3,
      status: 'Running/Succeeded',
      capacityBounds: { min: 2, max: 16 },
      region: 'westus',
    });
    expect(two.capacity).toBe(5);
    expect(skuCalls() - before).toBe(1);
  });

  it('changes sku.capacity as a long-running operation, in and out', async () => {
    emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'adxscale', capacity: 4 });
    const target = kusto('adxscale');
    const start = await target.startScale(3, await target.read());
    expect(await target.pollScale(start)).toEqual({ status: 'running' });
    emulator.clock.advance(11 * MINUTE);
    expect(await target.pollScale(start)).toEqual({ status: 'succeeded' });
    expect((await target.read()).capacity).toBe(3);
  });

  it("reports an update ARM accepted and later failed as failed, with ARM's code and message", async () => {
    const { id } = emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'adxnoquota', capacity: 2 });
    const target = kusto('adxnoquota');
    emulator.kusto.failNextUpdate(
      id,
      armError(
        400,
        'QuotaExceeded',
        'Operation could not be completed as it results in exceeding approved Standard LSv3 Family Cores quota',
      ),
    );
    const start = await target.startScale(3, await target.read());
    emulator.clock.advance(11 * MINUTE);
    expect(await target.pollScale(start)).toEqual({
      status: 'failed',
      message: expect.stringMatching(
        /^ARM reports the update failed: QuotaExceeded: Operation could not be completed .* quota$/,
      ),
    });
  });

  it('reports optimized autoscale, and turns it off in the same update when taking over', async () => {
    emulator.kusto.addCluster({
      resourceGroup: 'rg-data',
      name: 'adxauto',
      capacity: 3,
      optimizedAutoscale: { version: 1, isEnabled: true, minimum: 2, maximum: 8 },
    });
    const target = kusto('adxauto', { onConflictingAutoscaler: 'take-over' });
    const live = await target.read();
    expect(live.conflictingAutoscaler).toEqual({ name: 'ADX optimized autoscale', enabled: true });
    const start = await target.startScale(4, live);
    expect(start.disabledAutoscaler).toBe('ADX optimized autoscale');
    const patch = emulator.requests.filter({ method: 'PATCH' }).filter((request) => request.path.endsWith('/adxauto'));
    expect(patch[0]?.body).toMatchObject({
      sku: { capacity: 4 },
      properties: { optimizedAutoscale: { isEnabled: false, minimum: 2, maximum: 8, version: 1 } },
    });
  });
});
