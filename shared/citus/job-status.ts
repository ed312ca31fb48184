/**
 * Parses one row of `citus_job_status(job_id, raw => true)` / `citus_rebalance_status(raw => true)` (same columns:
 * job_id, state, job_type, description, started_at, finished_at, details). `details` has exactly two keys,
 * `task_state_counts` and `tasks`; with `raw => true` sizes are numbers of bytes (docs/citus-rebalance.md).
 */
import { z } from 'zod';
import { JOB_STATES, TASK_STATES, type JobState, type TaskState } from './names.js';
import { ProviderError } from '../vocabulary/errors.js';

export interface RunningTaskDetail {
  taskId: number;
  state: 'running';
  retried: number;
  /** `get_rebalance_progress().status`, e.g. `Copying Data`. */
  phase: string | undefined;
  command: string;
  message: string;
  /** Bytes of the moving shard group on the source, and copied so far to the target. */
  sizeBytes: { source: number; target: number };
  hosts: { source: string | undefined; target: string | undefined };
  /** Logical replication lag in bytes, once the copy is done (null while copying, and with block_writes). */
  lagBytes: number | undefined;
}

export interface RetriedTaskDetail {
  taskId: number;
  state: Exclude<TaskState, 'running'>;
  retried: number;
  message: string;
  command: string;
}

export type TaskDetail = RunningTaskDetail | RetriedTaskDetail;

export interface JobStatus {
  jobId: number;
  state: JobState;
  jobType: string;
  /** ISO times; startedAt is absent while `scheduled`, finishedAt until the job is terminal. */
  startedAt: string | undefined;
  finishedAt: string | undefined;
  taskStateCounts: Partial<Record<TaskState, number>>;
  tasks: TaskDetail[];
}

const bigintText = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
const time = z
  .union([z.date(), z.string(), z.null()])
  .transform((value) => (value === null ? undefined : new Date(value).toISOString()));
const byteCount = z
  .union([z.number(), z.null(), z.undefined()])
  .transform((value) => (typeof value === 'number' ? value : undefined));

const taskDetail = z.looseObject({
  task_id: z.number().int(),
  state: z.enum(TASK_STATES),
  retried: z.number().int().nonnegative(),
  message: z.string().nullish(),
  command: z.string(),
  phase: z.string().nullish(),
  size: z.looseObject({ source: byteCount, target: byteCount }).nullish(),
  hosts: z.looseObject({ source: z.string().nullish(), target: z.string().nullish() }).nullish(),
  LSN: z.looseObject({ lag: byteCount }).nullish(),
});

const details = z.looseObject({
  // jsonb_object_agg over no tasks is NULL.
  task_state_counts: z.partialRecord(z.enum(TASK_STATES), z.number().int().nonnegative()).nullable(),
  tasks: z.array(taskDetail),
});

const statusRow = z.looseObject({
  job_id: bigintText,
  state: z.enum(JOB_STATES),
  job_type: z.string(),
  started_at: time,
  finished_at: time,
  details,
});

/** Throws ProviderError when the row is not what `raw => true` returns (e.g. sizes as text: `raw` was false). */
export function parseJobStatus(row: unknown): JobStatus {
  const parsed = statusRow.safeParse(row);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ProviderError(
      `reading the rebalance status: unexpected ${issue ? `${issue.path.join('.')} (${issue.message})` : 'row'}; the status must be read with raw => true from Citus 11.2 or later`,
    );
  }
  const {
    job_id,
    state,
    job_type,
    started_at,
    finished_at,
    details: { task_state_counts, tasks },
  } = parsed.data;
  return {
    jobId: job_id,
    state,
    jobType: job_type,
    startedAt: started_at,
    finishedAt: finished_at,
    taskStateCounts: task_state_counts ?? {},
    tasks: tasks.map(toTaskDetail),
  };
}

function toTaskDetail(task: z.output<typeof taskDetail>): TaskDetail {
  const common = { taskId: task.task_id, retried: task.retried, message: task.message ?? '', command: task.command };
  if (task.state !== 'running') return { ...common, state: task.state };
  return {
    ...common,
    state: 'running',
    phase: task.phase ?? undefined,
    sizeBytes: { source: task.size?.source ?? 0, target: task.size?.target ?? 0 },
    hosts: { source: task.hosts?.source ?? undefined, target: task.hosts?.target ?? undefined },
    lagBytes: task.LSN?.lag,
  };
}
