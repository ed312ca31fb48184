/**
 * Test helpers around the Citus stand-in: a connected client that records notices, and a scaled-out cluster fixture.
 */
import pg from 'pg';
import type { PostgresServer } from '../local-services/postgres.js';
import { installCitusStandin } from './index.js';
import type { CitusStandinOptions } from './index.js';

/** A NOTICE or WARNING the server sent (Citus reports "Scheduled N moves", "No moves available", ... this way). */
export interface Notice {
  readonly severity: string | undefined;
  readonly code: string | undefined;
  readonly message: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
}

export interface StandinDb {
  readonly connectionString: string;
  readonly client: pg.Client;
  readonly notices: Notice[];
  query<Row extends pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<Row[]>;
  one<Row extends pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<Row>;
  /** Runs the statement, expects it to fail, and returns the server's error. */
  failure(text: string, values?: readonly unknown[]): Promise<pg.DatabaseError>;
  close(): Promise<void>;
}

export async function connect(connectionString: string): Promise<StandinDb> {
  const client = new pg.Client({ connectionString });
  const notices: Notice[] = [];
  // A server that goes away (stopped at the end of a file) must not crash the test process.
  client.on('error', () => undefined);
  client.on('notice', (notice) => {
    notices.push({
      severity: notice.severity,
      code: notice.code,
      message: notice.message ?? '',
      detail: notice.detail,
      hint: notice.hint,
    });
  });
  await client.connect();
  const query = async <Row extends pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<Row[]> =>
    (await client.query<Row>(text, [...values])).rows;
  return {
    connectionString,
    client,
    notices,
    query,
    async one<Row extends pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<Row> {
      const rows = await query<Row>(text, values);
      const [row] = rows;
      if (row === undefined || rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${text}`);
      return row;
    },
    async failure(text: string, values: readonly unknown[] = []): Promise<pg.DatabaseError> {
      try {
        await client.query(text, [...values]);
      } catch (error: unknown) {
        if (error instanceof pg.DatabaseError) return error;
        throw error;
      }
      throw new Error(`expected the statement to fail: ${text}`);
    },
    close: () => client.end(),
  };
}

export interface ClusterFixture {
  /** Shard groups (events + event_items) per table: 16, 8 on each of the two original nodes. */
  readonly shardCount: number;
  /** Node ids of the workers added by the scale-out (empty when `scaleOut` is false). */
  readonly newNodeIds: number[];
}

/**
 * A fresh database holding a 2-node cluster (coordinator + 1 worker, both with shards) with:
 * - `events` (primary key) hash-distributed in 16 shards of 16 MiB,
 * - `event_items` (primary key) colocated with it, 16 shards of 8 MiB (so a shard group moves 24 MiB),
 * - `countries`, an (empty) reference table, so copying it to a new node takes exactly setup + completion time;
 * then, unless `scaleOut` is false, 2 workers added the way the service adds them.
 * After the scale-out a balanced cluster has 4 groups per node: 8 group moves.
 */
export async function scaledOutCluster(
  server: PostgresServer,
  options: CitusStandinOptions & { readonly scaleOut?: boolean } = {},
): Promise<StandinDb & ClusterFixture> {
  const connectionString = await server.createDatabase();
  const { scaleOut = true, ...standinOptions } = options;
  await installCitusStandin(connectionString, { nodeCount: 2, ...standinOptions });
  const db = await connect(connectionString);
  await db.query(`
    CREATE TABLE events (id bigint PRIMARY KEY, payload text);
    CREATE TABLE event_items (id bigint PRIMARY KEY, event_id bigint NOT NULL);
    CREATE TABLE countries (code text PRIMARY KEY, name text);
    SELECT citus_standin.distribute_table('events', 'id', shard_count => 16, shard_size_bytes => 16777216);
    SELECT citus_standin.distribute_table('event_items', 'event_id', shard_count => 16, colocate_with => 'events',
                                          shard_size_bytes => 8388608);
    SELECT citus_standin.create_reference_table('countries', size_bytes => 0);
  `);
  const newNodeIds = scaleOut
    ? (await db.query<{ nodeid: number }>('SELECT citus_standin.add_nodes(2) AS nodeid')).map((row) => row.nodeid)
    : [];
  return { ...db, shardCount: 16, newNodeIds };
}
