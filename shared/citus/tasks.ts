/**
 * The tasks of one background job (`pg_dist_background_task`), and what each task's command does. Citus schedules
 * one `citus_move_shard_placement(<shardid>,<source nodeid>,<target nodeid>,'<mode>')` task per shard-group move,
 * after a reference-table copy when a node lacks the reference tables (docs/citus-rebalance.md).
 */
import { z } from 'zod';
import { TASK_STATES, type TaskState } from './names.js';
import { ProviderError } from '../vocabulary/errors.js';

export type TaskKind = 'move' | 'reference-copy' | 'other';

export interface JobTask {
  taskId: number;
  state: TaskState;
  retryCount: number;
  message: string;
  kind: TaskKind;
  /** For a move: the shard named in the command (the other shards of its colocation group move with it). */
  shardId?: number | undefined;
  sourceNodeId?: number | undefined;
  targetNodeId?: number | undefined;
}

const MOVE_COMMAND = /citus_move_shard_placement\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/;
const REFERENCE_COPY = /replicate_reference_tables|citus_internal_copy_single_shard_placement/;

const taskRow = z.looseObject({
  task_id: z.union([z.string().regex(/^\d+$/), z.number()]).transform(Number),
  status: z.enum(TASK_STATES),
  retry_count: z.number().int().nullable(),
  message: z.string().nullable(),
  command: z.string(),
});

export function parseJobTasks(rows: readonly unknown[]): JobTask[] {
  return rows.map((row) => {
    const parsed = taskRow.safeParse(row);
    if (!parsed.success)
      throw new ProviderError(
        `reading pg_dist_background_task: unexpected row (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    const { task_id, status, retry_count, message, command } = parsed.data;
    return {
      taskId: task_id,
      state: status,
      retryCount: retry_count ?? 0,
      message: message ?? '',
      ...describeCommand(command),
    };
  });
}

export function describeCommand(command: string): Pick<JobTask, 'kind' | 'shardId' | 'sourceNodeId' | 'targetNodeId'> {
  const move = MOVE_COMMAND.exec(command);
  if (move)
    return { kind: 'move', shardId: Number(move[1]), sourceNodeId: Number(move[2]), targetNodeId: Number(move[3]) };
  return { kind: REFERENCE_COPY.test(command) ? 'reference-copy' : 'other' };
}
