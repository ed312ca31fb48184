import { describe, expect, it } from 'vitest';
import {
  MAX_STRING_PROPERTY_CHARS,
  RowReader,
  StoredEntityError,
  jsonProperties,
  splitText,
} from '../../../shared/state/entity-fields.js';
import type { StoredRow } from '../../../shared/state/entity-table.port.js';

function row(properties: Record<string, unknown>): StoredRow {
  return { partitionKey: 'pg-prod', rowKey: 'lease', etag: 'W/"1"', properties };
}

describe('splitText', () => {
  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(4)}😀${'b'.repeat(4)}`; // the emoji occupies code units 4 and 5

    const chunks = splitText(text, 5);

    expect(chunks.join('')).toBe(text);
    expect(chunks[0]).toBe('aaaa');
    expect(chunks.every((chunk) => !/[\uD800-\uDBFF]$/.test(chunk))).toBe(true);
  });
});

describe('jsonProperties and RowReader.json', () => {
  it('round-trip a document larger than one property', () => {
    const document = { items: Array.from({ length: 10_000 }, (_, index) => `item ${index} 😀`) };
    const text = JSON.stringify(document);

    const properties = jsonProperties('document', text);

    expect(properties['documentChunks']).toBe(Math.ceil(text.length / MAX_STRING_PROPERTY_CHARS));
    expect(new RowReader('scalerFollowUps', row(properties)).json('document')).toEqual(document);
  });

  it('fails naming the row when a chunk is missing', () => {
    const properties = jsonProperties('document', 'x'.repeat(MAX_STRING_PROPERTY_CHARS + 10));
    delete properties['document1'];

    expect(() => new RowReader('scalerFollowUps', row(properties)).json('document')).toThrow(
      "Reading table scalerFollowUps row (PartitionKey 'pg-prod', RowKey 'lease') failed: property document1 is missing, expected a string",
    );
  });
});

describe('RowReader.schemaVersion', () => {
  it('names the table, keys and version it cannot read', () => {
    const reader = new RowReader('scalerLeases', row({ schemaVersion: 2 }));

    expect(() => reader.schemaVersion([1])).toThrow(StoredEntityError);
    expect(() => reader.schemaVersion([1])).toThrow(
      "Reading table scalerLeases row (PartitionKey 'pg-prod', RowKey 'lease') failed: schemaVersion 2 is not one this scaler reads (it reads 1); deploy the scaler version that wrote it, or migrate the row",
    );
  });

  it('treats a row without a version as unreadable', () => {
    expect(() => new RowReader('scalerLeases', row({})).schemaVersion([1])).toThrow(
      /schemaVersion undefined is not one/,
    );
  });
});
