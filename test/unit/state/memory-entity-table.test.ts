import { describe, expect, it } from 'vitest';
import { RowPreconditionFailed } from '../../../shared/state/entity-table.port.js';
import { MemoryTables } from '../../../tools/memory-state/memory-entity-table.js';
import { entitySizeBytes } from '../../../shared/state/entity-table.port.js';

function table() {
  return new MemoryTables().table('scalerTest');
}

describe('MemoryEntityTable', () => {
  it('gives every write a new ETag and replaces only on the current one', async () => {
    const rows = table();
    const first = await rows.create({ partitionKey: 'p', rowKey: 'r', properties: { n: 1 } });
    const second = await rows.replace({ partitionKey: 'p', rowKey: 'r', properties: { n: 2 } }, first);

    expect(second).not.toBe(first);
    await expect(rows.replace({ partitionKey: 'p', rowKey: 'r', properties: { n: 3 } }, first)).rejects.toBeInstanceOf(
      RowPreconditionFailed,
    );
    await expect(rows.get('p', 'r')).resolves.toMatchObject({ etag: second, properties: { n: 2 } });
  });

  it('writes a batch all or none: a failed condition leaves every row as it was', async () => {
    const rows = table();
    const etag = await rows.create({ partitionKey: 'p', rowKey: 'summary', properties: { n: 1 } });
    const failing = rows.writeBatch([
      { kind: 'create', entity: { partitionKey: 'p', rowKey: 'op', properties: { n: 1 } } },
      { kind: 'replace', entity: { partitionKey: 'p', rowKey: 'summary', properties: { n: 2 } }, etag: 'W/"stale"' },
    ]);
    await expect(failing).rejects.toMatchObject({ reason: 'changed' });
    await expect(rows.get('p', 'op')).resolves.toBeUndefined();

    await rows.writeBatch([
      { kind: 'create', entity: { partitionKey: 'p', rowKey: 'op', properties: { n: 1 } } },
      { kind: 'replace', entity: { partitionKey: 'p', rowKey: 'summary', properties: { n: 2 } }, etag },
    ]);
    await expect(rows.get('p', 'summary')).resolves.toMatchObject({ properties: { n: 2 } });
    await expect(rows.get('p', 'op')).resolves.toMatchObject({ properties: { n: 1 } });
  });

  it('hands out copies, so a caller cannot change stored rows', async () => {
    const rows = table();
    await rows.create({ partitionKey: 'p', rowKey: 'r', properties: { at: new Date(0) } });

    const read = await rows.get('p', 'r');
    (read?.properties['at'] as Date).setTime(99);

    await expect(rows.get('p', 'r')).resolves.toMatchObject({ properties: { at: new Date(0) } });
  });

  it('returns rows in partition then row key order, filtered like the service', async () => {
    const rows = table();
    for (const [partitionKey, rowKey, n] of [
      ['b', '2', 1],
      ['a', '9', 2],
      ['b', '1', 3],
      ['a', '10', 4],
    ] as const) {
      await rows.create({ partitionKey, rowKey, properties: { n, at: new Date(n * 1000) } });
    }

    const all = [];
    for await (const row of rows.query({})) all.push(`${row.partitionKey}/${row.rowKey}`);
    const early = [];
    for await (const row of rows.query({ where: [{ property: 'at', op: 'lt', value: new Date(3000) }], select: [] }))
      early.push(row);

    expect(all).toEqual(['a/10', 'a/9', 'b/1', 'b/2']);
    expect(early.map((row) => row.rowKey)).toEqual(['9', '2']);
    expect(early[0]?.properties).toEqual({});
  });

  it.each([
    {
      name: 'a string property over 64 KiB',
      properties: { s: 'x'.repeat(32_769) },
      problem: /property s is larger than 64 KiB/,
    },
    {
      name: 'an entity over 1 MiB',
      properties: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`p${i}`, 'x'.repeat(32_000)])),
      problem: /more than 1 MiB/,
    },
    {
      name: 'more than 252 properties',
      properties: Object.fromEntries(Array.from({ length: 253 }, (_, i) => [`p${i}`, i])),
      problem: /253 properties/,
    },
  ])('refuses $name, as Table Storage does', async ({ properties, problem }) => {
    await expect(table().upsert({ partitionKey: 'p', rowKey: 'r', properties })).rejects.toThrow(problem);
  });

  it('refuses keys with characters the service forbids', async () => {
    await expect(table().create({ partitionKey: 'a/b', rowKey: 'r', properties: {} })).rejects.toThrow(
      /PartitionKey 'a\/b' contains a character/,
    );
  });
});

describe('entitySizeBytes', () => {
  it('follows the service formula', () => {
    // 4 + 2*(1+1) + [8 + 2*1 + (4 + 2*3)] + [8 + 2*1 + 8] + [8 + 2*1 + 1]
    expect(entitySizeBytes({ partitionKey: 'p', rowKey: 'r', properties: { s: 'abc', n: 1, b: true } })).toBe(
      8 + 20 + 18 + 11,
    );
  });
});
