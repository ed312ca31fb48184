/**
 * `scaler rebalance` as an operator runs it: the real bin (`node bin/scaler.mjs`), in its own process, against the
 * Citus stand-in on a real PostgreSQL. The stand-in runs in wall-clock mode here, so the rebalance progresses by
 * itself while the command watches it.
 */
import { execFile, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../support/postgres.js';
import { CITUS_SETTING_DEFAULTS } from '../../tools/citus-standin/index.js';
import { scaledOutCluster, type StandinDb } from '../../tools/citus-standin/testing.js';
import { rebalanceCommand } from '../../cli/rebalance.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ config: CITUS_SETTING_DEFAULTS });
});

afterAll(async () => {
  await server.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function scaler(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', ['bin/scaler.mjs', 'rebalance', ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

interface SpawnedRun {
  exited: Promise<number | null>;
  stdout: () => string;
  /** Resolves once stdout contains `text`; rejects if the command exits first. */
  printed: (text: string) => Promise<void>;
}

/** The bin in its own process, followed line by line: the test acts on what it prints, not on how long it takes. */
function spawnScaler(...args: string[]): SpawnedRun {
  const child = spawn('node', ['bin/scaler.mjs', 'rebalance', ...args]);
  let stdout = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      for (const listener of listeners) listener();
      resolve(code);
    }),
  );
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.includes(text)) resolve();
        else if (child.exitCode !== null)
          reject(new Error(`scaler exited with ${child.exitCode} before printing "${text}":\n${stdout}`));
      };
      listeners.add(check);
      check();
    });
  return { exited, stdout: () => stdout, printed };
}

/** The same command in this process (argument checks need no new process). */
async function inProcess(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await rebalanceCommand(args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    interactive: false,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** A fast wall-clock cluster: 8 moves of 24 MiB finish in a few seconds of real time. */
async function fastCluster(options: Parameters<typeof scaledOutCluster>[1] = {}): Promise<StandinDb> {
  return scaledOutCluster(server, {
    progressMode: 'wall-clock',
    transferBytesPerSecond: 48 * 1024 * 1024,
    setupSeconds: 0.1,
    completionSeconds: 0.1,
    startDelaySeconds: 0.2,
    ...options,
  });
}

async function settings(db: StandinDb): Promise<string[]> {
  const rows = await db.query<{ value: string }>(
    "SELECT current_setting(name) AS value FROM unnest(ARRAY['citus.max_background_task_executors', 'citus.max_background_task_executors_per_node']) AS name",
  );
  return rows.map((row) => row.value);
}

async function groupsPerNode(db: StandinDb): Promise<Record<string, number>> {
  const rows = await db.query<{ nodeport: number; groups: number }>(
    "SELECT nodeport, count(*)::int AS groups FROM citus_shards WHERE table_name = 'events'::regclass GROUP BY nodeport ORDER BY nodeport",
  );
  return Object.fromEntries(rows.map((row) => [String(row.nodeport), row.groups]));
}

describe('scaler rebalance', () => {
  it('watches a parallel rebalance to the end with a progress bar, then restores the executor settings', async () => {
    const db = await fastCluster();
    try {
      const run = await scaler('--connection', db.connectionString, '--watch', '--parallel', '2', '--interval', '0.2');

      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines).toContain('raised citus.max_background_task_executors from 1 to 2 (alter-system)');
      expect(lines).toContain('raised citus.max_background_task_executors_per_node from 1 to 2 (alter-system)');
      expect(lines).toContain('Scheduled 8 moves as job 1');
      const bars = lines.filter((line) => line.startsWith('['));
      const percents = bars.map((line) => Number(/\]\s+([\d.]+) %/.exec(line)?.[1]));
      expect(percents.some((percent) => percent > 0 && percent < 100)).toBe(true);
      expect(percents).toEqual([...percents].sort((a, b) => a - b));
      expect(bars.at(-1)).toBe(`[${'#'.repeat(30)}] 100.0 %  finished  8/8 moves  192.0 MiB / 192.0 MiB`);
      expect(lines.at(-2)).toMatch(
        /^finished: job 1, 8 of 8 move\(s\), 192\.0 MiB in [\d.]+ s; executor settings restored \(citus\.max_background_task_executors = 1, citus\.max_background_task_executors_per_node = 1\)$/,
      );
      expect(await settings(db)).toEqual(['1', '1']);
      expect(await groupsPerNode(db)).toEqual({ 5432: 4, 5433: 4, 5434: 4, 5435: 4 });
    } finally {
      await db.close();
    }
  });

  it('stops watching on Ctrl-C, leaves the job running, and restores the executor settings', async () => {
    // 1 MiB/s: every move takes half a minute, so the job is still running when the command is interrupted.
    const db = await fastCluster({ transferBytesPerSecond: 1024 * 1024 });
    try {
      const child = spawn('node', [
        'bin/scaler.mjs',
        'rebalance',
        '--connection',
        db.connectionString,
        '--watch',
        '--parallel',
        '2',
        '--interval',
        '0.2',
      ]);
      let stdout = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('Scheduled 8 moves as job 1')) resolve();
        }),
      );
      child.kill('SIGINT');

      expect(await exited).toBe(130);
      expect(stdout).toContain(
        'stopped watching rebalance job 1; it keeps running in Citus (run again with --watch to follow it); executor settings restored',
      );
      expect(await settings(db)).toEqual(['1', '1']);
      expect((await db.one<{ state: string }>('SELECT state::text FROM citus_rebalance_status()')).state).toMatch(
        /^(scheduled|running)$/,
      );
    } finally {
      await db.close();
    }
  });

  it('prints the plan and the pre-flight verdict with --plan-only, disk headroom included, and changes nothing', async () => {
    const db = await fastCluster();
    try {
      const run = await scaler('--connection', db.connectionString, '--plan-only', '--node-disk-gb', '1');

      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(
        /^plan: 8 shard-group move\(s\), 192\.0 MiB \(tables events, event_items\)\n {2}shard \d+ \(\+1 colocated\) {2}localhost:543[23] -> localhost:543[45] {2}24\.0 MiB\n/,
      );
      expect(run.stdout).toContain('  localhost:5434 receives 96.0 MiB');
      // 96 MiB of shards on a 1 GiB node.
      expect(run.stdout).toContain(
        'pre-flight: ready; localhost:5434 90.6 % free after, localhost:5435 90.6 % free after',
      );

      const tight = await scaler(
        '--connection',
        db.connectionString,
        '--plan-only',
        '--node-disk-gb',
        '1',
        '--min-free-disk',
        '95',
      );
      expect(tight.code).toBe(1);
      expect(tight.stdout).toContain(
        'pre-flight: blocked:\n  - node localhost:5434 would have 90.6 % free disk after the moves (96.0 MiB of 1.0 GiB used by shards), below minFreeDiskPercent 95 %',
      );
      expect(await db.query('SELECT * FROM pg_dist_background_job')).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('follows a job that is already running instead of starting another', async () => {
    // Simulated time: the job stays scheduled, however slowly the command starts, until the test lets it run.
    const db = await scaledOutCluster(server, { progressMode: 'manual' });
    try {
      await db.query('SELECT citus_rebalance_start()');
      const run = spawnScaler('--connection', db.connectionString, '--watch', '--interval', '0.2');
      await run.printed('following it instead of starting another');
      expect(await db.one('SELECT citus_standin.run_until_terminal() AS state')).toEqual({ state: 'finished' });

      expect(await run.exited).toBe(0);
      expect(run.stdout()).toContain('rebalance job 1 is already scheduled: following it instead of starting another');
      expect(run.stdout()).toMatch(/finished: job 1, 8 of 8 move\(s\)/);
      expect(await db.one('SELECT count(*)::int AS jobs FROM pg_dist_background_job')).toEqual({ jobs: 1 });
    } finally {
      await db.close();
    }
  });

  it('refuses a pre-flight that fails, and reports nothing to move on a balanced cluster', async () => {
    const db = await fastCluster();
    try {
      await db.query('ALTER TABLE event_items DROP CONSTRAINT event_items_pkey');
      const blocked = await scaler('--connection', db.connectionString, '--watch');
      expect(blocked.code).toBe(1);
      expect(blocked.stdout).toMatch(
        /not started: shard_transfer_mode auto needs a replica identity on every table that moves, and event_items has none/,
      );

      const balanced = await scaledOutCluster(server, { scaleOut: false });
      try {
        const nothing = await scaler('--connection', balanced.connectionString, '--watch');
        expect(nothing).toMatchObject({
          code: 0,
          stdout: expect.stringContaining('nothing to move: the plan has no moves'),
        });
      } finally {
        await balanced.close();
      }
    } finally {
      await db.close();
    }
  });

  it('says which server parameters to set when the login may not run ALTER SYSTEM, as on Azure', async () => {
    const db = await scaledOutCluster(server);
    try {
      await db.query(`
        CREATE ROLE rebalancer LOGIN PASSWORD 'rebalance-pw';
        GRANT USAGE ON SCHEMA citus, citus_standin TO rebalancer;
        GRANT SELECT ON ALL TABLES IN SCHEMA pg_catalog, citus_standin TO rebalancer;
        GRANT SELECT ON events, event_items TO rebalancer;`);
      const url = new URL(db.connectionString);
      url.username = 'rebalancer';
      url.password = 'rebalance-pw';

      const run = await scaler('--connection', url.toString(), '--watch', '--parallel', '4');

      expect(run.code).toBe(1);
      expect(run.stderr).toContain('this server does not let the login change settings with ALTER SYSTEM');
      expect(run.stderr).toContain(
        'set the server parameters citus.max_background_task_executors = 4, citus.max_background_task_executors_per_node = 4',
      );
      expect(run.stderr).toContain('or pass --resource-id <ARM id of the cluster>');
      expect(await db.query('SELECT * FROM pg_dist_background_job')).toEqual([]);
    } finally {
      await db.query('DROP OWNED BY rebalancer; DROP ROLE rebalancer').catch(() => undefined);
      await db.close();
    }
  });

  it.each([
    { name: 'no --connection', args: ['--watch'], message: '--connection is required' },
    {
      name: 'a parallelism out of range',
      args: ['--connection', 'postgres://u@h/d', '--parallel', '0'],
      message: '--parallel: "0" is not a number from 1 to 128',
    },
    {
      name: 'an unknown transfer mode',
      args: ['--connection', 'postgres://u@h/d', '--transfer-mode', 'fast'],
      message: '--transfer-mode: "fast" is not one of auto, force_logical, block_writes',
    },
    {
      name: 'a resource id that is not one',
      args: ['--connection', 'postgres://u@h/d', '--resource-id', 'cluster1'],
      message: '--resource-id: "cluster1" is not an ARM resource id',
    },
    {
      name: 'a malformed connection URL',
      args: ['--connection', 'postgres://u:secret@h:99999/d', '--watch'],
      message:
        '--connection: "postgres://u:***@h:99999/d" is not a valid URL; write it as postgres://user[:password]@host:5432/database',
    },
    {
      name: 'a connection URL of another scheme',
      args: ['--connection', 'mysql://u@h/d'],
      message: '--connection: "mysql://u@h/d" is not a postgres:// URL',
    },
  ])('rejects $name with the usage and exit code 2', async ({ args, message }) => {
    const run = await inProcess(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('Usage: scaler rebalance --connection <postgres url> [options]');
  });

  it('refuses a worker node before changing anything', async () => {
    const db = await fastCluster();
    try {
      await db.query('SELECT citus_standin.act_as_worker(true)');
      const run = await inProcess('--connection', db.connectionString, '--watch', '--parallel', '2');
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        'this is not the Citus coordinator (citus_is_coordinator() is false); connect to the coordinator, port 5432',
      );
      expect(await settings(db)).toEqual(['1', '1']);
      expect(await db.query('SELECT * FROM pg_dist_background_job')).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('says so when the database has no Citus', async () => {
    const run = await inProcess('--connection', await server.createDatabase(), '--watch');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^scaler rebalance: checking that this is the Citus coordinator \(citus_is_coordinator\(\)\) on 127\.0\.0\.1:\d+\/\S+ failed: this database has no Citus /,
    );
  });

  it('refuses --parallel without --watch, because the settings could not be put back', async () => {
    const db = await fastCluster();
    try {
      const run = await inProcess('--connection', db.connectionString, '--parallel', '2');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        '--parallel 2: the executor settings must be raised for it and put back when the job ends, which needs --watch',
      );
      expect(await settings(db)).toEqual(['1', '1']);
      expect(await db.query('SELECT * FROM pg_dist_background_job')).toEqual([]);
    } finally {
      await db.close();
    }
  });
});
