/**
 * The follow-up orchestration through durable-functions' own replay machinery (test/support/durable-replay.ts):
 * the orchestrator and activities exactly as the app registers them, activities run for real against the HTTPS
 * Azure emulator and the Citus stand-in on a real PostgreSQL, results fed back as history events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzureEmulator, type AzureEmulator } from '../../../tools/emulator/index.js';
import { startPostgres, type PostgresServer } from '../../support/postgres.js';
import { CITUS_SETTING_DEFAULTS } from '../../../tools/citus-standin/index.js';
import { SUBSCRIPTION } from '../../support/scaler-harness.js';
import type { FollowUpProgressDocument } from '../../../shared/follow-up/progress.js';
import { activity, scenario, type Scenario } from './scenario.js';
import { MAX_WAITS_PER_EXECUTION } from '../../../shared/follow-up/machine-state.js';

const MIB = 1024 * 1024;
let emulator: AzureEmulator;
let server: PostgresServer;

beforeAll(async () => {
  [emulator, server] = await Promise.all([
    startAzureEmulator({ subscriptionId: SUBSCRIPTION }),
    startPostgres({ config: CITUS_SETTING_DEFAULTS }),
  ]);
});

afterAll(async () => {
  await Promise.all([emulator?.close(), server?.stop()]);
});

async function progressOf(run: Scenario): Promise<FollowUpProgressDocument | undefined> {
  return (await run.state.getFollowUpProgress(run.name, run.operation.id))?.document as
    FollowUpProgressDocument | undefined;
}

async function groupsPerNode(run: Scenario): Promise<Record<string, number>> {
  const rows = await run.db.query<{ nodeport: number; groups: number }>(
    "SELECT nodeport, count(*)::int AS groups FROM citus_shards WHERE table_name = 'events'::regclass GROUP BY nodeport ORDER BY nodeport",
  );
  return Object.fromEntries(rows.map((row) => [String(row.nodeport), row.groups]));
}

const jobCount = async (run: Scenario) =>
  (await run.db.one<{ jobs: number }>('SELECT count(*)::int AS jobs FROM pg_dist_background_job')).jobs;

describe('the follow-up orchestration of an elastic-cluster scale-out', () => {
  it('waits for ARM, checks the nodes, reconciles the connection limits, rebalances, and ends the operation', async () => {
    const seen: Array<{ phase: string; percent?: number | undefined }> = [];
    const watch = async () => {
      const document = await progressOf(run);
      if (document) seen.push({ phase: document.phase, percent: document.rebalance?.percent });
    };
    const run: Scenario = await scenario(emulator, server, {
      connections: { policy: 'formula', reservedConnections: 59 },
      driver: { afterActivity: () => watch() },
    });

    await run.driver.run();

    expect(run.driver.failure).toBeUndefined();
    expect(run.driver.output).toMatchObject({
      status: 'succeeded',
      message: expect.stringMatching(
        /^ARM finished the update to 4 node\(s\); rebalanced: 8 move\(s\), 192\.0 MiB \(job \d+\)$/,
      ),
    });
    expect(await run.state.getOperation(run.name, run.operation.id)).toMatchObject({
      status: 'succeeded',
      completedAt: emulator.clock.now(),
    });
    expect(await groupsPerNode(run)).toEqual({ 5432: 4, 5433: 4, 5434: 4, 5435: 4 });
    expect(await progressOf(run)).toMatchObject({
      phase: 'completed',
      arm: { requested: 4, capacity: 4, status: 'Ready', operation: 'succeeded' },
      nodes: { activeNodes: 4, newNodes: ['localhost:5434', 'localhost:5435'] },
      plan: { moves: 8, bytes: 192 * MIB, tables: ['events', 'event_items'] },
      rebalance: {
        state: 'finished',
        percent: 100,
        moves: { total: 8, done: 8 },
        bytes: { total: 192 * MIB, moved: 192 * MIB },
      },
      outcome: { status: 'succeeded' },
    });
    // formula: (max_connections 859 of a Standard_D2ds_v4 - 59 reserved) / 4 nodes; Azure's own default was 859 / 4.
    expect((await progressOf(run))?.connections?.applied).toEqual([
      { name: 'citus.max_client_connections', from: '214', to: '200' },
      { name: 'citus.max_shared_pool_size', from: '214', to: '200' },
    ]);
    expect(emulator.postgres.getConfiguration(run.resourceId, 'citus.max_shared_pool_size').properties).toMatchObject({
      value: '200',
      source: 'user-override',
    });
    // Progress was visible on the way, not only at the end.
    expect(
      seen.some(
        (entry) => entry.phase === 'monitor' && entry.percent !== undefined && entry.percent > 0 && entry.percent < 100,
      ),
    ).toBe(true);
    expect([...new Set(seen.map((entry) => entry.phase))]).toEqual([
      'wait-arm',
      'verify-nodes',
      'connections',
      'preflight',
      'monitor',
      'completed',
    ]);
  });

  it('schedules the same actions again when replayed from every intermediate history', async () => {
    const run = await scenario(emulator, server);
    await run.driver.run();
    expect(run.driver.output).toMatchObject({ status: 'succeeded' });

    const episodes = run.driver.episodes;
    expect(episodes.length).toBeGreaterThan(20);
    for (const episode of episodes) {
      expect(await run.driver.replay(episode)).toEqual({ actions: episode.actions, isDone: episode.isDone });
    }
  });
});

describe('the follow-up orchestration when things go wrong', () => {
  it('survives a host restart in the middle of monitoring without starting a second rebalance', async () => {
    const run = await scenario(emulator, server);
    await run.driver.run((driver) => driver.callsOf(activity('pollRebalance')).length >= 2);
    expect(run.driver.done).toBe(false);

    await run.restartHost();
    await run.driver.run();

    expect(run.driver.output).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(run.driver.callsOf(activity('startRebalance'))).toHaveLength(1);
    expect(await jobCount(run)).toBe(1);
    expect(await groupsPerNode(run)).toEqual({ 5432: 4, 5433: 4, 5434: 4, 5435: 4 });
  });

  it('adopts the job when the host died after citus_rebalance_start but before its result was stored', async () => {
    const run = await scenario(emulator, server, {
      driver: { loseResult: (call, delivery) => call.name === activity('startRebalance') && delivery === 1 },
    });

    await run.driver.run();

    expect(
      run.driver
        .callsOf(activity('startRebalance'))
        .map((call) => [call.outcome, (call.result as { kind?: string } | undefined)?.kind]),
    ).toEqual([
      ['lost', 'started'],
      ['completed', 'adopted'],
    ]);
    expect(await jobCount(run)).toBe(1);
    expect(run.driver.output).toMatchObject({ status: 'succeeded' });
  });

  it('retries a failed job, reports the failure with the Citus messages, and restores the executor settings', async () => {
    const retrying: string[] = [];
    const afterActivity = async (call: { name: string; result?: unknown }) => {
      if (call.name === activity('startRebalance')) {
        // The first move of every job fails on every try: the job fails after Citus's 32 retries.
        const jobId = (call.result as { jobId: number }).jobId;
        await run.db.query(
          "SELECT citus_standin.fail_task(min(task_id), times => -1, message => 'could not connect to worker: disk full') FROM pg_dist_background_task WHERE job_id = $1 AND command LIKE '%citus_move_shard_placement%'",
          [jobId],
        );
      }
      const document = await progressOf(run);
      if (document?.rebalance?.state === 'running' && document.alerts?.some((alert) => alert.code === 'TaskRetrying'))
        retrying.push(document.rebalance.state);
    };
    // Polls ten virtual minutes apart: the job takes about an hour of Citus retries to fail, so a handful of polls
    // (each a real round of SQL) see it through, however busy the machine is. The deadline stays out of the way.
    const run: Scenario = await scenario(emulator, server, {
      rebalance: { parallelism: 2, maxAttempts: 2, pollIntervalSeconds: 600, timeoutMinutes: 600 },
      driver: { afterActivity },
    });
    const executors = ['citus.max_background_task_executors', 'citus.max_background_task_executors_per_node'];
    const valueOf = (name: string) => emulator.postgres.getConfiguration(run.resourceId, name).properties.value;

    await run.driver.run((driver) => driver.callsOf(activity('startRebalance')).length === 1);
    expect(executors.map(valueOf)).toEqual(['2', '2']);
    await run.driver.run();

    expect(run.driver.callsOf(activity('startRebalance'))).toHaveLength(2);
    expect(run.driver.output).toMatchObject({ status: 'failed', attempts: 2 });
    const operation = await run.state.getOperation(run.name, run.operation.id);
    expect(operation?.status).toBe('failed');
    // Moves run in parallel, so the first job still did the 7 moves that do not depend on the broken one.
    expect(operation?.history.at(-1)?.message).toMatch(
      /^rebalance job \d+ failed after 0 of 1 move\(s\), attempt 2 of 2; giving up\. Citus says: task \d+ \(error, retried 33x\): could not connect to worker: disk full \(took \d+ min\); notes: .*rebalance job \d+ failed after 7 of 8 move\(s\)/,
    );
    expect(executors.map(valueOf)).toEqual(['1', '1']);
    const document = await progressOf(run);
    expect(document?.executors).toMatchObject({
      via: 'server-parameters',
      changed: executors,
      restoredAt: expect.any(String),
    });
    expect(document?.attempts?.map((attempt) => attempt.state)).toEqual(['failed', 'failed']);
    // Reported while the job still ran, not only at the end.
    expect(retrying.length).toBeGreaterThan(0);
    expect(document?.alerts?.map((alert) => alert.code)).toEqual(
      expect.arrayContaining(['TaskRetrying', 'MoveFailed', 'FollowUpFailed']),
    );
    expect(run.driver.callsOf(activity('pollRebalance')).length).toBeLessThan(20);
  });

  it('gives up on ARM after readyTimeoutMinutes, records the operation as timed-out, and never connects to the cluster', async () => {
    const run = await scenario(emulator, server, {
      armUpdateMs: 6 * 60 * 60_000,
      rebalance: { readyTimeoutMinutes: 3, pollIntervalSeconds: 30 },
    });

    await run.driver.run();

    expect(run.driver.output).toMatchObject({
      status: 'timed-out',
      message: expect.stringMatching(
        /^timed out after waiting 3 min for ARM to finish the update to 4 node\(s\) \(ARM shows 2 node\(s\), state Updating, operation running\)$/,
      ),
    });
    expect((await run.state.getOperation(run.name, run.operation.id))?.status).toBe('timed-out');
    expect(new Set(run.driver.calls.map((call) => call.name))).toEqual(
      new Set([activity('checkArm'), activity('finish')]),
    );
    expect((await progressOf(run))?.alerts?.[0]).toMatchObject({ code: 'FollowUpTimedOut' });
  });

  it('ends a rebalance job stuck in scheduled as timed-out at rebalance.timeoutMinutes, with an error-level alert, and frees the target', async () => {
    const run = await scenario(emulator, server, { rebalance: { timeoutMinutes: 15, pollIntervalSeconds: 60 } });
    await run.db.query('SELECT citus_standin.stall_monitor()');

    await run.driver.run();

    expect(run.driver.output).toMatchObject({
      status: 'timed-out',
      message: expect.stringMatching(
        /^timed out: the rebalance did not end within its deadline \(\d+ min after the follow-up began, rebalance\.timeoutMinutes\); rebalance job \d+, scheduled at 0 of 8 move\(s\), is left as it is/,
      ),
    });
    const operation = await run.state.getOperation(run.name, run.operation.id);
    expect(operation).toMatchObject({ status: 'timed-out', completedAt: emulator.clock.now() });
    expect(await run.state.getOperationInProgress(run.name)).toBeUndefined();
    const starts = run.driver.callsOf(activity('startRebalance')).map((call) => (call.result as { kind: string }).kind);
    expect(starts).toEqual(['started']);
    expect(await run.db.query('SELECT state::text FROM pg_dist_background_job')).toEqual([{ state: 'scheduled' }]);
    expect(
      run.driver.logLines.filter(
        (line) =>
          line.level === 'error' && (line.fields as { event?: string } | undefined)?.event === 'FollowUpTimedOut',
      ),
    ).toEqual([
      {
        level: 'error',
        message: expect.stringMatching(/^follow-up timed-out: timed out: the rebalance did not end/),
        fields: expect.objectContaining({ alert: true, operationId: run.operation.id, target: run.name }),
      },
    ]);
    expect((await progressOf(run))?.alerts?.map((alert) => alert.code)).toContain('FollowUpTimedOut');
  });

  it('keeps watching a rebalance while its status reads fail for longer than the activity retries, and finishes it', async () => {
    const run = await scenario(emulator, server);
    await run.driver.run((driver) => driver.callsOf(activity('pollRebalance')).length >= 2);
    const worker = await run.db.one<{ nodeid: number }>(
      'SELECT nodeid FROM pg_dist_node WHERE groupid > 0 ORDER BY nodeid DESC LIMIT 1',
    );
    // 60 failed reads are 15 activities of 4 tries each: far more than one activity's retries.
    await run.db.query('SELECT citus_standin.fail_status_reads(60, $1)', [worker.nodeid]);

    await run.driver.run();

    expect(run.driver.output).toMatchObject({
      status: 'succeeded',
      message: expect.stringMatching(/rebalanced: 8 move\(s\), 192\.0 MiB/),
    });
    expect(run.driver.callsOf(activity('startRebalance'))).toHaveLength(1);
    const finish = run.driver.callsOf(activity('finish'))[0]?.input as { notes: string[] } | undefined;
    expect(finish?.notes).toEqual([
      expect.stringMatching(
        /^the status reads of rebalance job \d+ failed for about \d+ min \(.*SQLSTATE 08006.*\); the job ran on and the follow-up kept watching$/,
      ),
    ]);
  });

  it('fails the orchestration loudly when the outcome cannot be recorded, leaving the outcome in its custom status', async () => {
    const run = await scenario(emulator, server, {
      rebalance: { enabled: false },
      driver: {
        failDelivery: (call) =>
          call.name === activity('finish') ? 'Table Storage answered 503 ServerBusy' : undefined,
      },
    });

    await run.driver.run();

    expect(run.driver.output).toBeUndefined();
    expect(run.driver.failureMessage).toBe(
      `the follow-up of operation ${run.operation.id} ended succeeded but could not record it after 10 tries (Table Storage answered 503 ServerBusy); the operation stays running until the scaler's next evaluation records this outcome from the orchestration's status`,
    );
    expect(run.driver.customStatus).toMatchObject({
      phase: 'done',
      unrecordedOutcome: {
        operationId: run.operation.id,
        status: 'succeeded',
        message: expect.stringMatching(/^ARM finished the update to 4 node\(s\); no rebalance/),
      },
    });
    expect((await run.state.getOperation(run.name, run.operation.id))?.status).toBe('running');
  });

  it('pauses a running rebalance on request and finishes it after a resume, as one attempt', async () => {
    const run = await scenario(emulator, server);
    const rebalance = () => run.services.followUp.rebalance;
    await run.driver.run((driver) => driver.callsOf(activity('pollRebalance')).length >= 3);

    const paused = await rebalance().pauseRebalance(run.name, { by: 'ops@example.com', reason: 'peak hours' });
    expect(paused).toMatchObject({ status: 'pausing', operationId: run.operation.id, jobId: expect.any(Number) });
    await run.driver.run((driver) => driver.callsOf(activity('checkControl')).length >= 2);
    expect((await progressOf(run))?.phase).toBe('paused');
    // A long pause (each check reads only the state store): the history restarts with continueAsNew on the way.
    await run.driver.run((driver) => (driver.episodes.at(-1)?.execution ?? 1) > 1);
    expect(run.driver.callsOf(activity('checkControl')).length).toBeLessThan(MAX_WAITS_PER_EXECUTION);
    expect((await progressOf(run))?.phase).toBe('paused');
    expect((await run.state.getOperationInProgress(run.name))?.id).toBe(run.operation.id);
    await expect(rebalance().pauseRebalance(run.name, { by: 'ops', reason: 'again' })).resolves.toMatchObject({
      status: 'pausing',
    });

    await rebalance().resumeRebalance(run.name, { by: 'ops@example.com', reason: 'quiet again' });
    await run.driver.run();

    expect(run.driver.output).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(run.driver.callsOf(activity('startRebalance'))).toHaveLength(2);
    expect(await run.db.query('SELECT state::text FROM pg_dist_background_job ORDER BY job_id')).toEqual([
      { state: 'cancelled' },
      { state: 'finished' },
    ]);
    expect(await groupsPerNode(run)).toEqual({ 5432: 4, 5433: 4, 5434: 4, 5435: 4 });
    await expect(rebalance().resumeRebalance(run.name, { by: 'ops', reason: 'late' })).rejects.toThrow(
      /has no operation in progress/,
    );
  });
});
