/**
 * Every statement the scaler sends to a Citus coordinator, in one place. Each runs unchanged on real Citus (11.2+;
 * the parallel flags of citus_rebalance_start need 13.0+ and are only sent when used) and on the test stand-in.
 * Catalog objects are schema-qualified; values are bind parameters, except in ALTER SYSTEM, which takes none (the
 * caller passes only allow-listed names and integer values).
 */
import type { ShardTransferMode } from './names.js';

export const NODES = `
  SELECT nodeid, nodename, nodeport, isactive, noderole::text AS noderole, shouldhaveshards
  FROM pg_catalog.pg_dist_node
  ORDER BY nodeid`;

const STATUS_COLUMNS = 'job_id, state::text AS state, job_type, started_at, finished_at, details';

/** The latest rebalance job in any state (zero rows if none ever ran). */
export const LATEST_REBALANCE = `SELECT ${STATUS_COLUMNS} FROM pg_catalog.citus_rebalance_status(raw => true)`;

/** One job by id: after a failed start, citus_rebalance_status() still shows an older job. */
export const JOB_STATUS = `SELECT ${STATUS_COLUMNS} FROM pg_catalog.citus_job_status($1::bigint, raw => true)`;

export const JOB_TASKS = `
  SELECT task_id, status::text AS status, retry_count, message, command
  FROM pg_catalog.pg_dist_background_task
  WHERE job_id = $1::bigint
  ORDER BY task_id`;

const SHARD_SIZES = 'SELECT shardid, max(shard_size) AS bytes FROM pg_catalog.citus_shards GROUP BY shardid';

/**
 * The plan, one row per shard in plan order, with what groups rows into shard-group moves (colocation id and hash
 * range) and each shard's size: the plan's own shard_size is 0 for hash-distributed tables.
 */
export function planQuery(withStrategy: boolean): string {
  const args = withStrategy ? 'rebalance_strategy => $1::name' : '';
  return `
  SELECT p.table_name::text AS table_name, p.shardid, p.sourcename, p.sourceport, p.targetname, p.targetport,
         part.colocationid AS colocation_id, s.shardminvalue AS shard_min_value, sizes.bytes AS shard_bytes
  FROM pg_catalog.get_rebalance_table_shards_plan(${args})
       WITH ORDINALITY AS p(table_name, shardid, shard_size, sourcename, sourceport, targetname, targetport, step)
  JOIN pg_catalog.pg_dist_shard s ON s.shardid = p.shardid
  JOIN pg_catalog.pg_dist_partition part ON part.logicalrelid = s.logicalrelid
  LEFT JOIN (${SHARD_SIZES}) sizes ON sizes.shardid = p.shardid
  ORDER BY p.step`;
}

/** Shard bytes each node holds now, reference-table copies included. */
export const SHARD_BYTES_BY_NODE = `
  SELECT nodename || ':' || nodeport AS node, coalesce(sum(shard_size), 0) AS bytes
  FROM pg_catalog.citus_shards
  GROUP BY nodename, nodeport`;

/**
 * Tables (of the given names) that logical replication cannot move: no REPLICA IDENTITY FULL, no primary key as
 * default identity, no replica identity index (partitioned parents are checked through their partitions).
 */
export const TABLES_WITHOUT_REPLICA_IDENTITY = `
  SELECT c.oid::regclass::text AS table_name
  FROM unnest($1::text[]) AS t(name)
  JOIN pg_catalog.pg_class c ON c.oid = t.name::regclass
  WHERE c.relkind <> 'p'
    AND NOT (c.relreplident = 'f'
      OR (c.relreplident = 'd' AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisprimary))
      OR (c.relreplident = 'i' AND EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)))
  ORDER BY 1`;

/** Bytes of the shard group each move task of a job carries (the task names one shard; its colocated ones go too). */
export const MOVE_BYTES_BY_TASK = `
  SELECT t.task_id, coalesce(sum(sizes.bytes), 0) AS bytes
  FROM pg_catalog.pg_dist_background_task t
  JOIN pg_catalog.pg_dist_shard me
    ON me.shardid = substring(t.command FROM 'citus_move_shard_placement\\(([0-9]+),')::bigint
  JOIN pg_catalog.pg_dist_partition mp ON mp.logicalrelid = me.logicalrelid
  JOIN pg_catalog.pg_dist_partition op ON op.colocationid = mp.colocationid
  JOIN pg_catalog.pg_dist_shard other
    ON other.logicalrelid = op.logicalrelid AND other.shardminvalue IS NOT DISTINCT FROM me.shardminvalue
  LEFT JOIN (${SHARD_SIZES}) sizes ON sizes.shardid = other.shardid
  WHERE t.job_id = $1::bigint
  GROUP BY t.task_id`;

export interface StartArguments {
  strategy?: string | undefined;
  transferMode: ShardTransferMode;
  parallelTransferColocatedShards: boolean;
  parallelTransferReferenceTables: boolean;
}

/** citus_rebalance_start with named arguments; returns the SQL and its values. */
export function startRebalance(args: StartArguments): { text: string; values: unknown[] } {
  const named: string[] = [];
  const values: unknown[] = [];
  const bind = (name: string, value: unknown, type: string) => {
    values.push(value);
    named.push(`${name} => $${values.length}::${type}`);
  };
  if (args.strategy !== undefined) bind('rebalance_strategy', args.strategy, 'name');
  bind('shard_transfer_mode', args.transferMode, 'citus.shard_transfer_mode');
  if (args.parallelTransferReferenceTables) bind('parallel_transfer_reference_tables', true, 'boolean');
  if (args.parallelTransferColocatedShards) bind('parallel_transfer_colocated_shards', true, 'boolean');
  return { text: `SELECT pg_catalog.citus_rebalance_start(${named.join(', ')}) AS job_id`, values };
}

export const STOP_REBALANCE = 'SELECT pg_catalog.citus_rebalance_stop()';

/** Current values as this session sees them (Citus settings are GUCs; current_setting works for every one). */
export const READ_SETTINGS = 'SELECT name, current_setting(name, true) AS value FROM unnest($1::text[]) AS name';

/** Which of the names are set in postgresql.auto.conf (needs superuser or pg_read_all_settings). */
export const SET_BY_ALTER_SYSTEM = `
  SELECT DISTINCT name FROM pg_catalog.pg_file_settings
  WHERE name = ANY($1::text[]) AND sourcefile LIKE '%postgresql.auto.conf' AND error IS NULL`;

export const RELOAD_CONF = 'SELECT pg_catalog.pg_reload_conf()';

const SETTING_NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

export function alterSystemSet(name: string, value: number): string {
  if (!SETTING_NAME.test(name) || !Number.isInteger(value))
    throw new Error(`alterSystemSet: refusing ${name} = ${value}`);
  return `ALTER SYSTEM SET ${name} = ${value}`;
}

export function alterSystemReset(name: string): string {
  if (!SETTING_NAME.test(name)) throw new Error(`alterSystemReset: refusing ${name}`);
  return `ALTER SYSTEM RESET ${name}`;
}

/** True only on the coordinator (false on a worker, even one with metadata). */
export const IS_COORDINATOR = 'SELECT pg_catalog.citus_is_coordinator() AS coordinator';

/**
 * A note in the database's own settings (ALTER DATABASE ... SET, a custom placeholder nothing reads) of the executor
 * settings `scaler rebalance` raised and has not put back yet, so that a later run finds and restores them.
 */
export const RAISED_MARKER = 'elastic_scaler.raised_executor_settings';

export const READ_RAISED_MARKER = `
  SELECT substring(cfg FROM length('${RAISED_MARKER}=') + 1) AS value
  FROM pg_catalog.pg_db_role_setting s, unnest(s.setconfig) AS cfg
  WHERE s.setrole = 0 AND s.setdatabase = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
    AND cfg LIKE '${RAISED_MARKER}=%'`;

export function writeRaisedMarker(quotedDatabase: string, quotedValue: string): string {
  return `ALTER DATABASE ${quotedDatabase} SET ${RAISED_MARKER} = ${quotedValue}`;
}

export function clearRaisedMarker(quotedDatabase: string): string {
  return `ALTER DATABASE ${quotedDatabase} RESET ${RAISED_MARKER}`;
}
