/**
 * What an operator wants to know about a running rebalance, from one status read: moves done out of how many,
 * bytes moved, what runs now (phase, bytes copied), and what is going wrong while it happens (a task that keeps
 * retrying, a job stuck in `scheduled`, a move that failed for good). Pure: the caller reads Citus and the clock.
 */
import type { JobStatus } from './job-status.js';
import type { JobTask } from './tasks.js';
import { isTerminalJobState, type JobState, type TaskState } from './names.js';

export type RebalanceWarningCode = 'TaskRetrying' | 'StuckScheduled' | 'MoveFailed';

export interface RebalanceWarning {
  code: RebalanceWarningCode;
  message: string;
  taskId?: number | undefined;
  retried?: number | undefined;
}

export interface RunningMove {
  taskId: number;
  /** A shard-group move, or the copy of the reference tables to new nodes. */
  kind: JobTask['kind'];
  shardId?: number | undefined;
  phase?: string | undefined;
  source?: string | undefined;
  target?: string | undefined;
  bytesCopied: number;
  bytesTotal: number;
  retried: number;
}

export interface TaskProblem {
  taskId: number;
  state: TaskState;
  retried: number;
  message: string;
}

export interface RebalanceProgress {
  jobId: number;
  state: JobState;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  moves: { total: number; done: number; running: number; waiting: number; failed: number; cancelled: number };
  bytes: { total: number; moved: number };
  /** 0..100, by bytes when sizes are known, by moves otherwise. */
  percent: number;
  running: RunningMove[];
  /** Tasks that failed at least once and will be tried again. */
  retrying: TaskProblem[];
  /** Tasks that failed for good (`error`) or can no longer run (`unscheduled`). */
  failed: TaskProblem[];
  warnings: RebalanceWarning[];
}

export interface ProgressContext {
  /** Bytes of each move task's shard group, by task id. */
  taskBytes: Readonly<Record<string, number>>;
  now: Date;
  /** When the follow-up first saw the job `scheduled`. */
  scheduledSince?: string | undefined;
  stuckScheduledMinutes: number;
}

const MAX_MESSAGE_CHARS = 500;
const MAX_LISTED = 20;

export function summarizeRebalance(status: JobStatus, tasks: readonly JobTask[], context: ProgressContext): RebalanceProgress {
  const moves = tasks.filter((task) => task.kind === 'move');
  const running = runningMoves(status, tasks, context.taskBytes);
  const bytesOf = (task: JobTask) => context.taskBytes[String(task.taskId)] ?? 0;
  const done = moves.filter((task) => task.state === 'done');
  const total = moves.reduce((sum, task) => sum + bytesOf(task), 0);
  const copying = running.filter((move) => move.kind === 'move');
  const moved = done.reduce((sum, task) => sum + bytesOf(task), 0) + copying.reduce((sum, move) => sum + Math.min(move.bytesCopied, move.bytesTotal || move.bytesCopied), 0);
  const counts = {
    total: moves.length,
    done: done.length,
    running: countIn(moves, ['running', 'cancelling']),
    waiting: countIn(moves, ['blocked', 'runnable']),
    failed: countIn(moves, ['error', 'unscheduled']),
    cancelled: countIn(moves, ['cancelled']),
  };
  const retrying = problems(tasks.filter((task) => task.retryCount > 0 && ['runnable', 'running'].includes(task.state)));
  const failed = problems(tasks.filter((task) => task.state === 'error' || task.state === 'unscheduled'));
  const progress: RebalanceProgress = {
    jobId: status.jobId,
    state: status.state,
    startedAt: status.startedAt,
    finishedAt: status.finishedAt,
    moves: counts,
    bytes: { total, moved: Math.min(moved, total || moved) },
    percent: percentOf(status.state, counts, total, moved),
    running,
    retrying,
    failed,
    warnings: [],
  };
  progress.warnings = warningsFor(progress, tasks, context);
  return progress;
}

/** The Citus messages of the tasks that failed, for the final report. */
export function failureMessages(progress: RebalanceProgress): string[] {
  const messages = [...progress.failed, ...progress.retrying].map((task) => `task ${task.taskId} (${task.state}, retried ${task.retried}x): ${task.message || 'no message'}`);
  return messages.length > 0 ? messages : [`job ${progress.jobId} ended ${progress.state} without a task message`];
}

function runningMoves(status: JobStatus, tasks: readonly JobTask[], taskBytes: Readonly<Record<string, number>>): RunningMove[] {
  return status.tasks.flatMap((detail) => {
    if (detail.state !== 'running') return [];
    const task = tasks.find((candidate) => candidate.taskId === detail.taskId);
    return [{
      taskId: detail.taskId,
      kind: task?.kind ?? 'other',
      shardId: task?.shardId,
      phase: detail.phase,
      source: detail.hosts.source,
      target: detail.hosts.target,
      bytesCopied: detail.sizeBytes.target,
      bytesTotal: taskBytes[String(detail.taskId)] ?? detail.sizeBytes.source,
      retried: detail.retried,
    }];
  }).slice(0, MAX_LISTED);
}

function warningsFor(progress: RebalanceProgress, tasks: readonly JobTask[], context: ProgressContext): RebalanceWarning[] {
  const warnings: RebalanceWarning[] = [];
  if (!isTerminalJobState(progress.state)) {
    for (const task of progress.retrying) {
      const what = describeTask(tasks.find((candidate) => candidate.taskId === task.taskId));
      warnings.push({ code: 'TaskRetrying', taskId: task.taskId, retried: task.retried, message: `${what} failed ${task.retried} time(s) and is being retried by Citus: ${task.message || 'no message'}` });
    }
  }
  for (const task of progress.failed.filter((problem) => problem.state === 'error')) {
    const what = describeTask(tasks.find((candidate) => candidate.taskId === task.taskId));
    warnings.push({ code: 'MoveFailed', taskId: task.taskId, retried: task.retried, message: `${what} failed for good after ${task.retried} tries: ${task.message || 'no message'}; the moves that depend on it will not run` });
  }
  const stuckMinutes = minutesSince(context.scheduledSince, context.now);
  if (progress.state === 'scheduled' && stuckMinutes !== undefined && stuckMinutes >= context.stuckScheduledMinutes) {
    warnings.push({
      code: 'StuckScheduled',
      message: `job ${progress.jobId} has been scheduled for ${Math.floor(stuckMinutes)} min without starting (a healthy job starts within seconds); check that Citus's background task monitor runs (citus.max_background_task_executors, max_worker_processes, the coordinator log), or stop it with SELECT citus_rebalance_stop()`,
    });
  }
  return warnings;
}

function describeTask(task: JobTask | undefined): string {
  if (!task) return 'a task';
  if (task.kind === 'move') return `task ${task.taskId} (move of shard ${task.shardId} from node ${task.sourceNodeId} to node ${task.targetNodeId})`;
  if (task.kind === 'reference-copy') return `task ${task.taskId} (copy of the reference tables)`;
  return `task ${task.taskId}`;
}

function problems(tasks: readonly JobTask[]): TaskProblem[] {
  return tasks.slice(0, MAX_LISTED).map((task) => ({ taskId: task.taskId, state: task.state, retried: task.retryCount, message: task.message.slice(0, MAX_MESSAGE_CHARS) }));
}

function countIn(tasks: readonly JobTask[], states: readonly TaskState[]): number {
  return tasks.filter((task) => states.includes(task.state)).length;
}

function percentOf(state: JobState, moves: RebalanceProgress['moves'], totalBytes: number, movedBytes: number): number {
  if (state === 'finished') return 100;
  const fraction = totalBytes > 0 ? movedBytes / totalBytes : moves.total > 0 ? moves.done / moves.total : 0;
  return Math.min(99.9, Math.round(fraction * 1000) / 10);
}

function minutesSince(since: string | undefined, now: Date): number | undefined {
  if (since === undefined) return undefined;
  return (now.getTime() - new Date(since).getTime()) / 60_000;
}
