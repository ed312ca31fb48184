/**
 * The Citus SQL client: one connection to the coordinator (port 5432, never the load-balanced 7432), the
 * statements of sql.ts, rows parsed into the domain types, failures mapped to the scaler's errors. It decides
 * nothing; callers (the follow-up activities, `scaler rebalance`) do.
 */
import pg from 'pg';
import { parseJobStatus, type JobStatus } from './job-status.js';
import { parseJobTasks, type JobTask } from './tasks.js';
import { parsePlanRows, type PlanRow } from './plan.js';
import { parseNodes, type DistNode } from './nodes.js';
import { NotCoordinatorError, runningJobIdIn, toCitusError } from './errors.js';
import { citusClientConfig, type TimeoutOverrides } from './connection-options.js';
import { InvalidInputError, ProviderError } from '../vocabulary/errors.js';
import * as sql from './sql.js';
import type { ExecutorSettingName } from './names.js';

export interface CitusConnectionSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  /** A password, or a function returning a fresh one (a Microsoft Entra token). */
  password: string | (() => Promise<string>);
  /** `verify-full` checks the server certificate (Azure), `require` only encrypts, `disable` is for local servers. */
  ssl: 'verify-full' | 'require' | 'disable';
  connectTimeoutMs?: number | undefined;
  statementTimeoutMs?: number | undefined;
  queryTimeoutMs?: number | undefined;
}

export type StartResult =
  | { kind: 'started'; jobId: number; notice: string | undefined }
  | { kind: 'adopted'; jobId: number; message: string }
  | { kind: 'nothing-to-move'; notice: string };

export interface SettingReading {
  value: string | undefined;
  /** Undefined when the role may not read pg_file_settings. */
  setByAlterSystem: boolean | undefined;
}

export class CitusClient {
  /** NOTICE and WARNING messages the server sent, oldest first ("Scheduled 8 moves as job 3", ...). */
  readonly notices: string[] = [];

  private constructor(
    private readonly client: pg.Client,
    /** `host:port/database`, for messages; never the credentials. */
    readonly where: string,
  ) {
    client.on('notice', (notice) => this.notices.push(notice.message ?? ''));
    // A connection dropped between statements must not crash the process: the next statement fails instead.
    client.on('error', () => undefined);
  }

  static async connect(settings: CitusConnectionSettings): Promise<CitusClient> {
    const where = `${settings.host}:${settings.port}/${settings.database}`;
    const config = citusClientConfig(
      {
        host: settings.host,
        port: settings.port,
        database: settings.database,
        user: settings.user,
        password: settings.password,
        ssl: settings.ssl === 'disable' ? false : { rejectUnauthorized: settings.ssl === 'verify-full' },
      },
      {
        connectTimeoutMs: settings.connectTimeoutMs,
        statementTimeoutMs: settings.statementTimeoutMs,
        queryTimeoutMs: settings.queryTimeoutMs,
      },
    );
    return CitusClient.open(config, where);
  }

  /** A client over a connection string (the CLI); the password, if any, comes from the URL. */
  static async connectUrl(
    connectionString: string,
    password?: () => Promise<string>,
    timeouts: TimeoutOverrides = {},
  ): Promise<CitusClient> {
    const url = parseConnectionUrl(connectionString);
    const where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
    return CitusClient.open(
      citusClientConfig({ connectionString, ...(password && !url.password ? { password } : {}) }, timeouts),
      where,
    );
  }

  /** connectUrl, then assertCoordinator: what `scaler rebalance` uses. */
  static async coordinatorAt(
    connectionString: string,
    password?: () => Promise<string>,
    timeouts: TimeoutOverrides = {},
  ): Promise<CitusClient> {
    const client = await CitusClient.connectUrl(connectionString, password, timeouts);
    try {
      await client.assertCoordinator();
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  private static async open(config: pg.ClientConfig, where: string): Promise<CitusClient> {
    const client = new pg.Client(config);
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw toCitusError(error, 'connecting', where);
    }
    return new CitusClient(client, where);
  }

  /**
   * Refuses a database that is not a Citus coordinator: the rebalancer and the node catalog are only complete
   * there (a worker, or the load-balanced port 7432, may answer the same SQL with partial results).
   */
  async assertCoordinator(): Promise<void> {
    const [row] = await this.rows<{ coordinator: boolean | null }>(
      'checking that this is the Citus coordinator (citus_is_coordinator())',
      sql.IS_COORDINATOR,
    );
    if (row?.coordinator !== true) {
      throw new NotCoordinatorError(
        `connecting to ${this.where}: this is not the Citus coordinator (citus_is_coordinator() is ${String(row?.coordinator ?? null)}); connect to the coordinator, port 5432 on Azure elastic clusters (not the load-balanced 7432, not a worker)`,
      );
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  async nodes(): Promise<DistNode[]> {
    return parseNodes(await this.rows('reading pg_dist_node', sql.NODES));
  }

  async latestRebalance(): Promise<JobStatus | undefined> {
    const [row] = await this.rows('reading citus_rebalance_status()', sql.LATEST_REBALANCE);
    return row === undefined ? undefined : parseJobStatus(row);
  }

  async jobStatus(jobId: number): Promise<JobStatus | undefined> {
    const [row] = await this.rows(`reading the status of job ${jobId}`, sql.JOB_STATUS, [jobId]);
    return row === undefined ? undefined : parseJobStatus(row);
  }

  async jobTasks(jobId: number): Promise<JobTask[]> {
    return parseJobTasks(await this.rows(`reading the tasks of job ${jobId}`, sql.JOB_TASKS, [jobId]));
  }

  async plan(strategy: string | undefined): Promise<PlanRow[]> {
    const values = strategy === undefined ? [] : [strategy];
    return parsePlanRows(
      await this.rows('reading get_rebalance_table_shards_plan()', sql.planQuery(strategy !== undefined), values),
    );
  }

  async shardBytesByNode(): Promise<Record<string, number>> {
    const rows = await this.rows<{ node: string; bytes: string | number }>(
      'reading citus_shards',
      sql.SHARD_BYTES_BY_NODE,
    );
    return Object.fromEntries(rows.map((row) => [row.node, Number(row.bytes)]));
  }

  async tablesWithoutReplicaIdentity(tables: readonly string[]): Promise<string[]> {
    if (tables.length === 0) return [];
    const rows = await this.rows<{ table_name: string }>(
      'checking replica identities',
      sql.TABLES_WITHOUT_REPLICA_IDENTITY,
      [tables],
    );
    return rows.map((row) => row.table_name);
  }

  async moveBytesByTask(jobId: number): Promise<Record<string, number>> {
    const rows = await this.rows<{ task_id: string | number; bytes: string | number }>(
      `sizing the moves of job ${jobId}`,
      sql.MOVE_BYTES_BY_TASK,
      [jobId],
    );
    return Object.fromEntries(rows.map((row) => [String(row.task_id), Number(row.bytes)]));
  }

  /** Starts a rebalance, or names the job already running (to adopt), or says there is nothing to move. */
  async startRebalance(args: sql.StartArguments): Promise<StartResult> {
    const { text, values } = sql.startRebalance(args);
    const firstNotice = this.notices.length;
    try {
      const [row] = (await this.client.query<{ job_id: string | null }>(text, values)).rows;
      const notices = this.notices.slice(firstNotice);
      if (row?.job_id === null || row?.job_id === undefined) {
        return { kind: 'nothing-to-move', notice: notices.at(-1) ?? 'No moves available for rebalancing' };
      }
      return {
        kind: 'started',
        jobId: Number(row.job_id),
        notice: notices.find((notice) => notice.startsWith('Scheduled')),
      };
    } catch (error) {
      const running = runningJobIdIn(error);
      if (running !== undefined) return { kind: 'adopted', jobId: running, message: (error as Error).message };
      throw toCitusError(error, 'starting the rebalance (citus_rebalance_start)', this.where);
    }
  }

  async stopRebalance(): Promise<void> {
    await this.rows('stopping the rebalance (citus_rebalance_stop)', sql.STOP_REBALANCE);
  }

  async readSettings(names: readonly ExecutorSettingName[]): Promise<Record<string, SettingReading>> {
    const rows = await this.rows<{ name: string; value: string | null }>('reading settings', sql.READ_SETTINGS, [
      names,
    ]);
    let fromAutoConf: Set<string> | undefined;
    try {
      fromAutoConf = new Set(
        (await this.client.query<{ name: string }>(sql.SET_BY_ALTER_SYSTEM, [names])).rows.map((row) => row.name),
      );
    } catch {
      fromAutoConf = undefined; // pg_file_settings needs superuser: unknown, restore by value
    }
    return Object.fromEntries(
      rows.map((row) => [row.name, { value: row.value ?? undefined, setByAlterSystem: fromAutoConf?.has(row.name) }]),
    );
  }

  /** ALTER SYSTEM SET (or RESET with `undefined`) for each setting, then one pg_reload_conf(). */
  async alterSystem(values: Readonly<Record<string, number | undefined>>): Promise<void> {
    for (const [name, value] of Object.entries(values)) {
      await this.rows(
        `changing ${name} with ALTER SYSTEM`,
        value === undefined ? sql.alterSystemReset(name) : sql.alterSystemSet(name, value),
      );
    }
    await this.rows('reloading the configuration (pg_reload_conf)', sql.RELOAD_CONF);
  }

  /** The note of settings an earlier run raised and did not put back (see sql.RAISED_MARKER), if any. */
  async readRaisedMarker(): Promise<string | undefined> {
    const [row] = await this.rows<{ value: string }>(
      'reading the note of raised executor settings',
      sql.READ_RAISED_MARKER,
    );
    return row?.value;
  }

  async writeRaisedMarker(value: string): Promise<void> {
    const database = await this.currentDatabase();
    await this.rows(
      'noting the raised executor settings (ALTER DATABASE ... SET)',
      sql.writeRaisedMarker(this.client.escapeIdentifier(database), this.client.escapeLiteral(value)),
    );
  }

  async clearRaisedMarker(): Promise<void> {
    const database = await this.currentDatabase();
    await this.rows(
      'clearing the note of raised executor settings (ALTER DATABASE ... RESET)',
      sql.clearRaisedMarker(this.client.escapeIdentifier(database)),
    );
  }

  private async currentDatabase(): Promise<string> {
    const [row] = await this.rows<{ database: string }>(
      'reading current_database()',
      'SELECT current_database() AS database',
    );
    if (!row) throw new ProviderError(`reading current_database() on ${this.where}: the server returned no row`);
    return row.database;
  }

  private async rows<Row extends pg.QueryResultRow = Record<string, unknown>>(
    action: string,
    text: string,
    values: unknown[] = [],
  ): Promise<Row[]> {
    try {
      return (await this.client.query<Row>(text, values)).rows;
    } catch (error) {
      throw toCitusError(error, action, this.where);
    }
  }
}

/** A `postgres://` URL, or a clear InvalidInputError (never the password). */
export function parseConnectionUrl(connectionString: string): URL {
  const shown = connectionString.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    throw new InvalidInputError(
      `--connection: "${shown}" is not a valid URL; write it as postgres://user[:password]@host:5432/database (percent-encode special characters in the password)`,
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new InvalidInputError(`--connection: "${shown}" is not a postgres:// URL`);
  if (url.hostname === '')
    throw new InvalidInputError(
      `--connection: "${shown}" names no host; write it as postgres://user@host:5432/database`,
    );
  return url;
}
