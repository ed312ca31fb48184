/**
 * Names and states of the Citus rebalancer, exactly as Citus names them (docs/citus-rebalance.md).
 * Everything the follow-up says about a job or a task is in these terms.
 */
export const JOB_STATES = ['scheduled', 'running', 'finished', 'cancelling', 'cancelled', 'failing', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const TERMINAL_JOB_STATES: ReadonlySet<JobState> = new Set(['finished', 'cancelled', 'failed']);

export const TASK_STATES = [
  'blocked',
  'runnable',
  'running',
  'done',
  'cancelling',
  'error',
  'unscheduled',
  'cancelled',
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** `get_rebalance_progress().status`, shown as `phase` of a running task. */
export const MOVE_PHASES = [
  'Not Started Yet',
  'Setting Up',
  'Copying Data',
  'Catching Up',
  'Creating Constraints',
  'Final Catchup',
  'Creating Foreign Keys',
  'Completing',
  'Completed',
] as const;

export const SHARD_TRANSFER_MODES = ['auto', 'force_logical', 'block_writes'] as const;
export type ShardTransferMode = (typeof SHARD_TRANSFER_MODES)[number];

/** Parallel tasks cluster-wide (1..1000, SIGHUP; read when the task monitor starts). */
export const MAX_EXECUTORS = 'citus.max_background_task_executors';
/** Parallel tasks touching one node (1..128, SIGHUP; applies within about a second, even mid-job). */
export const MAX_EXECUTORS_PER_NODE = 'citus.max_background_task_executors_per_node';
export const EXECUTOR_SETTINGS = [MAX_EXECUTORS, MAX_EXECUTORS_PER_NODE] as const;
export type ExecutorSettingName = (typeof EXECUTOR_SETTINGS)[number];

/** Coordinator connection limits that follow the node count on Azure (docs/citus-rebalance.md, "Connection limits"). */
export const MAX_CLIENT_CONNECTIONS = 'citus.max_client_connections';
export const MAX_SHARED_POOL_SIZE = 'citus.max_shared_pool_size';
export const CONNECTION_SETTINGS = [MAX_CLIENT_CONNECTIONS, MAX_SHARED_POOL_SIZE] as const;
export type ConnectionSettingName = (typeof CONNECTION_SETTINGS)[number];
export const MAX_CONNECTIONS = 'max_connections';

export function isTerminalJobState(state: JobState): boolean {
  return TERMINAL_JOB_STATES.has(state);
}
