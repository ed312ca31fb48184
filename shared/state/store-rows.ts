/**
 * What every part of the state store does with rows the same way: read a target's newest rows, purge old ones, check
 * the caller's arguments, and see a written entity as the row a read would give.
 */
import { InvalidInputError } from '../vocabulary/errors.js';
import { targetPartition } from './entities.js';
import { takeRows } from './entity-table.port.js';
import type { EntityTable, EntityWrite, RowCondition, RowKeys, StoredRow } from './entity-table.port.js';
import { TARGET_SUMMARY_ROW_KEY } from './keys.js';

export const MAX_PAGE_SIZE = 1000;

/** Row keys are reverse timestamps, so the first rows of a partition are the newest. */
export function newestRows(
  table: EntityTable,
  target: string,
  where: RowCondition[],
  limit: number,
  onSummary?: (row: StoredRow) => void,
): Promise<StoredRow[]> {
  const rows = table.query({
    partitionKey: targetPartition(target),
    where,
    pageSize: Math.min(limit, MAX_PAGE_SIZE),
  });
  return takeRows(withoutSummary(rows, onSummary), limit);
}

/** Deletes the rows (of one partition, or the whole table) that `olderThan` matches; returns how many. */
export async function purgeRows(
  table: EntityTable,
  partitionKey: string | undefined,
  olderThan: RowCondition,
): Promise<number> {
  const keys: RowKeys[] = [];
  const query = { where: [olderThan], select: [], ...(partitionKey === undefined ? {} : { partitionKey }) };
  for await (const row of table.query(query)) keys.push({ partitionKey: row.partitionKey, rowKey: row.rowKey });
  return table.deleteMany(keys);
}

/** The operations partition's summary row is not an operation: queries of a target's rows skip it. */
async function* withoutSummary(
  rows: AsyncIterable<StoredRow>,
  onSummary?: (row: StoredRow) => void,
): AsyncIterable<StoredRow> {
  for await (const row of rows) {
    if (row.rowKey !== TARGET_SUMMARY_ROW_KEY) yield row;
    else onSummary?.(row);
  }
}

/** What a row looks like right after writing `entity`: lets every result go through the same mapper as a read. */
export function rowFrom(entity: EntityWrite, etag: string): StoredRow {
  return { partitionKey: entity.partitionKey, rowKey: entity.rowKey, etag, properties: entity.properties };
}

export function requireText(field: string, value: string): void {
  if (value.trim().length === 0) throw new InvalidInputError(`${field}: must not be empty`);
}

export function requireDate(field: string, value: Date): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new InvalidInputError(`${field}: is not a valid date`);
}

export function requireLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit <= 0)
    throw new InvalidInputError(`limit: ${limit} is not a positive whole number`);
}
