/**
 * The Azure emulator driven by the real management SDK clients: elastic-cluster and Kusto reads, long-running
 * updates that complete as the emulator clock advances, conflicts, configurations, auth and api-version errors.
 */
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import type { FullOperationResponse } from '@azure/core-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AzureEmulator } from '../../tools/emulator/index.js';
import {
  FAST_LRO,
  StaticTokenCredential,
  armClientOptions,
  kustoClient,
  postgresClient,
  rawRequest,
  restErrorFrom,
  startAzureEmulator,
} from '../../tools/emulator/index.js';

const RG = 'scaler-rg';
const MINUTES = 60_000;

let emulator: AzureEmulator;

beforeEach(async () => {
  emulator = await startAzureEmulator({ pageSize: 5 });
});

afterEach(async () => {
  await emulator.close();
});

/** Collects every raw response an SDK call sees (initial request and each poll). */
function responseRecorder() {
  const responses: FullOperationResponse[] = [];
  return { responses, onResponse: (response: FullOperationResponse) => void responses.push(response) };
}

describe('PostgreSQL elastic clusters', () => {
  it('serves a cluster GET shaped like the recorded service response', async () => {
    const added = emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1', location: 'canadacentral' });
    const { responses, onResponse } = responseRecorder();

    const server = await postgresClient(emulator).servers.get(RG, 'pg1', { onResponse });

    expect(server).toMatchObject({
      id: added.id,
      name: 'pg1',
      type: 'Microsoft.DBforPostgreSQL/flexibleServers',
      location: 'Canada Central',
      sku: { name: 'Standard_D2ds_v4', tier: 'GeneralPurpose' },
      cluster: { clusterSize: 2, defaultDatabaseName: 'postgres' },
      state: 'Ready',
      replica: { role: 'Primary', replicationState: 'Active' },
      highAvailability: { mode: 'Disabled' },
    });
    expect(responses[0]?.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(emulator.requests.filter({ method: 'GET' })[0]?.apiVersion).toBe('2025-08-01');
  });

  it('compares resource group and server names case-insensitively, like ARM', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1' });

    const server = await postgresClient(emulator).servers.get(RG.toUpperCase(), 'PG1');

    expect(server.name).toBe('pg1');
  });

  it('answers 404 ResourceNotFound for a server that does not exist', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1' });

    const error = await restErrorFrom(postgresClient(emulator).servers.get(RG, 'missing'));

    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('ResourceNotFound');
  });

  it('lists servers across pages by following nextLink', async () => {
    for (let index = 0; index < 7; index += 1) emulator.postgres.addCluster({ resourceGroup: RG, name: `pg${index}` });
    const client = postgresClient(emulator);

    const byGroup = [];
    for await (const server of client.servers.listByResourceGroup(RG)) byGroup.push(server.name);
    const bySubscription = [];
    for await (const server of client.servers.listBySubscription()) bySubscription.push(server.name);

    expect(byGroup).toHaveLength(7);
    expect(bySubscription).toHaveLength(7);
    expect(emulator.requests.count({ method: 'GET', path: /flexibleServers$/ })).toBe(4);
  });

  it('grows a cluster from 2 to 4 nodes through the LRO as the emulator clock advances', async () => {
    const { id } = emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1', updateDurationMs: 20 * MINUTES });
    const client = postgresClient(emulator);
    const { responses, onResponse } = responseRecorder();

    const poller = await client.servers.beginUpdate(
      RG,
      'pg1',
      { cluster: { clusterSize: 4 } },
      { ...FAST_LRO, onResponse },
    );
    const during = await client.servers.get(RG, 'pg1');
    const done = poller.pollUntilDone();
    await emulator.requests.waitFor({ path: '/azureAsyncOperation/' }, 3);
    emulator.clock.advance(20 * MINUTES);
    const result = await done;

    expect(during.state).toBe('Updating');
    expect(during.cluster?.clusterSize).toBe(2);
    expect(result.cluster?.clusterSize).toBe(4);
    expect(result.state).toBe('Ready');
    const accepted = responses[0];
    expect(accepted?.status).toBe(202);
    expect(accepted?.headers.get('azure-asyncoperation')).toMatch(
      new RegExp(
        `^${emulator.endpoint}/subscriptions/[^/]+/providers/Microsoft\\.DBforPostgreSQL/locations/canadacentral/azureAsyncOperation/[0-9a-f-]{36}\\?api-version=2025-08-01&t=`,
      ),
    );
    expect(accepted?.headers.get('location')).toContain('/locations/canadacentral/operationResults/');
    expect(accepted?.parsedBody).toMatchObject({ operation: 'UpsertFlexClusterManagementOperation' });
    const statuses = responses
      .map((response) => (response.parsedBody as { status?: string } | undefined)?.status)
      .filter(Boolean);
    expect(statuses).toContain('InProgress');
    expect(statuses.at(-1)).toBe('Succeeded');
    expect(emulator.requests.count({ method: 'PATCH' })).toBe(1);
    expect(emulator.postgres.getConfiguration(id, 'citus.max_client_connections').properties.value).toBe(
      String(Math.floor(859 / 4)),
    );
  });

  it('answers 409 ServerBusy to a second PATCH while an update runs', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1' });
    const client = postgresClient(emulator);
    await client.servers.beginUpdate(RG, 'pg1', { cluster: { clusterSize: 3 } }, FAST_LRO);

    const error = await restErrorFrom(client.servers.beginUpdate(RG, 'pg1', { cluster: { clusterSize: 4 } }, FAST_LRO));

    expect(error.statusCode).toBe(409);
    expect(error.code).toBe('ServerBusy');
    expect(error.message).toBe("Server 'pg1' is busy with another operation. Please try again later.");
  });

  it('accepts a smaller cluster size and leaves the size unchanged, as the service does', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1', clusterSize: 3, updateDurationMs: MINUTES });
    const poller = await postgresClient(emulator).servers.beginUpdate(
      RG,
      'pg1',
      { cluster: { clusterSize: 1 } },
      FAST_LRO,
    );

    emulator.clock.advance(MINUTES);
    const result = await poller.pollUntilDone();

    expect(result.cluster?.clusterSize).toBe(3);
  });

  it('fails a size above 20 through the async operation with UnsupportedValue, already in the first poll', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1' });

    const begin = postgresClient(emulator).servers.beginUpdate(RG, 'pg1', { cluster: { clusterSize: 21 } }, FAST_LRO);

    await expect(begin).rejects.toThrow(
      'The long-running operation has failed. UnsupportedValue. Unsupported value 21 for parameter NumberOfNodes',
    );
    expect(emulator.requests.filter({ method: 'PATCH' }).map((request) => request.status)).toEqual([202]);
    expect(
      emulator.postgres.getCluster(
        `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1`,
      ).properties.state,
    ).toBe('Ready');
  });

  it('answers the monitor URLs like ARM: status 200 throughout, Location 202 until done, then the resource', async () => {
    const delayed = await startAzureEmulator({ lroRetryAfterSeconds: 0 });
    try {
      delayed.postgres.addCluster({ resourceGroup: RG, name: 'pg1', updateDurationMs: MINUTES });
      const auth = { headers: { Authorization: 'Bearer test' } };
      const patch = await rawRequest(
        delayed,
        `/subscriptions/${delayed.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1?api-version=2025-08-01`,
        {
          ...auth,
          method: 'PATCH',
          body: { properties: { cluster: { clusterSize: 3 } } },
        },
      );
      const statusUrl = String(patch.headers['azure-asyncoperation']);
      const locationUrl = String(patch.headers['location']);

      const [statusRunning, locationRunning] = await Promise.all([
        rawRequest(delayed, statusUrl, auth),
        rawRequest(delayed, locationUrl, auth),
      ]);
      delayed.clock.advance(MINUTES);
      const [statusDone, locationDone] = await Promise.all([
        rawRequest(delayed, statusUrl, auth),
        rawRequest(delayed, locationUrl, auth),
      ]);

      expect([patch.status, patch.headers['retry-after']]).toEqual([202, '0']);
      expect([statusRunning.status, statusRunning.body]).toEqual([
        200,
        { name: expect.any(String), status: 'InProgress', startTime: '2026-01-05T08:00:00Z' },
      ]);
      expect(locationRunning.status).toBe(202);
      expect([statusDone.status, statusDone.body]).toEqual([
        200,
        { name: expect.any(String), status: 'Succeeded', startTime: '2026-01-05T08:00:00Z' },
      ]);
      expect([locationDone.status, locationDone.body]).toEqual([
        200,
        expect.objectContaining({
          name: 'pg1',
          properties: expect.objectContaining({ cluster: { clusterSize: 3, defaultDatabaseName: 'postgres' } }),
        }),
      ]);
    } finally {
      await delayed.close();
    }
  });

  it('refuses writes on a stopped server with 409', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1', state: 'Stopped' });

    const error = await restErrorFrom(
      postgresClient(emulator).servers.beginUpdate(RG, 'pg1', { cluster: { clusterSize: 4 } }, FAST_LRO),
    );

    expect(error.statusCode).toBe(409);
    expect(error.code).toBe('ServerUnavailableForOperation');
  });
});

describe('PostgreSQL server parameters', () => {
  it('lists every parameter across pages, Citus connection limits derived from the node count', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1', clusterSize: 2 });

    const configurations = [];
    for await (const configuration of postgresClient(emulator).configurations.listByServer(RG, 'pg1'))
      configurations.push(configuration);

    const byName = new Map(configurations.map((configuration) => [configuration.name, configuration]));
    expect(byName.get('max_connections')).toMatchObject({
      value: '859',
      defaultValue: '859',
      source: 'system-default',
      isDynamicConfig: false,
    });
    expect(byName.get('citus.max_client_connections')).toMatchObject({
      value: '429',
      source: 'system-default',
      dataType: 'Integer',
    });
    expect(byName.get('citus.max_shared_pool_size')).toMatchObject({ value: '429', source: 'system-default' });
    expect(byName.get('citus.max_background_task_executors_per_node')).toMatchObject({
      value: '1',
      allowedValues: '1-128',
    });
    expect(byName.get('citus.max_background_task_executors')).toMatchObject({ value: '1' });
    expect(byName.get('archive_mode')).toMatchObject({ value: 'always', source: 'user-override' });
    expect(emulator.requests.count({ path: '/configurations' })).toBeGreaterThan(1);
  });

  it('keeps a user override of citus.max_client_connections when the cluster grows', async () => {
    const { id } = emulator.postgres.addCluster({
      resourceGroup: RG,
      name: 'pg1',
      configurationUpdateDurationMs: 30_000,
      updateDurationMs: MINUTES,
    });
    const client = postgresClient(emulator);

    const update = await client.configurations.beginUpdate(
      RG,
      'pg1',
      'citus.max_client_connections',
      { value: '300', source: 'user-override' },
      FAST_LRO,
    );
    emulator.clock.advance(30_000);
    const overridden = await update.pollUntilDone();
    const grow = await client.servers.beginUpdate(RG, 'pg1', { cluster: { clusterSize: 4 } }, FAST_LRO);
    emulator.clock.advance(MINUTES);
    await grow.pollUntilDone();

    expect(overridden).toMatchObject({ name: 'citus.max_client_connections', value: '300', source: 'user-override' });
    expect(emulator.postgres.getConfiguration(id, 'citus.max_client_connections').properties).toMatchObject({
      value: '300',
      defaultValue: '214',
    });
    expect(emulator.postgres.getConfiguration(id, 'citus.max_shared_pool_size').properties).toMatchObject({
      value: '214',
      source: 'system-default',
    });
  });

  it('rejects a value outside allowedValues with 400 before starting an operation', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1' });

    const error = await restErrorFrom(
      postgresClient(emulator).configurations.beginPut(
        RG,
        'pg1',
        'citus.max_background_task_executors_per_node',
        { value: '500', source: 'user-override' },
        FAST_LRO,
      ),
    );

    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('InvalidParameterValue');
  });
});

describe('Kusto clusters', () => {
  const kustoSpec = {
    resourceGroup: RG,
    name: 'adx1',
    location: 'westus',
    skuName: 'Standard_L16as_v3',
    capacity: 2,
  } as const;

  it('serves a cluster GET with sku, state and provisioning state', async () => {
    emulator.kusto.addCluster(kustoSpec);

    const cluster = await kustoClient(emulator).clusters.get(RG, 'adx1');

    expect(cluster).toMatchObject({
      name: 'adx1',
      type: 'Microsoft.Kusto/Clusters',
      location: 'westus',
      sku: { name: 'Standard_L16as_v3', tier: 'Standard', capacity: 2 },
      state: 'Running',
      provisioningState: 'Succeeded',
      uri: 'https://adx1.westus.kusto.windows.net',
    });
    expect(cluster.id).toContain('/providers/Microsoft.Kusto/Clusters/adx1');
  });

  it('scales capacity through a 202 with Azure-AsyncOperation, Updating until the clock passes the duration', async () => {
    const { id } = emulator.kusto.addCluster({ ...kustoSpec, updateDurationMs: 15 * MINUTES });
    const client = kustoClient(emulator);
    const { responses, onResponse } = responseRecorder();

    const poller = await client.clusters.beginUpdate(
      RG,
      'adx1',
      { sku: { name: 'Standard_L16as_v3', tier: 'Standard', capacity: 4 } },
      { ...FAST_LRO, onResponse },
    );
    const during = await client.clusters.get(RG, 'adx1');
    const conflict = await restErrorFrom(
      client.clusters.beginUpdate(
        RG,
        'adx1',
        { sku: { name: 'Standard_L16as_v3', tier: 'Standard', capacity: 5 } },
        FAST_LRO,
      ),
    );
    const done = poller.pollUntilDone();
    await emulator.requests.waitFor({ path: '/operationResults/' }, 2);
    emulator.clock.advance(15 * MINUTES);
    const result = await done;

    expect(responses[0]?.status).toBe(202);
    expect(responses[0]?.headers.get('azure-asyncoperation')).toMatch(
      /\/providers\/Microsoft\.Kusto\/locations\/westus\/operationResults\/[0-9a-f-]{36}\?api-version=2023-08-15$/,
    );
    expect(responses[0]?.headers.get('location')).toBeUndefined();
    expect(during).toMatchObject({ state: 'Updating', provisioningState: 'Running', sku: { capacity: 2 } });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.code).toBe('RequestConflict');
    expect(conflict.message).toContain(
      `Cannot modify resource with id '${id}' because the resource entity provisioning state is not terminal`,
    );
    expect(result).toMatchObject({ state: 'Running', provisioningState: 'Succeeded', sku: { capacity: 4 } });
    expect(emulator.requests.count({ method: 'PATCH', status: 202 })).toBe(1);
  });

  it('updates optimized autoscale', async () => {
    emulator.kusto.addCluster({ ...kustoSpec, updateDurationMs: MINUTES });
    const poller = await kustoClient(emulator).clusters.beginUpdate(
      RG,
      'adx1',
      { optimizedAutoscale: { version: 1, isEnabled: true, minimum: 2, maximum: 8 } },
      FAST_LRO,
    );

    emulator.clock.advance(MINUTES);
    const result = await poller.pollUntilDone();

    expect(result.optimizedAutoscale).toEqual({ version: 1, isEnabled: true, minimum: 2, maximum: 8 });
  });

  it('lists the SKUs of a cluster with capacity bounds, and refuses a capacity outside them', async () => {
    emulator.kusto.addCluster({ ...kustoSpec, skuCapacity: { minimum: 2, maximum: 16 } });
    const client = kustoClient(emulator);

    const skus = [];
    for await (const sku of client.clusters.listSkusByResource(RG, 'adx1')) skus.push(sku);
    const error = await restErrorFrom(
      client.clusters.beginUpdate(
        RG,
        'adx1',
        { sku: { name: 'Standard_L16as_v3', tier: 'Standard', capacity: 17 } },
        FAST_LRO,
      ),
    );

    expect(skus[0]).toEqual({
      resourceType: 'clusters',
      sku: { name: 'Standard_L16as_v3', tier: 'Standard' },
      capacity: { minimum: 2, maximum: 16, default: 2, scaleType: 'automatic' },
    });
    expect(error.statusCode).toBe(400);
  });

  it('lists clusters of a subscription and a resource group, and region SKUs', async () => {
    emulator.kusto.addCluster(kustoSpec);
    emulator.kusto.addCluster({ ...kustoSpec, resourceGroup: 'other-rg', name: 'adx2' });
    const client = kustoClient(emulator);

    const all = [];
    for await (const cluster of client.clusters.list()) all.push(cluster.name);
    const inGroup = [];
    for await (const cluster of client.clusters.listByResourceGroup(RG)) inGroup.push(cluster.name);
    const regionSkus = [];
    for await (const sku of client.skus.list('westus')) regionSkus.push(sku.name);

    expect(all.sort()).toEqual(['adx1', 'adx2']);
    expect(inGroup).toEqual(['adx1']);
    expect(regionSkus).toContain('Standard_L16as_v3');
  });
});

describe('ARM front door', () => {
  it('answers 401 with an ARM error body when the bearer token is missing', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1' });

    const response = await rawRequest(
      emulator,
      `/subscriptions/${emulator.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1?api-version=2025-08-01`,
    );

    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." },
    });
  });

  it('answers 400 to an api-version it does not serve', async () => {
    emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1' });
    const client = new PostgreSQLManagementFlexibleServerClient(new StaticTokenCredential(), emulator.subscriptionId, {
      ...armClientOptions(emulator),
      apiVersion: '2024-08-01',
    });

    const error = await restErrorFrom(client.servers.get(RG, 'pg1'));

    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('InvalidResourceType');
    expect(error.message).toContain("The supported api-versions are '2025-08-01'");
  });

  it('answers 404 ResourceGroupNotFound for a resource group it never saw', async () => {
    const error = await restErrorFrom(postgresClient(emulator).servers.get('no-such-rg', 'pg1'));

    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('ResourceGroupNotFound');
  });
});
