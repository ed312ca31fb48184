/**
 * The follow-up's progress document: what the status API shows for an operation while it is carried to its end
 * (StateStore follow-up progress, one row per operation). Each step writes its own section as it happens, so an
 * operator sees the rebalance move along, and what went wrong while it happens, not only at the end.
 */
import type { StateStore } from '../state/state-store.port.js';
import type { ConnectionPlan, ParameterChange } from '../citus/connection-limits.js';
import type { DiskProjection } from '../citus/preflight.js';
import type { ExecutorSnapshot } from '../citus/parallelism.js';
import type { RebalanceProgress } from '../citus/progress.js';
import type { PlannedMove } from '../citus/plan.js';
import type { TargetConfig } from '../config/schema/schema.js';

export const PROGRESS_DOCUMENT_VERSION = 1;

export interface ProgressAlert {
  at: string;
  code: string;
  message: string;
}

export interface FollowUpProgressDocument {
  schemaVersion: typeof PROGRESS_DOCUMENT_VERSION;
  target: string;
  operationId: string;
  kind: TargetConfig['kind'];
  /** The step running now: wait-arm, verify-nodes, connections, preflight, raise-executors, start, monitor, paused, restore, finish, completed. */
  phase: string;
  updatedAt: string;
  arm?: {
    requested: number;
    capacity: number;
    status: string;
    operation: string;
    message?: string | undefined;
    checkedAt: string;
  };
  nodes?: { activeNodes?: number | undefined; newNodes?: string[] | undefined; waiting?: string | undefined };
  connections?: ConnectionPlan & { applied: ParameterChange[]; pendingRestart: string[] };
  plan?: {
    moves: number;
    bytes: number;
    tables: string[];
    bytesInByNode: Record<string, number>;
    disk: DiskProjection[];
    notes: string[];
    firstMoves: PlannedMove[];
    verdict: string;
  };
  executors?: {
    via: string;
    parallelism: number;
    before: ExecutorSnapshot;
    changed: string[];
    effectiveParallelism?: number | undefined;
    restoredAt?: string | undefined;
  };
  /** The job the last start scheduled or adopted, with the bytes of each move task's shard group. */
  rebalanceStart?: {
    jobId: number;
    attempt: number;
    kind: 'started' | 'adopted';
    message: string;
    at: string;
    taskBytes: Record<string, number>;
  };
  rebalance?: RebalanceProgress & { attempt: number; checkedAt: string };
  attempts?: Array<{
    attempt: number;
    jobId: number;
    state: string;
    movesDone: number;
    movesTotal: number;
    messages: string[];
  }>;
  outcome?: {
    status: 'succeeded' | 'failed' | 'timed-out';
    message: string;
    notes: string[];
    completedAt: string;
    durationSeconds: number;
  };
  alerts?: ProgressAlert[];
}

/** Pause and resume requests from operators: a separate row, so the follow-up's own writes never overwrite them. */
export interface FollowUpControl {
  pause?: { requestedAt: string; by: string; reason: string } | undefined;
  resume?: { requestedAt: string; by: string; reason: string } | undefined;
}

const CONTROL_SUFFIX = '.control';
/** The connection limits the scaler itself set last, per target: a user override equal to them is ours. */
const MANAGED_LIMITS_KEY = 'managed.connection-limits';
const MAX_ALERTS = 50;

export class FollowUpProgressStore {
  constructor(private readonly state: StateStore) {}

  async read(target: string, operationId: string): Promise<FollowUpProgressDocument | undefined> {
    const stored = await this.state.getFollowUpProgress(target, operationId);
    return stored ? (stored.document as FollowUpProgressDocument) : undefined;
  }

  /** Read, change, write: the follow-up's steps run one at a time, so nothing else writes this row meanwhile. */
  async update(
    base: Pick<FollowUpProgressDocument, 'target' | 'operationId' | 'kind'>,
    now: Date,
    change: (document: FollowUpProgressDocument) => void,
  ): Promise<FollowUpProgressDocument> {
    const document = (await this.read(base.target, base.operationId)) ?? {
      schemaVersion: PROGRESS_DOCUMENT_VERSION,
      ...base,
      phase: 'wait-arm',
      updatedAt: now.toISOString(),
    };
    change(document);
    document.updatedAt = now.toISOString();
    if (document.alerts && document.alerts.length > MAX_ALERTS) document.alerts = document.alerts.slice(-MAX_ALERTS);
    await this.state.putFollowUpProgress(base.target, base.operationId, document, now);
    return document;
  }

  async readControl(target: string, operationId: string): Promise<FollowUpControl> {
    const stored = await this.state.getFollowUpProgress(target, operationId + CONTROL_SUFFIX);
    return (stored?.document as FollowUpControl | undefined) ?? {};
  }

  async writeControl(target: string, operationId: string, control: FollowUpControl, now: Date): Promise<void> {
    await this.state.putFollowUpProgress(target, operationId + CONTROL_SUFFIX, control, now);
  }

  async readManagedLimits(target: string): Promise<Record<string, string>> {
    const stored = await this.state.getFollowUpProgress(target, MANAGED_LIMITS_KEY);
    return (stored?.document as Record<string, string> | undefined) ?? {};
  }

  async writeManagedLimits(target: string, values: Record<string, string>, now: Date): Promise<void> {
    await this.state.putFollowUpProgress(target, MANAGED_LIMITS_KEY, values, now);
  }
}

/** A pause that no later resume has answered. */
export function pauseIsPending(control: FollowUpControl): boolean {
  if (!control.pause) return false;
  return !control.resume || Date.parse(control.resume.requestedAt) < Date.parse(control.pause.requestedAt);
}

/** A pause was asked for at or after `since` (the start of the job that then stopped). */
export function pausedSince(control: FollowUpControl, since: string | undefined): boolean {
  if (!control.pause) return false;
  return since === undefined || Date.parse(control.pause.requestedAt) >= Date.parse(since);
}

/** A resume answered the latest pause. */
export function resumeRequested(control: FollowUpControl): boolean {
  return (
    control.pause !== undefined &&
    control.resume !== undefined &&
    Date.parse(control.resume.requestedAt) >= Date.parse(control.pause.requestedAt)
  );
}

export function addAlert(document: FollowUpProgressDocument, alert: ProgressAlert): void {
  document.alerts = [...(document.alerts ?? []), alert];
}
