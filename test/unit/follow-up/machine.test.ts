/**
 * The follow-up state machine on its own: scripted activity results in, the steps it takes out. Time only moves
 * when the machine asks for a timer, as under the orchestrator.
 */
import { describe, expect, it } from 'vitest';
import {
  afterActivity,
  afterActivityFailure,
  afterTimer,
  nextCommand,
  startFollowUp,
} from '../../../shared/follow-up/machine.js';
import { MAX_WAITS_PER_EXECUTION, type Command, type FollowUpState } from '../../../shared/follow-up/machine-state.js';
import type { FollowUpInput } from '../../../shared/follow-up/input.js';
import type { ActivityName } from '../../../shared/follow-up/activity-contract.js';
import { rebalanceTimeoutMinutes } from '../../../shared/follow-up/deadline.js';

const START = new Date('2026-01-05T08:00:00Z');

const pgInput = (overrides: Partial<FollowUpInput> = {}): FollowUpInput => ({
  schemaVersion: 1,
  target: 'orders',
  kind: 'postgres-elastic-cluster',
  resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders',
  operationId: 'op-1',
  direction: 'out',
  from: 2,
  to: 4,
  operationStartedAt: START.toISOString(),
  pollIntervalSeconds: 30,
  readyTimeoutMinutes: 10,
  haReadyTimeoutMinutes: 20,
  connections: { policy: 'service-default' },
  rebalance: {
    strategy: 'by_disk_size',
    shardTransferMode: 'auto',
    parallelism: 1,
    maxAttempts: 2,
    minFreeDiskPercent: 20,
    stuckScheduledMinutes: 10,
  },
  ...overrides,
});

type Step = [ActivityName, unknown];
const failure = (message: string) => new Error(message);
const armReady = { lro: 'succeeded', capacity: 4, status: 'Ready', ready: true, highAvailability: false };
const armBusy = { lro: 'running', capacity: 2, status: 'Updating', ready: false, highAvailability: false };
const nodesReady = { kind: 'ready', activeNodes: 4, newNodes: ['n:5434', 'n:5435'] };
const connections = { changed: 0, kept: 0, message: 'changed nothing' };
const planReady = { kind: 'ready', moves: 8, bytes: 192 * 1024 * 1024 };
const started = (jobId = 1) => ({ kind: 'started', jobId, message: `Scheduled 8 moves as job ${jobId}` });
const poll = (state: string, overrides: Record<string, unknown> = {}) => ({
  state,
  terminal: ['finished', 'failed', 'cancelled'].includes(state),
  pauseRequested: false,
  movesDone: state === 'finished' ? 8 : 2,
  movesTotal: 8,
  bytesMoved: state === 'finished' ? 192 * 1024 * 1024 : 0,
  bytesTotal: 192 * 1024 * 1024,
  messages: [],
  reported: [],
  ...overrides,
});
const finished = { status: 'succeeded', durationSeconds: 60 };

interface Run {
  steps: string[];
  result: Extract<Command, { kind: 'complete' }>['result'] | undefined;
  /** Set when the machine ended the orchestration as Failed. */
  failure?: string | undefined;
  state: FollowUpState;
  inputs: Record<string, unknown[]>;
  now: Date;
}

/** Feeds the script's results to the machine, in order; a step not in the script fails the test. */
function run(input: FollowUpInput, script: Step[], state: FollowUpState = startFollowUp(input, START)): Run {
  let now = state === undefined ? START : new Date(Math.max(START.getTime(), Date.parse(state.startedAt)));
  const steps: string[] = [];
  const inputs: Record<string, unknown[]> = {};
  const queue = [...script];
  for (let guard = 0; guard < 2_000; guard++) {
    const command = nextCommand(state, now);
    if (command.kind === 'complete') return { steps, result: command.result, state, inputs, now };
    if (command.kind === 'fail') return { steps, result: command.result, failure: command.message, state, inputs, now };
    if (command.kind === 'continue-as-new') {
      steps.push('continue-as-new');
      state = command.state;
      continue;
    }
    if (command.kind === 'timer') {
      steps.push(`timer ${(Date.parse(command.fireAt) - now.getTime()) / 1000}s`);
      now = new Date(command.fireAt);
      state = afterTimer(state);
      continue;
    }
    const next = queue.shift();
    if (!next) return { steps: [...steps, `(unscripted ${command.name})`], result: undefined, state, inputs, now };
    const [name, result] = next;
    expect(command.name, `step ${steps.length}`).toBe(name);
    steps.push(name);
    (inputs[name] ??= []).push(command.input);
    state =
      result instanceof Error
        ? afterActivityFailure(state, command, result.message, now)
        : afterActivity(state, command, result, now);
  }
  throw new Error('the machine did not complete');
}

const happy: Step[] = [
  ['checkArm', armBusy],
  ['checkArm', armReady],
  ['inspectNodes', nodesReady],
  ['reconcileConnections', connections],
  ['preflight', planReady],
  ['startRebalance', started()],
  ['pollRebalance', poll('running')],
  ['pollRebalance', poll('finished')],
  ['finish', finished],
];

describe('the follow-up state machine', () => {
  it('carries an elastic-cluster scale-out through ARM, the nodes, the connection limits and the rebalance', () => {
    const result = run(pgInput(), happy);
    expect(result.steps).toEqual([
      'checkArm',
      'timer 30s',
      'checkArm',
      'inspectNodes',
      'reconcileConnections',
      'preflight',
      'startRebalance',
      'pollRebalance',
      'timer 30s',
      'pollRebalance',
      'finish',
    ]);
    expect(result.result).toEqual({
      target: 'orders',
      operationId: 'op-1',
      status: 'succeeded',
      message: 'ARM finished the update to 4 node(s); rebalanced: 8 move(s), 192.0 MiB (job 1)',
      jobId: 1,
      attempts: 1,
    });
    expect(result.inputs['finish']).toEqual([
      {
        target: 'orders',
        operationId: 'op-1',
        status: 'succeeded',
        message: result.result?.message,
        alert: false,
        notes: [],
        at: result.now.toISOString(),
      },
    ]);
    expect(result.inputs['startRebalance']).toEqual([
      {
        target: 'orders',
        operationId: 'op-1',
        strategy: 'by_disk_size',
        shardTransferMode: 'auto',
        parallelism: 1,
        attempt: 1,
      },
    ]);
  });

  it.each([
    { name: 'without high availability', ha: false, polls: 20 },
    { name: 'with high availability (haReadyTimeoutMinutes)', ha: true, polls: 40 },
  ])('gives up waiting for ARM after its timeout $name, with an alert', ({ ha, polls }) => {
    const busy = { ...armBusy, highAvailability: ha };
    const result = run(pgInput(), [
      ...Array.from({ length: polls + 1 }, (): Step => ['checkArm', busy]),
      ['finish', finished],
    ]);
    expect(result.steps.filter((step) => step === 'checkArm')).toHaveLength(polls + 1);
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'timed-out',
      alert: true,
      message: `timed out after waiting ${ha ? 20 : 10} min for ARM to finish the update to 4 node(s) (ARM shows 2 node(s), state Updating, operation running)`,
    });
  });

  it('stops at once when ARM reports the update failed, without touching the cluster', () => {
    const result = run(pgInput(), [
      [
        'checkArm',
        { ...armBusy, lro: 'failed', message: 'UnsupportedValue: Unsupported value 21 for parameter NumberOfNodes' },
      ],
      ['finish', finished],
    ]);
    expect(result.steps).toEqual(['checkArm', 'finish']);
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'failed',
      alert: true,
      message:
        'ARM reports the update to 4 node(s) failed: UnsupportedValue: Unsupported value 21 for parameter NumberOfNodes',
    });
  });

  it('keeps waiting through ARM read failures until the deadline, then names the last error', () => {
    const result = run(pgInput({ readyTimeoutMinutes: 1 }), [
      ['checkArm', armBusy],
      ['checkArm', failure('ARM answered 503')],
      ['checkArm', failure('ARM answered 503')],
      ['finish', finished],
    ]);
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'timed-out',
      message:
        'timed out after waiting 1 min for ARM to finish the update to 4 node(s) (ARM answered 503); last error: ARM answered 503',
    });
  });

  it('gives up when ARM cannot even be read, once the timeout has passed', () => {
    const failures = Array.from({ length: 21 }, (): Step => ['checkArm', failure('403 AuthorizationFailed')]);
    const result = run(pgInput(), [...failures, ['finish', finished]]);
    expect(result.steps.filter((step) => step === 'checkArm')).toHaveLength(21);
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'timed-out',
      message:
        'timed out after waiting 10 min for ARM to finish the update to 4 node(s) (403 AuthorizationFailed); last error: 403 AuthorizationFailed',
    });
  });

  it.each([
    {
      name: 'an ADX cluster',
      input: pgInput({ kind: 'kusto-cluster', rebalance: undefined, connections: undefined }),
      message: 'ARM finished the update to 4 instance(s)',
    },
    {
      name: 'an ADX scale-in',
      input: pgInput({ kind: 'kusto-cluster', direction: 'in', from: 4, to: 3, rebalance: undefined }),
      message: 'ARM finished the update to 3 instance(s)',
    },
  ])('only waits for ARM for $name', ({ input, message }) => {
    const result = run(input, [
      ['checkArm', { ...armReady, capacity: input.to }],
      ['finish', finished],
    ]);
    expect(result.steps).toEqual(['checkArm', 'finish']);
    expect(result.result).toMatchObject({ status: 'succeeded', message });
  });

  it('reconciles the connection limits but does not rebalance when rebalance.enabled is false', () => {
    const result = run(pgInput({ rebalance: undefined }), [
      ['checkArm', armReady],
      ['reconcileConnections', connections],
      ['finish', finished],
    ]);
    expect(result.result?.message).toBe(
      'ARM finished the update to 4 node(s); no rebalance (rebalance.enabled is false): existing shards stay where they are until you rebalance',
    );
  });

  it('waits for the nodes to show up in pg_dist_node, and fails when a new node cannot hold shards', () => {
    const waiting = {
      kind: 'waiting',
      message: 'pg_dist_node shows 3 active primary node(s), the cluster should have 4',
    };
    const result = run(pgInput(), [
      ['checkArm', armReady],
      ['inspectNodes', waiting],
      ['inspectNodes', { kind: 'failed', message: 'the new node(s) n:5435 cannot hold shards' }],
      ['finish', finished],
    ]);
    expect(result.steps).toEqual(['checkArm', 'inspectNodes', 'timer 30s', 'inspectNodes', 'finish']);
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'failed',
      message: 'the new node(s) n:5435 cannot hold shards',
    });
  });

  it('goes on with the rebalance when the connection limits cannot be set, and says so at the end', () => {
    const script = happy.map((step): Step =>
      step[0] === 'reconcileConnections' ? ['reconcileConnections', failure('ServerBusy')] : step,
    );
    const result = run(pgInput(), script);
    expect(result.result?.status).toBe('succeeded');
    expect(result.inputs['finish']?.[0]).toMatchObject({
      notes: ['the connection limits could not be reconciled: ServerBusy'],
    });
  });

  it.each([
    {
      name: 'adopts a job already running',
      verdict: { kind: 'adopt', jobId: 9, state: 'running', bytes: 0 },
      next: 'pollRebalance',
    },
    {
      name: 'finishes when there is nothing to move',
      verdict: { kind: 'nothing-to-move', message: 'the plan has no moves' },
      next: 'finish',
    },
    {
      name: 'fails when the pre-flight blocks',
      verdict: { kind: 'blocked', problems: ['no replica identity on items'] },
      next: 'finish',
    },
  ])('after the pre-flight, $name', ({ verdict, next }) => {
    const monitor: Step[] = next === 'pollRebalance' ? [['pollRebalance', poll('finished')]] : [];
    const result = run(pgInput(), [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', verdict],
      ...monitor,
      ['finish', finished],
    ]);
    expect(result.steps.slice(3, 5)).toEqual(['preflight', next]);
    if (verdict.kind === 'blocked')
      expect(result.inputs['finish']?.[0]).toMatchObject({
        status: 'failed',
        message: 'the rebalance was not started: no replica identity on items',
      });
    if (verdict.kind === 'adopt') expect(result.result).toMatchObject({ status: 'succeeded', jobId: 9, attempts: 1 });
  });

  it('raises the executor settings before the start and restores them before finishing, whatever happens', () => {
    const input = pgInput({ rebalance: { ...pgInput().rebalance!, parallelism: 4 } });
    const raised = {
      changed: ['citus.max_background_task_executors', 'citus.max_background_task_executors_per_node'],
      effectiveParallelism: 4,
      message: 'ok',
    };
    const result = run(input, [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', planReady],
      ['raiseExecutors', raised],
      ['startRebalance', failure('could not acquire the lock')],
      ['restoreExecutors', { restored: raised.changed }],
      ['finish', finished],
    ]);
    expect(result.steps.slice(4)).toEqual(['raiseExecutors', 'startRebalance', 'restoreExecutors', 'finish']);
    expect(result.inputs['startRebalance']?.[0]).toMatchObject({ parallelism: 4 });
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'failed',
      message: 'citus_rebalance_start failed: could not acquire the lock',
    });
  });

  it('moves one shard group at a time when the settings cannot be raised, and still restores them', () => {
    const input = pgInput({ rebalance: { ...pgInput().rebalance!, parallelism: 4 } });
    const result = run(input, [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', planReady],
      ['raiseExecutors', failure('403 AuthorizationFailed')],
      ['startRebalance', started()],
      ['pollRebalance', poll('finished')],
      ['restoreExecutors', { restored: [] }],
      ['finish', finished],
    ]);
    expect(result.inputs['startRebalance']?.[0]).toMatchObject({ parallelism: 1 });
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'succeeded',
      notes: ['the executor settings could not be raised (403 AuthorizationFailed); moving one shard group at a time'],
    });
  });

  it('starts a failed job again up to maxAttempts, then reports the Citus messages', () => {
    const failed = poll('failed', { messages: ['task 5 (error, retried 33x): ERROR: disk full'] });
    const result = run(pgInput(), [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', planReady],
      ['startRebalance', started(1)],
      ['pollRebalance', failed],
      ['startRebalance', started(2)],
      ['pollRebalance', failed],
      ['finish', finished],
    ]);
    expect(result.steps.slice(4)).toEqual([
      'startRebalance',
      'pollRebalance',
      'timer 30s',
      'startRebalance',
      'pollRebalance',
      'finish',
    ]);
    expect(result.inputs['startRebalance']?.map((input) => (input as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(result.result).toMatchObject({ status: 'failed', attempts: 2, jobId: 2 });
    expect(result.inputs['finish']?.[0]).toMatchObject({
      alert: true,
      message:
        'rebalance job 2 failed after 2 of 8 move(s), attempt 2 of 2; giving up. Citus says: task 5 (error, retried 33x): ERROR: disk full',
      notes: [
        'rebalance job 1 failed after 2 of 8 move(s): task 5 (error, retried 33x): ERROR: disk full; starting again',
      ],
    });
  });

  it('waits in a pause until a resume, then starts again without counting an attempt', () => {
    const result = run(pgInput({ rebalance: { ...pgInput().rebalance!, maxAttempts: 1 } }), [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', planReady],
      ['startRebalance', started(1)],
      ['pollRebalance', poll('cancelled', { pauseRequested: true })],
      ['checkControl', { resumeRequested: false }],
      ['checkControl', { resumeRequested: true }],
      ['startRebalance', started(2)],
      ['pollRebalance', poll('finished')],
      ['finish', finished],
    ]);
    expect(result.steps.slice(5)).toEqual([
      'pollRebalance',
      'checkControl',
      'timer 30s',
      'checkControl',
      'startRebalance',
      'pollRebalance',
      'finish',
    ]);
    expect(result.result).toMatchObject({ status: 'succeeded', attempts: 1, jobId: 2 });
  });

  it('keeps watching through failed status reads, backing off, and notes the outage once the reads work again', () => {
    const reads = Array.from({ length: 12 }, (): Step => [
      'pollRebalance',
      failure('connection to server at "w2" (10.0.0.7), port 5432 failed: 08006'),
    ]);
    const result = run(pgInput(), [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', planReady],
      ['startRebalance', started()],
      ...reads,
      ['pollRebalance', poll('finished')],
      ['finish', finished],
    ]);
    const waits = result.steps.filter((step) => step.startsWith('timer'));
    expect(waits.slice(0, 6)).toEqual([
      'timer 30s',
      'timer 60s',
      'timer 120s',
      'timer 240s',
      'timer 300s',
      'timer 300s',
    ]);
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'succeeded',
      notes: [
        'the status reads of rebalance job 1 failed for about 48 min (connection to server at "w2" (10.0.0.7), port 5432 failed: 08006); the job ran on and the follow-up kept watching',
      ],
    });
  });

  it('ends a watch whose status reads never work again as timed-out at the rebalance deadline, with the last error', () => {
    const input = pgInput({ rebalance: { ...pgInput().rebalance!, timeoutMinutes: 30 } });
    // Reads at 0, 30, 90, 210, 450, 750, 1050, 1350, 1650 and 1950 s: the tenth is past the 30 min deadline.
    const reads = Array.from({ length: 10 }, (): Step => ['pollRebalance', failure('connection refused')]);
    const result = run(input, [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', planReady],
      ['startRebalance', started()],
      ...reads,
      ['finish', finished],
    ]);
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'timed-out',
      alert: true,
      message:
        'timed out: the rebalance did not end within its deadline (30 min after the follow-up began, rebalance.timeoutMinutes); rebalance job 1 is left as it is: let it finish, or stop it with SELECT citus_rebalance_stop(); its status could not be read since 2026-01-05T08:00:00.000Z (connection refused)',
    });
  });

  it('records the outcome even when restoring the settings fails, with the fix in the notes', () => {
    const input = pgInput({ rebalance: { ...pgInput().rebalance!, parallelism: 2 } });
    const result = run(input, [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', planReady],
      ['raiseExecutors', { changed: ['citus.max_background_task_executors'], effectiveParallelism: 2, message: 'ok' }],
      ['startRebalance', started()],
      ['pollRebalance', poll('finished')],
      ['restoreExecutors', failure('ServerBusy')],
      ['finish', finished],
    ]);
    expect(result.inputs['finish']?.[0]).toMatchObject({
      status: 'succeeded',
      notes: [
        expect.stringMatching(
          /^the executor settings could not be restored \(ServerBusy\); set citus.max_background_task_executors and citus.max_background_task_executors_per_node back by hand/,
        ),
      ],
    });
  });

  it('tries to record the outcome again and again, then fails the orchestration loudly, carrying the outcome', () => {
    const attempts = Array.from({ length: 10 }, (): Step => ['finish', failure('Table Storage unreachable')]);
    const result = run(pgInput({ kind: 'kusto-cluster', rebalance: undefined }), [['checkArm', armReady], ...attempts]);
    expect(result.steps.filter((step) => step === 'finish')).toHaveLength(10);
    expect(result.failure).toBe(
      "the follow-up of operation op-1 ended succeeded but could not record it after 10 tries (Table Storage unreachable); the operation stays running until the scaler's next evaluation records this outcome from the orchestration's status",
    );
    expect(result.result).toEqual({
      target: 'orders',
      operationId: 'op-1',
      status: 'succeeded',
      message: 'ARM finished the update to 4 instance(s)',
      attempts: 0,
    });
  });

  describe('the rebalance deadline', () => {
    const untilPreflight: Step[] = [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', planReady],
    ];

    it('ends a job stuck in scheduled as timed-out once the deadline derived from the plan has passed, and names the job left behind', () => {
      const polls = Array.from({ length: 124 * 2 + 1 }, (): Step => [
        'pollRebalance',
        poll('scheduled', { movesDone: 0 }),
      ]);
      const result = run(pgInput(), [...untilPreflight, ['startRebalance', started()], ...polls, ['finish', finished]]);
      // 192 MiB rounds up to 1 GiB: (60 + 2) min per attempt, 2 attempts; polls every 30 s from the start.
      expect(result.steps.filter((step) => step === 'pollRebalance')).toHaveLength(124 * 2 + 1);
      expect(result.inputs['finish']?.[0]).toMatchObject({
        status: 'timed-out',
        alert: true,
        message:
          'timed out: the rebalance did not end within its deadline (124 min after the follow-up began, the limit derived from the plan; set rebalance.timeoutMinutes to change it); rebalance job 1, scheduled at 0 of 8 move(s), is left as it is: let it finish, or stop it with SELECT citus_rebalance_stop()',
      });
      expect(result.result).toMatchObject({ status: 'timed-out', jobId: 1 });
    });

    it('ends a rebalance paused and never resumed at rebalance.timeoutMinutes, restoring the executor settings first', () => {
      const input = pgInput({ rebalance: { ...pgInput().rebalance!, parallelism: 2, timeoutMinutes: 30 } });
      const raised = { changed: ['citus.max_background_task_executors'], effectiveParallelism: 2, message: 'ok' };
      const waiting = Array.from({ length: 61 }, (): Step => ['checkControl', { resumeRequested: false }]);
      const result = run(input, [
        ...untilPreflight,
        ['raiseExecutors', raised],
        ['startRebalance', started()],
        ['pollRebalance', poll('cancelled', { pauseRequested: true })],
        ['restoreExecutors', { restored: raised.changed }],
        ...waiting,
        ['finish', finished],
      ]);
      // Paused at once, checked every 30 s, the last check at minute 30.
      expect(result.steps.filter((step) => step === 'checkControl')).toHaveLength(61);
      expect(result.steps.slice(-2)).toEqual(['checkControl', 'finish']);
      expect(result.inputs['finish']?.[0]).toMatchObject({
        status: 'timed-out',
        alert: true,
        message:
          'timed out: the rebalance did not end within its deadline (30 min after the follow-up began, rebalance.timeoutMinutes); it was paused (job 1 stopped); start the remaining moves by hand with citus_rebalance_start() when it suits you',
      });
    });

    it('restores raised executor settings before ending a running job that ran past rebalance.timeoutMinutes', () => {
      const input = pgInput({ rebalance: { ...pgInput().rebalance!, parallelism: 2, timeoutMinutes: 10 } });
      const raised = { changed: ['citus.max_background_task_executors'], effectiveParallelism: 2, message: 'ok' };
      const polls = Array.from({ length: 21 }, (): Step => ['pollRebalance', poll('running')]);
      const result = run(input, [
        ...untilPreflight,
        ['raiseExecutors', raised],
        ['startRebalance', started()],
        ...polls,
        ['restoreExecutors', { restored: raised.changed }],
        ['finish', finished],
      ]);
      expect(result.steps.filter((step) => step === 'pollRebalance')).toHaveLength(21);
      expect(result.steps.slice(-2)).toEqual(['restoreExecutors', 'finish']);
      expect(result.result).toMatchObject({
        status: 'timed-out',
        message: expect.stringContaining('rebalance job 1, running at 2 of 8 move(s), is left as it is'),
      });
    });

    it.each([
      {
        name: 'derives 1 h plus 2 min per GiB to move, per attempt',
        settings: { maxAttempts: 3 },
        bytes: 10 * 1024 ** 3,
        minutes: 3 * (60 + 20),
      },
      { name: 'rounds a partial GiB up', settings: { maxAttempts: 1 }, bytes: 1, minutes: 62 },
      { name: 'keeps the hour when there is nothing to move', settings: { maxAttempts: 2 }, bytes: 0, minutes: 120 },
      {
        name: 'takes rebalance.timeoutMinutes as it is',
        settings: { maxAttempts: 3, timeoutMinutes: 45 },
        bytes: 10 * 1024 ** 4,
        minutes: 45,
      },
    ])('$name', ({ settings, bytes, minutes }) => {
      expect(rebalanceTimeoutMinutes(settings, bytes)).toBe(minutes);
    });
  });

  it(`continues as new after ${MAX_WAITS_PER_EXECUTION} timers, so a long rebalance keeps a short history`, () => {
    const polls = Array.from({ length: 150 }, (): Step => ['pollRebalance', poll('running')]);
    const result = run(pgInput(), [
      ['checkArm', armReady],
      ['inspectNodes', nodesReady],
      ['reconcileConnections', connections],
      ['preflight', planReady],
      ['startRebalance', started()],
      ...polls,
      ['pollRebalance', poll('finished')],
      ['finish', finished],
    ]);
    expect(result.steps.filter((step) => step === 'continue-as-new')).toHaveLength(1);
    const timersBefore = result.steps
      .slice(0, result.steps.indexOf('continue-as-new'))
      .filter((step) => step.startsWith('timer'));
    expect(timersBefore).toHaveLength(MAX_WAITS_PER_EXECUTION);
    expect(result.result).toMatchObject({ status: 'succeeded' });
  });
});
