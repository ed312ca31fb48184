/**
 * Fault injection seen through the real SDK clients: 429 retried after Retry-After, 403 surfaced, 5xx and connection
 * resets retried, latency, and faults in the middle of an LRO.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AzureEmulator } from '../../tools/emulator/index.js';
import {
  EMULATOR_PRINCIPAL_ID,
  FAST_LRO,
  metricsClient,
  postgresClient,
  restErrorFrom,
  startAzureEmulator,
} from '../../tools/emulator/index.js';

const RG = 'scaler-rg';
const POSTGRES = 'Microsoft.DBforPostgreSQL/flexibleServers';

let emulator: AzureEmulator;
let serverId: string;

beforeEach(async () => {
  emulator = await startAzureEmulator();
  serverId = emulator.postgres.addCluster({ resourceGroup: RG, name: 'pg1', updateDurationMs: 60_000 }).id;
});

afterEach(async () => {
  await emulator.close();
});

describe('injected faults', () => {
  it('429: the SDK waits for Retry-After, then retries and succeeds', async () => {
    emulator.faults.throttle({ method: 'GET', path: '/flexibleServers/pg1', times: 1, retryAfterSeconds: 1 });

    const server = await postgresClient(emulator).servers.get(RG, 'pg1');

    const [throttled, retried] = emulator.requests.filter({ method: 'GET' });
    expect(server.name).toBe('pg1');
    expect([throttled?.status, throttled?.fault, retried?.status]).toEqual([429, 'throttled', 200]);
    // A lower bound only: a slower machine can only make the gap longer.
    expect((retried?.receivedAtMs ?? 0) - (throttled?.receivedAtMs ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('429 on the metrics endpoint is retried the same way', async () => {
    emulator.faults.throttle({ path: 'metrics:getBatch', times: 1, retryAfterSeconds: 0 });

    const results = await metricsClient(emulator, 'canadacentral').queryResources(
      [serverId],
      ['cpu_percent'],
      POSTGRES,
    );

    expect(results).toHaveLength(1);
    expect(emulator.requests.filter({ path: 'metrics:getBatch' }).map((request) => request.status)).toEqual([429, 200]);
  });

  it('403: AuthorizationFailed names the denied action and is not retried', async () => {
    emulator.faults.forbid({ method: 'PATCH' });

    const error = await restErrorFrom(
      postgresClient(emulator).servers.beginUpdate(RG, 'pg1', { cluster: { clusterSize: 4 } }, FAST_LRO),
    );

    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('AuthorizationFailed');
    expect(error.message).toBe(
      `The client '${EMULATOR_PRINCIPAL_ID}' with object id '${EMULATOR_PRINCIPAL_ID}' does not have authorization to perform action ` +
        `'Microsoft.DBforPostgreSQL/flexibleServers/write' over scope '${serverId}' or the scope is invalid. ` +
        'If access was recently granted, please refresh your credentials.',
    );
    expect(emulator.requests.count({ method: 'PATCH' })).toBe(1);
    expect(emulator.postgres.getCluster(serverId).properties.cluster?.clusterSize).toBe(2);
  });

  it('403 on the metrics endpoint names Microsoft.Insights/metrics/read', async () => {
    emulator.faults.forbid({ path: 'metrics:getBatch' });

    const error = await restErrorFrom(
      metricsClient(emulator, 'canadacentral').queryResources([serverId], ['cpu_percent'], POSTGRES),
    );

    expect(error.statusCode).toBe(403);
    expect(error.message).toContain("action 'Microsoft.Insights/metrics/read'");
  });

  it('503 and a connection reset are retried by the SDK', async () => {
    emulator.faults.serverError({ method: 'GET', status: 503, times: 1 });
    emulator.faults.resetConnection({ method: 'GET', times: 1 });

    const server = await postgresClient(emulator).servers.get(RG, 'pg1');

    expect(server.name).toBe('pg1');
    expect(emulator.requests.filter({ method: 'GET' }).map((request) => [request.status, request.fault])).toEqual([
      [503, 'server-error'],
      [0, 'connection-reset'],
      [200, undefined],
    ]);
  });

  it('a persistent 500 surfaces after the SDK has used its three retries', async () => {
    emulator.faults.serverError({ method: 'GET', times: 10 });

    const error = await restErrorFrom(postgresClient(emulator).servers.get(RG, 'pg1'));

    expect(error.statusCode).toBe(500);
    expect(error.code).toBe('InternalServerError');
    expect(emulator.requests.count({ method: 'GET' })).toBe(4);
  });

  it('a throttled status poll does not break the long-running operation', async () => {
    emulator.faults.throttle({ path: '/azureAsyncOperation/', times: 2, retryAfterSeconds: 0 });
    const poller = await postgresClient(emulator).servers.beginUpdate(
      RG,
      'pg1',
      { cluster: { clusterSize: 4 } },
      FAST_LRO,
    );

    emulator.clock.advance(60_000);
    const result = await poller.pollUntilDone();

    expect(result.cluster?.clusterSize).toBe(4);
    expect(emulator.requests.count({ path: '/azureAsyncOperation/', status: 429 })).toBe(2);
  });

  it('holds matching requests back by the fixed latency', async () => {
    emulator.faults.delay({ ms: 50, path: '/flexibleServers/pg1' });
    const client = postgresClient(emulator);

    const startedAtMs = Date.now();
    await client.servers.get(RG, 'pg1');
    const elapsedMs = Date.now() - startedAtMs;

    // Lower bound only (with slack for timer rounding), so a slow machine cannot fail it.
    expect(elapsedMs).toBeGreaterThanOrEqual(45);
    expect(emulator.requests.filter({ method: 'GET' }).map((request) => request.status)).toEqual([200]);
  });
});
