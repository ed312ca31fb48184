import { StateConflictError } from '../vocabulary/errors.js';

/**
 * The few Table Storage operations the state store needs, as an internal port: the Azure adapter implements it
 * on `@azure/data-tables`, the in-memory fake on Maps. Both keep ETags, conditional writes, key order
 * (PartitionKey, then RowKey, ordinal) and the service's size limits, so the store behaves the same on either.
 */
export type PropertyValue = string | number | boolean | Date;

export interface EntityWrite {
  partitionKey: string;
  rowKey: string;
  properties: Record<string, PropertyValue>;
}

export interface StoredRow {
  partitionKey: string;
  rowKey: string;
  etag: string;
  /** As read back: values are unknown until a mapper has checked them. */
  properties: Readonly<Record<string, unknown>>;
}

export interface RowKeys {
  partitionKey: string;
  rowKey: string;
}

/** One comparison in a query filter; conditions in a query are combined with AND. */
export interface RowCondition {
  property: string;
  op: 'eq' | 'lt';
  value: PropertyValue;
}

export interface RowQuery {
  partitionKey?: string;
  /** Only rows whose RowKey starts with this (a range of the key, which the service answers without a scan). */
  rowKeyPrefix?: string;
  where?: readonly RowCondition[];
  /** Properties to return besides the keys; all when absent. */
  select?: readonly string[];
  /** Rows per request; small when only the first rows are wanted. */
  pageSize?: number;
}

/** A batch transaction holds at most this many writes, of one partition. */
export const MAX_BATCH_WRITES = 100;
/**
 * The service refuses a batch request of more than 4 MiB. Writers fill batches up to `entitySizeBytes` of this:
 * the formula counts two bytes a character, which covers the JSON escaping of the stored documents' quotes.
 */
export const MAX_BATCH_PAYLOAD_BYTES = 4 * 1024 * 1024;

/**
 * The service's own formula: 4 + 2 x len(PartitionKey + RowKey) + for each property 8 + 2 x len(name) + the
 * value's size (strings 4 + 2 x length, dates and numbers 8, booleans 1).
 */
export function entitySizeBytes(entity: EntityWrite): number {
  let bytes = 4 + 2 * (entity.partitionKey.length + entity.rowKey.length);
  for (const [name, value] of Object.entries(entity.properties)) {
    bytes += 8 + 2 * name.length + valueSizeBytes(value);
  }
  return bytes;
}

function valueSizeBytes(value: PropertyValue): number {
  if (typeof value === 'string') return 4 + 2 * value.length;
  if (typeof value === 'boolean') return 1;
  return 8;
}

/**
 * Items grouped by partition (a batch holds one), in order, and cut into batches within the service's limits: at
 * most MAX_BATCH_WRITES each, and at most MAX_BATCH_PAYLOAD_BYTES of what `sizeOf` counts.
 */
export function partitionBatches<T>(
  items: readonly T[],
  partitionOf: (item: T) => string,
  sizeOf: (item: T) => number = () => 0,
): T[][] {
  const byPartition = new Map<string, T[]>();
  for (const item of items) {
    const partitionItems = byPartition.get(partitionOf(item));
    if (partitionItems) partitionItems.push(item);
    else byPartition.set(partitionOf(item), [item]);
  }
  const batches: T[][] = [];
  for (const partitionItems of byPartition.values()) {
    let batch: T[] = [];
    let bytes = 0;
    for (const item of partitionItems) {
      const size = sizeOf(item);
      if (batch.length === MAX_BATCH_WRITES || (batch.length > 0 && bytes + size > MAX_BATCH_PAYLOAD_BYTES)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(item);
      bytes += size;
    }
    if (batch.length > 0) batches.push(batch);
  }
  return batches;
}

/** One write of a batch transaction. */
export type BatchWrite =
  | { kind: 'create'; entity: EntityWrite }
  | { kind: 'replace'; entity: EntityWrite; etag: string }
  /** Replace a row that must exist, whatever its version (another row of the batch carries the condition). */
  | { kind: 'update'; entity: EntityWrite }
  | { kind: 'upsert'; entity: EntityWrite };

export interface EntityTable {
  readonly name: string;
  get(partitionKey: string, rowKey: string): Promise<StoredRow | undefined>;
  /** Insert; throws `RowPreconditionFailed('exists')` when the row exists. Returns the new ETag. */
  create(entity: EntityWrite): Promise<string>;
  /** Replace if the row still has `etag`; throws `RowPreconditionFailed('changed' | 'missing')`. */
  replace(entity: EntityWrite, etag: string): Promise<string>;
  /** Insert or replace, unconditionally. */
  upsert(entity: EntityWrite): Promise<string>;
  /** Delete (conditional on `etag` when given). Returns false when the row did not exist. */
  delete(partitionKey: string, rowKey: string, etag?: string): Promise<boolean>;
  /** Delete many rows unconditionally; rows already gone are skipped. Returns how many were deleted. */
  deleteMany(keys: readonly RowKeys[]): Promise<number>;
  /**
   * Writes rows of one partition (at most 100) as one batch transaction: all or none. Throws
   * `RowPreconditionFailed` when a write's condition fails (the service does not say reliably which one: the
   * caller re-reads). Answers each write's new ETag, in order, where the batch answer carries it (each part of the
   * answer has its own ETag header); undefined where it does not, and a caller that needs it reads the row.
   */
  writeBatch(writes: readonly BatchWrite[]): Promise<(string | undefined)[]>;
  /** Rows in key order. */
  query(query: RowQuery): AsyncIterable<StoredRow>;
}

export type PreconditionReason = 'exists' | 'changed' | 'missing';

/** A conditional write found the row in another state than required. The store turns it into a domain conflict. */
export class RowPreconditionFailed extends StateConflictError {
  readonly reason: PreconditionReason;

  constructor(table: string, keys: RowKeys, reason: PreconditionReason) {
    super(
      `Conditional write to table ${table} (PartitionKey '${keys.partitionKey}', RowKey '${keys.rowKey}') failed: ${describeReason(reason)}`,
      undefined,
      {
        details: { table, ...keys, reason },
      },
    );
    this.reason = reason;
  }
}

function describeReason(reason: PreconditionReason): string {
  if (reason === 'exists') return 'the row already exists';
  if (reason === 'missing') return 'the row no longer exists';
  return 'the row changed since it was read (ETag mismatch)';
}

/** Reads rows until `count` are collected. */
export async function takeRows(rows: AsyncIterable<StoredRow>, count: number): Promise<StoredRow[]> {
  const taken: StoredRow[] = [];
  if (count <= 0) return taken;
  for await (const row of rows) {
    taken.push(row);
    if (taken.length >= count) break;
  }
  return taken;
}
