import { describe, expect, it } from 'vitest';
import { parseJobStatus } from '../../../shared/citus/job-status.js';
import { describeCommand, parseJobTasks } from '../../../shared/citus/tasks.js';
import { ProviderError } from '../../../shared/vocabulary/errors.js';

/** A row of citus_rebalance_status(raw => true) as pg returns it (bigint as text, jsonb parsed). */
const row = (details: unknown, state = 'running') => ({
  job_id: '7',
  state,
  job_type: 'rebalance',
  description: 'Rebalance all colocation groups',
  started_at: new Date('2026-01-05T08:00:01Z'),
  finished_at: null,
  details,
});

describe('parseJobStatus', () => {
  it('reads a running move with its phase, sizes in bytes, hosts and replication lag', () => {
    const status = parseJobStatus(
      row({
        task_state_counts: { done: 1, running: 1, blocked: 7 },
        tasks: [
          {
            task_id: 12,
            state: 'running',
            retried: 0,
            phase: 'Catching Up',
            command: "SELECT pg_catalog.citus_move_shard_placement(102008,1,3,'auto')",
            message: '',
            size: { source: 25165824, target: 25165824 },
            hosts: { source: 'node0:5432', target: 'node2:5434' },
            LSN: { source: '0/4800000', target: '0/47F0000', lag: 65536 },
          },
        ],
      }),
    );
    expect(status).toEqual({
      jobId: 7,
      state: 'running',
      jobType: 'rebalance',
      startedAt: '2026-01-05T08:00:01.000Z',
      finishedAt: undefined,
      taskStateCounts: { done: 1, running: 1, blocked: 7 },
      tasks: [
        {
          taskId: 12,
          state: 'running',
          retried: 0,
          phase: 'Catching Up',
          command: "SELECT pg_catalog.citus_move_shard_placement(102008,1,3,'auto')",
          message: '',
          sizeBytes: { source: 25165824, target: 25165824 },
          hosts: { source: 'node0:5432', target: 'node2:5434' },
          lagBytes: 65536,
        },
      ],
    });
  });

  it('reads a retried task and a job without tasks (task_state_counts is NULL then)', () => {
    expect(
      parseJobStatus(
        row({
          task_state_counts: { runnable: 1 },
          tasks: [{ task_id: 3, state: 'runnable', retried: 2, message: 'ERROR: disk full', command: 'x' }],
        }),
      ).tasks,
    ).toEqual([{ taskId: 3, state: 'runnable', retried: 2, message: 'ERROR: disk full', command: 'x' }]);
    expect(parseJobStatus(row({ task_state_counts: null, tasks: [] }, 'finished')).taskStateCounts).toEqual({});
  });

  it('refuses sizes as text: the status was read without raw => true', () => {
    const pretty = row({
      task_state_counts: { running: 1 },
      tasks: [
        {
          task_id: 1,
          state: 'running',
          retried: 0,
          command: 'c',
          message: '',
          size: { source: '24 MB', target: '12 MB' },
        },
      ],
    });
    expect(() => parseJobStatus(pretty)).toThrow(ProviderError);
    expect(() => parseJobStatus(pretty)).toThrow(/tasks\.0\.size\.source .*raw => true/);
  });
});

describe('parseJobTasks', () => {
  it.each([
    {
      name: 'a shard move',
      command: "SELECT pg_catalog.citus_move_shard_placement(102008,1,3,'auto')",
      expected: { kind: 'move', shardId: 102008, sourceNodeId: 1, targetNodeId: 3 },
    },
    {
      name: 'the reference-table copy',
      command: "SELECT pg_catalog.replicate_reference_tables('auto')",
      expected: { kind: 'reference-copy' },
    },
    {
      name: 'a parallel reference copy',
      command: "SELECT citus_internal.citus_internal_copy_single_shard_placement(102040,1,3,3,'auto')",
      expected: { kind: 'reference-copy' },
    },
    { name: 'anything else', command: 'SELECT 1', expected: { kind: 'other' } },
  ])('knows $name from its command', ({ command, expected }) => {
    expect(describeCommand(command)).toEqual(expected);
  });

  it('reads pg_dist_background_task rows, a NULL retry count as 0', () => {
    expect(
      parseJobTasks([
        {
          task_id: '5',
          status: 'blocked',
          retry_count: null,
          message: '',
          command: "SELECT pg_catalog.citus_move_shard_placement(1,2,3,'auto')",
        },
      ]),
    ).toEqual([
      {
        taskId: 5,
        state: 'blocked',
        retryCount: 0,
        message: '',
        kind: 'move',
        shardId: 1,
        sourceNodeId: 2,
        targetNodeId: 3,
      },
    ]);
    expect(() => parseJobTasks([{ task_id: '5', status: 'sleeping', command: 'x' }])).toThrow(
      /pg_dist_background_task: unexpected row/,
    );
  });
});
