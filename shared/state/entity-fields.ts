import { ScalerError } from '../vocabulary/errors.js';
import type { PropertyValue, StoredRow } from './entity-table.port.js';

/**
 * Checked reading and writing of entity properties: every value read back is `unknown` until one of these
 * readers narrowed it, and a row that does not match fails loudly, naming the table and the keys.
 */

/** A stored row this scaler cannot read: unknown schema version, missing or mistyped property. */
export class StoredEntityError extends ScalerError {
  constructor(table: string, row: Pick<StoredRow, 'partitionKey' | 'rowKey'>, problem: string, fix: string) {
    super(
      'internal',
      `Reading table ${table} row (PartitionKey '${row.partitionKey}', RowKey '${row.rowKey}') failed: ${problem}; ${fix}`,
      {
        details: { table, partitionKey: row.partitionKey, rowKey: row.rowKey },
      },
    );
  }
}

/** Reads one row of one table; remembers where it is so every problem names the row. */
export class RowReader {
  constructor(
    readonly table: string,
    readonly row: StoredRow,
  ) {}

  fail(problem: string): never {
    throw new StoredEntityError(
      this.table,
      this.row,
      problem,
      'the row was written by another program or damaged; delete or repair it',
    );
  }

  /** Throws unless the row's `schemaVersion` is one of `supported`. */
  schemaVersion(supported: readonly number[]): number {
    const version = this.row.properties['schemaVersion'];
    if (typeof version === 'number' && supported.includes(version)) return version;
    throw new StoredEntityError(
      this.table,
      this.row,
      `schemaVersion ${JSON.stringify(version) ?? 'undefined'} is not one this scaler reads (it reads ${supported.join(', ')})`,
      'deploy the scaler version that wrote it, or migrate the row',
    );
  }

  string(name: string): string {
    const value = this.row.properties[name];
    return typeof value === 'string' ? value : this.fail(`property ${name} is ${describe(value)}, expected a string`);
  }

  optionalString(name: string): string | undefined {
    return this.row.properties[name] === undefined ? undefined : this.string(name);
  }

  number(name: string): number {
    const value = this.row.properties[name];
    return typeof value === 'number' && Number.isFinite(value)
      ? value
      : this.fail(`property ${name} is ${describe(value)}, expected a number`);
  }

  boolean(name: string): boolean {
    const value = this.row.properties[name];
    return typeof value === 'boolean' ? value : this.fail(`property ${name} is ${describe(value)}, expected a boolean`);
  }

  date(name: string): Date {
    const value = this.row.properties[name];
    if (value instanceof Date && !Number.isNaN(value.getTime())) return new Date(value.getTime());
    return this.fail(`property ${name} is ${describe(value)}, expected a date`);
  }

  optionalDate(name: string): Date | undefined {
    return this.row.properties[name] === undefined ? undefined : this.date(name);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.string(name);
    const match = allowed.find((candidate) => candidate === value);
    return match ?? this.fail(`property ${name} is '${value}', expected one of ${allowed.join(', ')}`);
  }

  /** A JSON document written by `jsonProperties`, parsed. */
  json(name: string): unknown {
    const text = this.chunkedText(name);
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      return this.fail(
        `property ${name} does not hold valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  private chunkedText(name: string): string {
    const count = this.number(chunkCountName(name));
    let text = '';
    for (let index = 0; index < count; index += 1) text += this.string(chunkName(name, index));
    return text;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value instanceof Date) return 'an invalid date';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 60) ?? ''}`.trim();
}

/**
 * Table Storage holds at most 64 KiB per string property, stored as UTF-16: 32,768 code units. Chunks stay a
 * little below that.
 */
export const MAX_STRING_PROPERTY_CHARS = 32_000;

/**
 * What one JSON document may take of an entity (1 MiB in all): about 800 KB, leaving room for the other
 * properties of the row.
 */
export const MAX_JSON_DOCUMENT_CHARS = 400_000;

/** Splits a JSON text across `<name>0`, `<name>1`, ... with the count in `<name>Chunks`. */
export function jsonProperties(name: string, text: string): Record<string, PropertyValue> {
  const properties: Record<string, PropertyValue> = {};
  const chunks = splitText(text, MAX_STRING_PROPERTY_CHARS);
  chunks.forEach((chunk, index) => {
    properties[chunkName(name, index)] = chunk;
  });
  properties[chunkCountName(name)] = chunks.length;
  return properties;
}

/** Splits into pieces of at most `size` code units, never between the two halves of a surrogate pair. */
export function splitText(text: string, size: number): string[] {
  const chunks: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function chunkName(name: string, index: number): string {
  return `${name}${index}`;
}

function chunkCountName(name: string): string {
  return `${name}Chunks`;
}

/** Copies only the defined values: Table Storage has no `undefined`, an absent property is the same thing. */
export function definedProperties(values: Record<string, PropertyValue | undefined>): Record<string, PropertyValue> {
  const properties: Record<string, PropertyValue> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) properties[name] = value;
  }
  return properties;
}
