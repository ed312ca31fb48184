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
const RETRIED_BY_CITUS = ' is being retried by Citus: ';
const MAX_LISTED = 20;

export function summarizeRebalance(
  status: JobStatus,
  tasks: readonly JobTask[],
  context: ProgressContext,
): RebalanceProgress {
  const moves = tasks.filter((task) => task.kind === 'move');
  const running = runningMoves(status, tasks, context.taskBytes);
  const bytesOf = (task: JobTask) => context.taskBytes[String(task.taskId)] ?? 0;
  const done = moves.filter((task) => task.state === 'done');
  const total = moves.reduce((sum, task) => sum + bytesOf(task), 0);
  const copying = running.filter((move) => move.kind === 'move');
  const doneBytes = done.reduce((sum, task) => sum + bytesOf(task), 0);
  const copyingBytes = copying.reduce(
    (sum, move) => sum + Math.min(move.bytesCopied, move.bytesTotal || move.bytesCopied),
    0,
  );
  const moved = doneBytes + copyingBytes;
  const counts = {
    total: moves.length,
    done: done.length,
    running: countIn(moves, ['running', 'cancelling']),
    waiting: countIn(moves, ['blocked', 'runnable']),
    failed: countIn(moves, ['error', 'unscheduled']),
    cancelled: countIn(moves, ['cancelled']),
  };
  const retrying = problems(
    tasks.filter((task) => task.retryCount > 0 && ['runnable', 'running'].includes(task.state)),
  );
  const failed = problems(tasks.filter((task) => task.state === 'error' || task.state === 'unscheduled'));
  const progress: RebalanceProgress = {
    jobId: status.jobId,
    state: status.state,
    startedAt: status.startedAt,
    finishedAt: status.finishedAt,
    moves: counts,
    bytes: { total, moved: Math.min(moved, total || moved) },
    percent: percentOf(status.state, counts, total, Math.min(doneBytes, total || doneBytes), copyingBytes),
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
  const messages = [...progress.failed, ...progress.retrying].map(
    (task) => `task ${task.taskId} (${task.state}, retried ${task.retried}x): ${task.message || 'no message'}`,
  );
  return messages.length > 0 ? messages : [`job ${progress.jobId} ended ${progress.state} without a task message`];
}

function runningMoves(
  status: JobStatus,
  tasks: readonly JobTask[],
  taskBytes: Readonly<Record<string, number>>,
): RunningMove[] {
  return status.tasks
    .flatMap((detail) => {
      if (detail.state !== 'running') return [];
      const task = tasks.find((candidate) => candidate.taskId === detail.taskId);
      return [
        {
          taskId: detail.taskId,
          kind: task?.kind ?? 'other',
          shardId: task?.shardId,
          phase: detail.phase,
          source: detail.hosts.source,
          target: detail.hosts.target,
          bytesCopied: detail.sizeBytes.target,
          bytesTotal: taskBytes[String(detail.taskId)] ?? detail.sizeBytes.source,
          retried: detail.retried,
        },
      ];
    })
    .slice(0, MAX_LISTED);
}

function warningsFor(
  progress: RebalanceProgress,
  tasks: readonly JobTask[],
  context: ProgressContext,
): RebalanceWarning[] {
  const warnings: RebalanceWarning[] = [];
  if (!isTerminalJobState(progress.state)) {
    for (const task of progress.retrying) {
      const what = describeTask(tasks.find((candidate) => candidate.taskId === task.taskId));
      warnings.push({
        code: 'TaskRetrying',
        taskId: task.taskId,
        retried: task.retried,
        message: `${what} failed ${task.retried} time(s) and${RETRIED_BY_CITUS}${task.message || 'no message'}`,
      });
    }
  }
  for (const task of progress.failed.filter((problem) => problem.state === 'error')) {
    const what = describeTask(tasks.find((candidate) => candidate.taskId === task.taskId));
    warnings.push({
      code: 'MoveFailed',
      taskId: task.taskId,
      retried: task.retried,
      message: `${what} failed for good after ${task.retried} tries: ${task.message || 'no message'}; the moves that depend on it will not run`,
    });
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
  if (task.kind === 'move')
    return `task ${task.taskId} (move of shard ${task.shardId} from node ${task.sourceNodeId} to node ${task.targetNodeId})`;
  if (task.kind === 'reference-copy') return `task ${task.taskId} (copy of the reference tables)`;
  return `task ${task.taskId}`;
}

function problems(tasks: readonly JobTask[]): TaskProblem[] {
  return tasks.slice(0, MAX_LISTED).map((task) => ({
    taskId: task.taskId,
    state: task.state,
    retried: task.retryCount,
    message: condenseTaskMessage(task.message).slice(0, MAX_MESSAGE_CHARS),
  }));
}

/**
 * A task message as an operator reads it: the first line only (libpq's hints and CONTEXT lines follow it), without
 * the severity Citus prefixes, and nodes as host:port (Citus writes `user@host:port` and `host-port`).
 */
export function condenseTaskMessage(message: string): string {
  const first = message.split('\n', 1)[0]?.trim() ?? '';
  return first
    .replace(/^(ERROR|WARNING|FATAL):\s+/, '')
    .replace(/\b[\w.-]+@([\w.-]+:\d+)/g, '$1')
    .replace(/(for node:?\s+)(\S+)-(\d+)\b/g, '$1$2:$3');
}

/**
 * Warnings as a person wants to read them: the same Citus failure on several tasks once, naming the tasks
 * ("tasks 4, 5 and 6 failed ... : connection to the remote node w1:5432 failed"). Other warnings pass as they are.
 */
export function groupWarnings(warnings: readonly RebalanceWarning[]): RebalanceWarning[] {
  const retrying = warnings.filter((warning) => warning.code === 'TaskRetrying');
  const others = warnings.filter((warning) => warning.code !== 'TaskRetrying');
  const byCause = new Map<string, RebalanceWarning[]>();
  for (const warning of retrying) {
    const cause = warning.message.split(RETRIED_BY_CITUS).at(-1) ?? warning.message;
    byCause.set(cause, [...(byCause.get(cause) ?? []), warning]);
  }
  const grouped = [...byCause.entries()].map(([cause, group]): RebalanceWarning => {
    const [first] = group;
    if (group.length === 1 && first) return first;
    const ids = group.map((warning) => warning.taskId).join(', ');
    return {
      code: 'TaskRetrying',
      taskId: first?.taskId,
      retried: Math.max(...group.map((warning) => warning.retried ?? 0)),
      message: `tasks ${ids} failed and are being retried by Citus: ${cause}`,
    };
  });
  return [...grouped, ...others];
}

/** Progress as shown while watching: never backwards (a retried move starts its copy again), with an ETA. */
export interface TrackedProgress extends RebalanceProgress {
  /** From the rate measured since the first sample; undefined until something moved. */
  etaSeconds?: number | undefined;
  /** The first sample of this job: when, and how many bytes had moved. */
  since: { at: string; bytesMoved: number };
}

export function trackProgress(
  previous: TrackedProgress | undefined,
  next: RebalanceProgress,
  now: Date,
): TrackedProgress {
  const sameJob = previous?.jobId === next.jobId ? previous : undefined;
  const since = sameJob?.since ?? { at: now.toISOString(), bytesMoved: next.bytes.moved };
  const moved = Math.max(next.bytes.moved, sameJob?.bytes.moved ?? 0);
  const percent = Math.max(next.percent, sameJob?.percent ?? 0);
  return {
    ...next,
    percent,
    bytes: { ...next.bytes, moved },
    since,
    etaSeconds: estimateSeconds(since, moved, next.bytes.total, now, next.state),
  };
}

/** Seconds left at the rate measured since `since`; undefined before anything moved or once the job is over. */
export function estimateSeconds(
  since: { at: string; bytesMoved: number },
  moved: number,
  total: number,
  now: Date,
  state: JobState,
): number | undefined {
  if (isTerminalJobState(state) || total <= 0) return undefined;
  const elapsedSeconds = (now.getTime() - new Date(since.at).getTime()) / 1000;
  const rate = (moved - since.bytesMoved) / elapsedSeconds;
  if (!(elapsedSeconds > 0) || !(rate > 0)) return undefined;
  return Math.max(0, (total - moved) / rate);
}

function countIn(tasks: readonly JobTask[], states: readonly TaskState[]): number {
  return tasks.filter((task) => states.includes(task.state)).length;
}

/**
 * A move whose data is copied is not done: it still catches up, builds constraints and switches over, which can
 * take as long as the copy. So bytes in flight count for COPY_SHARE of their weight, and the percentage stays below
 * UNFINISHED_MOVES_CAP while any move is not done (it reached 99.9 % with the last moves still catching up).
 */
const COPY_SHARE = 0.9;
const UNFINISHED_MOVES_CAP = 99;
const FINISHED_MOVES_CAP = 99.9;

function percentOf(
  state: JobState,
  moves: RebalanceProgress['moves'],
  totalBytes: number,
  doneBytes: number,
  copyingBytes: number,
): number {
  if (state === 'finished') return 100;
  const fraction =
    totalBytes > 0
      ? (doneBytes + COPY_SHARE * copyingBytes) / totalBytes
      : moves.total > 0
        ? moves.done / moves.total
        : 0;
  const cap = moves.done < moves.total ? UNFINISHED_MOVES_CAP : FINISHED_MOVES_CAP;
  return Math.min(cap, Math.floor(fraction * 1000) / 10);
}

function minutesSince(since: string | undefined, now: Date): number | undefined {
  if (since === undefined) return undefined;
  return (now.getTime() - new Date(since).getTime()) / 60_000;
}
