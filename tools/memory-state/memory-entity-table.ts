import type {
  BatchWrite,
  EntityTable,
  EntityWrite,
  PropertyValue,
  RowCondition,
  RowKeys,
  RowQuery,
  StoredRow,
} from '../../shared/state/entity-table.port.js';
import {
  MAX_BATCH_PAYLOAD_BYTES,
  MAX_BATCH_WRITES,
  RowPreconditionFailed,
  entitySizeBytes,
} from '../../shared/state/entity-table.port.js';
import { rejectedWriteError } from '../../shared/state/table-errors.js';

/**
 * Table Storage in memory: ETags that change on every write, conditional create/replace/delete, rows returned
 * in (PartitionKey, RowKey) order, and the service's key and size limits, so a store that works here
 * works against the real service. Each method checks and writes without awaiting in between, which makes
 * every single operation atomic, as it is in the service.
 */
export class MemoryTables {
  private readonly tables = new Map<string, MemoryEntityTable>();
  private etagCounter = 0;

  table(name: string): MemoryEntityTable {
    let table = this.tables.get(name);
    if (table === undefined) {
      table = new MemoryEntityTable(name, () => this.nextEtag());
      this.tables.set(name, table);
    }
    return table;
  }

  private nextEtag(): string {
    this.etagCounter += 1;
    return `W/"memory-${this.etagCounter}"`;
  }
}

interface MemoryRow {
  etag: string;
  properties: Record<string, PropertyValue>;
}

export class MemoryEntityTable implements EntityTable {
  private readonly rows = new Map<string, MemoryRow>();
  /** Row ids in key order, rebuilt only after a row is added or removed: queries are far more frequent. */
  private orderedIds: string[] | undefined;

  constructor(
    readonly name: string,
    private readonly nextEtag: () => string,
  ) {}

  async get(partitionKey: string, rowKey: string): Promise<StoredRow | undefined> {
    const row = this.rows.get(rowId({ partitionKey, rowKey }));
    return row === undefined ? undefined : snapshot({ partitionKey, rowKey }, row);
  }

  async create(entity: EntityWrite): Promise<string> {
    this.checkLimits(entity);
    if (this.rows.has(rowId(entity))) throw new RowPreconditionFailed(this.name, entity, 'exists');
    return this.store(entity);
  }

  async replace(entity: EntityWrite, etag: string): Promise<string> {
    this.checkLimits(entity);
    const current = this.rows.get(rowId(entity));
    if (current === undefined) throw new RowPreconditionFailed(this.name, entity, 'missing');
    if (current.etag !== etag) throw new RowPreconditionFailed(this.name, entity, 'changed');
    return this.store(entity);
  }

  async upsert(entity: EntityWrite): Promise<string> {
    this.checkLimits(entity);
    return this.store(entity);
  }

  async delete(partitionKey: string, rowKey: string, etag?: string): Promise<boolean> {
    const id = rowId({ partitionKey, rowKey });
    const current = this.rows.get(id);
    if (current === undefined) return false;
    if (etag !== undefined && current.etag !== etag)
      throw new RowPreconditionFailed(this.name, { partitionKey, rowKey }, 'changed');
    this.rows.delete(id);
    this.orderedIds = undefined;
    return true;
  }

  async deleteMany(keys: readonly RowKeys[]): Promise<number> {
    let deleted = 0;
    for (const key of keys) if (this.rows.delete(rowId(key))) deleted += 1;
    if (deleted > 0) this.orderedIds = undefined;
    return deleted;
  }

  /** Every condition is checked before anything is written, without awaiting in between: all or none. */
  async writeBatch(writes: readonly BatchWrite[]): Promise<(string | undefined)[]> {
    const partitions = new Set(writes.map((write) => write.entity.partitionKey));
    const payloadBytes = writes.reduce((bytes, write) => bytes + entitySizeBytes(write.entity), 0);
    if (partitions.size > 1 || writes.length > MAX_BATCH_WRITES || payloadBytes > MAX_BATCH_PAYLOAD_BYTES)
      throw rejectedWriteError(
        this.name,
        writes[0]?.entity ?? { partitionKey: '', rowKey: '' },
        'a batch holds rows of one partition, at most 100 and 4 MiB of them',
      );
    for (const write of writes) {
      this.checkLimits(write.entity);
      const current = this.rows.get(rowId(write.entity));
      if (write.kind === 'create' && current !== undefined)
        throw new RowPreconditionFailed(this.name, write.entity, 'exists');
      if ((write.kind === 'replace' || write.kind === 'update') && current === undefined)
        throw new RowPreconditionFailed(this.name, write.entity, 'missing');
      if (write.kind === 'replace' && current?.etag !== write.etag)
        throw new RowPreconditionFailed(this.name, write.entity, 'changed');
    }
    return writes.map((write) => this.store(write.entity));
  }

  async *query(query: RowQuery): AsyncIterable<StoredRow> {
    // The separator sorts before every character a key may hold, so ordering the joined ids orders rows by
    // PartitionKey, then RowKey, as the service does.
    const ordered = (this.orderedIds ??= [...this.rows.keys()].sort(compareOrdinal));
    const rowKeyPrefix = query.rowKeyPrefix ?? '';
    const prefix =
      query.partitionKey === undefined ? undefined : rowId({ partitionKey: query.partitionKey, rowKey: rowKeyPrefix });
    for (const id of ordered) {
      if (prefix !== undefined && !id.startsWith(prefix)) continue;
      if (prefix === undefined && !keysOf(id).rowKey.startsWith(rowKeyPrefix)) continue;
      // Read each row when its turn comes: the caller may write between two rows, and, as with the service's
      // paged results, a row deleted or replaced before its turn is returned as it is then.
      const row = this.rows.get(id);
      if (
        row === undefined ||
        !(query.where ?? []).every((condition) => satisfies(row.properties[condition.property], condition))
      )
        continue;
      yield await Promise.resolve(selectProperties(snapshot(keysOf(id), row), query.select));
    }
  }

  private store(entity: EntityWrite): string {
    const etag = this.nextEtag();
    const id = rowId(entity);
    if (!this.rows.has(id)) this.orderedIds = undefined;
    this.rows.set(id, { etag, properties: copyProperties(entity.properties) });
    return etag;
  }

  /** The documented limits of Azure Table Storage; see entitySizeBytes. */
  private checkLimits(entity: EntityWrite): void {
    const problem =
      keyProblem(entity.partitionKey, 'PartitionKey') ?? keyProblem(entity.rowKey, 'RowKey') ?? propertyProblem(entity);
    if (problem !== undefined) throw rejectedWriteError(this.name, entity, problem);
  }
}

const MAX_KEY_CHARS = 512;
const MAX_PROPERTIES = 252;
const MAX_STRING_PROPERTY_CHARS = 32_768;
const MAX_ENTITY_BYTES = 1024 * 1024;

function keyProblem(key: string, field: string): string | undefined {
  if (key.length > MAX_KEY_CHARS) return `${field} is ${key.length} characters, more than ${MAX_KEY_CHARS}`;
  if ([...key].some(isForbiddenKeyChar))
    return `${field} '${key}' contains a character keys may not hold (/ \\ # ? or a control character)`;
  return undefined;
}

function isForbiddenKeyChar(char: string): boolean {
  const code = char.charCodeAt(0);
  return '/\\#?'.includes(char) || code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

function propertyProblem(entity: EntityWrite): string | undefined {
  const entries = Object.entries(entity.properties);
  if (entries.length > MAX_PROPERTIES) return `${entries.length} properties, more than ${MAX_PROPERTIES}`;
  const long = entries.find(([, value]) => typeof value === 'string' && value.length > MAX_STRING_PROPERTY_CHARS);
  if (long !== undefined) return `property ${long[0]} is larger than 64 KiB`;
  const bytes = entitySizeBytes(entity);
  if (bytes > MAX_ENTITY_BYTES) return `the entity is ${bytes} bytes, more than 1 MiB`;
  return undefined;
}

function satisfies(value: unknown, condition: RowCondition): boolean {
  const left = comparable(value);
  const right = comparable(condition.value);
  if (left === undefined || right === undefined || typeof left !== typeof right) return false;
  return condition.op === 'eq' ? left === right : left < right;
}

/** Dates compare by time; a property of another type than the literal never matches, as in OData. */
function comparable(value: unknown): string | number | boolean | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

// Keys are joined with a character they can never contain.
function rowId(keys: RowKeys): string {
  return `${keys.partitionKey}\u0000${keys.rowKey}`;
}

function keysOf(id: string): RowKeys {
  const [partitionKey = '', rowKey = ''] = id.split('\u0000');
  return { partitionKey, rowKey };
}

/** Ordinal order, as the service sorts keys. */
function compareOrdinal(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function snapshot(keys: RowKeys, row: MemoryRow): StoredRow {
  return { ...keys, etag: row.etag, properties: copyProperties(row.properties) };
}

function selectProperties(row: StoredRow, select: readonly string[] | undefined): StoredRow {
  if (select === undefined) return row;
  const properties = Object.fromEntries(Object.entries(row.properties).filter(([name]) => select.includes(name)));
  return { ...row, properties };
}

function copyProperties(properties: Readonly<Record<string, unknown>>): Record<string, PropertyValue> {
  const copy: Record<string, PropertyValue> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (value instanceof Date) copy[name] = new Date(value.getTime());
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') copy[name] = value;
  }
  return copy;
}
