import { describe, expect, it } from 'vitest';
import {
  condenseTaskMessage,
  failureMessages,
  groupWarnings,
  summarizeRebalance,
  trackProgress,
  type ProgressContext,
  type RebalanceProgress,
} from '../../../shared/citus/progress.js';
import { progressLine } from '../../../cli/rebalance-output.js';
import type { JobStatus, RunningTaskDetail, TaskDetail } from '../../../shared/citus/job-status.js';
import type { JobTask } from '../../../shared/citus/tasks.js';
import type { JobState, TaskState } from '../../../shared/citus/names.js';

const MIB = 1024 * 1024;
const NOW = new Date('2026-01-05T09:00:00Z');

const move = (taskId: number, state: TaskState, retryCount = 0, message = ''): JobTask => ({
  taskId,
  state,
  retryCount,
  message,
  kind: 'move',
  shardId: 100 + taskId,
  sourceNodeId: 1,
  targetNodeId: 3,
});
const copy: JobTask = { taskId: 1, state: 'done', retryCount: 0, message: '', kind: 'reference-copy' };
const running = (taskId: number, copied: number, retried = 0): RunningTaskDetail => ({
  taskId,
  state: 'running',
  retried,
  phase: 'Copying Data',
  command: 'c',
  message: '',
  sizeBytes: { source: 24 * MIB, target: copied },
  hosts: { source: 'n1:5432', target: 'n3:5434' },
  lagBytes: undefined,
});
const status = (state: JobState, tasks: TaskDetail[] = []): JobStatus => ({
  jobId: 4,
  state,
  jobType: 'rebalance',
  startedAt: undefined,
  finishedAt: undefined,
  taskStateCounts: {},
  tasks,
});
const context = (overrides: Partial<ProgressContext> = {}): ProgressContext => ({
  taskBytes: { 2: 24 * MIB, 3: 24 * MIB, 4: 24 * MIB },
  now: NOW,
  stuckScheduledMinutes: 10,
  ...overrides,
});

describe('summarizeRebalance', () => {
  it('counts moves and bytes: done moves whole, the running one by what it copied so far (90 % of its weight in the percentage)', () => {
    const progress = summarizeRebalance(
      status('running', [running(3, 6 * MIB)]),
      [copy, move(2, 'done'), move(3, 'running'), move(4, 'blocked')],
      context(),
    );
    expect(progress).toMatchObject({
      jobId: 4,
      state: 'running',
      moves: { total: 3, done: 1, running: 1, waiting: 1, failed: 0, cancelled: 0 },
      bytes: { total: 72 * MIB, moved: 30 * MIB },
      percent: 40.8,
      retrying: [],
      failed: [],
      warnings: [],
    });
    expect(progress.running).toEqual([
      {
        taskId: 3,
        kind: 'move',
        shardId: 103,
        phase: 'Copying Data',
        source: 'n1:5432',
        target: 'n3:5434',
        bytesCopied: 6 * MIB,
        bytesTotal: 24 * MIB,
        retried: 0,
      },
    ]);
  });

  it('counts by moves when sizes are unknown, and is 100 % only once finished', () => {
    expect(
      summarizeRebalance(status('running'), [move(2, 'done'), move(3, 'done')], context({ taskBytes: {} })).percent,
    ).toBe(99.9);
    expect(
      summarizeRebalance(status('running'), [move(2, 'done'), move(3, 'blocked')], context({ taskBytes: {} })).percent,
    ).toBe(50);
    expect(summarizeRebalance(status('finished'), [move(2, 'done'), move(3, 'done')], context()).percent).toBe(100);
  });

  it('reports a task that keeps retrying while the job still runs, with its retry count and message', () => {
    const progress = summarizeRebalance(
      status('running'),
      [move(2, 'runnable', 3, 'ERROR: Could not fetch disk stats for node: n3-5434')],
      context(),
    );
    expect(progress.retrying).toEqual([
      { taskId: 2, state: 'runnable', retried: 3, message: 'Could not fetch disk stats for node: n3:5434' },
    ]);
    expect(progress.warnings).toEqual([
      {
        code: 'TaskRetrying',
        taskId: 2,
        retried: 3,
        message:
          'task 2 (move of shard 102 from node 1 to node 3) failed 3 time(s) and is being retried by Citus: Could not fetch disk stats for node: n3:5434',
      },
    ]);
  });

  it('reports a move that failed for good and gives the Citus messages for the final report', () => {
    const progress = summarizeRebalance(
      status('failed'),
      [move(2, 'error', 33, 'ERROR: disk full'), move(3, 'unscheduled')],
      context(),
    );
    expect(progress.warnings.map((warning) => warning.code)).toEqual(['MoveFailed']);
    expect(failureMessages(progress)).toEqual([
      'task 2 (error, retried 33x): disk full',
      'task 3 (unscheduled, retried 0x): no message',
    ]);
    expect(failureMessages(summarizeRebalance(status('cancelled'), [move(2, 'cancelled')], context()))).toEqual([
      'job 4 ended cancelled without a task message',
    ]);
  });

  it.each([
    { name: 'just scheduled', since: '2026-01-05T08:59:50Z', stuck: false },
    { name: 'scheduled for 9 minutes', since: '2026-01-05T08:51:00Z', stuck: false },
    { name: 'scheduled for 10 minutes', since: '2026-01-05T08:50:00Z', stuck: true },
  ])('calls a job stuck in scheduled only after stuckScheduledMinutes: $name', ({ since, stuck }) => {
    const progress = summarizeRebalance(status('scheduled'), [move(2, 'runnable')], context({ scheduledSince: since }));
    expect(progress.warnings.some((warning) => warning.code === 'StuckScheduled')).toBe(stuck);
  });
});

describe('the percentage while moves still catch up', () => {
  const catchingUp = (taskId: number): TaskDetail => ({ ...running(taskId, 24 * MIB), phase: 'Catching Up' });

  it('does not count a fully copied move that still catches up as done', () => {
    const progress = summarizeRebalance(
      status('running', [catchingUp(4)]),
      [move(2, 'done'), move(3, 'done'), move(4, 'running')],
      context(),
    );
    expect(progress.bytes).toEqual({ total: 72 * MIB, moved: 72 * MIB });
    expect(progress.percent).toBe(96.6);
  });

  it('stays at 99 % at most while any move is not done, however many moves there are', () => {
    const moves = Array.from({ length: 200 }, (_, index) => move(index + 2, index < 199 ? 'done' : 'running'));
    const taskBytes = Object.fromEntries(moves.map((task) => [String(task.taskId), 24 * MIB]));
    expect(summarizeRebalance(status('running', [catchingUp(201)]), moves, context({ taskBytes })).percent).toBe(99);
  });
});

describe('trackProgress', () => {
  const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
  const sample = (moved: number, percent: number, state: JobState = 'running'): RebalanceProgress => ({
    ...summarizeRebalance(status(state), [], context()),
    bytes: { total: 72 * MIB, moved },
    percent,
  });

  it('never goes backwards when a retried move starts its copy again', () => {
    const first = trackProgress(undefined, sample(36 * MIB, 50), at(0));
    const afterRetry = trackProgress(first, sample(24 * MIB, 33.3), at(10));
    expect(afterRetry).toMatchObject({ percent: 50, bytes: { moved: 36 * MIB } });
  });

  it('estimates the time left from the rate measured since the first sample', () => {
    const first = trackProgress(undefined, sample(0, 0), at(0));
    expect(first.etaSeconds).toBeUndefined();
    const later = trackProgress(first, sample(24 * MIB, 30), at(10));
    expect(later.etaSeconds).toBe(20);
    expect(progressLine(later)).toContain('24.0 MiB / 72.0 MiB  about 20.0 s left');
    expect(trackProgress(later, sample(72 * MIB, 100, 'finished'), at(30)).etaSeconds).toBeUndefined();
  });

  it('starts over for another job', () => {
    const first = trackProgress(undefined, sample(36 * MIB, 50), at(0));
    expect(trackProgress(first, { ...sample(0, 0), jobId: 5 }, at(10))).toMatchObject({
      jobId: 5,
      percent: 0,
      since: { at: at(10).toISOString(), bytesMoved: 0 },
    });
  });
});

describe('task messages for people', () => {
  it.each([
    {
      name: 'libpq detail and CONTEXT lines',
      message:
        'ERROR: connection to the remote node postgres@10.0.0.7:5432 failed with the following error: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\nCONTEXT: while executing command on localhost:5432',
      condensed: 'connection to the remote node 10.0.0.7:5432 failed with the following error: Connection refused',
    },
    {
      name: 'a node written host-port',
      message: 'ERROR: Could not fetch disk stats for node: c-abc.postgres.database.azure.com-5433',
      condensed: 'Could not fetch disk stats for node: c-abc.postgres.database.azure.com:5433',
    },
    { name: 'a plain message', message: 'disk full', condensed: 'disk full' },
  ])('keeps the first line of $name, nodes as host:port', ({ message, condensed }) => {
    expect(condenseTaskMessage(message)).toBe(condensed);
  });

  it('groups the same failure on several tasks into one warning', () => {
    const progress = summarizeRebalance(
      status('running'),
      [2, 3, 4].map((taskId) => move(taskId, 'runnable', 1, 'ERROR: Could not fetch disk stats for node: n3-5434')),
      context(),
    );
    expect(groupWarnings(progress.warnings)).toEqual([
      {
        code: 'TaskRetrying',
        taskId: 2,
        retried: 1,
        message: 'tasks 2, 3, 4 failed and are being retried by Citus: Could not fetch disk stats for node: n3:5434',
      },
    ]);
  });
});
