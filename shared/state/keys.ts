import { createHash } from 'node:crypto';
import { InvalidInputError } from '../vocabulary/errors.js';
import type { AlertReceiptKey } from './state-store.port.js';

/**
 * How state is laid out in Table Storage. Pure functions, shared by the Table adapter and the in-memory fake
 * so both order and address rows identically.
 */
export const TABLE_KINDS = [
  'leases',
  'operations',
  'decisions',
  'pauses',
  'alertReceipts',
  'followUps',
  'loadHistory',
] as const;
export type TableKind = (typeof TABLE_KINDS)[number];

const TABLE_SUFFIX: Record<TableKind, string> = {
  leases: 'Leases',
  operations: 'Operations',
  decisions: 'Decisions',
  pauses: 'Pauses',
  alertReceipts: 'AlertReceipts',
  followUps: 'FollowUps',
  loadHistory: 'LoadHistory',
};

export const DEFAULT_TABLE_PREFIX = 'scaler';
const TABLE_PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,40}$/;

export type TableNames = Record<TableKind, string>;

export function tableNamesFor(prefix: string = DEFAULT_TABLE_PREFIX): TableNames {
  if (!TABLE_PREFIX_PATTERN.test(prefix)) {
    throw new InvalidInputError(
      `state.tablePrefix: '${prefix}' is not a valid table name prefix; use a letter followed by up to 40 letters or digits`,
    );
  }
  return perTableKind((kind) => `${prefix}${TABLE_SUFFIX[kind]}`);
}

export function perTableKind<T>(make: (kind: TableKind) => T): Record<TableKind, T> {
  return {
    leases: make('leases'),
    operations: make('operations'),
    decisions: make('decisions'),
    pauses: make('pauses'),
    alertReceipts: make('alertReceipts'),
    followUps: make('followUps'),
    loadHistory: make('loadHistory'),
  };
}

/** Row keys of the single-row-per-target tables. */
export const LEASE_ROW_KEY = 'lease';
export const PAUSES_ROW_KEY = 'pauses';
/** The forecast's cached hourly history: one row per target and interval. */
export const LOAD_HISTORY_ROW_KEY = 'hourly';
/** The operator's last failure reset lives beside the pause flags: both are run-time controls of a target. */
export const FAILURE_RESET_ROW_KEY = 'failure-reset';
/** All alert receipts share one partition: deliveries are rare and the key is a hash anyway. */
export const ALERT_RECEIPT_PARTITION = 'receipts';
/**
 * Index rows that find an operation by its id alone (`GET /api/operations/{id}`), kept in the operations table
 * beside the rows they point to (the "inter-partition secondary index" pattern). `encodeKey` never produces this
 * partition: it escapes `~` and follows each `~` it writes with two hex digits.
 */
export const OPERATION_INDEX_PARTITION = '~operation-ids';
/**
 * The target's operations summary, in its operations partition so one batch transaction writes it with the
 * operation it summarises. Operation row keys start with a digit, so `~` puts it after every one of them: a query
 * of the newest operations meets it only once it has read them all.
 */
export const TARGET_SUMMARY_ROW_KEY = '~summary';

/**
 * The decision ledger is spread over a few partitions shared by many targets, so that one tick's ledger rows go
 * out as a few batch transactions (a batch holds rows of one partition) instead of one request per target. A
 * target's rows keep to one partition and sort together (`ledgerRowPrefix`), so its history is still one range
 * query. The count is part of the layout: changing it moves where every target's rows are looked up.
 */
export const LEDGER_PARTITIONS = 8;
const LEDGER_PARTITION_PREFIX = '~ledger-';

/** The ledger partition of a target: a hash of its name, so the fleet spreads evenly. `~` keeps it apart from `encodeKey`'s output. */
export function ledgerPartition(target: string): string {
  const digest = createHash('sha256').update(target).digest();
  return `${LEDGER_PARTITION_PREFIX}${(digest[0] as number) % LEDGER_PARTITIONS}`;
}

/** `encodeKey` never writes `!`: the prefix of one target's rows is never the start of another target's. */
export function ledgerRowPrefix(target: string): string {
  return `${encodeKey(target, 'target')}!`;
}

/** Keys may hold 1 KiB (512 UTF-16 units); leave room for the time prefix of time-ordered keys. */
const MAX_KEY_CHARS = 400;
const SAFE_KEY_CHAR = /^[A-Za-z0-9_.-]$/;

/**
 * Escapes a name into a Table Storage key. Keys may not contain / \ # ? or control characters, and quotes make
 * filters fragile, so anything outside [A-Za-z0-9_.-] becomes `~XX` per UTF-8 byte. Common target names
 * (`pg-prod`, `adx.west`) stay readable in Storage Explorer.
 */
export function encodeKey(value: string, field = 'key'): string {
  if (value.length === 0) throw new InvalidInputError(`${field}: must not be empty`);
  let encoded = '';
  for (const char of value) {
    encoded += SAFE_KEY_CHAR.test(char) ? char : escapeChar(char);
  }
  if (encoded.length > MAX_KEY_CHARS) {
    throw new InvalidInputError(
      `${field}: '${value.slice(0, 40)}...' is too long to store (${encoded.length} characters once escaped, at most ${MAX_KEY_CHARS}); use a shorter name`,
    );
  }
  return encoded;
}

function escapeChar(char: string): string {
  return [...Buffer.from(char, 'utf8')].map((byte) => `~${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** The largest epoch-ms a JS Date can hold; subtracting from it makes later times sort first. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;
const REVERSE_TIME_DIGITS = 16;

/** Fixed-width, so lexical order of keys is reverse chronological order: newest rows come first in a query. */
export function reverseTimeKey(time: Date): string {
  return String(MAX_EPOCH_MS - time.getTime()).padStart(REVERSE_TIME_DIGITS, '0');
}

/** Row key of a time-ordered row: newest first, the id breaks ties between rows of the same millisecond. */
export function timeOrderedRowKey(time: Date, id: string, field = 'id'): string {
  return `${reverseTimeKey(time)}_${encodeKey(id, field)}`;
}

/** SHA-256 of the three parts: any alert id fits, and equal deliveries map to the same row. */
export function alertReceiptRowKey(key: AlertReceiptKey): string {
  return createHash('sha256').update(`${key.alertId}\u0000${key.monitorCondition}\u0000${key.firedAt}`).digest('hex');
}
