/**
 * The per-target summary row: what a calm tick needs of a target's operations (its scale history, the operations
 * in flight and the failure window), kept in the target's operations partition and rewritten in the same batch
 * transaction as every operation change, so a tick reads the whole fleet's summaries in one paged query instead of
 * one operations query per target. Pure: folding an operation in, and the row's layout.
 */
import type { FinishedOperation, ScaleHistory } from '../policy/input.js';
import type { EntityWrite, StoredRow } from './entity-table.port.js';
import { RowReader, jsonProperties } from './entity-fields.js';
import { finishedOperationOf, operationSummaryOf } from './operation-summaries.js';
import { targetPartition } from './entities.js';
import { jsonWithinLimit } from './json-fit.js';
import { TARGET_SUMMARY_ROW_KEY } from './keys.js';
import type { OperationRecord, TargetSummary } from './state-store.port.js';
import { OPERATION_STATUSES, TARGET_SUMMARY_WINDOW, isInFlight } from './state-store.port.js';

const SUMMARY_SCHEMA_VERSION = 1;
/** Marks the row in a scan of the whole operations table (operation rows have no `rowType`). */
export const SUMMARY_ROW_TYPE = 'target-summary';

/** One operation as the summary keeps it: enough to be the policy's summary or finished operation. */
interface SummaryEntry {
  id: string;
  direction: 'out' | 'in';
  from: number;
  to: number;
  startedAt: Date;
  status: OperationRecord['status'];
  completedAt?: Date | undefined;
  /** The last transition's message, kept only for operations the failure backoff counts. */
  message?: string | undefined;
}

export interface StoredSummary {
  target: string;
  lastScaleOut?: SummaryEntry | undefined;
  lastScaleIn?: SummaryEntry | undefined;
  /** Every operation still started or running, newest started first (normally none or one). */
  inProgress: SummaryEntry[];
  /** The TARGET_SUMMARY_WINDOW most recently started operations, newest first. */
  window: SummaryEntry[];
}

function entryOf(operation: OperationRecord): SummaryEntry {
  const finished = finishedOperationOf(operation);
  return {
    id: operation.id,
    direction: operation.direction,
    from: operation.from,
    to: operation.to,
    startedAt: operation.startedAt,
    status: operation.status,
    ...(operation.completedAt === undefined ? {} : { completedAt: operation.completedAt }),
    ...(finished?.message === undefined ? {} : { message: finished.message }),
  };
}

function newestFirst(entries: SummaryEntry[]): SummaryEntry[] {
  return entries.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
}

function replacing(entries: readonly SummaryEntry[], entry: SummaryEntry | undefined, id: string): SummaryEntry[] {
  const others = entries.filter((candidate) => candidate.id !== id);
  return newestFirst(entry === undefined ? others : [...others, entry]);
}

function newerOrSame(current: SummaryEntry | undefined, entry: SummaryEntry): SummaryEntry | undefined {
  if (current === undefined || current.id === entry.id) return entry;
  return entry.startedAt.getTime() > current.startedAt.getTime() ? entry : current;
}

/** The summary once `operation` (new or changed) is stored. */
export function foldOperation(summary: StoredSummary, operation: OperationRecord): StoredSummary {
  const entry = entryOf(operation);
  const last = operation.direction === 'out' ? 'lastScaleOut' : 'lastScaleIn';
  return {
    ...summary,
    [last]: newerOrSame(summary[last], entry),
    inProgress: replacing(summary.inProgress, isInFlight(entry.status) ? entry : undefined, entry.id),
    window: replacing(summary.window, entry, entry.id).slice(0, TARGET_SUMMARY_WINDOW),
  };
}

/**
 * The summary of a target without one (written before summaries existed): from its newest operations, the
 * operations in flight and, where they are older than the window, the newest of each direction.
 */
export function summaryFrom(
  target: string,
  newest: readonly OperationRecord[],
  inProgress: readonly OperationRecord[],
  lastOf: { out?: OperationRecord | undefined; in?: OperationRecord | undefined },
): StoredSummary {
  const last = (direction: 'out' | 'in') =>
    newest.find((operation) => operation.direction === direction) ?? lastOf[direction];
  const lastScaleOut = last('out');
  const lastScaleIn = last('in');
  return {
    target,
    ...(lastScaleOut ? { lastScaleOut: entryOf(lastScaleOut) } : {}),
    ...(lastScaleIn ? { lastScaleIn: entryOf(lastScaleIn) } : {}),
    inProgress: newestFirst(inProgress.map(entryOf)),
    window: newestFirst(newest.slice(0, TARGET_SUMMARY_WINDOW).map(entryOf)),
  };
}

/** The summary as the policy reads it. */
export function targetSummaryOf(summary: StoredSummary): TargetSummary {
  const policySummary = (entry: SummaryEntry | undefined) =>
    entry === undefined ? undefined : operationSummaryOf(asRecordView(summary.target, entry));
  const history: ScaleHistory = {};
  const lastScaleOut = policySummary(summary.lastScaleOut);
  const lastScaleIn = policySummary(summary.lastScaleIn);
  const unfinished = policySummary(summary.inProgress[0]);
  if (lastScaleOut) history.lastScaleOut = lastScaleOut;
  if (lastScaleIn) history.lastScaleIn = lastScaleIn;
  if (unfinished) history.unfinished = unfinished;
  const recentFinished = summary.window.flatMap((entry): FinishedOperation[] => {
    const finished = finishedOperationOf(asRecordView(summary.target, entry));
    return finished ? [finished] : [];
  });
  return { target: summary.target, history, recentFinished };
}

/** Just the fields the policy mappers look at, with the entry's message as the last transition's. */
function asRecordView(target: string, entry: SummaryEntry): OperationRecord {
  const { message: _message, ...fields } = entry;
  return {
    ...fields,
    target,
    trigger: 'timer',
    arm: {},
    initiator: '',
    reason: '',
    updatedAt: entry.completedAt ?? entry.startedAt,
    history: [{ status: entry.status, at: entry.completedAt ?? entry.startedAt, message: entry.message }],
  };
}

// The row

export function summaryEntity(summary: StoredSummary): EntityWrite {
  const document = {
    lastScaleOut: summary.lastScaleOut,
    lastScaleIn: summary.lastScaleIn,
    inProgress: summary.inProgress,
    window: summary.window,
  };
  return {
    partitionKey: targetPartition(summary.target),
    rowKey: TARGET_SUMMARY_ROW_KEY,
    properties: {
      schemaVersion: SUMMARY_SCHEMA_VERSION,
      rowType: SUMMARY_ROW_TYPE,
      target: summary.target,
      ...jsonProperties('summary', jsonWithinLimit(document, `operations summary of target '${summary.target}'`)),
    },
  };
}

export function summaryFromRow(table: string, row: StoredRow): StoredSummary {
  const read = new RowReader(table, row);
  read.schemaVersion([SUMMARY_SCHEMA_VERSION]);
  const document = read.json('summary');
  if (typeof document !== 'object' || document === null) return read.fail('property summary is not an object');
  const fields = document as Record<string, unknown>;
  const entry = (value: unknown) => (value === undefined ? undefined : entryFrom(read, value));
  const list = (name: string) => {
    const value = fields[name];
    if (!Array.isArray(value)) return read.fail(`summary.${name} is not a list of operations`);
    return value.map((item: unknown) => entryFrom(read, item));
  };
  const lastScaleOut = entry(fields['lastScaleOut']);
  const lastScaleIn = entry(fields['lastScaleIn']);
  return {
    target: read.string('target'),
    ...(lastScaleOut ? { lastScaleOut } : {}),
    ...(lastScaleIn ? { lastScaleIn } : {}),
    inProgress: list('inProgress'),
    window: list('window'),
  };
}

function entryFrom(read: RowReader, value: unknown): SummaryEntry {
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { id, direction, from, to, status, message } = fields;
  const startedAt = dateFrom(fields['startedAt']);
  const completedAt = fields['completedAt'] === undefined ? undefined : dateFrom(fields['completedAt']);
  const valid =
    typeof id === 'string' &&
    (direction === 'out' || direction === 'in') &&
    typeof from === 'number' &&
    typeof to === 'number' &&
    typeof status === 'string' &&
    (OPERATION_STATUSES as readonly string[]).includes(status) &&
    startedAt !== undefined &&
    (fields['completedAt'] === undefined || completedAt !== undefined) &&
    (message === undefined || typeof message === 'string');
  if (!valid) return read.fail(`summary holds an operation that is not one: ${JSON.stringify(value)}`);
  return {
    id,
    direction,
    from,
    to,
    startedAt,
    status: status as SummaryEntry['status'],
    ...(completedAt === undefined ? {} : { completedAt }),
    ...(message === undefined ? {} : { message }),
  };
}

function dateFrom(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
