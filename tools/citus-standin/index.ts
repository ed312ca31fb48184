/**
 * Loader for the Citus stand-in (citus-standin.sql): installs the emulated Citus catalog, functions and rebalancer
 * into one database of a plain PostgreSQL server, and sets up the cluster's nodes.
 *
 *   const pg = await startPostgres({ config: CITUS_SETTING_DEFAULTS });
 *   const url = await pg.createDatabase();
 *   await installCitusStandin(url, { nodeCount: 2 });
 *
 * The product's SQL then runs unchanged against `url`. Tests drive time and faults through the `citus_standin`
 * schema (see the control API at the end of citus-standin.sql and the README-style summary below).
 *
 * Control API (SQL, schema citus_standin; never used by product code):
 *   advance(seconds)                     manual mode: let simulated time pass; returns the new clock
 *   run_until_terminal(job, max_seconds) let time pass until the job is finished/failed/cancelled
 *   add_nodes(count)                     the service adds workers (scale-out); returns node ids
 *   distribute_table(rel, column, shard_count, colocate_with, shard_size_bytes), create_reference_table(rel, size)
 *   set_shard_size(shardid, bytes)
 *   fail_task(task_id, times, message)   next `times` attempts fail (-1: always, ends in 'error')
 *   set_node_reachable(nodeid, bool)     worker outage
 *   interrupt_running_tasks(message)     coordinator restart mid-move (a real restart, PostgresServer.restart(),
 *                                        does the same at the first stand-in call afterwards)
 *   fail_status_reads(times, node)       next `times` citus_job_status reads fail with 08006 (worker unreachable)
 *   act_as_worker(bool)                  citus_is_coordinator() answers false, as on a worker node
 *   stall_monitor(bool)                  jobs stay 'scheduled'
 *   hold_rebalance_lock(bool)            a foreground rebalance holds the lock
 *   configure(progress_mode, transfer_bytes_per_second, setup_seconds, completion_seconds, start_delay_seconds,
 *             cancel_delay_seconds)
 *   clock()                              the simulated "now"
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';

/** 'manual': time passes only through citus_standin.advance(); 'wall-clock': it follows clock_timestamp(). */
export type ProgressMode = 'manual' | 'wall-clock';

export interface CitusStandinOptions {
  /** Nodes in the cluster including the coordinator, like Azure's cluster size (default 2). */
  readonly nodeCount?: number;
  /** Whether the coordinator holds shards (default true; the reference is silent, see setup_cluster). */
  readonly coordinatorHasShards?: boolean;
  /** Host name of every node (reference: on Azure every node has the same address, different ports). */
  readonly nodeName?: string;
  /** Port of the coordinator (default 5432); workers use the next ports. */
  readonly coordinatorPort?: number;
  readonly progressMode?: ProgressMode;
  /** Copy speed of one move (default 4 MiB/s). */
  readonly transferBytesPerSecond?: number;
  /** Fixed time at the start (Setting Up) and end (Catching Up ... Completing) of every move (default 1 s each). */
  readonly setupSeconds?: number;
  readonly completionSeconds?: number;
  /** Time a new job waits in 'scheduled' before its first task starts (default 1 s). */
  readonly startDelaySeconds?: number;
  /** Time between citus_rebalance_stop() and the running moves being 'cancelled' (default 0.5 s). */
  readonly cancelDelaySeconds?: number;
}

/**
 * Citus settings with Citus's defaults (reference "Settings (GUCs)"), written as SHOW would print them. Pass them as
 * `startPostgres({ config })` so that they sit in postgresql.conf like a server's defaults: SHOW works before anyone
 * sets them, and ALTER SYSTEM + pg_reload_conf() overrides them as on a real server. The stand-in falls back to the
 * same defaults when a setting is missing.
 */
export const CITUS_SETTING_DEFAULTS = {
  'citus.max_background_task_executors_per_node': 1,
  'citus.max_background_task_executors': 1,
  'citus.background_task_queue_interval': '5s',
  'citus.desired_percent_disk_available_after_move': 10,
  'citus.max_shared_pool_size': 0,
  'citus.max_client_connections': -1,
  'citus.rebalancer_by_disk_size_base_cost': '100MB',
} as const satisfies Record<string, string | number>;

const SQL_FILE = new URL('./citus-standin.sql', import.meta.url);

/** Installs the stand-in into the (empty) database at `connectionString`. Fails if it is already installed. */
export async function installCitusStandin(connectionString: string, options: CitusStandinOptions = {}): Promise<void> {
  const nodeCount = options.nodeCount ?? 2;
  if (!Number.isInteger(nodeCount) || nodeCount < 1) {
    throw new Error(`installCitusStandin: nodeCount ${nodeCount} must be an integer of at least 1 (the coordinator)`);
  }
  const coordinatorPort = options.coordinatorPort ?? 5432;
  const workerPorts = Array.from({ length: nodeCount - 1 }, (_, index) => coordinatorPort + 1 + index);
  const sql = await readFile(SQL_FILE, 'utf8');
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const installed = await client.query<{ installed: boolean }>(
      "SELECT to_regclass('pg_catalog.pg_dist_node') IS NOT NULL AS installed",
    );
    if (installed.rows[0]?.installed) {
      throw new Error('installCitusStandin: this database already has pg_dist_node (stand-in or real Citus installed)');
    }
    await client.query('BEGIN');
    await client.query(sql);
    await client.query('SELECT citus_standin.setup_cluster($1, $2, $3::int[], $4)', [
      options.nodeName ?? 'localhost',
      coordinatorPort,
      workerPorts,
      options.coordinatorHasShards ?? true,
    ]);
    await client.query(
      `SELECT citus_standin.configure(progress_mode => $1, transfer_bytes_per_second => $2, setup_seconds => $3,
         completion_seconds => $4, start_delay_seconds => $5, cancel_delay_seconds => $6)`,
      [
        options.progressMode ?? 'manual',
        options.transferBytesPerSecond ?? null,
        options.setupSeconds ?? null,
        options.completionSeconds ?? null,
        options.startDelaySeconds ?? null,
        options.cancelDelaySeconds ?? null,
      ],
    );
    await client.query('COMMIT');
  } catch (error: unknown) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Sets a server setting the way a self-managed Citus operator does (ALTER SYSTEM + pg_reload_conf(), reference
 * "Settings (GUCs)") and waits until this session sees it: the reload reaches each backend asynchronously, at its next
 * command. Other sessions pick it up at their next command too.
 */
export async function setServerSetting(client: pg.ClientBase, name: string, value: string | number): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name)) {
    throw new Error(`setServerSetting: "${name}" is not a setting name`);
  }
  const text = String(value);
  await client.query(`ALTER SYSTEM SET ${name} = ${client.escapeLiteral(text)}`);
  await client.query('SELECT pg_reload_conf()');
  for (let attempt = 0; attempt < 100; attempt++) {
    const seen = await client.query<{ value: string | null }>('SELECT current_setting($1, true) AS value', [name]);
    if (seen.rows[0]?.value === text) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`setServerSetting: ${name} did not become ${text} after pg_reload_conf()`);
}
