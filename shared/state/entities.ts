import { REASON_CODES } from '../policy/decision.js';
import type { DecisionEvidence, Direction, ScaleAction, Trigger } from '../policy/decision.js';
import type { EntityWrite, StoredRow } from './entity-table.port.js';
import { RowReader, definedProperties, jsonProperties } from './entity-fields.js';
import { fitEvidence } from './json-fit.js';
import {
  ALERT_RECEIPT_PARTITION,
  LEASE_ROW_KEY,
  OPERATION_INDEX_PARTITION,
  PAUSES_ROW_KEY,
  FAILURE_RESET_ROW_KEY,
  LOAD_HISTORY_ROW_KEY,
  alertReceiptRowKey,
  encodeKey,
  ledgerPartition,
  ledgerRowPrefix,
  timeOrderedRowKey,
} from './keys.js';
import { OPERATION_STATUSES } from './state-store.port.js';
import type {
  AlertReceipt,
  DecisionRecord,
  EvidenceTrim,
  FailureReset,
  FollowUpProgress,
  Lease,
  MetricHistory,
  NewDecisionRecord,
  OperationRecord,
  OperationStatus,
  OperationTransition,
  PauseState,
} from './state-store.port.js';

/**
 * Pure mappers between domain records and Table Storage entities. Every entity carries `schemaVersion`; a
 * reader that meets a version it does not know fails loudly instead of guessing. To change a layout, add
 * version 2 here, keep reading 1, and write 2.
 */
export const SCHEMA_VERSION = 1;
const READABLE_VERSIONS = [SCHEMA_VERSION];

const TRIGGERS: readonly Trigger[] = ['timer', 'alert', 'manual'];
const DIRECTIONS: readonly Direction[] = ['out', 'in'];
const ACTIONS: readonly ScaleAction[] = ['none', 'scale-out', 'scale-in'];
const TERMINAL_STATUSES: readonly OperationStatus[] = ['succeeded', 'failed', 'cancelled', 'timed-out', 'abandoned'];

/**
 * Operation rows: version 1 knows the statuses up to `cancelled`; version 2 adds `timed-out` and `abandoned`. Only a
 * row with one of the new statuses is written as version 2, so a scaler that reads only version 1 (a rolling
 * deployment, a rollback) still reads every other operation and fails loudly, by version, on those it cannot know.
 */
const OPERATION_SCHEMA_VERSION = 2;
const READABLE_OPERATION_VERSIONS = [SCHEMA_VERSION, OPERATION_SCHEMA_VERSION];
const VERSION_1_STATUSES: readonly OperationStatus[] = ['started', 'running', 'succeeded', 'failed', 'cancelled'];

function operationSchemaVersion(operation: OperationRecord): number {
  const statuses = [operation.status, ...operation.history.map((step) => step.status)];
  return statuses.every((status) => VERSION_1_STATUSES.includes(status)) ? SCHEMA_VERSION : OPERATION_SCHEMA_VERSION;
}

export function isTerminal(status: OperationStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function targetPartition(target: string): string {
  return encodeKey(target, 'target');
}

// Leases

export function leaseEntity(lease: Omit<Lease, 'etag'>): EntityWrite {
  return {
    partitionKey: targetPartition(lease.target),
    rowKey: LEASE_ROW_KEY,
    properties: {
      schemaVersion: SCHEMA_VERSION,
      target: lease.target,
      holder: lease.holder,
      acquiredAt: lease.acquiredAt,
      expiresAt: lease.expiresAt,
    },
  };
}

export function leaseFromRow(table: string, row: StoredRow): Lease {
  const read = new RowReader(table, row);
  read.schemaVersion(READABLE_VERSIONS);
  return {
    target: read.string('target'),
    holder: read.string('holder'),
    acquiredAt: read.date('acquiredAt'),
    expiresAt: read.date('expiresAt'),
    etag: row.etag,
  };
}

// Operations

export function operationRowKey(startedAt: Date, operationId: string): string {
  return timeOrderedRowKey(startedAt, operationId, 'operation.id');
}

export function operationEntity(operation: OperationRecord): EntityWrite {
  const history = operation.history.map((step) => ({ ...step, at: step.at.toISOString() }));
  return {
    partitionKey: targetPartition(operation.target),
    rowKey: operationRowKey(operation.startedAt, operation.id),
    properties: {
      ...definedProperties({
        schemaVersion: operationSchemaVersion(operation),
        operationId: operation.id,
        target: operation.target,
        trigger: operation.trigger,
        direction: operation.direction,
        fromCapacity: operation.from,
        toCapacity: operation.to,
        status: operation.status,
        // Stored on its own so "the operation in progress" is a server-side filter.
        inProgress: !isTerminal(operation.status),
        startedAt: operation.startedAt,
        completedAt: operation.completedAt,
        updatedAt: operation.updatedAt,
        initiator: operation.initiator,
        reason: operation.reason,
        decisionId: operation.decisionId,
        armAsyncOperationUrl: operation.arm.asyncOperationUrl,
        armLocationUrl: operation.arm.locationUrl,
        armOperationId: operation.arm.operationId,
        armRequestId: operation.arm.requestId,
        armCorrelationId: operation.arm.correlationId,
        armResumeToken: operation.arm.resumeToken,
      }),
      ...jsonProperties('history', JSON.stringify(history)),
    },
  };
}

export function operationFromRow(table: string, row: StoredRow): OperationRecord {
  const read = new RowReader(table, row);
  const version = read.schemaVersion(READABLE_OPERATION_VERSIONS);
  const statuses = version === SCHEMA_VERSION ? VERSION_1_STATUSES : OPERATION_STATUSES;
  return withoutUndefined({
    id: read.string('operationId'),
    target: read.string('target'),
    trigger: read.oneOf('trigger', TRIGGERS),
    direction: read.oneOf('direction', DIRECTIONS),
    from: read.number('fromCapacity'),
    to: read.number('toCapacity'),
    status: read.oneOf('status', statuses),
    startedAt: read.date('startedAt'),
    completedAt: read.optionalDate('completedAt'),
    updatedAt: read.date('updatedAt'),
    initiator: read.string('initiator'),
    reason: read.string('reason'),
    decisionId: read.optionalString('decisionId'),
    arm: withoutUndefined({
      asyncOperationUrl: read.optionalString('armAsyncOperationUrl'),
      locationUrl: read.optionalString('armLocationUrl'),
      operationId: read.optionalString('armOperationId'),
      requestId: read.optionalString('armRequestId'),
      correlationId: read.optionalString('armCorrelationId'),
      resumeToken: read.optionalString('armResumeToken'),
    }),
    history: historyFrom(read, statuses),
  });
}

function historyFrom(read: RowReader, statuses: readonly OperationStatus[]): OperationTransition[] {
  const value = read.json('history');
  if (!Array.isArray(value)) return read.fail('property history is not a list of transitions');
  return value.map((step: unknown, index) => transitionFrom(read, step, index, statuses));
}

function transitionFrom(
  read: RowReader,
  step: unknown,
  index: number,
  statuses: readonly OperationStatus[],
): OperationTransition {
  if (typeof step !== 'object' || step === null) return read.fail(`history[${index}] is not an object`);
  const status: unknown = Reflect.get(step, 'status');
  const at: unknown = Reflect.get(step, 'at');
  const message: unknown = Reflect.get(step, 'message');
  const statusMatch = statuses.find((candidate) => candidate === status);
  const time = typeof at === 'string' ? new Date(at) : undefined;
  if (statusMatch === undefined || time === undefined || Number.isNaN(time.getTime())) {
    return read.fail(`history[${index}] has no valid status and time`);
  }
  return typeof message === 'string' ? { status: statusMatch, at: time, message } : { status: statusMatch, at: time };
}

/** Where an operation lives, found from its id alone: its target and the start time in its row key. */
export interface OperationLocation {
  operationId: string;
  target: string;
  startedAt: Date;
}

export function operationIndexEntity(location: OperationLocation): EntityWrite {
  return {
    partitionKey: OPERATION_INDEX_PARTITION,
    rowKey: encodeKey(location.operationId, 'operation.id'),
    properties: {
      schemaVersion: SCHEMA_VERSION,
      operationId: location.operationId,
      target: location.target,
      startedAt: location.startedAt,
    },
  };
}

export function operationLocationFromRow(table: string, row: StoredRow): OperationLocation {
  const read = new RowReader(table, row);
  read.schemaVersion(READABLE_VERSIONS);
  return { operationId: read.string('operationId'), target: read.string('target'), startedAt: read.date('startedAt') };
}

// Decisions

/** The target's rows sort together in its ledger partition, newest first. */
export function decisionRowKey(target: string, decidedAt: Date, decisionId: string): string {
  return `${ledgerRowPrefix(target)}${timeOrderedRowKey(decidedAt, decisionId, 'decision.id')}`;
}

export interface DecisionEntity {
  entity: EntityWrite;
  trim: EvidenceTrim | undefined;
}

export function decisionEntity(record: NewDecisionRecord): DecisionEntity {
  const { decision } = record;
  const evidence = fitEvidence(decision.evidence);
  const entity: EntityWrite = {
    partitionKey: ledgerPartition(record.target),
    rowKey: decisionRowKey(record.target, record.decidedAt, record.id),
    properties: {
      ...definedProperties({
        schemaVersion: SCHEMA_VERSION,
        decisionId: record.id,
        target: record.target,
        trigger: record.trigger,
        decidedAt: record.decidedAt,
        action: decision.action,
        fromCapacity: decision.from,
        toCapacity: decision.to,
        reason: decision.reason,
        message: decision.message,
      }),
      ...trimProperties(evidence.trim),
      ...jsonProperties('evidence', evidence.text),
    },
  };
  return { entity, trim: evidence.trim };
}

export function decisionFromRow(table: string, row: StoredRow): DecisionRecord {
  const read = new RowReader(table, row);
  read.schemaVersion(READABLE_VERSIONS);
  const record: DecisionRecord = {
    id: read.string('decisionId'),
    target: read.string('target'),
    trigger: read.oneOf('trigger', TRIGGERS),
    decidedAt: read.date('decidedAt'),
    decision: {
      action: read.oneOf('action', ACTIONS),
      from: read.number('fromCapacity'),
      to: read.number('toCapacity'),
      reason: read.oneOf('reason', REASON_CODES),
      message: read.string('message'),
      evidence: evidenceFrom(read),
    },
  };
  const trim = evidenceTrimFrom(read);
  if (trim !== undefined) record.evidenceTrimmed = trim;
  return record;
}

function evidenceFrom(read: RowReader): DecisionEvidence {
  const value = read.json('evidence');
  const looksLikeEvidence =
    typeof value === 'object' &&
    value !== null &&
    Array.isArray(Reflect.get(value, 'signals')) &&
    Array.isArray(Reflect.get(value, 'guards'));
  // The ledger wrote this document from a DecisionEvidence under the same schemaVersion: a shape check suffices.
  return looksLikeEvidence ? (value as DecisionEvidence) : read.fail('property evidence is not decision evidence');
}

const TRIM_FIELDS = [
  'originalChars',
  'storedChars',
  'signalsKept',
  'signalsTotal',
  'guardsKept',
  'guardsTotal',
] as const;

function trimProperties(trim: EvidenceTrim | undefined): Record<string, number | boolean> {
  if (trim === undefined) return {};
  const properties: Record<string, number | boolean> = { evidenceTrimmed: true };
  for (const field of TRIM_FIELDS) properties[trimPropertyName(field)] = trim[field];
  return properties;
}

function evidenceTrimFrom(read: RowReader): EvidenceTrim | undefined {
  if (read.row.properties['evidenceTrimmed'] === undefined) return undefined;
  const trim = {} as Record<(typeof TRIM_FIELDS)[number], number>;
  for (const field of TRIM_FIELDS) trim[field] = read.number(trimPropertyName(field));
  return trim;
}

function trimPropertyName(field: string): string {
  return `evidence${field.charAt(0).toUpperCase()}${field.slice(1)}`;
}

// Pause flags

export function pausesEntity(state: PauseState): EntityWrite {
  return {
    partitionKey: targetPartition(state.target),
    rowKey: PAUSES_ROW_KEY,
    properties: {
      schemaVersion: SCHEMA_VERSION,
      target: state.target,
      scaleOut: state.scaleOut,
      scaleIn: state.scaleIn,
      updatedBy: state.updatedBy,
      reason: state.reason,
      updatedAt: state.updatedAt,
    },
  };
}

export function pausesFromRow(table: string, row: StoredRow): PauseState {
  const read = new RowReader(table, row);
  read.schemaVersion(READABLE_VERSIONS);
  return {
    target: read.string('target'),
    scaleOut: read.boolean('scaleOut'),
    scaleIn: read.boolean('scaleIn'),
    updatedBy: read.string('updatedBy'),
    reason: read.string('reason'),
    updatedAt: read.date('updatedAt'),
  };
}

// Failure reset (same table as the pause flags)

export function failureResetEntity(reset: FailureReset): EntityWrite {
  return {
    partitionKey: targetPartition(reset.target),
    rowKey: FAILURE_RESET_ROW_KEY,
    properties: {
      schemaVersion: SCHEMA_VERSION,
      target: reset.target,
      resetAt: reset.resetAt,
      resetBy: reset.by,
      reason: reset.reason,
    },
  };
}

export function failureResetFromRow(table: string, row: StoredRow): FailureReset {
  const read = new RowReader(table, row);
  read.schemaVersion(READABLE_VERSIONS);
  return {
    target: read.string('target'),
    resetAt: read.date('resetAt'),
    by: read.string('resetBy'),
    reason: read.string('reason'),
  };
}

// Alert receipts

/** `summaryText` is the payload summary's JSON, already fitted to the row. */
export function alertReceiptEntity(receipt: Omit<AlertReceipt, 'payloadSummary'>, summaryText: string): EntityWrite {
  return {
    partitionKey: ALERT_RECEIPT_PARTITION,
    rowKey: alertReceiptRowKey(receipt.key),
    properties: {
      schemaVersion: SCHEMA_VERSION,
      alertId: receipt.key.alertId,
      monitorCondition: receipt.key.monitorCondition,
      firedAt: receipt.key.firedAt,
      receivedAt: receipt.receivedAt,
      ...jsonProperties('payloadSummary', summaryText),
    },
  };
}

export function alertReceiptFromRow(table: string, row: StoredRow): AlertReceipt {
  const read = new RowReader(table, row);
  read.schemaVersion(READABLE_VERSIONS);
  return {
    key: {
      alertId: read.string('alertId'),
      monitorCondition: read.string('monitorCondition'),
      firedAt: read.string('firedAt'),
    },
    payloadSummary: read.json('payloadSummary'),
    receivedAt: read.date('receivedAt'),
  };
}

// Follow-up progress

export function followUpRowKey(operationId: string): string {
  return encodeKey(operationId, 'operation.id');
}

/** `documentText` is the progress document's JSON, already checked against the row limit. */
export function followUpEntity(progress: Omit<FollowUpProgress, 'document'>, documentText: string): EntityWrite {
  return {
    partitionKey: targetPartition(progress.target),
    rowKey: followUpRowKey(progress.operationId),
    properties: {
      schemaVersion: SCHEMA_VERSION,
      target: progress.target,
      operationId: progress.operationId,
      updatedAt: progress.updatedAt,
      ...jsonProperties('document', documentText),
    },
  };
}

export function followUpFromRow(table: string, row: StoredRow): FollowUpProgress {
  const read = new RowReader(table, row);
  read.schemaVersion(READABLE_VERSIONS);
  return {
    target: read.string('target'),
    operationId: read.string('operationId'),
    document: read.json('document'),
    updatedAt: read.date('updatedAt'),
  };
}

export function metricHistoryEntity(history: MetricHistory, updatedAt: Date, documentText: string): EntityWrite {
  return {
    partitionKey: targetPartition(history.target),
    rowKey: LOAD_HISTORY_ROW_KEY,
    properties: {
      schemaVersion: SCHEMA_VERSION,
      target: history.target,
      updatedAt,
      ...jsonProperties('document', documentText),
    },
  };
}

export function metricHistoryFromRow(table: string, row: StoredRow): MetricHistory {
  const read = new RowReader(table, row);
  read.schemaVersion(READABLE_VERSIONS);
  const document = read.json('document') as Partial<MetricHistory> | null;
  const valid =
    document !== null &&
    typeof document === 'object' &&
    typeof document.resourceId === 'string' &&
    typeof document.intervalMinutes === 'number' &&
    typeof document.startMs === 'number' &&
    typeof document.throughMs === 'number' &&
    typeof document.metrics === 'object' &&
    document.metrics !== null &&
    Object.values(document.metrics).every(
      (values) => Array.isArray(values) && values.every((value) => value === null || typeof value === 'number'),
    );
  if (!valid) read.fail('document is not a metric history (resourceId, intervalMinutes, startMs, throughMs, metrics)');
  return { ...(document as MetricHistory), target: read.string('target') };
}

/** Drops keys whose value is undefined, so records compare equal whichever store produced them. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
