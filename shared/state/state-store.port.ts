import type { Decision, Direction, Trigger } from '../policy/decision.js';
import type { FailureHistory, FinishedOperation, RuntimePauses, ScaleHistory } from '../policy/input.js';

/**
 * Everything the scaler remembers between invocations, per target. Nothing here reads the clock: every
 * time-dependent method takes `now` from its caller (the trigger passes `new Date()`, an orchestrator passes
 * `context.df.currentUtcDateTime`).
 *
 * Errors, for every method:
 * - `StateConflictError` (category conflict) when a conditional write lost a race; `current` carries the row as
 *   it is now where that helps the caller decide.
 * - `TransientError` when the store cannot be reached or is busy: nothing may scale until it answers.
 * - `StoredEntityError` (category internal, from entity-fields.ts) when a stored row has an unknown `schemaVersion` or is malformed.
 * - `InvalidInputError` when an argument is unusable (empty holder, non-positive TTL, invalid date, ...).
 */
export interface StateStore {
  /**
   * Takes the target's lease for `ttlSeconds` from `now`. A lease is held while `now < expiresAt`.
   * - Free, expired, or already held by the same `holder` (a renewal): the caller gets a fresh lease.
   * - Held by another holder and unexpired: throws `StateConflictError<Lease>` carrying that lease.
   * The write is conditional (create-if-absent, or replace on the ETag just read), so of any number of
   * concurrent callers at most one wins; the others get `StateConflictError`.
   * `takeoverGraceSeconds` (default 0): another holder's lease counts as expired only from `expiresAt` plus this
   * long, so a caller whose clock runs up to that much ahead cannot take a lease that is still live.
   */
  acquireLease(target: string, holder: string, now: Date, ttlSeconds: number, options?: LeaseOptions): Promise<Lease>;

  /**
   * Gives the lease back, only if it is still exactly this lease (same holder, same ETag). Throws
   * `StateConflictError<Lease>` when another holder has it now or it was renewed since this token was issued.
   * Releasing a lease that no longer exists is a no-op.
   */
  releaseLease(lease: Lease): Promise<void>;

  /**
   * Records a new operation with status `started`, and an index row so `findOperation` finds it by id alone.
   * Operation ids are unique across targets: throws `StateConflictError<OperationRecord>` when any target already
   * has an operation with this id, and `InvalidInputError` when `direction` disagrees with from -> to.
   */
  createOperation(operation: NewOperation): Promise<OperationRecord>;

  /**
   * Moves an operation along started -> running -> succeeded | failed | cancelled | timed-out | abandoned
   * (started may also end directly), appending the transition to its history. `timed-out`: its follow-up ran past
   * its deadline; `abandoned`: an operator ended it by hand. A terminal status sets `completedAt` to `update.at`.
   * Throws `NotFoundError` for an unknown id and `StateConflictError<OperationRecord>` when the transition is
   * not allowed (e.g. the operation already ended) or a concurrent update won. `known` is the operation as the
   * caller itself last wrote it: when the target's summary shows it unchanged since, it is not read again.
   */
  updateOperationStatus(
    target: string,
    operationId: string,
    update: OperationStatusUpdate,
    known?: OperationRecord,
  ): Promise<OperationRecord>;

  /** The operation with this id on this target, or undefined. */
  getOperation(target: string, operationId: string): Promise<OperationRecord | undefined>;

  /** The operation with this id, whatever its target (two point reads through the id index), or undefined. */
  findOperation(operationId: string): Promise<OperationRecord | undefined>;

  /**
   * Every target's operations summary, by target name, in one paged query of the operations table: what a timer
   * tick reads for the fleet instead of one operations query per target. Each summary is written in the same batch
   * transaction as every change of the target's operations, so it is exactly what `getScaleHistory` and
   * `getFailureHistory(target, TARGET_SUMMARY_WINDOW)` (without the reset) would answer. A target whose operations
   * were written before summaries existed is absent until its next operation change writes one.
   */
  listTargetSummaries(): Promise<Map<string, TargetSummary>>;

  /**
   * The target's operations summary, written first from its operations when it has none (it never scaled, or its
   * operations were written before summaries existed), so the next fleet read finds it. Create-if-absent: a
   * summary written at the same moment by an operation change wins.
   */
  ensureTargetSummary(target: string): Promise<TargetSummary>;

  /** The target's operations, most recently started first, at most `limit`. */
  listOperations(target: string, limit: number): Promise<OperationRecord[]>;

  /** The most recently started operation that is still `started` or `running`, or undefined. */
  getOperationInProgress(target: string): Promise<OperationRecord | undefined>;

  /**
   * The most recently started operation per direction, whatever its outcome, as the policy's `ScaleHistory`.
   * `completedAt` is absent while that operation runs; cooldowns run from it. Failed and cancelled operations
   * count too, so a scale that keeps failing is not retried on every evaluation. `unfinished` is the most
   * recently started operation still `started` or `running`, of either direction, even behind newer finished ones.
   */
  getScaleHistory(target: string): Promise<ScaleHistory>;

  /**
   * Pulls back to `now` every `completedAt` of the target's `limit` most recently started operations that lies
   * after `now` (written by an instance whose clock ran ahead). The change is stored, so the cooldown runs from
   * `now` instead of from a moment that keeps receding. Returns how many operations changed.
   */
  clampFutureCompletions(target: string, now: Date, limit: number): Promise<number>;

  /**
   * The target's finished operations among its `limit` most recently started ones (newest first), with the
   * moment an operator last reset its failures, as the policy's failure backoff needs them.
   */
  getFailureHistory(target: string, limit: number): Promise<FailureHistory>;

  /**
   * Records that an operator cleared the target's failures: operations that ended up to `now` no longer count
   * towards the failure backoff. Replaces the previous reset.
   */
  resetFailures(target: string, change: PauseChange, now: Date): Promise<FailureReset>;

  /** The last failure reset of the target, or undefined when never reset. */
  getFailureReset(target: string): Promise<FailureReset | undefined>;

  /**
   * Appends a decision (including "none") with its evidence to the ledger. Evidence too large for one
   * Table Storage entity is trimmed (signals and guard notes cut from the end) and the returned record says
   * so in `evidenceTrimmed`. Throws `StateConflictError` when this id was already recorded at this time.
   */
  appendDecision(record: NewDecisionRecord): Promise<DecisionRecord>;

  /**
   * Appends many decisions, each as `appendDecision` would, in as few requests as the layout allows (a timer
   * tick's ledger rows): batch transactions of the targets that share a ledger partition. One result per record,
   * in order: a record that could not be written (its id already recorded, its fields invalid, the store down)
   * fails alone and the others are written.
   */
  appendDecisions(records: readonly NewDecisionRecord[]): Promise<PromiseSettledResult<DecisionRecord>[]>;

  /** The target's decisions, newest `decidedAt` first, at most `limit`. */
  listDecisions(target: string, limit: number): Promise<DecisionRecord[]>;

  /** Deletes every decision of every target decided strictly before `cutoff`; returns how many. */
  purgeDecisionsOlderThan(cutoff: Date): Promise<number>;

  /** Replaces the target's run-time pause flags, recording who changed them, why and when. */
  setPauses(target: string, pauses: RuntimePauses, change: PauseChange, now: Date): Promise<PauseState>;

  /** The target's run-time pause flags, or undefined when never set (treat as not paused). */
  getPauses(target: string): Promise<PauseState | undefined>;

  /**
   * Every target's pause flags and last failure reset, by target name, in one query of the whole table (paged by
   * the service): what a timer tick reads once for the fleet instead of two reads per target. A target with
   * neither is absent.
   */
  listTargetControls(): Promise<Map<string, TargetControls>>;

  /** One target's pause flags and last failure reset, in one query of its partition of the controls table. */
  getTargetControls(target: string): Promise<TargetControls>;

  /**
   * Changes only the flags given in `update` and keeps the others as stored (absent means not paused). The write
   * is conditional on the row read, retried on a lost race, so concurrent changes of different flags all stick.
   * Throws `StateConflictError` only when other writers keep winning.
   */
  updatePauses(target: string, update: Partial<RuntimePauses>, change: PauseChange, now: Date): Promise<PauseState>;

  /**
   * Remembers an alert delivery, create-if-absent on its key. Exactly one of any number of concurrent
   * deliveries with the same key gets `isNew: true`; the others get `isNew: false` and the first receipt.
   * A payload summary too large for one entity is replaced by a preview with a `$trimmed` marker.
   */
  recordAlertReceipt(key: AlertReceiptKey, payloadSummary: unknown, now: Date): Promise<AlertReceiptResult>;

  /** Deletes alert receipts received strictly before `cutoff`; returns how many. */
  purgeAlertReceiptsOlderThan(cutoff: Date): Promise<number>;

  /**
   * Forgets one delivery, so its next retry counts as new: for a delivery that could not be processed for a
   * reason retrying may fix. Returns false when there was no such receipt.
   */
  deleteAlertReceipt(key: AlertReceiptKey): Promise<boolean>;

  /**
   * Stores the follow-up's progress document (any JSON value) for one operation, replacing the previous one.
   * Throws `InvalidInputError` when it is not JSON-serializable or too large for one entity.
   */
  putFollowUpProgress(target: string, operationId: string, document: unknown, now: Date): Promise<FollowUpProgress>;

  /** The stored progress document, or undefined. */
  getFollowUpProgress(target: string, operationId: string): Promise<FollowUpProgress | undefined>;

  /**
   * Replaces the target's cached metric history (the forecast's hourly samples), so the next tick reads only the
   * hours since. Throws `InvalidInputError` when it is too large for one entity (about 30 days of 3 metrics fit).
   */
  putMetricHistory(history: MetricHistory, now: Date): Promise<void>;

  /** The target's cached metric history, or undefined when none was stored. */
  getMetricHistory(target: string): Promise<MetricHistory | undefined>;
}

/** Operations a target summary's failure window covers: the most recently started ones, finished or not. */
export const TARGET_SUMMARY_WINDOW = 50;

/** What a calm evaluation needs of a target's operations. */
export interface TargetSummary {
  target: string;
  history: ScaleHistory;
  /** The finished operations among the TARGET_SUMMARY_WINDOW most recently started, newest first. */
  recentFinished: FinishedOperation[];
}

/** Hourly (or other fixed-interval) averages of a target's metrics, contiguous from `startMs`. */
export interface MetricHistory {
  target: string;
  /** The resource the samples belong to: a cache for another resource id is stale. */
  resourceId: string;
  intervalMinutes: number;
  /** Start of the first sample, epoch ms. */
  startMs: number;
  /** End of the newest complete sample stored, epoch ms; samples after it must still be read. */
  throughMs: number;
  /** Metric -> one value per interval from `startMs` to `throughMs`; null where Azure Monitor had no data. */
  metrics: Record<string, (number | null)[]>;
}

export interface LeaseOptions {
  takeoverGraceSeconds?: number | undefined;
  /** The caller's lease, when this is a renewal: replaced on its ETag in one request while nobody changed it. */
  current?: Lease | undefined;
}

export interface Lease {
  target: string;
  holder: string;
  acquiredAt: Date;
  expiresAt: Date;
  /** The stored row's version; release and takeover are conditional on it. */
  etag: string;
}

export const OPERATION_STATUSES = [
  'started',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed-out',
  'abandoned',
] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** An operation still in flight: ARM has not answered its end, or the follow-up has not recorded it. */
export function isInFlight(status: OperationStatus): boolean {
  return status === 'started' || status === 'running';
}

/** What ARM told us when the long-running update started; enough to poll or to find it in the activity log. */
export interface ArmOperationDetails {
  /** The `Azure-AsyncOperation` header. */
  asyncOperationUrl?: string | undefined;
  /** The `Location` header. */
  locationUrl?: string | undefined;
  /** The operation id ARM assigned (last segment of the async operation URL). */
  operationId?: string | undefined;
  /** `x-ms-request-id` / `x-ms-correlation-request-id`, for support cases. */
  requestId?: string | undefined;
  correlationId?: string | undefined;
  /** Serialized long-running-operation state (core-lro), to resume polling from any invocation. */
  resumeToken?: string | undefined;
}

export interface OperationTransition {
  status: OperationStatus;
  at: Date;
  message?: string | undefined;
}

export interface NewOperation {
  id: string;
  target: string;
  trigger: Trigger;
  direction: Direction;
  from: number;
  to: number;
  startedAt: Date;
  arm: ArmOperationDetails;
  /** Who asked: `timer`, an alert id, or the operator's identity. */
  initiator: string;
  /** Why, in words (usually the decision's message). */
  reason: string;
  decisionId?: string | undefined;
  message?: string | undefined;
}

export interface OperationRecord extends Omit<NewOperation, 'message'> {
  status: OperationStatus;
  /** Set when the status became terminal. */
  completedAt?: Date | undefined;
  updatedAt: Date;
  /** Every status the operation went through, oldest first, starting with `started`. */
  history: OperationTransition[];
}

export interface OperationStatusUpdate {
  status: OperationStatus;
  at: Date;
  message?: string | undefined;
  /** ARM details learnt later; merged over the stored ones. */
  arm?: ArmOperationDetails | undefined;
}

export interface NewDecisionRecord {
  id: string;
  target: string;
  trigger: Trigger;
  /** The `now` the decision was made at. */
  decidedAt: Date;
  decision: Decision;
}

/** Present when the evidence did not fit in one entity and was cut. */
export interface EvidenceTrim {
  originalChars: number;
  storedChars: number;
  signalsKept: number;
  signalsTotal: number;
  guardsKept: number;
  guardsTotal: number;
}

export interface DecisionRecord extends NewDecisionRecord {
  evidenceTrimmed?: EvidenceTrim | undefined;
}

export interface PauseChange {
  by: string;
  reason: string;
}

export interface PauseState extends RuntimePauses {
  target: string;
  updatedBy: string;
  reason: string;
  updatedAt: Date;
}

/** The run-time controls an operator set on a target. */
export interface TargetControls {
  pauses?: PauseState | undefined;
  failureReset?: FailureReset | undefined;
}

export interface FailureReset {
  target: string;
  resetAt: Date;
  by: string;
  reason: string;
}

/** Identifies one delivery of one alert state: Azure Monitor retries carry the same three values. */
export interface AlertReceiptKey {
  alertId: string;
  /** `Fired` or `Resolved`. */
  monitorCondition: string;
  /** `firedDateTime` (or `resolvedDateTime`) exactly as the payload carries it. */
  firedAt: string;
}

export interface AlertReceipt {
  key: AlertReceiptKey;
  payloadSummary: unknown;
  receivedAt: Date;
}

export interface AlertReceiptResult {
  isNew: boolean;
  /** The receipt as stored: for a duplicate, the first delivery's. */
  receipt: AlertReceipt;
}

export interface FollowUpProgress {
  target: string;
  operationId: string;
  document: unknown;
  updatedAt: Date;
}
