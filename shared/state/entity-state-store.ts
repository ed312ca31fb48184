import { InvalidInputError, NotFoundError, StateConflictError } from '../vocabulary/errors.js';
import type { FailureHistory, OperationSummary, RuntimePauses, ScaleHistory } from '../policy/input.js';
import { finishedOperationOf, operationSummaryOf } from './operation-summaries.js';
import {
  alertReceiptEntity,
  alertReceiptFromRow,
  failureResetEntity,
  failureResetFromRow,
  followUpEntity,
  followUpFromRow,
  followUpRowKey,
  isTerminal,
  metricHistoryEntity,
  metricHistoryFromRow,
  operationEntity,
  operationFromRow,
  operationIndexEntity,
  operationLocationFromRow,
  operationRowKey,
  pausesEntity,
  pausesFromRow,
  targetPartition,
} from './entities.js';
import { RowPreconditionFailed } from './entity-table.port.js';
import type { BatchWrite, EntityTable, EntityWrite, RowCondition, StoredRow } from './entity-table.port.js';
import { jsonOrPreview, jsonWithinLimit, shortenMessage } from './json-fit.js';
import {
  ALERT_RECEIPT_PARTITION,
  FAILURE_RESET_ROW_KEY,
  LOAD_HISTORY_ROW_KEY,
  OPERATION_INDEX_PARTITION,
  PAUSES_ROW_KEY,
  TARGET_SUMMARY_ROW_KEY,
  alertReceiptRowKey,
  encodeKey,
} from './keys.js';
import type { TableKind } from './keys.js';
import {
  SUMMARY_ROW_TYPE,
  foldOperation,
  summaryEntity,
  summaryFrom,
  summaryFromRow,
  targetSummaryOf,
} from './target-summaries.js';
import type { StoredSummary } from './target-summaries.js';
import type {
  AlertReceiptKey,
  AlertReceiptResult,
  DecisionRecord,
  FailureReset,
  FollowUpProgress,
  Lease,
  LeaseOptions,
  MetricHistory,
  NewDecisionRecord,
  NewOperation,
  OperationRecord,
  OperationStatus,
  OperationStatusUpdate,
  PauseChange,
  PauseState,
  StateStore,
  TargetControls,
  TargetSummary,
} from './state-store.port.js';
import { TARGET_SUMMARY_WINDOW, isInFlight } from './state-store.port.js';

import { LeaseRows } from './lease-rows.js';
import { DecisionLedger } from './decision-ledger.js';
import { MAX_PAGE_SIZE, newestRows, purgeRows, requireDate, requireLimit, requireText, rowFrom } from './store-rows.js';

export type StateTables = Readonly<Record<TableKind, EntityTable>>;

/** A target's summary with the ETag it was read at; none for a summary built because the row does not exist yet. */
interface SummaryRead {
  summary: StoredSummary;
  etag?: string;
}

/** A summary as written (already a value), or as met in a query (its row, parsed only if a write uses it). */
type SeenSummary = { read: SummaryRead; row?: undefined } | { row: StoredRow; read?: undefined };

/** Payload summaries are meant to be small; a larger one is kept as a preview. */
const MAX_ALERT_SUMMARY_CHARS = 64_000;
/** Summaries just written or read that are kept for the next write of their target (normally consumed at once). */
const RECENT_SUMMARIES_KEPT = 1000;
/**
 * How long such a summary is worth trying: an operation's next write by this store follows within seconds; one
 * much later has likely met another writer (a follow-up on another instance), and a failed write costs a request.
 */
const RECENT_SUMMARY_FRESH_MS = 60_000;
/** Conditional pause writes retried this often before reporting a conflict. */
const PAUSE_WRITE_ATTEMPTS = 5;
/** Operation writes retried this often when only the target's summary row changed under them. */
const SUMMARY_WRITE_ATTEMPTS = 5;
/** Operations in flight read to build a missing summary: far more than the in-progress guard lets exist. */
const IN_PROGRESS_READ = 100;

const NEXT_STATUSES: Record<OperationStatus, readonly OperationStatus[]> = {
  started: ['running', 'succeeded', 'failed', 'cancelled', 'timed-out', 'abandoned'],
  running: ['succeeded', 'failed', 'cancelled', 'timed-out', 'abandoned'],
  succeeded: [],
  failed: [],
  cancelled: [],
  'timed-out': [],
  abandoned: [],
};

/**
 * The state store's behaviour, written once against the internal `EntityTable` port. The Table Storage adapter
 * and the in-memory fake differ only in the tables they pass in, so they cannot drift apart.
 */
export class EntityStateStore implements StateStore {
  /**
   * The summary this store last wrote per target (with the ETag the batch answered), or last met in a query of the
   * target's operations, used once by the next write of that target instead of a read. The write stays conditional
   * on that ETag: should another writer have changed the summary since, the write fails and is retried on a fresh
   * read, as after any lost race.
   */
  private readonly recentSummaries = new Map<string, SeenSummary & { seenAtMs: number }>();
  private readonly leases: LeaseRows;
  private readonly ledger: DecisionLedger;

  constructor(private readonly tables: StateTables) {
    this.leases = new LeaseRows(tables.leases);
    this.ledger = new DecisionLedger(tables.decisions);
  }

  // Leases

  acquireLease(target: string, holder: string, now: Date, ttlSeconds: number, options?: LeaseOptions): Promise<Lease> {
    return this.leases.acquire(target, holder, now, ttlSeconds, options);
  }

  releaseLease(lease: Lease): Promise<void> {
    return this.leases.release(lease);
  }

  // Operations

  async createOperation(operation: NewOperation): Promise<OperationRecord> {
    validateNewOperation(operation);
    // The summary is read while the id is claimed: two round trips on the way to the batch, not three.
    const [summaryRead] = await Promise.all([
      this.summaryToWriteOver(operation.target),
      this.claimOperationId(operation),
    ]);
    const history = [{ status: 'started' as const, at: operation.startedAt, ...optionalMessage(operation.message) }];
    const { message: _message, ...fields } = operation;
    const record: OperationRecord = { ...fields, status: 'started', updatedAt: operation.startedAt, history };
    const entity = operationEntity(record);
    for (let attempt = 1; attempt <= SUMMARY_WRITE_ATTEMPTS; attempt += 1) {
      try {
        await this.writeWithSummary(record, [{ kind: 'create', entity }], [], attempt === 1 ? summaryRead : undefined);
        return this.operationFrom(entity);
      } catch (error) {
        if (!(error instanceof RowPreconditionFailed)) throw error;
        const current = await this.getOperation(operation.target, operation.id);
        if (current !== undefined) throw duplicateOperationError(current);
      }
    }
    throw summaryRaceError(operation.target, `Recording operation '${operation.id}'`);
  }

  async listTargetSummaries(): Promise<Map<string, TargetSummary>> {
    const table = this.tables.operations;
    const summaries = new Map<string, TargetSummary>();
    const rows = table.query({
      where: [{ property: 'rowType', op: 'eq', value: SUMMARY_ROW_TYPE }],
      pageSize: MAX_PAGE_SIZE,
    });
    for await (const row of rows) {
      const summary = targetSummaryOf(summaryFromRow(table.name, row));
      summaries.set(summary.target, summary);
    }
    return summaries;
  }

  async ensureTargetSummary(target: string): Promise<TargetSummary> {
    const { summary, etag } = await this.readSummary(target);
    if (etag !== undefined) return targetSummaryOf(summary);
    try {
      await this.tables.operations.create(summaryEntity(summary));
      return targetSummaryOf(summary);
    } catch (error) {
      if (!(error instanceof RowPreconditionFailed)) throw error;
      return targetSummaryOf((await this.readSummary(target)).summary);
    }
  }

  /**
   * Writes `writes` (changes of `changed`, and of other operations in `alsoChanged`) with the target's summary
   * folded over them, in one batch transaction. `read` is the summary as read beside the caller's own reads; the
   * batch is conditional on its ETag, so a summary read a moment early is still never overwritten unseen.
   */
  private async writeWithSummary(
    changed: OperationRecord,
    writes: BatchWrite[],
    alsoChanged: readonly OperationRecord[] = [],
    read?: SummaryRead,
  ): Promise<void> {
    const { summary, etag } = read ?? (await this.summaryToWriteOver(changed.target));
    const folded = [changed, ...alsoChanged].reduce(foldOperation, summary);
    const entity = summaryEntity(folded);
    const summaryWrite: BatchWrite =
      etag === undefined ? { kind: 'create', entity } : { kind: 'replace', entity, etag };
    this.recentSummaries.delete(changed.target);
    const etags = await this.tables.operations.writeBatch([...writes, summaryWrite]);
    const written = etags[etags.length - 1];
    if (written !== undefined) this.rememberSummary(changed.target, { read: { summary: folded, etag: written } });
  }

  private rememberSummary(target: string, seen: SeenSummary): void {
    this.recentSummaries.delete(target);
    if (this.recentSummaries.size >= RECENT_SUMMARIES_KEPT) {
      const oldest = this.recentSummaries.keys().next();
      if (!oldest.done) this.recentSummaries.delete(oldest.value);
    }
    this.recentSummaries.set(target, { ...seen, seenAtMs: performance.now() });
  }

  /**
   * For a write: the summary this store has just written for the target, or met in a query of its operations, once
   * and within a minute (an operation recorded, then moved to running); else the stored one. Only writes take it,
   * as they are conditional on its ETag.
   */
  private async summaryToWriteOver(target: string): Promise<SummaryRead> {
    const seen = this.recentSummaries.get(target);
    this.recentSummaries.delete(target);
    if (seen === undefined || performance.now() - seen.seenAtMs > RECENT_SUMMARY_FRESH_MS)
      return this.readSummary(target);
    if (seen.read) return seen.read;
    return { summary: summaryFromRow(this.tables.operations.name, seen.row), etag: seen.row.etag };
  }

  /** The target's summary with its ETag, or, for a target written before summaries existed, one built now. */
  private async readSummary(target: string): Promise<SummaryRead> {
    const table = this.tables.operations;
    const row = await table.get(targetPartition(target), TARGET_SUMMARY_ROW_KEY);
    if (row !== undefined) return { summary: summaryFromRow(table.name, row), etag: row.etag };
    const newest = await this.listOperations(target, TARGET_SUMMARY_WINDOW);
    const inProgressRows = await newestRows(
      table,
      target,
      [{ property: 'inProgress', op: 'eq', value: true }],
      IN_PROGRESS_READ,
    );
    const older = newest.length === TARGET_SUMMARY_WINDOW;
    const lastOf = async (direction: 'out' | 'in') =>
      older && !newest.some((operation) => operation.direction === direction)
        ? this.lastOperationRecord(target, [{ property: 'direction', op: 'eq', value: direction }])
        : undefined;
    const [out, scaleIn] = await Promise.all([lastOf('out'), lastOf('in')]);
    const inProgress = inProgressRows.map((inProgressRow) => operationFromRow(table.name, inProgressRow));
    return { summary: summaryFrom(target, newest, inProgress, { out, in: scaleIn }) };
  }

  async updateOperationStatus(
    target: string,
    operationId: string,
    update: OperationStatusUpdate,
    known?: OperationRecord,
  ): Promise<OperationRecord> {
    requireDate('update.at', update.at);
    const summaryRead = this.summaryToWriteOver(target);
    summaryRead.catch(() => undefined); // awaited below; a failure must not go unhandled if the row read fails first
    const unchanged = await this.unchangedSince(known, target, operationId, summaryRead);
    const { record: current, etag } = unchanged
      ? { record: unchanged, etag: undefined }
      : await this.rowOf(target, operationId);
    if (!NEXT_STATUSES[current.status].includes(update.status)) {
      throw new StateConflictError(
        `Updating operation '${operationId}' of target '${target}' to '${update.status}' failed: it is '${current.status}', which cannot become '${update.status}'`,
        current,
      );
    }
    const next = nextOperationState(current, update);
    const entity = operationEntity(next);
    let rowEtag = etag;
    for (let attempt = 1; attempt <= SUMMARY_WRITE_ATTEMPTS; attempt += 1) {
      const write: BatchWrite =
        rowEtag === undefined ? { kind: 'update', entity } : { kind: 'replace', entity, etag: rowEtag };
      try {
        await this.writeWithSummary(next, [write], [], attempt === 1 ? await summaryRead : undefined);
        return this.operationFrom(entity);
      } catch (error) {
        if (!(error instanceof RowPreconditionFailed)) throw error;
        const latest = await this.findOperationRow(target, operationId);
        const changed =
          latest === undefined ||
          (rowEtag === undefined
            ? operationFromRow(this.tables.operations.name, latest).status !== current.status
            : latest.etag !== rowEtag);
        if (changed) {
          throw new StateConflictError(
            `Updating operation '${operationId}' of target '${target}' failed: another writer updated it at the same moment; re-read it and retry`,
            latest === undefined ? undefined : operationFromRow(this.tables.operations.name, latest),
          );
        }
        // Only the summary moved (another operation of the target changed): retry, conditional on this row now.
        rowEtag = latest.etag;
      }
    }
    throw summaryRaceError(target, `Updating operation '${operationId}'`);
  }

  /**
   * `known`, when the target's summary still shows it as the caller wrote it. A status only moves forwards and every
   * change of an operation rewrites the summary in the same batch, so an in-flight entry of the same status is this
   * very version; the write stays conditional on the summary's ETag, which any later change would have moved.
   */
  private async unchangedSince(
    known: OperationRecord | undefined,
    target: string,
    operationId: string,
    summaryRead: Promise<SummaryRead>,
  ): Promise<OperationRecord | undefined> {
    if (known?.id !== operationId || known.target !== target || !isInFlight(known.status)) return undefined;
    const { summary, etag } = await summaryRead;
    const entry = summary.inProgress.find((candidate) => candidate.id === operationId);
    return etag !== undefined && entry?.status === known.status ? known : undefined;
  }

  private async rowOf(target: string, operationId: string): Promise<{ record: OperationRecord; etag: string }> {
    const row = await this.findOperationRow(target, operationId);
    if (row === undefined) {
      throw new NotFoundError(
        `Updating operation '${operationId}' of target '${target}' failed: no such operation; check the target and operation id`,
      );
    }
    return { record: operationFromRow(this.tables.operations.name, row), etag: row.etag };
  }

  async getOperation(target: string, operationId: string): Promise<OperationRecord | undefined> {
    const row = await this.findOperationRow(target, operationId);
    return row === undefined ? undefined : operationFromRow(this.tables.operations.name, row);
  }

  async findOperation(operationId: string): Promise<OperationRecord | undefined> {
    requireText('operationId', operationId);
    const table = this.tables.operations;
    const indexRow = await table.get(OPERATION_INDEX_PARTITION, encodeKey(operationId, 'operation.id'));
    if (indexRow === undefined) return undefined;
    const location = operationLocationFromRow(table.name, indexRow);
    const row = await table.get(
      targetPartition(location.target),
      operationRowKey(location.startedAt, location.operationId),
    );
    return row === undefined ? undefined : operationFromRow(table.name, row);
  }

  /** Writes the id's index row before the operation: of two operations with one id, only one can claim it. */
  private async claimOperationId(operation: NewOperation): Promise<void> {
    const location = { operationId: operation.id, target: operation.target, startedAt: operation.startedAt };
    try {
      await this.tables.operations.create(operationIndexEntity(location));
      return;
    } catch (error) {
      if (!(error instanceof RowPreconditionFailed)) throw error;
    }
    const existing = await this.findOperation(operation.id);
    if (existing !== undefined) throw duplicateOperationError(existing);
    const indexRow = await this.tables.operations.get(
      OPERATION_INDEX_PARTITION,
      encodeKey(operation.id, 'operation.id'),
    );
    const claimed =
      indexRow === undefined ? undefined : operationLocationFromRow(this.tables.operations.name, indexRow);
    // The same create, retried after it stopped between the index row and the operation row, may go on.
    const sameCreate =
      claimed?.target === operation.target && claimed.startedAt.getTime() === operation.startedAt.getTime();
    if (!sameCreate) {
      throw new StateConflictError(
        `Recording operation '${operation.id}' of target '${operation.target}' failed: the id is being used for an operation of target '${claimed?.target ?? 'unknown'}' at the same moment; use a new id`,
      );
    }
  }

  async listOperations(target: string, limit: number): Promise<OperationRecord[]> {
    requireLimit(limit);
    // A partition with fewer operations than asked for answers its summary row too: kept for the next write.
    const rows = await newestRows(this.tables.operations, target, [], limit, (row) =>
      this.rememberSummary(target, { row }),
    );
    return rows.map((row) => operationFromRow(this.tables.operations.name, row));
  }

  async getOperationInProgress(target: string): Promise<OperationRecord | undefined> {
    const [row] = await newestRows(
      this.tables.operations,
      target,
      [{ property: 'inProgress', op: 'eq', value: true }],
      1,
    );
    return row === undefined ? undefined : operationFromRow(this.tables.operations.name, row);
  }

  async getScaleHistory(target: string): Promise<ScaleHistory> {
    const [lastScaleOut, lastScaleIn, unfinished] = await Promise.all([
      this.lastOperation(target, [{ property: 'direction', op: 'eq', value: 'out' }]),
      this.lastOperation(target, [{ property: 'direction', op: 'eq', value: 'in' }]),
      this.lastOperation(target, [{ property: 'inProgress', op: 'eq', value: true }]),
    ]);
    return {
      ...(lastScaleOut === undefined ? {} : { lastScaleOut }),
      ...(lastScaleIn === undefined ? {} : { lastScaleIn }),
      ...(unfinished === undefined ? {} : { unfinished }),
    };
  }

  private async lastOperation(target: string, where: RowCondition[]): Promise<OperationSummary | undefined> {
    const operation = await this.lastOperationRecord(target, where);
    return operation === undefined ? undefined : operationSummaryOf(operation);
  }

  private async lastOperationRecord(target: string, where: RowCondition[]): Promise<OperationRecord | undefined> {
    const [row] = await newestRows(this.tables.operations, target, where, 1);
    return row === undefined ? undefined : operationFromRow(this.tables.operations.name, row);
  }

  /** One batch with the summary: all clamped or none (another writer changed a row; the next evaluation retries). */
  async clampFutureCompletions(target: string, now: Date, limit: number): Promise<number> {
    requireDate('now', now);
    const rows = await newestRows(this.tables.operations, target, [], limit);
    const clamped: OperationRecord[] = [];
    const writes: BatchWrite[] = [];
    for (const row of rows) {
      const operation = operationFromRow(this.tables.operations.name, row);
      if (operation.completedAt === undefined || operation.completedAt.getTime() <= now.getTime()) continue;
      const pulledBack = { ...operation, completedAt: now };
      clamped.push(pulledBack);
      writes.push({ kind: 'replace', entity: operationEntity(pulledBack), etag: row.etag });
    }
    const [first, ...others] = clamped;
    if (first === undefined) return 0;
    try {
      await this.writeWithSummary(first, writes, others);
      return clamped.length;
    } catch (error) {
      if (!(error instanceof RowPreconditionFailed)) throw error;
      return 0;
    }
  }

  async getFailureHistory(target: string, limit: number): Promise<FailureHistory> {
    const [operations, reset] = await Promise.all([this.listOperations(target, limit), this.getFailureReset(target)]);
    const recent = operations.flatMap((operation) => {
      const finished = finishedOperationOf(operation);
      return finished ? [finished] : [];
    });
    return reset === undefined ? { recent } : { recent, resetAt: reset.resetAt };
  }

  async resetFailures(target: string, change: PauseChange, now: Date): Promise<FailureReset> {
    requireText('target', target);
    requireText('by', change.by);
    const entity = failureResetEntity({ target, resetAt: now, by: change.by, reason: change.reason });
    return failureResetFromRow(this.tables.pauses.name, rowFrom(entity, await this.tables.pauses.upsert(entity)));
  }

  async getFailureReset(target: string): Promise<FailureReset | undefined> {
    const row = await this.tables.pauses.get(targetPartition(target), FAILURE_RESET_ROW_KEY);
    return row === undefined ? undefined : failureResetFromRow(this.tables.pauses.name, row);
  }

  private async findOperationRow(target: string, operationId: string): Promise<StoredRow | undefined> {
    requireText('operationId', operationId);
    const [row] = await newestRows(
      this.tables.operations,
      target,
      [{ property: 'operationId', op: 'eq', value: operationId }],
      1,
    );
    return row;
  }

  /** Operation records carry no ETag (a batch answer does not give it); an update re-reads the row first. */
  private operationFrom(entity: EntityWrite): OperationRecord {
    return operationFromRow(this.tables.operations.name, rowFrom(entity, ''));
  }

  // Decision ledger

  appendDecision(record: NewDecisionRecord): Promise<DecisionRecord> {
    return this.ledger.append(record);
  }

  appendDecisions(records: readonly NewDecisionRecord[]): Promise<PromiseSettledResult<DecisionRecord>[]> {
    return this.ledger.appendMany(records);
  }

  listDecisions(target: string, limit: number): Promise<DecisionRecord[]> {
    return this.ledger.list(target, limit);
  }

  purgeDecisionsOlderThan(cutoff: Date): Promise<number> {
    return this.ledger.purgeOlderThan(cutoff);
  }

  // Pause flags

  async setPauses(target: string, pauses: RuntimePauses, change: PauseChange, now: Date): Promise<PauseState> {
    requireText('change.by', change.by);
    requireDate('now', now);
    const state: PauseState = {
      target,
      scaleOut: pauses.scaleOut,
      scaleIn: pauses.scaleIn,
      updatedBy: change.by,
      reason: change.reason,
      updatedAt: now,
    };
    const entity = pausesEntity(state);
    return pausesFromRow(this.tables.pauses.name, rowFrom(entity, await this.tables.pauses.upsert(entity)));
  }

  async getPauses(target: string): Promise<PauseState | undefined> {
    const row = await this.tables.pauses.get(targetPartition(target), PAUSES_ROW_KEY);
    return row === undefined ? undefined : pausesFromRow(this.tables.pauses.name, row);
  }

  async getTargetControls(target: string): Promise<TargetControls> {
    const controls = await this.controlsOf({ partitionKey: targetPartition(target) });
    return controls.get(target) ?? {};
  }

  listTargetControls(): Promise<Map<string, TargetControls>> {
    return this.controlsOf({});
  }

  private async controlsOf(scope: { partitionKey?: string }): Promise<Map<string, TargetControls>> {
    const table = this.tables.pauses;
    const controls = new Map<string, TargetControls>();
    for await (const row of table.query({ ...scope, pageSize: MAX_PAGE_SIZE })) {
      if (row.rowKey === PAUSES_ROW_KEY) {
        const pauses = pausesFromRow(table.name, row);
        controls.set(pauses.target, { ...controls.get(pauses.target), pauses });
      } else if (row.rowKey === FAILURE_RESET_ROW_KEY) {
        const failureReset = failureResetFromRow(table.name, row);
        controls.set(failureReset.target, { ...controls.get(failureReset.target), failureReset });
      }
    }
    return controls;
  }

  async updatePauses(
    target: string,
    update: Partial<RuntimePauses>,
    change: PauseChange,
    now: Date,
  ): Promise<PauseState> {
    requireText('change.by', change.by);
    requireDate('now', now);
    const table = this.tables.pauses;
    for (let attempt = 1; attempt <= PAUSE_WRITE_ATTEMPTS; attempt += 1) {
      const row = await table.get(targetPartition(target), PAUSES_ROW_KEY);
      const current = row === undefined ? undefined : pausesFromRow(table.name, row);
      const state: PauseState = {
        target,
        scaleOut: update.scaleOut ?? current?.scaleOut ?? false,
        scaleIn: update.scaleIn ?? current?.scaleIn ?? false,
        updatedBy: change.by,
        reason: change.reason,
        updatedAt: now,
      };
      const entity = pausesEntity(state);
      try {
        const etag = row === undefined ? await table.create(entity) : await table.replace(entity, row.etag);
        return pausesFromRow(table.name, rowFrom(entity, etag));
      } catch (error) {
        if (!(error instanceof RowPreconditionFailed)) throw error;
      }
    }
    throw new StateConflictError(
      `Changing the pause flags of target '${target}' failed: other writers changed them ${PAUSE_WRITE_ATTEMPTS} times in a row; retry`,
    );
  }

  // Alert receipts

  async recordAlertReceipt(key: AlertReceiptKey, payloadSummary: unknown, now: Date): Promise<AlertReceiptResult> {
    requireText('alert id', key.alertId);
    requireText('alert monitorCondition', key.monitorCondition);
    requireText('alert firedAt', key.firedAt);
    requireDate('now', now);
    const summaryText = jsonOrPreview(payloadSummary, 'alert payload summary', MAX_ALERT_SUMMARY_CHARS);
    const entity = alertReceiptEntity({ key, receivedAt: now }, summaryText);
    const table = this.tables.alertReceipts;
    try {
      const etag = await table.create(entity);
      return { isNew: true, receipt: alertReceiptFromRow(table.name, rowFrom(entity, etag)) };
    } catch (error) {
      if (!(error instanceof RowPreconditionFailed)) throw error;
    }
    const first = await table.get(ALERT_RECEIPT_PARTITION, alertReceiptRowKey(key));
    if (first === undefined) {
      throw new StateConflictError(
        `Recording alert '${key.alertId}' failed: its receipt was deleted while it was being recorded; retry`,
      );
    }
    return { isNew: false, receipt: alertReceiptFromRow(table.name, first) };
  }

  async purgeAlertReceiptsOlderThan(cutoff: Date): Promise<number> {
    requireDate('cutoff', cutoff);
    return purgeRows(this.tables.alertReceipts, ALERT_RECEIPT_PARTITION, {
      property: 'receivedAt',
      op: 'lt',
      value: cutoff,
    });
  }

  async deleteAlertReceipt(key: AlertReceiptKey): Promise<boolean> {
    return this.tables.alertReceipts.delete(ALERT_RECEIPT_PARTITION, alertReceiptRowKey(key));
  }

  // Follow-up progress

  async putFollowUpProgress(
    target: string,
    operationId: string,
    document: unknown,
    now: Date,
  ): Promise<FollowUpProgress> {
    requireText('operationId', operationId);
    requireDate('now', now);
    const text = jsonWithinLimit(document, `follow-up progress of operation '${operationId}'`);
    const entity = followUpEntity({ target, operationId, updatedAt: now }, text);
    const table = this.tables.followUps;
    return followUpFromRow(table.name, rowFrom(entity, await table.upsert(entity)));
  }

  async putMetricHistory(history: MetricHistory, now: Date): Promise<void> {
    requireText('target', history.target);
    requireDate('now', now);
    const { target: _target, ...document } = history;
    const text = jsonWithinLimit(document, 'metric history');
    await this.tables.loadHistory.upsert(metricHistoryEntity(history, now, text));
  }

  async getMetricHistory(target: string): Promise<MetricHistory | undefined> {
    const table = this.tables.loadHistory;
    const row = await table.get(targetPartition(target), LOAD_HISTORY_ROW_KEY);
    return row ? metricHistoryFromRow(table.name, row) : undefined;
  }

  async getFollowUpProgress(target: string, operationId: string): Promise<FollowUpProgress | undefined> {
    requireText('operationId', operationId);
    const row = await this.tables.followUps.get(targetPartition(target), followUpRowKey(operationId));
    return row === undefined ? undefined : followUpFromRow(this.tables.followUps.name, row);
  }
}

function summaryRaceError(target: string, action: string): StateConflictError {
  return new StateConflictError(
    `${action} of target '${target}' failed: other writers changed the target's operations summary ${SUMMARY_WRITE_ATTEMPTS} times in a row; retry`,
  );
}

function duplicateOperationError(existing: OperationRecord): StateConflictError<OperationRecord> {
  return new StateConflictError(
    `Recording operation '${existing.id}' of target '${existing.target}' failed: an operation with this id exists (status '${existing.status}'); use a new id`,
    existing,
  );
}

function nextOperationState(current: OperationRecord, update: OperationStatusUpdate): OperationRecord {
  const transition = { status: update.status, at: update.at, ...optionalMessage(update.message) };
  const next: OperationRecord = {
    ...current,
    status: update.status,
    updatedAt: update.at,
    arm: { ...current.arm, ...definedOnly(update.arm ?? {}) },
    history: [...current.history, transition],
  };
  if (isTerminal(update.status)) next.completedAt = update.at;
  return next;
}

function optionalMessage(message: string | undefined): { message?: string } {
  return message === undefined ? {} : { message: shortenMessage(message) };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

function validateNewOperation(operation: NewOperation): void {
  requireText('operation.id', operation.id);
  requireDate('operation.startedAt', operation.startedAt);
  for (const [field, value] of [
    ['from', operation.from],
    ['to', operation.to],
  ] as const) {
    if (!Number.isInteger(value) || value < 0)
      throw new InvalidInputError(
        `operation.${field}: ${value} is not a capacity (a whole number of nodes or instances)`,
      );
  }
  const expected = operation.to > operation.from ? 'out' : 'in';
  if (operation.to === operation.from || operation.direction !== expected) {
    throw new InvalidInputError(
      `operation.direction: '${operation.direction}' does not match a change from ${operation.from} to ${operation.to}; an operation must change the capacity in its direction`,
    );
  }
}
