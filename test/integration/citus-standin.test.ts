/**
 * The Citus stand-in against a real PostgreSQL: every statement below is one the product (or an operator) runs on a
 * real Citus cluster, checked against the Citus behaviour in docs/citus-rebalance.md. Time is simulated ('manual' mode) so nothing
 * depends on the wall clock; each test gets its own database.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres } from '../support/postgres.js';
import type { PostgresServer } from '../support/postgres.js';
import { CITUS_SETTING_DEFAULTS, setServerSetting } from '../../tools/citus-standin/index.js';
import { scaledOutCluster } from '../../tools/citus-standin/testing.js';
import type { StandinDb } from '../../tools/citus-standin/testing.js';

interface StatusRow {
  job_id: string;
  state: string;
  job_type: string;
  description: string;
  started_at: Date | null;
  finished_at: Date | null;
  details: { task_state_counts: Record<string, number>; tasks: Array<Record<string, unknown>> };
}

interface TaskRow {
  task_id: string;
  status: string;
  command: string;
  retry_count: number | null;
  not_before: Date | null;
  message: string;
  nodes_involved: number[] | null;
}

const PHASES = [
  'Not Started Yet',
  'Setting Up',
  'Copying Data',
  'Catching Up',
  'Creating Constraints',
  'Final Catchup',
  'Creating Foreign Keys',
  'Completing',
  'Completed',
];
const EXECUTOR_SETTINGS = [
  'citus.max_background_task_executors',
  'citus.max_background_task_executors_per_node',
] as const;

let server: PostgresServer;
const open: StandinDb[] = [];

beforeAll(async () => {
  server = await startPostgres({ config: CITUS_SETTING_DEFAULTS });
});

afterEach(async () => {
  // ALTER SYSTEM is server-wide: put the executor settings back for the next test.
  const db = open[0];
  if (db !== undefined) {
    for (const name of EXECUTOR_SETTINGS) await setServerSetting(db.client, name, CITUS_SETTING_DEFAULTS[name]);
  }
  await Promise.all(open.splice(0).map((each) => each.close()));
});

afterAll(async () => {
  await server.stop();
});

async function cluster(
  options: Parameters<typeof scaledOutCluster>[1] = {},
): Promise<Awaited<ReturnType<typeof scaledOutCluster>>> {
  const db = await scaledOutCluster(server, options);
  open.push(db);
  return db;
}

async function status(db: StandinDb, raw = false): Promise<StatusRow> {
  return db.one<StatusRow>('SELECT * FROM citus_rebalance_status(raw => $1)', [raw]);
}

async function tasks(db: StandinDb, jobId: string): Promise<TaskRow[]> {
  return db.query<TaskRow>('SELECT * FROM pg_dist_background_task WHERE job_id = $1 ORDER BY task_id', [jobId]);
}

async function start(db: StandinDb, args = ''): Promise<string> {
  const row = await db.one<{ job_id: string | null }>(`SELECT citus_rebalance_start(${args}) AS job_id`);
  if (row.job_id === null) throw new Error('citus_rebalance_start returned NULL');
  return row.job_id;
}

async function advance(db: StandinDb, seconds: number): Promise<void> {
  await db.query('SELECT citus_standin.advance($1)', [seconds]);
}

/** Advances in small steps until the job is terminal, recording the largest number of moves running at once. */
async function runObservingParallelism(
  db: StandinDb,
  jobId: string,
): Promise<{ maxRunning: number; maxPerNode: number }> {
  let maxRunning = 0;
  let maxPerNode = 0;
  for (let step = 0; step < 2000; step++) {
    const running = (await tasks(db, jobId)).filter(
      (task) => task.status === 'running' && task.command.includes('citus_move_shard_placement'),
    );
    maxRunning = Math.max(maxRunning, running.length);
    const perNode = new Map<number, number>();
    for (const node of running.flatMap((task) => task.nodes_involved ?? []))
      perNode.set(node, (perNode.get(node) ?? 0) + 1);
    maxPerNode = Math.max(maxPerNode, ...perNode.values(), 0);
    if (['finished', 'failed', 'cancelled'].includes((await status(db)).state)) return { maxRunning, maxPerNode };
    await advance(db, 0.5);
  }
  throw new Error('the job did not finish within 1000 simulated seconds');
}

async function groupsPerNode(db: StandinDb): Promise<Record<string, number>> {
  const rows = await db.query<{ nodeport: number; groups: string }>(
    "SELECT nodeport, count(*) AS groups FROM citus_shards WHERE table_name = 'events'::regclass GROUP BY nodeport ORDER BY nodeport",
  );
  return Object.fromEntries(rows.map((row) => [String(row.nodeport), Number(row.groups)]));
}

describe('citus stand-in: a rebalance after a scale-out', () => {
  it('plans moves of shard groups onto the new workers, one row per colocated shard, with shard_size 0', async () => {
    const db = await cluster();

    const plan = await db.query<Record<string, unknown>>('SELECT * FROM get_rebalance_table_shards_plan()');

    expect(Object.keys(plan[0] ?? {})).toEqual([
      'table_name',
      'shardid',
      'shard_size',
      'sourcename',
      'sourceport',
      'targetname',
      'targetport',
    ]);
    expect(plan).toHaveLength(16); // 8 group moves x 2 colocated tables
    expect(new Set(plan.map((row) => row.table_name))).toEqual(new Set(['events', 'event_items']));
    expect(new Set(plan.map((row) => row.targetport))).toEqual(new Set([5434, 5435]));
    expect(new Set(plan.map((row) => row.shard_size))).toEqual(new Set(['0']));
  });

  it('schedules the reference-table copy first, then one move per shard group, and reports the job id', async () => {
    const db = await cluster();

    const jobId = await start(db);

    expect(db.notices.at(-1)).toMatchObject({
      severity: 'NOTICE',
      message: `Scheduled 8 moves as job ${jobId}`,
      detail: 'Rebalance scheduled as background job',
      hint: 'To monitor progress, run: SELECT * FROM citus_rebalance_status();',
    });
    const scheduled = await status(db);
    expect(scheduled).toMatchObject({
      job_id: jobId,
      state: 'scheduled',
      job_type: 'rebalance',
      description: 'Rebalance all colocation groups',
      started_at: null,
      finished_at: null,
      details: { tasks: [], task_state_counts: { blocked: 8, runnable: 1 } },
    });
    const [copy, ...moves] = await tasks(db, jobId);
    expect(copy).toMatchObject({
      status: 'runnable',
      command: "SELECT pg_catalog.replicate_reference_tables('auto')",
      nodes_involved: null,
    });
    expect(moves).toHaveLength(8);
    for (const move of moves) {
      expect(move.command).toMatch(/^SELECT pg_catalog\.citus_move_shard_placement\(\d+,[12],[34],'auto'\)$/);
      expect(move.status).toBe('blocked');
    }
  });

  it('goes from scheduled to running to finished and leaves each node its share of the shards', async () => {
    const db = await cluster();
    const jobId = await start(db);

    await advance(db, 1);
    const running = await status(db);
    expect(running.state).toBe('running');
    expect(running.started_at).toBeInstanceOf(Date);
    expect(running.finished_at).toBeNull();

    expect(await db.one('SELECT citus_standin.run_until_terminal() AS state')).toEqual({ state: 'finished' });
    const finished = await status(db);
    expect(finished).toMatchObject({
      job_id: jobId,
      state: 'finished',
      details: { tasks: [], task_state_counts: { done: 9 } },
    });
    expect(finished.finished_at?.getTime()).toBeGreaterThan(finished.started_at?.getTime() ?? Infinity);
    expect(await groupsPerNode(db)).toEqual({ 5432: 4, 5433: 4, 5434: 4, 5435: 4 });
    expect(
      await db.one("SELECT count(*)::int AS placements FROM citus_shards WHERE table_name = 'countries'::regclass"),
    ).toEqual({ placements: 4 });
    expect(await db.query('SELECT * FROM get_rebalance_table_shards_plan()')).toEqual([]);
  });

  it('describes a running move in details.tasks: phase, sizes, hosts and LSNs, as numbers with raw => true', async () => {
    const db = await cluster();
    const jobId = await start(db);
    await advance(db, 1 + 2 + 1 + 3); // start delay, reference copy, move setup, 3 s of copying at 4 MiB/s

    const raw = await status(db, true);
    expect(raw.details.task_state_counts).toEqual({ done: 1, running: 1, blocked: 7 });
    const [task] = raw.details.tasks;
    expect(Object.keys(task ?? {}).sort()).toEqual([
      'LSN',
      'command',
      'hosts',
      'message',
      'phase',
      'retried',
      'size',
      'state',
      'task_id',
    ]);
    expect(task).toMatchObject({
      state: 'running',
      retried: 0,
      phase: 'Copying Data',
      message: '',
      size: { source: 25165824, target: 12582912 },
    });
    expect(task?.hosts).toEqual({
      source: expect.stringMatching(/^localhost:543[23]$/),
      target: expect.stringMatching(/^localhost:543[45]$/),
    });
    expect(task?.LSN).toEqual({ source: expect.any(String), target: null, lag: null });
    expect(PHASES).toContain(task?.phase);
    expect((await tasks(db, jobId)).find((each) => each.status === 'running')?.command).toBe(task?.command);

    const pretty = await status(db, false);
    expect(pretty.details.tasks[0]?.size).toEqual({ source: '24 MB', target: '12 MB' });

    const progress = await db.query<{ shardid: string; operation_type: string; status: string }>(
      'SELECT * FROM get_rebalance_progress()',
    );
    expect(progress).toHaveLength(2); // the events shard and its colocated event_items shard
    expect(progress.map((row) => [row.operation_type, row.status])).toEqual([
      ['move', 'Copying Data'],
      ['move', 'Copying Data'],
    ]);
  });

  it('returns a NULL job id with a notice when there is nothing to move', async () => {
    const db = await cluster({ scaleOut: false });

    expect(await db.one('SELECT citus_rebalance_start() AS job_id')).toEqual({ job_id: null });
    expect(db.notices.at(-1)).toMatchObject({ severity: 'NOTICE', message: 'No moves available for rebalancing' });
    expect(await db.query('SELECT * FROM citus_rebalance_status()')).toEqual([]);

    await db.query("DELETE FROM pg_dist_partition WHERE partmethod = 'h'");
    expect(await db.one('SELECT citus_rebalance_start() AS job_id')).toEqual({ job_id: null });
    expect(db.notices.at(-1)).toMatchObject({ message: 'No tables to rebalance' });
  });

  it('refuses a second start while the job is not terminal, naming the job to adopt', async () => {
    const db = await cluster();
    const jobId = await start(db);

    for (const state of ['scheduled', 'running']) {
      const error = await db.failure("SELECT citus_rebalance_start(shard_transfer_mode => 'block_writes')");
      expect({ state, code: error.code, message: error.message, detail: error.detail, hint: error.hint }).toEqual({
        state,
        code: 'XX000',
        message: `A rebalance is already running as job ${jobId}`,
        detail: 'A rebalance was already scheduled as background job',
        hint: 'To monitor progress, run: SELECT * FROM citus_rebalance_status();',
      });
      await advance(db, 1);
    }
    expect(await db.one('SELECT count(*)::int AS jobs FROM pg_dist_background_job')).toEqual({ jobs: 1 });
  });

  it('runs a job to its end from citus_rebalance_wait() and warns when there is nothing to wait on', async () => {
    const db = await cluster();
    await start(db);

    await db.query('SELECT citus_rebalance_wait()');
    expect((await status(db)).state).toBe('finished');

    await db.query('SELECT citus_rebalance_wait()');
    expect(db.notices.at(-1)).toMatchObject({
      severity: 'WARNING',
      code: '01000',
      message: 'no ongoing rebalance that can be waited on',
    });
  });
});

describe('citus stand-in: parallel moves need three things at once', () => {
  it.each([
    { name: 'the defaults', executors: 1, perNode: 1, parallel: false, expected: 1 },
    { name: 'only the per-node limit raised', executors: 1, perNode: 4, parallel: true, expected: 1 },
    {
      name: 'both limits raised, without parallel_transfer_colocated_shards',
      executors: 4,
      perNode: 4,
      parallel: false,
      expected: 1,
    },
    { name: 'both limits and the flag, 2 per node', executors: 4, perNode: 2, parallel: true, expected: 4 },
    { name: 'both limits and the flag, 1 per node', executors: 4, perNode: 1, parallel: true, expected: 2 },
  ])('runs at most $expected moves at once with $name', async ({ executors, perNode, parallel, expected }) => {
    const db = await cluster();
    await setServerSetting(db.client, 'citus.max_background_task_executors', executors);
    await setServerSetting(db.client, 'citus.max_background_task_executors_per_node', perNode);
    const jobId = await start(db, `parallel_transfer_colocated_shards => ${parallel}`);

    const observed = await runObservingParallelism(db, jobId);

    expect(observed.maxRunning).toBe(expected);
    expect(observed.maxPerNode).toBeLessThanOrEqual(perNode);
    expect(await groupsPerNode(db)).toEqual({ 5432: 4, 5433: 4, 5434: 4, 5435: 4 });
  });

  it('moves faster in simulated time when moves run in parallel', async () => {
    const sequential = await cluster();
    await start(sequential);
    await sequential.query('SELECT citus_standin.run_until_terminal()');
    const parallel = await cluster();
    await setServerSetting(parallel.client, 'citus.max_background_task_executors', 4);
    await setServerSetting(parallel.client, 'citus.max_background_task_executors_per_node', 2);
    await start(parallel, 'parallel_transfer_colocated_shards => true');
    await parallel.query('SELECT citus_standin.run_until_terminal()');

    const duration = async (db: StandinDb): Promise<number> => {
      const row = await status(db);
      return (row.finished_at?.getTime() ?? NaN) - (row.started_at?.getTime() ?? NaN);
    };
    expect(await duration(parallel)).toBeLessThan((await duration(sequential)) / 2);
  });

  it('ignores a cluster-wide limit raised mid-job but applies a per-node limit raised mid-job', async () => {
    const db = await cluster();
    await setServerSetting(db.client, 'citus.max_background_task_executors_per_node', 2);
    const first = await start(db, 'parallel_transfer_colocated_shards => true');
    await advance(db, 2);
    await setServerSetting(db.client, 'citus.max_background_task_executors', 4);
    expect((await runObservingParallelism(db, first)).maxRunning).toBe(1);

    const second = await cluster();
    await setServerSetting(second.client, 'citus.max_background_task_executors', 4);
    await setServerSetting(second.client, 'citus.max_background_task_executors_per_node', 1);
    const jobId = await start(second, 'parallel_transfer_colocated_shards => true');
    await advance(second, 4);
    const before = (await tasks(second, jobId)).filter((task) => task.status === 'running').length;
    await setServerSetting(second.client, 'citus.max_background_task_executors_per_node', 2);
    const after = await runObservingParallelism(second, jobId);

    expect(before).toBe(2);
    expect(after.maxRunning).toBe(4);
  });
});

describe('citus stand-in: failures, retries and cancellation', () => {
  it('shows a retrying move with its retry count and message while the job keeps running, then finishes', async () => {
    const db = await cluster();
    const jobId = await start(db);
    const firstMove = (await tasks(db, jobId))[1];
    await db.query('SELECT citus_standin.fail_task($1, times => 2)', [firstMove?.task_id]);

    await advance(db, 1 + 2 + 1 + 3); // the move fails half way through copying: 1 s setup + 3 s
    const failedOnce = (await tasks(db, jobId)).find((task) => task.task_id === firstMove?.task_id);
    const clock = (await db.one<{ clock: Date }>('SELECT citus_standin.clock() AS clock')).clock;
    expect(failedOnce).toMatchObject({
      status: 'runnable',
      retry_count: 1,
      message: 'ERROR: Could not fetch disk stats for node: localhost-5434',
    });
    expect(failedOnce?.not_before?.getTime()).toBe(clock.getTime() + 5000);
    const retrying = await status(db);
    expect(retrying.state).toBe('running');
    expect(retrying.details.tasks).toEqual([
      {
        task_id: Number(firstMove?.task_id),
        state: 'runnable',
        retried: 1,
        message: failedOnce?.message,
        command: firstMove?.command,
      },
    ]);

    await advance(db, 5 + 4);
    const failedTwice = (await tasks(db, jobId)).find((task) => task.task_id === firstMove?.task_id);
    expect(failedTwice).toMatchObject({ status: 'runnable', retry_count: 2 });
    expect(failedTwice?.not_before?.getTime()).toBe(clock.getTime() + 9000 + 20000);

    expect(await db.one('SELECT citus_standin.run_until_terminal() AS state')).toEqual({ state: 'finished' });
    expect((await tasks(db, jobId)).find((task) => task.task_id === firstMove?.task_id)).toMatchObject({
      status: 'done',
      retry_count: 2,
    });
  });

  it('fails the job when a move keeps failing: the move ends in error after 32 retries, its dependents unscheduled', async () => {
    const db = await cluster();
    const jobId = await start(db);
    const firstMove = (await tasks(db, jobId))[1];
    await db.query('SELECT citus_standin.fail_task($1, times => -1)', [firstMove?.task_id]);

    await db.query('SELECT citus_rebalance_wait()'); // returns normally for failed jobs too

    const failed = await status(db);
    expect(failed.state).toBe('failed');
    expect(failed.finished_at).toBeInstanceOf(Date);
    expect(failed.details.task_state_counts).toEqual({ done: 1, error: 1, unscheduled: 7 });
    expect(failed.details.tasks).toEqual([
      expect.objectContaining({ state: 'error', retried: 33, task_id: Number(firstMove?.task_id) }),
    ]);
    expect((await tasks(db, jobId))[1]).toMatchObject({ status: 'error', retry_count: 33, not_before: null });
  });

  it('goes failing, then failed, when a move fails for good while another move still runs', async () => {
    const db = await cluster();
    await setServerSetting(db.client, 'citus.max_background_task_executors', 4);
    await setServerSetting(db.client, 'citus.max_background_task_executors_per_node', 2);
    const jobId = await start(db, 'parallel_transfer_colocated_shards => true');
    const [, doomed, slow] = await tasks(db, jobId);
    await db.query('SELECT citus_standin.fail_task($1, times => -1)', [doomed?.task_id]);
    const slowShard = /citus_move_shard_placement\((\d+),/.exec(slow?.command ?? '')?.[1];
    await db.query('SELECT citus_standin.set_shard_size($1, 8589934592)', [slowShard]); // ~34 simulated minutes

    const seen: string[] = [];
    for (let step = 0; step < 400 && seen.at(-1) !== 'failed'; step++) {
      const state = (await status(db)).state;
      if (seen.at(-1) !== state) seen.push(state);
      await advance(db, 10);
    }

    expect(seen).toEqual(['scheduled', 'running', 'failing', 'failed']);
    expect((await status(db)).details.task_state_counts).toEqual({ done: 8, error: 1 });
  });

  it('retries moves to a stopped worker with the disk-stats message and finishes once the worker is back', async () => {
    const db = await cluster();
    const jobId = await start(db);
    await advance(db, 5); // the first move (to localhost:5434) is copying

    await db.query('SELECT citus_standin.set_node_reachable($1, false)', [db.newNodeIds[0]]);
    const firstMove = (await tasks(db, jobId))[1];
    expect(firstMove).toMatchObject({
      status: 'runnable',
      retry_count: 1,
      message:
        'ERROR: connection to the remote node postgres@localhost:5434 failed with the following error: Connection refused',
    });
    await advance(db, 10);
    expect((await tasks(db, jobId))[1]).toMatchObject({
      retry_count: 2,
      message: 'ERROR: Could not fetch disk stats for node: localhost-5434',
    });
    expect((await status(db)).state).toBe('running');

    await db.query('SELECT citus_standin.set_node_reachable($1, true)', [db.newNodeIds[0]]);

    expect(await db.one('SELECT citus_standin.run_until_terminal() AS state')).toEqual({ state: 'finished' });
    expect(await groupsPerNode(db)).toEqual({ 5432: 4, 5433: 4, 5434: 4, 5435: 4 });
  });

  it('retries the running move after a coordinator restart and resumes by itself', async () => {
    const db = await cluster();
    const jobId = await start(db);
    await advance(db, 6);

    expect(await db.one('SELECT citus_standin.interrupt_running_tasks() AS interrupted')).toEqual({ interrupted: 1 });
    expect((await tasks(db, jobId)).filter((task) => task.retry_count === 1)).toHaveLength(1);
    expect(await db.one('SELECT citus_standin.run_until_terminal() AS state')).toEqual({ state: 'finished' });
  });

  it('keeps a job stuck in scheduled while the task monitor is stalled, and stops it at once', async () => {
    const db = await cluster();
    await db.query('SELECT citus_standin.stall_monitor(true)');
    const jobId = await start(db);

    await advance(db, 600);
    expect(await status(db)).toMatchObject({
      state: 'scheduled',
      started_at: null,
      details: { task_state_counts: { blocked: 8, runnable: 1 } },
    });
    const stuck = await db.failure('SELECT citus_standin.run_until_terminal(max_seconds => 60)');
    expect(stuck.message).toMatch(/stuck in state scheduled/);

    await db.query('SELECT citus_rebalance_stop()');
    const cancelled = await status(db);
    expect(cancelled).toMatchObject({
      job_id: jobId,
      state: 'cancelled',
      details: { task_state_counts: { cancelled: 9 } },
    });
    expect(cancelled.finished_at).toBeInstanceOf(Date);
  });

  it('stops a running job: cancelling, then cancelled; finished moves stay and a new start plans only the rest', async () => {
    const db = await cluster();
    const first = await start(db);
    while ((await tasks(db, first)).filter((task) => task.status === 'done').length < 4) await advance(db, 0.5);

    await db.query('SELECT citus_rebalance_stop()');
    expect((await status(db)).state).toBe('cancelling');
    expect((await tasks(db, first)).map((task) => task.status)).toEqual([
      'done',
      'done',
      'done',
      'done',
      'cancelling',
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    await advance(db, 1);
    expect((await status(db)).state).toBe('cancelled');
    const afterStop = await groupsPerNode(db);
    expect(Object.values(afterStop).reduce((sum, groups) => sum + groups, 0)).toBe(16);
    expect((afterStop[5434] ?? 0) + (afterStop[5435] ?? 0)).toBe(3); // three moves done, the fourth rolled back

    const second = await start(db);
    expect(db.notices.at(-1)?.message).toBe(`Scheduled 5 moves as job ${second}`);
    expect(await db.one('SELECT citus_standin.run_until_terminal() AS state')).toEqual({ state: 'finished' });
    expect(await groupsPerNode(db)).toEqual({ 5432: 4, 5433: 4, 5434: 4, 5435: 4 });
  });

  it('errors when there is no rebalance to stop', async () => {
    const db = await cluster();

    const error = await db.failure('SELECT citus_rebalance_stop()');

    expect({ code: error.code, message: error.message }).toEqual({
      code: 'XX000',
      message: 'no ongoing rebalance that can be stopped',
    });
  });

  it('refuses logical transfer of a table without replica identity and creates no job', async () => {
    const db = await cluster();
    await db.query('ALTER TABLE event_items DROP CONSTRAINT event_items_pkey');

    const error = await db.failure('SELECT citus_rebalance_start()');

    expect({ code: error.code, message: error.message, detail: error.detail, hint: error.hint }).toEqual({
      code: '0A000',
      message:
        "cannot use logical replication to transfer shards of the relation event_items since it doesn't have a REPLICA IDENTITY or PRIMARY KEY",
      detail:
        'UPDATE and DELETE commands on the shard will error out during logical replication unless there is a REPLICA IDENTITY or PRIMARY KEY.',
      hint: "If you wish to continue without a replica identity set the shard_transfer_mode to 'force_logical' or 'block_writes'.",
    });
    expect(await db.query('SELECT * FROM pg_dist_background_job')).toEqual([]);

    const jobId = await start(db, "shard_transfer_mode => 'block_writes'");
    expect((await tasks(db, jobId)).every((task) => task.command.endsWith("'block_writes')"))).toBe(true);
    await db.query('SELECT citus_rebalance_stop()');
    await db.query('ALTER TABLE event_items REPLICA IDENTITY FULL');
    expect(await start(db)).toMatch(/^\d+$/);
  });

  it('errors while a foreground rebalance holds the lock', async () => {
    const db = await cluster();
    await db.query('SELECT citus_standin.hold_rebalance_lock(true)');

    const error = await db.failure('SELECT citus_rebalance_start()');

    expect({ code: error.code, message: error.message }).toEqual({
      code: 'XX000',
      message: 'could not acquire the lock required to rebalance public.events',
    });
  });

  it('citus_job_wait errors when the job ends in another state than the one awaited', async () => {
    const db = await cluster();
    const jobId = await start(db);
    await db.query('SELECT citus_job_cancel($1)', [jobId]);

    const error = await db.failure("SELECT citus_job_wait($1, desired_status => 'finished')", [jobId]);

    expect({ code: error.code, message: error.message }).toEqual({
      code: 'XX000',
      message: 'Job reached terminal state "cancelled" instead of desired state "finished"',
    });
    expect(await db.query('SELECT job_id, state FROM citus_job_list()')).toEqual([
      { job_id: jobId, state: 'cancelled' },
    ]);
  });
});

describe('citus stand-in: nodes and settings', () => {
  it('adds nodes idempotently and drains a node marked shouldhaveshards = false', async () => {
    const db = await cluster();
    const added = await db.one<{ nodeid: number }>("SELECT citus_add_node('localhost', 5436) AS nodeid");
    expect(await db.one("SELECT citus_add_node('localhost', 5436) AS nodeid")).toEqual(added);
    expect(
      await db.one('SELECT nodeid, groupid, isactive, noderole, shouldhaveshards FROM pg_dist_node WHERE nodeid = $1', [
        added.nodeid,
      ]),
    ).toEqual({ nodeid: added.nodeid, groupid: 4, isactive: true, noderole: 'primary', shouldhaveshards: true });

    await db.query("SELECT citus_set_node_property('localhost', 5433, 'shouldhaveshards', false)");
    await start(db, 'drain_only => true');
    await db.query('SELECT citus_standin.run_until_terminal()');

    expect((await groupsPerNode(db))[5433]).toBeUndefined();
    const error = await db.failure("SELECT citus_set_node_property('localhost', 5433, 'isactive', false)");
    expect(error.message).toBe("only the 'shouldhaveshards' property can be set using this function");
  });

  it('shows Citus setting defaults and takes ALTER SYSTEM overrides after pg_reload_conf()', async () => {
    const db = await cluster({ scaleOut: false });

    expect(await db.one('SHOW citus.max_client_connections')).toEqual({ 'citus.max_client_connections': '-1' });
    expect(await db.one('SHOW citus.max_shared_pool_size')).toEqual({ 'citus.max_shared_pool_size': '0' });
    await setServerSetting(db.client, 'citus.max_background_task_executors_per_node', 3);
    expect(await db.one('SHOW citus.max_background_task_executors_per_node')).toEqual({
      'citus.max_background_task_executors_per_node': '3',
    });
  });
});

describe('citus stand-in: wall-clock progress', () => {
  it('advances by itself as real time passes, so polling shows the job through to finished', async () => {
    const db = await cluster({
      progressMode: 'wall-clock',
      transferBytesPerSecond: 1024 ** 3,
      setupSeconds: 0.05,
      completionSeconds: 0.05,
      startDelaySeconds: 0.1,
    });
    const jobId = await start(db);

    const seen: string[] = [];
    for (let poll = 0; poll < 300 && seen.at(-1) !== 'finished'; poll++) {
      const state = (await status(db)).state;
      if (seen.at(-1) !== state) seen.push(state);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    expect(seen.at(-1)).toBe('finished');
    expect(['scheduled', 'running', 'finished']).toEqual(expect.arrayContaining(seen));
    expect(await groupsPerNode(db)).toEqual({ 5432: 4, 5433: 4, 5434: 4, 5435: 4 });
    expect((await db.failure('SELECT citus_standin.advance(1)')).message).toMatch(/wall-clock mode/);
    expect((await tasks(db, jobId)).every((task) => task.status === 'done')).toBe(true);
  });

  it('blocks in citus_rebalance_wait() until the job is finished', async () => {
    const db = await cluster({
      progressMode: 'wall-clock',
      transferBytesPerSecond: 1024 ** 3,
      setupSeconds: 0.05,
      completionSeconds: 0.05,
    });
    await start(db);

    await db.query('SELECT citus_rebalance_wait()');

    expect((await status(db)).state).toBe('finished');
  });
});
