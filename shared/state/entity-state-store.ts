import { InvalidInputError, NotFoundError, StateConflictError } from '../vocabulary/errors.js';
import type { FailureHistory, OperationSummary, RuntimePauses, ScaleHistory } from '../policy/input.js';
import { finishedOperationOf, operationSummaryOf } from './operation-summaries.js';
import {
  alertReceiptEntity,
  alertReceiptFromRow,
  decisionEntity,
  decisionFromRow,
  failureResetEntity,
  failureResetFromRow,
  followUpEntity,
  followUpFromRow,
  followUpRowKey,
  isTerminal,
  metricHistoryEntity,
  metricHistoryFromRow,
  leaseEntity,
  leaseFromRow,
  operationEntity,
  operationFromRow,
  operationIndexEntity,
  operationLocationFromRow,
  operationRowKey,
  pausesEntity,
  pausesFromRow,
  targetPartition,
} from './entities.js';
import {
  MAX_BATCH_PAYLOAD_BYTES,
  MAX_BATCH_WRITES,
  RowPreconditionFailed,
  entitySizeBytes,
  takeRows,
} from './entity-table.port.js';
import type { BatchWrite, EntityTable, EntityWrite, RowCondition, RowKeys, StoredRow } from './entity-table.port.js';
import { jsonOrPreview, jsonWithinLimit, shortenMessage } from './json-fit.js';
import {
  ALERT_RECEIPT_PARTITION,
  FAILURE_RESET_ROW_KEY,
  LEASE_ROW_KEY,
  LOAD_HISTORY_ROW_KEY,
  OPERATION_INDEX_PARTITION,
  PAUSES_ROW_KEY,
  TARGET_SUMMARY_ROW_KEY,
  alertReceiptRowKey,
  encodeKey,
  ledgerPartition,
  ledgerRowPrefix,
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

export type StateTables = Readonly<Record<TableKind, EntityTable>>;

/** A target's summary with the ETag it was read at; none for a summary built because the row does not exist yet. */
interface SummaryRead {
  summary: StoredSummary;
  etag?: string;
}

/** Payload summaries are meant to be small; a larger one is kept as a preview. */
const MAX_ALERT_SUMMARY_CHARS = 64_000;
const MAX_PAGE_SIZE = 1000;
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
   * The lease this store last wrote per target, exactly as it handed it out. A release with that very token is one
   * conditional delete: its ETag proves the row is still the one this store wrote for that holder. Any other
   * token (another holder's name on it, an older renewal) is checked against the row first.
   */
  private readonly issuedLeases = new Map<string, Lease>();

  constructor(private readonly tables: StateTables) {}

  // Leases

  async acquireLease(
    target: string,
    holder: string,
    now: Date,
    ttlSeconds: number,
    options: LeaseOptions = {},
  ): Promise<Lease> {
    requireText('holder', holder);
    requireDate('now', now);
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0)
      throw new InvalidInputError(`ttlSeconds: ${ttlSeconds} is not a positive number of seconds`);
    const graceMs = (options.takeoverGraceSeconds ?? 0) * 1000;
    if (!Number.isFinite(graceMs) || graceMs < 0)
      throw new InvalidInputError(
        `takeoverGraceSeconds: ${options.takeoverGraceSeconds} is not a number of seconds of 0 or more`,
      );
    const wanted = leaseEntity({
      target,
      holder,
      acquiredAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    });
    const table = this.tables.leases;
    const fast = await this.writeLeaseDirectly(wanted, options.current);
    if (fast) return fast;
    const row = await table.get(wanted.partitionKey, wanted.rowKey);
    try {
      if (row === undefined) return this.leaseFrom(wanted, await table.create(wanted));
      const current = leaseFromRow(table.name, row);
      if (current.holder !== holder && now.getTime() < current.expiresAt.getTime() + graceMs)
        throw leaseHeldError(current);
      return this.leaseFrom(wanted, await table.replace(wanted, row.etag));
    } catch (error) {
      if (error instanceof RowPreconditionFailed) throw await this.lostLeaseRace(target);
      throw error;
    }
  }

  /**
   * One request in the common cases: a renewal replaces on the ETag it holds, a take creates the row (leases are
   * deleted on release). Undefined when the row is not as assumed: the caller reads it and decides.
   */
  private async writeLeaseDirectly(wanted: EntityWrite, current: Lease | undefined): Promise<Lease | undefined> {
    const table = this.tables.leases;
    try {
      const etag =
        current && current.holder === wanted.properties['holder']
          ? await table.replace(wanted, current.etag)
          : await table.create(wanted);
      return this.leaseFrom(wanted, etag);
    } catch (error) {
      if (error instanceof RowPreconditionFailed) return undefined;
      throw error;
    }
  }

  async releaseLease(lease: Lease): Promise<void> {
    const table = this.tables.leases;
    const keys = { partitionKey: targetPartition(lease.target), rowKey: LEASE_ROW_KEY };
    if (this.issuedByThisStore(lease)) {
      this.issuedLeases.delete(lease.target);
      try {
        await table.delete(keys.partitionKey, keys.rowKey, lease.etag);
        return;
      } catch (error) {
        // Changed since (taken over once it expired, by another instance): the row is read and the answer is the same as below.
        if (!(error instanceof RowPreconditionFailed)) throw error;
      }
    }
    const row = await table.get(keys.partitionKey, keys.rowKey);
    if (row === undefined) return;
    const current = leaseFromRow(table.name, row);
    if (current.holder !== lease.holder) {
      throw new StateConflictError(
        `Releasing the lease on target '${lease.target}' failed: '${current.holder}' holds it, not '${lease.holder}'; only the holder may release it`,
        current,
      );
    }
    try {
      await table.delete(keys.partitionKey, keys.rowKey, lease.etag);
    } catch (error) {
      if (!(error instanceof RowPreconditionFailed)) throw error;
      throw new StateConflictError(
        `Releasing the lease on target '${lease.target}' failed: the lease changed since this token was issued (renewed or taken over); release with the current token`,
        await this.readLease(lease.target),
      );
    }
  }

  private leaseFrom(entity: EntityWrite, etag: string): Lease {
    const lease = leaseFromRow(this.tables.leases.name, rowFrom(entity, etag));
    this.issuedLeases.set(lease.target, lease);
    return lease;
  }

  private issuedByThisStore(lease: Lease): boolean {
    const issued = this.issuedLeases.get(lease.target);
    return (
      issued !== undefined &&
      issued.etag === lease.etag &&
      issued.holder === lease.holder &&
      issued.acquiredAt.getTime() === lease.acquiredAt.getTime() &&
      issued.expiresAt.getTime() === lease.expiresAt.getTime()
    );
  }

  private async readLease(target: string): Promise<Lease | undefined> {
    const row = await this.tables.leases.get(targetPartition(target), LEASE_ROW_KEY);
    return row === undefined ? undefined : leaseFromRow(this.tables.leases.name, row);
  }

  private async lostLeaseRace(target: string): Promise<StateConflictError<Lease>> {
    const current = await this.readLease(target);
    if (current !== undefined) return leaseHeldError(current);
    return new StateConflictError(
      `Taking the lease on target '${target}' failed: another holder changed it at the same moment; retry`,
    );
  }

  // Operations

  async createOperation(operation: NewOperation): Promise<OperationRecord> {
    validateNewOperation(operation);
    // The summary is read while the id is claimed: two round trips on the way to the batch, not three.
    const [summaryRead] = await Promise.all([this.readSummary(operation.target), this.claimOperationId(operation)]);
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
    const { summary, etag } = read ?? (await this.readSummary(changed.target));
    const folded = [changed, ...alsoChanged].reduce(foldOperation, summary);
    const entity = summaryEntity(folded);
    const summaryWrite: BatchWrite =
      etag === undefined ? { kind: 'create', entity } : { kind: 'replace', entity, etag };
    await this.tables.operations.writeBatch([...writes, summaryWrite]);
  }

  /** The target's summary with its ETag, or, for a target written before summaries existed, one built now. */
  private async readSummary(target: string): Promise<SummaryRead> {
    const table = this.tables.operations;
    const row = await table.get(targetPartition(target), TARGET_SUMMARY_ROW_KEY);
    if (row !== undefined) return { summary: summaryFromRow(table.name, row), etag: row.etag };
    const newest = await this.listOperations(target, TARGET_SUMMARY_WINDOW);
    const inProgressRows = await this.newestRows(
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
    const summaryRead = this.readSummary(target);
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
    const rows = await this.newestRows(this.tables.operations, target, [], limit);
    return rows.map((row) => operationFromRow(this.tables.operations.name, row));
  }

  async getOperationInProgress(target: string): Promise<OperationRecord | undefined> {
    const [row] = await this.newestRows(
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
    const [row] = await this.newestRows(this.tables.operations, target, where, 1);
    return row === undefined ? undefined : operationFromRow(this.tables.operations.name, row);
  }

  /** One batch with the summary: all clamped or none (another writer changed a row; the next evaluation retries). */
  async clampFutureCompletions(target: string, now: Date, limit: number): Promise<number> {
    requireDate('now', now);
    const rows = await this.newestRows(this.tables.operations, target, [], limit);
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
    const [row] = await this.newestRows(
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

  async appendDecision(record: NewDecisionRecord): Promise<DecisionRecord> {
    const entity = checkedDecisionEntity(record);
    const table = this.tables.decisions;
    try {
      return decisionFromRow(table.name, rowFrom(entity, await table.create(entity)));
    } catch (error) {
      if (!(error instanceof RowPreconditionFailed)) throw error;
      const existing = await table.get(entity.partitionKey, entity.rowKey);
      throw new StateConflictError(
        `Recording decision '${record.id}' for target '${record.target}' failed: a decision with this id is already recorded at ${record.decidedAt.toISOString()}; use a new id`,
        existing === undefined ? undefined : decisionFromRow(table.name, existing),
      );
    }
  }

  async appendDecisions(records: readonly NewDecisionRecord[]): Promise<PromiseSettledResult<DecisionRecord>[]> {
    const results: PromiseSettledResult<DecisionRecord>[] = new Array(records.length);
    const pending: { index: number; entity: EntityWrite }[] = [];
    records.forEach((record, index) => {
      try {
        pending.push({ index, entity: checkedDecisionEntity(record) });
      } catch (error) {
        results[index] = { status: 'rejected', reason: error };
      }
    });
    const table = this.tables.decisions;
    await Promise.all(
      ledgerBatches(pending).map(async (batch) => {
        try {
          await table.writeBatch(batch.map(({ entity }) => ({ kind: 'create', entity })));
          for (const { index, entity } of batch)
            results[index] = { status: 'fulfilled', value: decisionFromRow(table.name, rowFrom(entity, '')) };
        } catch {
          // A batch is all or none and its error does not say which row failed: each row is tried alone, which
          // writes the others and gives the one that fails its own error.
          const alone = await Promise.allSettled(batch.map(({ index }) => this.appendDecision(records[index]!)));
          batch.forEach(({ index }, position) => (results[index] = alone[position]!));
        }
      }),
    );
    return results;
  }

  /**
   * Newest first from the target's range of its ledger partition, and from the partition of the target's own name
   * where rows were written before the ledger was shared (until the retention purge has removed them).
   */
  async listDecisions(target: string, limit: number): Promise<DecisionRecord[]> {
    requireLimit(limit);
    const table = this.tables.decisions;
    const pageSize = Math.min(limit, MAX_PAGE_SIZE);
    const [shared, ownPartition] = await Promise.all([
      takeRows(
        table.query({ partitionKey: ledgerPartition(target), rowKeyPrefix: ledgerRowPrefix(target), pageSize }),
        limit,
      ),
      this.newestRows(table, target, [], limit),
    ]);
    return [...shared, ...ownPartition]
      .map((row) => decisionFromRow(table.name, row))
      .sort((a, b) => b.decidedAt.getTime() - a.decidedAt.getTime())
      .slice(0, limit);
  }

  async purgeDecisionsOlderThan(cutoff: Date): Promise<number> {
    requireDate('cutoff', cutoff);
    return this.purge(this.tables.decisions, undefined, { property: 'decidedAt', op: 'lt', value: cutoff });
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
    return this.purge(this.tables.alertReceipts, ALERT_RECEIPT_PARTITION, {
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

  // Shared

  /** Row keys are reverse timestamps, so the first rows of a partition are the newest. */
  private newestRows(table: EntityTable, target: string, where: RowCondition[], limit: number): Promise<StoredRow[]> {
    const rows = table.query({
      partitionKey: targetPartition(target),
      where,
      pageSize: Math.min(limit, MAX_PAGE_SIZE),
    });
    return takeRows(withoutSummary(rows), limit);
  }

  private async purge(table: EntityTable, partitionKey: string | undefined, olderThan: RowCondition): Promise<number> {
    const keys: RowKeys[] = [];
    const query = { where: [olderThan], select: [], ...(partitionKey === undefined ? {} : { partitionKey }) };
    for await (const row of table.query(query)) keys.push({ partitionKey: row.partitionKey, rowKey: row.rowKey });
    return table.deleteMany(keys);
  }
}

/** The operations partition's summary row is not an operation: queries of a target's rows skip it. */
async function* withoutSummary(rows: AsyncIterable<StoredRow>): AsyncIterable<StoredRow> {
  for await (const row of rows) if (row.rowKey !== TARGET_SUMMARY_ROW_KEY) yield row;
}

function summaryRaceError(target: string, action: string): StateConflictError {
  return new StateConflictError(
    `${action} of target '${target}' failed: other writers changed the target's operations summary ${SUMMARY_WRITE_ATTEMPTS} times in a row; retry`,
  );
}

/** What a row looks like right after writing `entity`: lets every result go through the same mapper as a read. */
function rowFrom(entity: EntityWrite, etag: string): StoredRow {
  return { partitionKey: entity.partitionKey, rowKey: entity.rowKey, etag, properties: entity.properties };
}

function leaseHeldError(lease: Lease): StateConflictError<Lease> {
  return new StateConflictError(
    `Taking the lease on target '${lease.target}' failed: '${lease.holder}' holds it until ${lease.expiresAt.toISOString()}; ` +
      'another invocation is scaling this target, retry after the lease expires',
    lease,
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

function requireText(field: string, value: string): void {
  if (value.trim().length === 0) throw new InvalidInputError(`${field}: must not be empty`);
}

function requireDate(field: string, value: Date): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new InvalidInputError(`${field}: is not a valid date`);
}

function requireLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit <= 0)
    throw new InvalidInputError(`limit: ${limit} is not a positive whole number`);
}

function checkedDecisionEntity(record: NewDecisionRecord): EntityWrite {
  requireText('decision id', record.id);
  requireDate('decidedAt', record.decidedAt);
  return decisionEntity(record).entity;
}

/** What a write adds to a batch request beyond the entity itself (its part headers). */
const BATCH_WRITE_OVERHEAD_BYTES = 1024;

/** Rows grouped by partition, in batches within the service's count and size limits. */
function ledgerBatches<T extends { entity: EntityWrite }>(rows: readonly T[]): T[][] {
  const byPartition = new Map<string, T[]>();
  for (const row of rows) {
    const partitionRows = byPartition.get(row.entity.partitionKey);
    if (partitionRows) partitionRows.push(row);
    else byPartition.set(row.entity.partitionKey, [row]);
  }
  const batches: T[][] = [];
  for (const partitionRows of byPartition.values()) {
    let batch: T[] = [];
    let bytes = 0;
    for (const row of partitionRows) {
      const size = entitySizeBytes(row.entity) + BATCH_WRITE_OVERHEAD_BYTES;
      if (batch.length === MAX_BATCH_WRITES || (batch.length > 0 && bytes + size > MAX_BATCH_PAYLOAD_BYTES)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(row);
      bytes += size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  return batches;
}
