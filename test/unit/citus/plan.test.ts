import { describe, expect, it } from 'vitest';
import { parsePlanRows, summarizePlan } from '../../../shared/citus/plan.js';

const row = (
  table: string,
  shard: number,
  min: string,
  source: number,
  target: number,
  bytes: number | null = 1000,
) => ({
  table_name: table,
  shardid: String(shard),
  shard_size: '0',
  sourcename: 'n',
  sourceport: source,
  targetname: 'n',
  targetport: target,
  colocation_id: 1,
  shard_min_value: min,
  shard_bytes: bytes === null ? null : String(bytes),
});

describe('summarizePlan', () => {
  it('groups colocated shard rows into one move per shard group, in plan order, with their bytes', () => {
    const plan = summarizePlan(
      parsePlanRows([
        row('events', 10, '-100', 5432, 5434, 4000),
        row('items', 20, '-100', 5432, 5434, 1000),
        row('events', 11, '0', 5433, 5434, 4000),
        row('items', 21, '0', 5433, 5434, null),
        row('events', 12, '100', 5432, 5435, 4000),
        row('items', 22, '100', 5432, 5435, 1000),
      ]),
    );
    expect(plan.moves).toEqual([
      { shardIds: [10, 20], tables: ['events', 'items'], source: 'n:5432', target: 'n:5434', bytes: 5000 },
      { shardIds: [11, 21], tables: ['events', 'items'], source: 'n:5433', target: 'n:5434', bytes: 4000 },
      { shardIds: [12, 22], tables: ['events', 'items'], source: 'n:5432', target: 'n:5435', bytes: 5000 },
    ]);
    expect(plan).toMatchObject({
      totalBytes: 14000,
      tables: ['events', 'items'],
      bytesInByNode: { 'n:5434': 9000, 'n:5435': 5000 },
      bytesOutByNode: { 'n:5432': 10000, 'n:5433': 4000 },
    });
  });

  it('keeps two moves of the same node pair apart when they carry different shard groups', () => {
    expect(
      summarizePlan(parsePlanRows([row('events', 10, '-100', 5432, 5434), row('events', 11, '0', 5432, 5434)])).moves,
    ).toHaveLength(2);
  });

  it('is empty for an empty plan, and refuses rows of another shape', () => {
    expect(summarizePlan([])).toEqual({ moves: [], totalBytes: 0, bytesInByNode: {}, bytesOutByNode: {}, tables: [] });
    expect(() => parsePlanRows([{ table_name: 'events' }])).toThrow(/reading the rebalance plan: unexpected row/);
  });
});
