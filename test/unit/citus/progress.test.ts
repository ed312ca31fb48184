import { describe, expect, it } from 'vitest';
import { failureMessages, summarizeRebalance, type ProgressContext } from '../../../shared/citus/progress.js';
import type { JobStatus, TaskDetail } from '../../../shared/citus/job-status.js';
import type { JobTask } from '../../../shared/citus/tasks.js';
import type { JobState, TaskState } from '../../../shared/citus/names.js';

const MIB = 1024 * 1024;
const NOW = new Date('2026-01-05T09:00:00Z');

const move = (taskId: number, state: TaskState, retryCount = 0, message = ''): JobTask => ({ taskId, state, retryCount, message, kind: 'move', shardId: 100 + taskId, sourceNodeId: 1, targetNodeId: 3 });
const copy: JobTask = { taskId: 1, state: 'done', retryCount: 0, message: '', kind: 'reference-copy' };
const running = (taskId: number, copied: number, retried = 0): TaskDetail => ({
  taskId, state: 'running', retried, phase: 'Copying Data', command: 'c', message: '', sizeBytes: { source: 24 * MIB, target: copied }, hosts: { source: 'n1:5432', target: 'n3:5434' }, lagBytes: undefined,
});
const status = (state: JobState, tasks: TaskDetail[] = []): JobStatus => ({ jobId: 4, state, jobType: 'rebalance', startedAt: undefined, finishedAt: undefined, taskStateCounts: {}, tasks });
const context = (overrides: Partial<ProgressContext> = {}): ProgressContext => ({ taskBytes: { 2: 24 * MIB, 3: 24 * MIB, 4: 24 * MIB }, now: NOW, stuckScheduledMinutes: 10, ...overrides });

describe('summarizeRebalance', () => {
  it('counts moves and bytes: done moves whole, the running one by what it copied so far', () => {
    const progress = summarizeRebalance(status('running', [running(3, 6 * MIB)]), [copy, move(2, 'done'), move(3, 'running'), move(4, 'blocked')], context());
    expect(progress).toMatchObject({
      jobId: 4, state: 'running', moves: { total: 3, done: 1, running: 1, waiting: 1, failed: 0, cancelled: 0 },
      bytes: { total: 72 * MIB, moved: 30 * MIB }, percent: 41.7, retrying: [], failed: [], warnings: [],
    });
    expect(progress.running).toEqual([{ taskId: 3, kind: 'move', shardId: 103, phase: 'Copying Data', source: 'n1:5432', target: 'n3:5434', bytesCopied: 6 * MIB, bytesTotal: 24 * MIB, retried: 0 }]);
  });

  it('counts by moves when sizes are unknown, and is 100 % only once finished', () => {
    expect(summarizeRebalance(status('running'), [move(2, 'done'), move(3, 'done')], context({ taskBytes: {} })).percent).toBe(99.9);
    expect(summarizeRebalance(status('running'), [move(2, 'done'), move(3, 'blocked')], context({ taskBytes: {} })).percent).toBe(50);
    expect(summarizeRebalance(status('finished'), [move(2, 'done'), move(3, 'done')], context()).percent).toBe(100);
  });

  it('reports a task that keeps retrying while the job still runs, with its retry count and message', () => {
    const progress = summarizeRebalance(status('running'), [move(2, 'runnable', 3, 'ERROR: Could not fetch disk stats for node: n3-5434')], context());
    expect(progress.retrying).toEqual([{ taskId: 2, state: 'runnable', retried: 3, message: 'ERROR: Could not fetch disk stats for node: n3-5434' }]);
    expect(progress.warnings).toEqual([{ code: 'TaskRetrying', taskId: 2, retried: 3, message: 'task 2 (move of shard 102 from node 1 to node 3) failed 3 time(s) and is being retried by Citus: ERROR: Could not fetch disk stats for node: n3-5434' }]);
  });

  it('reports a move that failed for good and gives the Citus messages for the final report', () => {
    const progress = summarizeRebalance(status('failed'), [move(2, 'error', 33, 'ERROR: disk full'), move(3, 'unscheduled')], context());
    expect(progress.warnings.map((warning) => warning.code)).toEqual(['MoveFailed']);
    expect(failureMessages(progress)).toEqual(['task 2 (error, retried 33x): ERROR: disk full', 'task 3 (unscheduled, retried 0x): no message']);
    expect(failureMessages(summarizeRebalance(status('cancelled'), [move(2, 'cancelled')], context()))).toEqual(['job 4 ended cancelled without a task message']);
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
