import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { StateConflictError, TransientError } from '../../../shared/vocabulary/errors.js';
import { AzureEntityTable } from '../../../shared/state/azure-entity-table.js';
import { RowPreconditionFailed } from '../../../shared/state/entity-table.port.js';
import { tableNamesFor } from '../../../shared/state/keys.js';
import { TableStateStore } from '../../../shared/state/table-state-store.js';
import { startAzurite } from '../../support/azurite.js';
import type { AzuriteInstance } from '../../support/azurite.js';
import { describeStateStoreContract } from '../../unit/state/state-store.contract.js';

let azurite: AzuriteInstance;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  await azurite.stop();
});

// Every test gets its own tables (a fresh prefix) in the one Azurite of this file.
describeStateStoreContract('Table Storage on Azurite', async () => {
  const prefix = `t${randomBytes(6).toString('hex')}`;
  const names = tableNamesFor(prefix);
  return {
    store: TableStateStore.fromConnectionString(azurite.connectionString, { tablePrefix: prefix }),
    tableName: (kind) => names[kind],
    plantRow: async (kind, entity) => {
      const client = TableClient.fromConnectionString(azurite.connectionString, names[kind], {
        allowInsecureConnection: true,
      });
      await client.createTable();
      await client.upsertEntity(
        { ...entity.properties, partitionKey: entity.partitionKey, rowKey: entity.rowKey },
        'Replace',
      );
    },
  };
});

describe('TableStateStore', () => {
  it('creates its tables under the configured prefix on first use', async () => {
    const prefix = `t${randomBytes(6).toString('hex')}`;
    const store = TableStateStore.fromConnectionString(azurite.connectionString, { tablePrefix: prefix });

    await store.setPauses(
      'pg-prod',
      { scaleOut: true, scaleIn: false },
      { by: 'alice', reason: 'test' },
      new Date('2025-03-01T10:00:00Z'),
    );

    const client = TableClient.fromConnectionString(azurite.connectionString, `${prefix}Pauses`, {
      allowInsecureConnection: true,
    });
    const row = await client.getEntity('pg-prod', 'pauses');
    expect(row).toMatchObject({ schemaVersion: 1, scaleOut: true, scaleIn: false, updatedBy: 'alice' });
  });

  it('writes a batch all or none on the service: a stale ETag leaves every row as it was', async () => {
    const name = `t${randomBytes(6).toString('hex')}`;
    const client = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
    const table = new AzureEntityTable(client, 'azurite', 10_000);
    const etag = await table.create({ partitionKey: 'p', rowKey: 'summary', properties: { n: 1 } });
    const write = (summaryEtag: string) =>
      table.writeBatch([
        { kind: 'create', entity: { partitionKey: 'p', rowKey: 'op', properties: { n: 1 } } },
        { kind: 'replace', entity: { partitionKey: 'p', rowKey: 'summary', properties: { n: 2 } }, etag: summaryEtag },
      ]);

    await expect(write('W/"datetime\'2000-01-01T00%3A00%3A00.0000000Z\'"')).rejects.toBeInstanceOf(
      RowPreconditionFailed,
    );
    await expect(table.get('p', 'op')).resolves.toBeUndefined();

    await write(etag);
    const summary = await table.get('p', 'summary');
    expect(summary).toMatchObject({ properties: { n: 2 } });
    await expect(table.get('p', 'op')).resolves.toMatchObject({ properties: { n: 1 } });
    await expect(write(summary?.etag ?? '')).rejects.toMatchObject({ reason: 'exists' });
  });

  it('releases a lease it handed out in one request, and checks any other token against the row', async () => {
    const { store, otherInstance, log } = twoInstances();
    const t0 = new Date('2025-03-01T10:00:00Z');

    const lease = await store.acquireLease('pg-prod', 'invocation-a', t0, 60);
    log.requests.length = 0;
    await store.releaseLease(lease);
    expect(log.requests).toEqual(["DELETE Leases(PartitionKey='pg-prod',RowKey='lease')"]);

    const stale = await store.acquireLease('pg-prod', 'invocation-a', t0, 60);
    const takenOver = await otherInstance.acquireLease('pg-prod', 'invocation-b', new Date(t0.getTime() + 120_000), 60);
    const error = await store.releaseLease(stale).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StateConflictError);
    await expect(
      otherInstance.acquireLease('pg-prod', 'invocation-c', new Date(t0.getTime() + 130_000), 60),
    ).rejects.toBeInstanceOf(StateConflictError);
    await otherInstance.releaseLease(takenOver);
  });

  it('updates an operation it just recorded in one request: neither the operation nor its summary is read back', async () => {
    const { store, log } = twoInstances();
    const t0 = new Date('2025-03-01T10:00:00Z');
    const operation = {
      id: 'op-1',
      target: 'pg-prod',
      trigger: 'timer' as const,
      direction: 'out' as const,
      from: 2,
      to: 3,
      startedAt: t0,
      arm: {},
      initiator: 'timer',
      reason: 'cpu high',
    };
    const created = await store.createOperation(operation);

    log.requests.length = 0;
    await store.updateOperationStatus('pg-prod', 'op-1', { status: 'running', at: t0 }, created);

    expect(log.requests).toEqual(['POST $batch']);
    await expect(store.getOperation('pg-prod', 'op-1')).resolves.toMatchObject({ status: 'running' });
  });

  it("records an operation right after reading the target's operations without reading the summary on its own", async () => {
    const { store, otherInstance, log } = twoInstances();
    const t0 = new Date('2025-03-01T10:00:00Z');
    const base = {
      target: 'pg-prod',
      trigger: 'timer' as const,
      direction: 'out' as const,
      from: 2,
      to: 3,
      arm: {},
      initiator: 'timer',
      reason: 'cpu high',
    };
    await otherInstance.createOperation({ ...base, id: 'op-0', startedAt: t0 });
    await otherInstance.updateOperationStatus('pg-prod', 'op-0', { status: 'succeeded', at: t0 });

    await store.listOperations('pg-prod', 100);
    log.requests.length = 0;
    await store.createOperation({ ...base, id: 'op-1', startedAt: new Date(t0.getTime() + 60_000) });

    expect(log.requests).toEqual(['POST Operations', 'POST $batch']);
    expect((await otherInstance.getScaleHistory('pg-prod')).unfinished).toMatchObject({ from: 2, to: 3 });
    expect((await otherInstance.getFailureHistory('pg-prod', 10)).recent).toHaveLength(1);
  });

  it('writes over the summary it just wrote only while nobody else changed it, and keeps both changes', async () => {
    const { store, otherInstance } = twoInstances();
    const t0 = new Date('2025-03-01T10:00:00Z');
    const base = {
      target: 'pg-prod',
      trigger: 'timer' as const,
      from: 2,
      to: 3,
      arm: {},
      initiator: 'timer',
      reason: 'cpu high',
    };
    const created = await store.createOperation({ ...base, id: 'op-1', direction: 'out', startedAt: t0 });
    await otherInstance.createOperation({
      ...base,
      id: 'op-2',
      direction: 'in',
      from: 3,
      to: 2,
      startedAt: new Date(t0.getTime() + 1000),
    });

    const running = await store.updateOperationStatus('pg-prod', 'op-1', { status: 'running', at: t0 }, created);

    expect(running.status).toBe('running');
    const history = await otherInstance.getScaleHistory('pg-prod');
    expect(history.lastScaleOut).toMatchObject({ from: 2, to: 3 });
    expect(history.lastScaleIn).toMatchObject({ from: 3, to: 2 });
    const summaries = await otherInstance.listTargetSummaries();
    expect(summaries.get('pg-prod')?.history).toEqual(history);
    expect(history.unfinished).toMatchObject({ direction: 'in' });
  });

  it('names the endpoint, and no key, when Table Storage is unreachable', async () => {
    const port = await closedPort();
    const connectionString = azurite.connectionString.replace(
      /TableEndpoint=[^;]+/,
      `TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1`,
    );
    const store = TableStateStore.fromConnectionString(connectionString, { retryOptions: { maxRetries: 0 } });

    const error = await store.getPauses('pg-prod').then(
      () => undefined,
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(TransientError);
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^Table Storage unreachable at http://127\\.0\\.0\\.1:${port}/devstoreaccount1: .*ECONNREFUSED.*; nothing will scale until it answers, because leases and cooldowns cannot be enforced`,
      ),
    );
    expect(message).not.toContain(azurite.accountKey);
    expect(message).not.toContain('AccountKey');
  });

  it('gives the same clear error through a managed identity endpoint', async () => {
    const port = await closedPort();
    const store = TableStateStore.fromEndpoint(`https://127.0.0.1:${port}`, staticToken, {
      retryOptions: { maxRetries: 0 },
    });

    await expect(store.acquireLease('pg-prod', 'invocation-a', new Date('2025-03-01T10:00:00Z'), 60)).rejects.toThrow(
      `Table Storage unreachable at https://127.0.0.1:${port}: `,
    );
  });
});

const staticToken: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 'test-token', expiresOnTimestamp: Number.MAX_SAFE_INTEGER }),
};

/** Two stores on the same fresh tables, as two instances of the app would be; the first logs its requests. */
function twoInstances() {
  const prefix = `t${randomBytes(6).toString('hex')}`;
  const log = requestLog(prefix);
  const { connectionString } = azurite;
  return {
    store: TableStateStore.fromConnectionString(connectionString, { tablePrefix: prefix, policies: [log.policy] }),
    otherInstance: TableStateStore.fromConnectionString(connectionString, { tablePrefix: prefix }),
    log,
  };
}

/** A pipeline policy that notes each request sent to the store's tables: method, and path within the tables. */
function requestLog(tablePrefix: string): { policy: PipelinePolicy; requests: string[] } {
  const requests: string[] = [];
  const policy: PipelinePolicy = {
    name: 'requestLog',
    sendRequest: (request, next) => {
      const path = decodeURIComponent(new URL(request.url).pathname).replace(/^\/[^/]+\//, '');
      requests.push(`${request.method} ${path.startsWith(tablePrefix) ? path.slice(tablePrefix.length) : path}`);
      return next(request);
    },
  };
  return { policy, requests };
}

/** A port nothing listens on: bound once by us, then released. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
