/**
 * The scaler's Citus SQL (shared/citus/sql.ts through CitusClient) against the Citus stand-in on a real PostgreSQL:
 * every statement the follow-up and `scaler rebalance` send, unchanged. Simulated time ('manual' mode).
 */
import { createServer, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../support/postgres.js';
import { CITUS_SETTING_DEFAULTS, setServerSetting } from '../../../tools/citus-standin/index.js';
import { scaledOutCluster, type StandinDb } from '../../../tools/citus-standin/testing.js';
import { CitusClient } from '../../../shared/citus/citus-client.js';
import { summarizePlan } from '../../../shared/citus/plan.js';
import { summarizeRebalance } from '../../../shared/citus/progress.js';
import { AlterSystemSettings } from '../../../cli/alter-system-settings.js';
import { executorChanges } from '../../../shared/citus/parallelism.js';
import { MAX_EXECUTORS, MAX_EXECUTORS_PER_NODE } from '../../../shared/citus/names.js';
import { ProviderError, TransientError } from '../../../shared/vocabulary/errors.js';
import { RebalanceNotRunningError } from '../../../shared/citus/errors.js';

const MIB = 1024 * 1024;
let server: PostgresServer;
const open: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  server = await startPostgres({ config: CITUS_SETTING_DEFAULTS });
});

afterEach(async () => {
  const admin = await CitusClient.connectUrl(server.connectionString);
  await admin.alterSystem({ [MAX_EXECUTORS]: undefined, [MAX_EXECUTORS_PER_NODE]: undefined });
  await admin.close();
  await Promise.all(open.splice(0).map((each) => each.close()));
});

afterAll(async () => {
  await server.stop();
});

async function cluster(
  options: Parameters<typeof scaledOutCluster>[1] = {},
): Promise<{ db: StandinDb; sql: CitusClient }> {
  const db = await scaledOutCluster(server, options);
  const sql = await CitusClient.connectUrl(db.connectionString);
  open.push(db, sql);
  return { db, sql };
}

const advance = (db: StandinDb, seconds: number) => db.query('SELECT citus_standin.advance($1)', [seconds]);

describe('CitusClient against the Citus stand-in', () => {
  it('reads the nodes, with the two added by the scale-out active and able to hold shards', async () => {
    const { sql } = await cluster();
    const nodes = await sql.nodes();
    expect(nodes.map((node) => [node.port, node.isActive, node.role, node.shouldHaveShards])).toEqual([
      [5432, true, 'primary', true],
      [5433, true, 'primary', true],
      [5434, true, 'primary', true],
      [5435, true, 'primary', true],
    ]);
  });

  it('plans 8 shard-group moves of 24 MiB onto the new nodes, sizes taken from citus_shards', async () => {
    const { sql } = await cluster();
    const plan = summarizePlan(await sql.plan('by_disk_size'));
    expect(plan.moves).toHaveLength(8);
    expect(
      plan.moves.every(
        (move) => move.bytes === 24 * MIB && move.tables.join() === 'events,event_items' && move.shardIds.length === 2,
      ),
    ).toBe(true);
    expect(plan.totalBytes).toBe(192 * MIB);
    expect(plan.bytesInByNode).toEqual({ 'localhost:5434': 96 * MIB, 'localhost:5435': 96 * MIB });
    expect(summarizePlan(await sql.plan(undefined)).moves).toHaveLength(8);
  });

  it('sums the shard bytes per node, and finds tables without a replica identity', async () => {
    const { db, sql } = await cluster();
    expect(await sql.shardBytesByNode()).toMatchObject({
      'localhost:5432': 8 * 24 * MIB,
      'localhost:5433': 8 * 24 * MIB,
    });
    expect(await sql.tablesWithoutReplicaIdentity(['events', 'event_items'])).toEqual([]);
    await db.query('ALTER TABLE event_items DROP CONSTRAINT event_items_pkey');
    expect(await sql.tablesWithoutReplicaIdentity(['events', 'event_items'])).toEqual(['event_items']);
    await db.query('ALTER TABLE event_items REPLICA IDENTITY FULL');
    expect(await sql.tablesWithoutReplicaIdentity(['event_items'])).toEqual([]);
  });

  it('starts a job, sizes its moves, follows it to finished, and reports nothing to move afterwards', async () => {
    const { db, sql } = await cluster();
    expect(await sql.latestRebalance()).toBeUndefined();
    const started = await sql.startRebalance({
      strategy: 'by_disk_size',
      transferMode: 'auto',
      parallelTransferColocatedShards: false,
      parallelTransferReferenceTables: false,
    });
    expect(started).toMatchObject({ kind: 'started', notice: expect.stringMatching(/^Scheduled 8 moves as job \d+$/) });
    if (started.kind !== 'started') return;
    const taskBytes = await sql.moveBytesByTask(started.jobId);
    expect(Object.values(taskBytes)).toEqual(Array(8).fill(24 * MIB));

    await advance(db, 1 + 2 + 1 + 3);
    const status = await sql.jobStatus(started.jobId);
    const progress = summarizeRebalance(status!, await sql.jobTasks(started.jobId), {
      taskBytes,
      now: new Date(),
      stuckScheduledMinutes: 10,
    });
    expect(progress).toMatchObject({
      state: 'running',
      moves: { total: 8, done: 0, running: 1, waiting: 7 },
      bytes: { total: 192 * MIB, moved: 12 * MIB },
    });
    expect(progress.running[0]).toMatchObject({
      phase: 'Copying Data',
      bytesCopied: 12 * MIB,
      bytesTotal: 24 * MIB,
      target: expect.stringMatching(/^localhost:543[45]$/),
    });

    expect(
      await sql.startRebalance({
        transferMode: 'block_writes',
        parallelTransferColocatedShards: false,
        parallelTransferReferenceTables: false,
      }),
    ).toEqual({
      kind: 'adopted',
      jobId: started.jobId,
      message: `A rebalance is already running as job ${started.jobId}`,
    });
    await db.query('SELECT citus_standin.run_until_terminal()');
    const finished = summarizeRebalance((await sql.jobStatus(started.jobId))!, await sql.jobTasks(started.jobId), {
      taskBytes,
      now: new Date(),
      stuckScheduledMinutes: 10,
    });
    expect(finished).toMatchObject({
      state: 'finished',
      percent: 100,
      moves: { done: 8 },
      bytes: { moved: 192 * MIB },
    });
    expect((await sql.latestRebalance())?.jobId).toBe(started.jobId);
    expect(
      await sql.startRebalance({
        transferMode: 'auto',
        parallelTransferColocatedShards: false,
        parallelTransferReferenceTables: false,
      }),
    ).toEqual({ kind: 'nothing-to-move', notice: 'No moves available for rebalancing' });
  });

  it('stops a running job, and says so when there is nothing to stop', async () => {
    const { db, sql } = await cluster();
    await sql.startRebalance({
      transferMode: 'auto',
      parallelTransferColocatedShards: false,
      parallelTransferReferenceTables: false,
    });
    await advance(db, 3);
    await sql.stopRebalance();
    await advance(db, 1);
    expect((await sql.latestRebalance())?.state).toBe('cancelled');
    await expect(sql.stopRebalance()).rejects.toBeInstanceOf(RebalanceNotRunningError);
  });

  it.each([
    {
      name: 'a table without replica identity in auto mode',
      setup: 'ALTER TABLE event_items DROP CONSTRAINT event_items_pkey',
      error: ProviderError,
      message: /cannot use logical replication .* event_items .*; add a primary key/,
    },
    {
      name: 'a foreground rebalance holding the lock',
      setup: 'SELECT citus_standin.hold_rebalance_lock(true)',
      error: TransientError,
      message:
        /could not acquire the lock required to rebalance public.events; a shard move or a foreground rebalance \(rebalance_table_shards\) holds the lock until it ends$/,
    },
  ])('maps $name to a clear error', async ({ setup, error, message }) => {
    const { db, sql } = await cluster();
    await db.query(setup);
    const failure = sql.startRebalance({
      transferMode: 'auto',
      parallelTransferColocatedShards: false,
      parallelTransferReferenceTables: false,
    });
    await expect(failure).rejects.toBeInstanceOf(error);
    await expect(failure).rejects.toThrow(message);
  });

  it('raises both executor settings with ALTER SYSTEM, runs moves in parallel, and puts the settings back', async () => {
    const { db, sql } = await cluster();
    const settings = new AlterSystemSettings(sql);
    const before = await settings.snapshot();
    expect(before).toEqual({
      [MAX_EXECUTORS]: { name: MAX_EXECUTORS, value: '1', setByAlterSystem: false },
      [MAX_EXECUTORS_PER_NODE]: { name: MAX_EXECUTORS_PER_NODE, value: '1', setByAlterSystem: false },
    });
    const changes = executorChanges(before, 2);
    await settings.apply(changes);
    expect(
      Object.values(await sql.readSettings([MAX_EXECUTORS, MAX_EXECUTORS_PER_NODE])).map((reading) => [
        reading.value,
        reading.setByAlterSystem,
      ]),
    ).toEqual([
      ['2', true],
      ['2', true],
    ]);

    const started = await sql.startRebalance({
      transferMode: 'auto',
      parallelTransferColocatedShards: true,
      parallelTransferReferenceTables: true,
    });
    if (started.kind !== 'started') throw new Error('expected a job');
    let mostRunning = 0;
    for (let step = 0; step < 400; step++) {
      const status = await sql.jobStatus(started.jobId);
      mostRunning = Math.max(mostRunning, status?.tasks.filter((task) => task.state === 'running').length ?? 0);
      if (status?.state === 'finished') break;
      await advance(db, 0.5);
    }
    expect(mostRunning).toBe(2);

    await settings.restore(
      before,
      changes.map((change) => change.name),
    );
    expect(await settings.snapshot()).toEqual(before);
  });

  it('restores a setting that was set with ALTER SYSTEM before to that value, not to the default', async () => {
    const { db, sql } = await cluster();
    await setServerSetting(db.client, MAX_EXECUTORS, 3);
    const settings = new AlterSystemSettings(sql);
    const before = await settings.snapshot();
    expect(before[MAX_EXECUTORS]).toEqual({ name: MAX_EXECUTORS, value: '3', setByAlterSystem: true });
    await settings.apply(executorChanges(before, 8));
    await settings.restore(before, [MAX_EXECUTORS, MAX_EXECUTORS_PER_NODE]);
    expect(await settings.snapshot()).toEqual(before);
  });

  it('gives up on a server that accepts the connection and never answers, instead of hanging', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const failure = CitusClient.connectUrl(`postgres://scaler@127.0.0.1:${port}/postgres`, undefined, {
        connectTimeoutMs: 200,
      });
      await expect(failure).rejects.toBeInstanceOf(TransientError);
      await expect(failure).rejects.toThrow(
        `connecting on 127.0.0.1:${port}/postgres failed: the server did not answer in time`,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
