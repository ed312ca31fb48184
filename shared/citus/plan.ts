/**
 * The rebalance plan: `get_rebalance_table_shards_plan()` lists one row per shard, colocated shards as separate
 * rows, with `shard_size` always 0 for hash-distributed tables (docs/citus-rebalance.md). The scaler's query adds each
 * shard's colocation group, hash range and size (from `citus_shards`), and this groups the rows back into the
 * shard-group moves Citus will schedule, one background task each.
 */
import { z } from 'zod';
import { ProviderError } from '../vocabulary/errors.js';

export interface PlanRow {
  tableName: string;
  shardId: number;
  source: string;
  target: string;
  colocationId: number;
  shardMinValue: string | undefined;
  shardBytes: number;
}

export interface PlannedMove {
  shardIds: number[];
  tables: string[];
  /** `host:port`, as `details.tasks[].hosts` shows nodes. */
  source: string;
  target: string;
  bytes: number;
}

export interface RebalancePlan {
  moves: PlannedMove[];
  totalBytes: number;
  /** Bytes each node receives and gives away, by `host:port`. */
  bytesInByNode: Record<string, number>;
  bytesOutByNode: Record<string, number>;
  tables: string[];
}

const count = z.union([z.string().regex(/^-?\d+$/), z.number()]).transform(Number);
const planRow = z.looseObject({
  table_name: z.string(),
  shardid: count,
  sourcename: z.string(),
  sourceport: count,
  targetname: z.string(),
  targetport: count,
  colocation_id: count,
  shard_min_value: z.string().nullable(),
  shard_bytes: count.nullable(),
});

export function parsePlanRows(rows: readonly unknown[]): PlanRow[] {
  return rows.map((row) => {
    const parsed = planRow.safeParse(row);
    if (!parsed.success)
      throw new ProviderError(
        `reading the rebalance plan: unexpected row (${parsed.error.issues[0]?.message ?? 'invalid'})`,
      );
    const value = parsed.data;
    return {
      tableName: value.table_name,
      shardId: value.shardid,
      source: `${value.sourcename}:${value.sourceport}`,
      target: `${value.targetname}:${value.targetport}`,
      colocationId: value.colocation_id,
      shardMinValue: value.shard_min_value ?? undefined,
      shardBytes: value.shard_bytes ?? 0,
    };
  });
}

/** Groups shard rows into shard-group moves, in plan order. */
export function summarizePlan(rows: readonly PlanRow[]): RebalancePlan {
  const moves = new Map<string, PlannedMove>();
  for (const row of rows) {
    const key = [row.colocationId, row.shardMinValue ?? '', row.source, row.target].join('|');
    const move = moves.get(key) ?? { shardIds: [], tables: [], source: row.source, target: row.target, bytes: 0 };
    move.shardIds.push(row.shardId);
    if (!move.tables.includes(row.tableName)) move.tables.push(row.tableName);
    move.bytes += row.shardBytes;
    moves.set(key, move);
  }
  const plan: RebalancePlan = {
    moves: [...moves.values()],
    totalBytes: 0,
    bytesInByNode: {},
    bytesOutByNode: {},
    tables: [],
  };
  for (const move of plan.moves) {
    plan.totalBytes += move.bytes;
    plan.bytesInByNode[move.target] = (plan.bytesInByNode[move.target] ?? 0) + move.bytes;
    plan.bytesOutByNode[move.source] = (plan.bytesOutByNode[move.source] ?? 0) + move.bytes;
    for (const table of move.tables) if (!plan.tables.includes(table)) plan.tables.push(table);
  }
  return plan;
}

/** Bytes of the shard group a move task names, keyed by every shard id of the group. */
export function groupBytesByShard(plan: RebalancePlan): Map<number, number> {
  return new Map(plan.moves.flatMap((move) => move.shardIds.map((shardId) => [shardId, move.bytes] as const)));
}
