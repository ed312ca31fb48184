/**
 * `scaler rebalance --watch` (runLocalRebalance) through the faults measured on a real Citus 13.2 cluster, against
 * the Citus stand-in on a real PostgreSQL: a coordinator restart mid-job (the server really restarts), a worker
 * unreachable while the status is read (08006), a watch that has to give up. Virtual time: the watch's sleeper lets
 * simulated time pass in the stand-in ('manual' mode) and moves the injected clock, so nothing depends on the speed
 * of the machine. Its own server, because one test restarts it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startPostgres, type PostgresServer } from '../../support/postgres.js';
import { CITUS_SETTING_DEFAULTS } from '../../../tools/citus-standin/index.js';
import { scaledOutCluster, type StandinDb } from '../../../tools/citus-standin/testing.js';
import { CitusClient } from '../../../shared/citus/citus-client.js';
import { AlterSystemSettings } from '../../../cli/alter-system-settings.js';
import {
  runLocalRebalance,
  type LocalRebalanceDependencies,
  type LocalRebalanceOptions,
  type LocalRebalanceWarning,
} from '../../../cli/local-rebalance.js';
import type { TrackedProgress } from '../../../shared/citus/progress.js';
import { TransientError } from '../../../shared/vocabulary/errors.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ config: CITUS_SETTING_DEFAULTS });
});

afterEach(async () => {
  // ALTER SYSTEM is server-wide: whatever a test left raised must not become the next test's "before".
  await once(server.connectionString, 'ALTER SYSTEM RESET citus.max_background_task_executors');
  await once(server.connectionString, 'ALTER SYSTEM RESET citus.max_background_task_executors_per_node');
  await once(server.connectionString, 'SELECT pg_reload_conf()');
});

afterAll(async () => {
  await server.stop();
});

const OPTIONS: LocalRebalanceOptions = {
  transferMode: 'auto',
  parallelism: 2,
  minFreeDiskPercent: 10,
  planOnly: false,
  watch: true,
  pollIntervalMs: 2_000,
  stuckScheduledMinutes: 10,
};

/** One statement on a connection of its own: the test's connections must survive the restarts too. */
async function once<Row extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

const executorSettings = async (url: string) =>
  (
    await once<{ value: string }>(
      url,
      "SELECT current_setting(name) AS value FROM unnest(ARRAY['citus.max_background_task_executors', 'citus.max_background_task_executors_per_node']) AS name",
    )
  ).map((row) => row.value);
const jobState = async (url: string) =>
  (await once<{ state: string }>(url, 'SELECT state::text FROM pg_dist_background_job ORDER BY job_id DESC LIMIT 1'))[0]
    ?.state;

interface Watch {
  deps: LocalRebalanceDependencies;
  warnings: LocalRebalanceWarning[];
  events: string[];
  percents: number[];
  /** Executor settings and job state seen at every pause of the watch. */
  seen: Array<{ settings: string[]; state: string | undefined }>;
}

/**
 * Dependencies whose sleeper is the only way time passes: it moves the clock, lets the stand-in simulate that much,
 * and calls `onPause(n)` first, where a test injects its fault at the n-th pause.
 */
function virtualWatch(db: StandinDb, onPause: (pause: number) => Promise<void> = async () => undefined): Watch {
  let now = Date.parse('2026-03-01T08:00:00Z');
  let pauses = 0;
  const watch: Watch = {
    warnings: [],
    events: [],
    percents: [],
    seen: [],
    deps: undefined as unknown as LocalRebalanceDependencies,
  };
  watch.deps = {
    connect: () => CitusClient.coordinatorAt(db.connectionString),
    settingsFor: (sql) => new AlterSystemSettings(sql),
    clock: () => new Date(now),
    sleep: async (ms) => {
      pauses += 1;
      await onPause(pauses);
      watch.seen.push({
        settings: await executorSettings(db.connectionString),
        state: await jobState(db.connectionString),
      });
      now += ms;
      await once(db.connectionString, 'SELECT citus_standin.advance($1)', [ms / 1000]);
    },
    reconnect: { initialDelayMs: 1_000, maxDelayMs: 8_000, giveUpAfterMs: 120_000 },
    onWarning: (warning) => watch.warnings.push(warning),
    onEvent: (event) => watch.events.push(event),
    onProgress: (progress: TrackedProgress) => watch.percents.push(progress.percent),
  };
  return watch;
}

const isRunning = (state: string | undefined) => state === 'scheduled' || state === 'running';

describe('scaler rebalance --watch through Citus faults', () => {
  it('keeps watching through a coordinator restart mid-job and restores the settings once the job has finished', async () => {
    const db = await scaledOutCluster(server);
    let restarted = false;
    const watch = virtualWatch(db, async () => {
      if (restarted || (await jobState(db.connectionString)) !== 'running') return;
      const copying = await once(db.connectionString, "SELECT 1 FROM pg_dist_background_task WHERE status = 'running'");
      if (copying.length === 0) return;
      await db.close();
      await server.restart();
      restarted = true;
    });

    const result = await runLocalRebalance(OPTIONS, watch.deps);

    expect(restarted).toBe(true);
    expect(result).toMatchObject({
      kind: 'ended',
      progress: { state: 'finished', moves: { done: 8, total: 8 } },
      leftRaised: undefined,
    });
    expect(result.kind === 'ended' && result.restored.map((change) => change.name)).toEqual([
      'citus.max_background_task_executors',
      'citus.max_background_task_executors_per_node',
    ]);
    expect(watch.warnings.filter((warning) => warning.code === 'ConnectionLost')[0]?.message).toMatch(
      /^lost the connection to the coordinator \(.+\); connecting again with backoff, first in 1 s$/,
    );
    expect(
      watch.events.some((event) =>
        /^connected again after \d+ failed attempt\(s\) in [\d.]+ s; still watching$/.test(event),
      ),
    ).toBe(true);
    // The retried move starts its copy again; the percentage shown does not go back.
    expect(watch.percents).toEqual([...watch.percents].sort((a, b) => a - b));
    expect(watch.seen.filter((pause) => isRunning(pause.state)).every((pause) => pause.settings.join() === '2,2')).toBe(
      true,
    );
    expect(await executorSettings(db.connectionString)).toEqual(['1', '1']);
    expect(
      await once(
        db.connectionString,
        "SELECT 1 FROM pg_db_role_setting, unnest(setconfig) c WHERE c LIKE 'elastic_scaler.%'",
      ),
    ).toEqual([]);
  });

  it('keeps watching while status reads fail with 08006 for an unreachable worker, and reports the retries condensed', async () => {
    const db = await scaledOutCluster(server);
    const worker = db.newNodeIds[0];
    const watch = virtualWatch(db, async (pause) => {
      if (pause === 4) {
        await once(db.connectionString, 'SELECT citus_standin.set_node_reachable($1, false)', [worker]);
        await once(db.connectionString, 'SELECT citus_standin.fail_status_reads(5, $1)', [worker]);
      }
      if (pause === 14) await once(db.connectionString, 'SELECT citus_standin.set_node_reachable($1, true)', [worker]);
    });
    try {
      const result = await runLocalRebalance(OPTIONS, watch.deps);

      expect(result).toMatchObject({ kind: 'ended', progress: { state: 'finished', moves: { done: 8 } } });
      // Five failed reads, one outage: one warning, then one line when watching goes on (backoff 1 + 2 + 4 + 8 + 8 s).
      const lost = watch.warnings.filter((warning) => warning.code === 'ConnectionLost');
      expect(lost).toHaveLength(1);
      expect(lost[0]?.message).toMatch(
        /^lost the connection to the coordinator \(reading the status of job 1 on 127\.0\.0\.1:\d+\/\S+ failed: connection to the remote node localhost:5434 failed with the following error: Connection refused \(SQLSTATE 08006\)\); connecting again with backoff, first in 1 s$/,
      );
      expect(watch.events.filter((event) => event.startsWith('connected again'))).toEqual([
        'connected again after 5 failed attempt(s) in 23 s; still watching',
      ]);
      const retries = watch.warnings.filter((warning) => warning.code === 'TaskRetrying');
      expect(retries.length).toBeGreaterThan(0);
      for (const retry of retries) expect(retry.message).not.toMatch(/postgres@|ERROR: |localhost-5434/);
      expect(
        retries.some((retry) => retry.message.endsWith('Could not fetch disk stats for node: localhost:5434')),
      ).toBe(true);
      // Not lowered under the running job: only after it finished.
      expect(
        watch.seen.filter((pause) => isRunning(pause.state)).every((pause) => pause.settings.join() === '2,2'),
      ).toBe(true);
      expect(await executorSettings(db.connectionString)).toEqual(['1', '1']);
    } finally {
      await db.close();
    }
  });

  it('gives up after the reconnect budget with the original error, leaves the settings raised and says what to run; a re-run follows the job and restores them', async () => {
    // 1 MiB/s: the job needs about 100 simulated seconds, the watch gives up after 20 s of failures.
    const db = await scaledOutCluster(server, { transferBytesPerSecond: 1024 * 1024 });
    const watch = virtualWatch(db, async (pause) => {
      if (pause === 3)
        await once(db.connectionString, 'SELECT citus_standin.fail_status_reads(1000, $1)', [db.newNodeIds[1]]);
    });
    try {
      const failure = await runLocalRebalance(OPTIONS, {
        ...watch.deps,
        reconnect: { initialDelayMs: 1_000, maxDelayMs: 8_000, giveUpAfterMs: 20_000 },
      }).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(TransientError);
      expect((failure as Error).message).toMatch(
        /^reading the status of job 1 on .* failed: connection to the remote node postgres@localhost:5435 failed .*\(SQLSTATE 08006\)$/,
      );
      const left = watch.warnings.find((warning) => warning.code === 'SettingsLeftRaised');
      expect(left?.message).toContain('stay raised: watching job 1 failed before it ended');
      expect(left?.message).toContain(
        [
          'To put them back once job 1 has ended, run:',
          '  ALTER SYSTEM RESET citus.max_background_task_executors;',
          '  ALTER SYSTEM RESET citus.max_background_task_executors_per_node;',
          '  SELECT pg_catalog.pg_reload_conf();',
        ].join('\n'),
      );
      expect(await executorSettings(db.connectionString)).toEqual(['2', '2']);
      expect(await jobState(db.connectionString)).toMatch(/^(scheduled|running)$/);

      await once(db.connectionString, 'SELECT citus_standin.fail_status_reads(0, NULL)');
      const rerun = virtualWatch(db);
      const result = await runLocalRebalance({ ...OPTIONS, parallelism: 1 }, rerun.deps);

      expect(rerun.events).toContain(
        'the executor settings citus.max_background_task_executors (2, was 1), citus.max_background_task_executors_per_node (2, was 1) were left raised by an earlier run; they go back when job 1 ends',
      );
      expect(result).toMatchObject({ kind: 'ended', jobId: 1, adopted: true, progress: { state: 'finished' } });
      expect(
        rerun.seen.filter((pause) => isRunning(pause.state)).every((pause) => pause.settings.join() === '2,2'),
      ).toBe(true);
      expect(await executorSettings(db.connectionString)).toEqual(['1', '1']);
    } finally {
      await db.close();
    }
  });

  it('restores settings an earlier run left raised before planning, when no job needs them any more', async () => {
    const db = await scaledOutCluster(server, { scaleOut: false });
    try {
      const sql = await CitusClient.coordinatorAt(db.connectionString);
      const settings = new AlterSystemSettings(sql);
      const before = await settings.snapshot();
      await sql.writeRaisedMarker(
        JSON.stringify({
          before,
          changes: [{ name: 'citus.max_background_task_executors_per_node', from: '1', to: '4' }],
        }),
      );
      await settings.apply([{ name: 'citus.max_background_task_executors_per_node', from: '1', to: '4' }]);
      await sql.close();

      const watch = virtualWatch(db);
      const result = await runLocalRebalance(OPTIONS, watch.deps);

      expect(result.kind).toBe('nothing-to-move');
      expect(watch.events).toContain(
        'restored citus.max_background_task_executors_per_node to 1 (left raised by an earlier run)',
      );
      expect(await executorSettings(db.connectionString)).toEqual(['1', '1']);
    } finally {
      await db.close();
    }
  });

  it('says exactly what to run when putting the settings back fails after the job finished', async () => {
    const db = await scaledOutCluster(server);
    // A login that may watch but not run ALTER SYSTEM: the watch switches to it once the job runs.
    await db.query(`
      DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'watcher') THEN CREATE ROLE watcher LOGIN PASSWORD 'watcher-pw'; END IF; END $$;
      GRANT USAGE ON SCHEMA citus, citus_standin TO watcher;
      GRANT SELECT, UPDATE ON ALL TABLES IN SCHEMA citus_standin TO watcher;
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA citus_standin TO watcher;
      GRANT SELECT ON ALL TABLES IN SCHEMA pg_catalog TO watcher;`);
    const limited = new URL(db.connectionString);
    limited.username = 'watcher';
    limited.password = 'watcher-pw';
    let asWatcher = false;
    const watch = virtualWatch(db, async () => {
      asWatcher ||= (await jobState(db.connectionString)) === 'running';
    });
    try {
      const result = await runLocalRebalance(OPTIONS, {
        ...watch.deps,
        connect: () => CitusClient.coordinatorAt(asWatcher ? limited.toString() : db.connectionString),
      });

      expect(result).toMatchObject({ kind: 'ended', progress: { state: 'finished' }, restored: [] });
      const statements = [
        'ALTER SYSTEM RESET citus.max_background_task_executors;',
        'ALTER SYSTEM RESET citus.max_background_task_executors_per_node;',
        'SELECT pg_catalog.pg_reload_conf();',
      ];
      expect(result.kind === 'ended' && result.leftRaised).toEqual({
        reason: expect.stringMatching(
          /^restoring them failed \(changing citus\.max_background_task_executors with ALTER SYSTEM on .* failed: permission denied/,
        ),
        statements,
      });
      expect(watch.warnings.find((warning) => warning.code === 'SettingsLeftRaised')?.message).toContain(
        `To put them back now, run:\n${statements.map((line) => `  ${line}`).join('\n')}`,
      );
      expect(await executorSettings(db.connectionString)).toEqual(['2', '2']);
    } finally {
      await db.query('DROP OWNED BY watcher').catch(() => undefined);
      await db.close();
    }
  });
});
