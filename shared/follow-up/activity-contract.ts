/**
 * The contract between the orchestrator and its activities: one name, input and result per step. Inputs and
 * results are plain JSON (they are stored in the orchestration history). Expected outcomes (not ready yet, nothing
 * to move, blocked) are results; failures are thrown, so durable retries apply.
 */
import type { JobState, ShardTransferMode } from '../citus/names.js';
import type { ConnectionPolicy } from '../citus/connection-limits.js';

/** How a follow-up ended, as its outcome records it. */
export type OutcomeStatus = 'succeeded' | 'failed' | 'timed-out';

export const ACTIVITY_NAMES = [
  'checkArm',
  'inspectNodes',
  'reconcileConnections',
  'preflight',
  'raiseExecutors',
  'startRebalance',
  'pollRebalance',
  'checkControl',
  'restoreExecutors',
  'finish',
] as const;
export type ActivityName = (typeof ACTIVITY_NAMES)[number];

interface Addressed {
  target: string;
  operationId: string;
}

export interface CheckArmInput extends Addressed {
  to: number;
}
export interface CheckArmResult {
  /** State of the ARM long-running operation. */
  lro: 'running' | 'succeeded' | 'failed' | 'cancelled';
  message?: string | undefined;
  capacity: number;
  status: string;
  /** ARM finished, the capacity is reached and the resource is ready for work. */
  ready: boolean;
  highAvailability: boolean;
}

export interface InspectNodesInput extends Addressed {
  from: number;
  to: number;
}
export type InspectNodesResult =
  { kind: 'ready'; activeNodes: number; newNodes: string[] } | { kind: 'waiting' | 'failed'; message: string };

export interface ReconcileConnectionsInput extends Addressed {
  nodeCount: number;
  policy: ConnectionPolicy;
}
export interface ReconcileConnectionsResult {
  changed: number;
  kept: number;
  message: string;
}

export interface PreflightInput extends Addressed {
  strategy: string;
  shardTransferMode: ShardTransferMode;
  minFreeDiskPercent: number;
}
export type PreflightResult =
  | { kind: 'adopt'; jobId: number; state: JobState; bytes: number }
  | { kind: 'nothing-to-move'; message: string }
  | { kind: 'blocked'; problems: string[] }
  | { kind: 'ready'; moves: number; bytes: number };

export interface RaiseExecutorsInput extends Addressed {
  parallelism: number;
}
export interface RaiseExecutorsResult {
  changed: string[];
  /** Moves that can run at once with the settings as the coordinator sees them now. */
  effectiveParallelism: number;
  message: string;
}

export interface StartRebalanceInput extends Addressed {
  strategy: string;
  shardTransferMode: ShardTransferMode;
  parallelism: number;
  attempt: number;
}
export type StartRebalanceResult =
  { kind: 'started' | 'adopted'; jobId: number; message: string } | { kind: 'nothing-to-move'; message: string };

export interface PollRebalanceInput extends Addressed {
  jobId: number;
  attempt: number;
  /** The orchestrator's time, so the activity judges "stuck" on the same clock. */
  now: string;
  scheduledSince?: string | undefined;
  stuckScheduledMinutes: number;
  /** Warnings already reported, so each is logged once. */
  reported: string[];
}
export interface PollRebalanceResult {
  state: JobState;
  terminal: boolean;
  /** An operator paused the rebalance (HTTP API): a cancelled job is not a failure then. */
  pauseRequested: boolean;
  scheduledSince?: string | undefined;
  movesDone: number;
  movesTotal: number;
  bytesMoved: number;
  bytesTotal: number;
  /** Citus's messages of failed or retrying tasks. */
  messages: string[];
  reported: string[];
}

export type CheckControlInput = Addressed;
export interface CheckControlResult {
  resumeRequested: boolean;
}

export type RestoreExecutorsInput = Addressed;
export interface RestoreExecutorsResult {
  restored: string[];
}

export interface FinishInput extends Addressed {
  status: OutcomeStatus;
  message: string;
  /** Failures an operator must hear about (logged at error level with `alert: true`). */
  alert: boolean;
  notes: string[];
  /** The orchestrator's time: the operation completes, and the cooldown starts, at this instant. */
  at: string;
}
export interface FinishResult {
  status: OutcomeStatus;
  durationSeconds: number;
}

export interface ActivityContract {
  checkArm: [CheckArmInput, CheckArmResult];
  inspectNodes: [InspectNodesInput, InspectNodesResult];
  reconcileConnections: [ReconcileConnectionsInput, ReconcileConnectionsResult];
  preflight: [PreflightInput, PreflightResult];
  raiseExecutors: [RaiseExecutorsInput, RaiseExecutorsResult];
  startRebalance: [StartRebalanceInput, StartRebalanceResult];
  pollRebalance: [PollRebalanceInput, PollRebalanceResult];
  checkControl: [CheckControlInput, CheckControlResult];
  restoreExecutors: [RestoreExecutorsInput, RestoreExecutorsResult];
  finish: [FinishInput, FinishResult];
}

export type ActivityInput<Name extends ActivityName> = ActivityContract[Name][0];
export type ActivityResult<Name extends ActivityName> = ActivityContract[Name][1];
