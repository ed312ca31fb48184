/**
 * Faults the Citus stand-in reproduces for the product's reconnect paths, as observed on a real Citus 13.2 cluster:
 * a coordinator restart mid-move (a real PostgreSQL restart), status reads failing with SQLSTATE 08006 while a worker
 * is unreachable, and a database that is not the coordinator. Its own server, because one test restarts it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { CITUS_SETTING_DEFAULTS } from '../../tools/citus-standin/index.js';
import { connect, scaledOutCluster, type StandinDb } from '../../tools/citus-standin/testing.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ config: CITUS_SETTING_DEFAULTS });
});

afterAll(async () => {
  await server.stop();
});

const advance = (db: StandinDb, seconds: number) => db.query('SELECT citus_standin.advance($1)', [seconds]);
const startJob = async (db: StandinDb) =>
  Number((await db.one<{ job_id: string }>('SELECT citus_rebalance_start() AS job_id')).job_id);

describe('citus stand-in: faults seen on a real cluster', () => {
  it('fails the move in flight when the server restarts, retries it, and finishes by itself', async () => {
    const before = await scaledOutCluster(server);
    const jobId = await startJob(before);
    await advance(before, 6); // the first move is copying
    await before.close();

    await server.restart();

    const db = await connect(before.connectionString);
    try {
      await advance(db, 0);
      const retried = await db.query<{ retry_count: number; message: string; status: string }>(
        'SELECT status::text, retry_count, message FROM pg_dist_background_task WHERE job_id = $1 AND retry_count > 0',
        [jobId],
      );
      expect(retried).toEqual([
        {
          status: 'runnable',
          retry_count: 1,
          message:
            'ERROR: terminating background worker "Citus Background Task Queue Executor" due to administrator command',
        },
      ]);
      expect(await db.one('SELECT citus_standin.run_until_terminal() AS state')).toEqual({ state: 'finished' });
    } finally {
      await db.close();
    }
  });

  it('fails the next status reads with 08006 naming the unreachable worker, then answers again', async () => {
    const db = await scaledOutCluster(server);
    try {
      const jobId = await startJob(db);
      await db.query('SELECT citus_standin.fail_status_reads(2, $1)', [db.newNodeIds[0]]);

      for (let read = 0; read < 2; read++) {
        const error = await db.failure('SELECT * FROM citus_job_status($1)', [jobId]);
        expect({ code: error.code, message: error.message }).toEqual({
          code: '08006',
          message:
            'connection to the remote node postgres@localhost:5434 failed with the following error: Connection refused',
        });
      }
      expect((await db.one<{ state: string }>('SELECT state::text FROM citus_rebalance_status()')).state).toBe(
        'scheduled',
      );
    } finally {
      await db.close();
    }
  });

  it('answers citus_is_coordinator() true on the coordinator and false when told to act as a worker', async () => {
    const db = await scaledOutCluster(server, { scaleOut: false });
    try {
      expect(await db.one('SELECT citus_is_coordinator() AS coordinator')).toEqual({ coordinator: true });
      await db.query('SELECT citus_standin.act_as_worker(true)');
      expect(await db.one('SELECT citus_is_coordinator() AS coordinator')).toEqual({ coordinator: false });
    } finally {
      await db.close();
    }
  });
});
