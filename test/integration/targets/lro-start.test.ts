/**
 * Starting an update costs one ARM request: the PATCH. The resume token built without the SDK's first status poll
 * is the token the SDK itself writes (same mode, resource location and operation URL), and polling it from a later
 * invocation follows the operation to its end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import { KustoManagementClient } from '@azure/arm-kusto';
import {
  armClientOptions,
  startAzureEmulator,
  StaticTokenCredential,
  type AzureEmulator,
} from '../../../tools/emulator/index.js';
import { startWithoutPolling } from '../../../shared/targets/lro.js';
import { POSTGRES_UPDATE_LRO } from '../../../shared/targets/postgres-elastic/postgres-elastic-target.js';
import { KUSTO_UPDATE_LRO } from '../../../shared/targets/kusto/kusto-target.js';
import { SUBSCRIPTION } from '../../support/scaler-harness.js';

let emulator: AzureEmulator;
let postgres: PostgreSQLManagementFlexibleServerClient;
let kusto: KustoManagementClient;

beforeAll(async () => {
  emulator = await startAzureEmulator({ subscriptionId: SUBSCRIPTION });
  for (const name of ['pg-sdk', 'pg-ours']) emulator.postgres.addCluster({ resourceGroup: 'rg', name, clusterSize: 2 });
  for (const name of ['adxsdk', 'adxours']) emulator.kusto.addCluster({ resourceGroup: 'rg', name, capacity: 2 });
  const credential = new StaticTokenCredential();
  postgres = new PostgreSQLManagementFlexibleServerClient(credential, SUBSCRIPTION, armClientOptions(emulator));
  kusto = new KustoManagementClient(credential, SUBSCRIPTION, armClientOptions(emulator));
});
afterAll(async () => emulator?.close());

/** The token's state with the operation's own id blanked, so two operations' tokens compare. */
function shapeOf(token: string): unknown {
  return JSON.parse(token.replace(/(azureAsyncOperation|operationResults)\/[^"]+/gi, '$1/ID')) as unknown;
}

describe('startWithoutPolling', () => {
  it('sends only the PATCH of an elastic cluster, and writes the token the SDK writes', async () => {
    const sdk = await postgres.servers.beginUpdate('rg', 'pg-sdk', { cluster: { clusterSize: 3 } });
    emulator.requests.clear();
    const ours = await startWithoutPolling(
      (options) => postgres.servers.beginUpdate('rg', 'pg-ours', { cluster: { clusterSize: 3 } }, options),
      POSTGRES_UPDATE_LRO,
    );

    expect(emulator.requests.all().map((request) => request.method)).toEqual(['PATCH']);
    expect(shapeOf(ours)).toEqual(shapeOf(sdk.toString()));

    emulator.clock.advance(6 * 60_000);
    const resumed = await postgres.servers.beginUpdate('rg', 'pg-ours', {}, { resumeFrom: ours });
    await resumed.pollUntilDone();
    expect(resumed.getOperationState().status).toBe('succeeded');
    const id = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-ours`;
    expect(emulator.postgres.getCluster(id).properties.cluster?.clusterSize).toBe(3);
  });

  it('sends only the PATCH of an ADX cluster, and writes the token the SDK writes', async () => {
    const sku = emulator.kusto.getCluster(
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Kusto/clusters/adxsdk`,
    ).sku;
    const update = { sku: { name: sku.name, tier: sku.tier, capacity: 3 } } as Parameters<
      typeof kusto.clusters.beginUpdate
    >[2];
    const sdk = await kusto.clusters.beginUpdate('rg', 'adxsdk', update);
    emulator.requests.clear();
    const ours = await startWithoutPolling(
      (options) => kusto.clusters.beginUpdate('rg', 'adxours', update, options),
      KUSTO_UPDATE_LRO,
    );

    expect(emulator.requests.all().map((request) => request.method)).toEqual(['PATCH']);
    expect(shapeOf(ours)).toEqual(shapeOf(sdk.toString()));
  });

  it('passes ARM refusing the update on as the SDK reports it', async () => {
    const refusal = startWithoutPolling(
      (options) => postgres.servers.beginUpdate('rg', 'no-such-server', { cluster: { clusterSize: 3 } }, options),
      POSTGRES_UPDATE_LRO,
    );

    await expect(refusal).rejects.toMatchObject({ statusCode: 404 });
  });
});
