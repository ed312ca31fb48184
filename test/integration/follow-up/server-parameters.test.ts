/**
 * The ARM server parameters of an elastic cluster through the real @azure/arm-postgresql-flexible client against
 * the HTTPS emulator: configurations.get / listByServer / beginUpdate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresClient, startAzureEmulator, type AzureEmulator } from '../../../tools/emulator/index.js';
import { SUBSCRIPTION } from '../../support/scaler-harness.js';
import { parseResourceId } from '../../../shared/vocabulary/resource-id.js';
import { ArmExecutorSettings, ServerParameters } from '../../../shared/targets/postgres-elastic/server-parameters.js';
import { readClusterFacts } from '../../../shared/targets/postgres-elastic/cluster-facts.js';
import { NotFoundError, ProviderError } from '../../../shared/vocabulary/errors.js';
import { OperationInProgressError } from '../../../shared/targets/errors.js';

let emulator: AzureEmulator;
let counter = 0;

beforeAll(async () => {
  emulator = await startAzureEmulator({ subscriptionId: SUBSCRIPTION });
});

afterAll(async () => {
  await emulator?.close();
});

function cluster(spec: { highAvailability?: { mode: string } } = {}) {
  counter += 1;
  const body = emulator.postgres.addCluster({
    resourceGroup: 'rg-data',
    name: `params${counter}`,
    clusterSize: 4,
    skuName: 'Standard_D4ds_v5',
    storageSizeGB: 512,
    configurationUpdateDurationMs: 0,
    ...spec,
  });
  const id = parseResourceId(body.id);
  if (!id) throw new Error('bad id');
  const client = postgresClient(emulator);
  return { id: body.id, parameters: new ServerParameters(client, id, body.id, 10), client, resource: id };
}

describe('ServerParameters', () => {
  it('reads parameters one by one and several at once from the paged listing, with where each value comes from', async () => {
    const { parameters } = cluster();
    expect(await parameters.get('max_connections')).toMatchObject({
      name: 'max_connections',
      value: '1718',
      source: 'system-default',
    });
    const many = await parameters.getMany([
      'max_connections',
      'citus.max_client_connections',
      'CITUS.MAX_SHARED_POOL_SIZE',
    ]);
    expect(many).toMatchObject({
      max_connections: { value: '1718' },
      'citus.max_client_connections': {
        value: '429',
        defaultValue: '429',
        source: 'system-default',
        allowedValues: '-1-1718',
      },
      'CITUS.MAX_SHARED_POOL_SIZE': { value: '429' },
    });
  });

  it('sets a value as a user override and resets it to the service default', async () => {
    const { id, parameters } = cluster();
    expect(await parameters.set('citus.max_background_task_executors', '4')).toMatchObject({
      value: '4',
      source: 'user-override',
    });
    expect(emulator.postgres.getConfiguration(id, 'citus.max_background_task_executors').properties).toMatchObject({
      value: '4',
      source: 'user-override',
    });
    expect((await parameters.reset('citus.max_background_task_executors', '1')).value).toBe('1');
    const patches = emulator.requests
      .filter({ method: 'PATCH' })
      .filter((request) => request.path.endsWith('/configurations/citus.max_background_task_executors'));
    expect(patches.map((request) => request.body)).toEqual([
      { properties: { value: '4', source: 'user-override' } },
      { properties: { value: '1', source: 'system-default' } },
    ]);
  });

  it('takes a snapshot of both executor settings, raises them, and puts them back', async () => {
    const { id, parameters } = cluster();
    const settings = new ArmExecutorSettings(parameters);
    const before = await settings.snapshot();
    expect(before['citus.max_background_task_executors']).toEqual({
      name: 'citus.max_background_task_executors',
      value: '1',
      source: 'system-default',
      defaultValue: '1',
    });
    await settings.apply([
      { name: 'citus.max_background_task_executors', from: '1', to: '4' },
      { name: 'citus.max_background_task_executors_per_node', from: '1', to: '4' },
    ]);
    expect(
      emulator.postgres.getConfiguration(id, 'citus.max_background_task_executors_per_node').properties.value,
    ).toBe('4');
    await settings.restore(before, [
      'citus.max_background_task_executors',
      'citus.max_background_task_executors_per_node',
    ]);
    expect((await settings.snapshot())['citus.max_background_task_executors'].value).toBe('1');
    expect((await settings.snapshot())['citus.max_background_task_executors_per_node'].value).toBe('1');
  });

  it.each([
    {
      name: 'a value the server does not allow',
      act: (parameters: ServerParameters) => parameters.set('citus.max_client_connections', '999999'),
      error: ProviderError,
      message: /ARM answered 400 \(InvalidParameterValue/,
    },
    {
      name: 'a parameter that does not exist',
      act: (parameters: ServerParameters) => parameters.get('citus.no_such_setting'),
      error: NotFoundError,
      message: /the resource does not exist \(404/,
    },
  ])('reports $name clearly', async ({ act, error, message }) => {
    const { parameters } = cluster();
    const failure = act(parameters);
    await expect(failure).rejects.toBeInstanceOf(error);
    await expect(failure).rejects.toThrow(message);
  });

  it('answers a change while the server is busy with another operation as OperationInProgress, and a missing role by name', async () => {
    const { parameters, resource, client } = cluster();
    await client.servers.beginUpdate(
      resource.resourceGroup,
      resource.name,
      { cluster: { clusterSize: 6 } },
      { updateIntervalInMs: 10 },
    );
    await expect(parameters.set('citus.max_background_task_executors', '2')).rejects.toBeInstanceOf(
      OperationInProgressError,
    );

    const other = cluster();
    emulator.faults.forbid({ method: 'PATCH', path: '/configurations/' });
    try {
      await expect(other.parameters.set('citus.max_background_task_executors', '2')).rejects.toThrow(
        /grant it the "elastic-scaler PostgreSQL Cluster Operator \(custom role with Microsoft.DBforPostgreSQL\/flexibleServers\/configurations\/write\)" role/,
      );
    } finally {
      emulator.faults.clear();
    }
  });

  it('reads the facts the follow-up connects and plans with', async () => {
    const { client, resource, id } = cluster({ highAvailability: { mode: 'ZoneRedundant' } });
    expect(await readClusterFacts(client, resource, id)).toEqual({
      fullyQualifiedDomainName: `${resource.name}.postgres.database.azure.com`,
      defaultDatabaseName: 'postgres',
      storageSizeGB: 512,
      highAvailability: true,
    });
  });
});
