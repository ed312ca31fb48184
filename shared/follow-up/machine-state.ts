/**
 * The follow-up's state, as the orchestrator carries it from step to step. Plain JSON: it also travels through
 * `continueAsNew` when a long rebalance would make the history too long.
 */
import type { FollowUpInput } from './input.js';
import type { ActivityInput, ActivityName, OutcomeStatus } from './activity-contract.js';
import type { JobState } from '../citus/names.js';

export const PHASES = [
  'wait-arm',
  'verify-nodes',
  'connections',
  'preflight',
  'raise-executors',
  'start',
  'monitor',
  'paused',
  'restore',
  'finish',
  'done',
] as const;
export type Phase = (typeof PHASES)[number];

/** How a follow-up ends: `timed-out` when it ran past a deadline, in whatever phase. */
export type { OutcomeStatus };

export interface Outcome {
  status: OutcomeStatus;
  message: string;
  /** Operators must hear about it (logged at error level with alert: true). */
  alert: boolean;
}

export interface RebalanceSummary {
  jobId: number;
  state: JobState;
  movesDone: number;
  movesTotal: number;
  bytesMoved: number;
  bytesTotal: number;
  messages: string[];
}

export interface FollowUpState {
  input: FollowUpInput;
  phase: Phase;
  /** When the follow-up began (orchestrator time). */
  startedAt: string;
  /** When waiting for ARM or the nodes gives up. */
  deadline?: string | undefined;
  /** When the rebalance, from its first start and pauses included, gives up (set by the pre-flight). */
  rebalanceDeadline?: string | undefined;
  /** Why the outcome could not be recorded: the orchestration then fails, and the scaler's next evaluation reconciles. */
  unrecorded?: string | undefined;
  /** Sleep (durable timer) until then before the phase's next step. */
  waitUntil?: string | undefined;
  /** Why the last check was not ready yet, for the timeout message. */
  lastWait?: string | undefined;
  /** Rebalance jobs started or adopted (attempts count against rebalance.maxAttempts; a resume does not). */
  attempts: number;
  /** Starts after a pause: they do not count as attempts. */
  resumes: number;
  /** The next start resumes a paused rebalance. */
  resuming?: boolean | undefined;
  /** What ARM reported once the update was done, e.g. "ARM finished the update to 4 node(s)". */
  armSummary?: string | undefined;
  jobId?: number | undefined;
  scheduledSince?: string | undefined;
  /** Executor settings may differ from the snapshot: restore before finishing or pausing. */
  executorsRaised: boolean;
  /** Parallelism of the next start (1 after raising the settings failed). */
  startParallelism: number;
  /** Consecutive failed polls or checks of the current phase. */
  failures: number;
  /** Since when the rebalance's status reads fail (the job runs on in Citus meanwhile), and the last error. */
  pollOutage?: { since: string; lastError: string } | undefined;
  reported: string[];
  /** Things that went wrong without failing the follow-up (e.g. connection limits could not be set). */
  notes: string[];
  rebalance?: RebalanceSummary | undefined;
  outcome?: Outcome | undefined;
  /** Where to go once the executor settings are restored. */
  afterRestore?: 'finish' | 'paused' | undefined;
  /** Timers in this orchestration execution; after MAX_WAITS_PER_EXECUTION the state continues as new. */
  waits: number;
}

export type ActivityCall = {
  [Name in ActivityName]: { kind: 'activity'; name: Name; input: ActivityInput<Name> };
}[ActivityName];

export interface FollowUpResult {
  target: string;
  operationId: string;
  status: OutcomeStatus;
  message: string;
  jobId?: number | undefined;
  attempts: number;
}

export type Command =
  | ActivityCall
  | { kind: 'timer'; fireAt: string }
  | { kind: 'continue-as-new'; state: FollowUpState }
  | { kind: 'complete'; result: FollowUpResult }
  /** End the orchestration as Failed: the outcome is known but could not be written to the operation. */
  | { kind: 'fail'; message: string; result: FollowUpResult };

/** A long rebalance polls thousands of times; restarting the history keeps every replay short. */
export const MAX_WAITS_PER_EXECUTION = 100;
/**
 * Polls of a running job that may fail in a row before giving up, when no rebalance deadline bounds the watch
 * (every planned rebalance has one; this guards a state that somehow lacks it).
 */
export const MAX_POLL_FAILURES = 10;
/** The longest wait between status reads while they fail: they back off from the poll interval up to this. */
export const MAX_POLL_BACKOFF_SECONDS = 300;
/** Attempts to record the outcome before the orchestration ends without it. */
export const MAX_FINISH_FAILURES = 10;
