/**
 * Before starting a rebalance (issue step 4): adopt a job that is already running instead of starting another;
 * with `auto` transfer, every table that moves needs a replica identity (otherwise Citus errors with 0A000 before
 * scheduling anything); and no node may end up with less free disk than configured. Pure: facts in, verdict out.
 */
import type { RebalancePlan } from './plan.js';
import { isTerminalJobState, type JobState, type ShardTransferMode } from './names.js';

export interface DiskFacts {
  /** Shard bytes each node holds now (`citus_shards`), by `host:port`. */
  shardBytesByNode: Readonly<Record<string, number>>;
  /** Storage of one node in bytes (all nodes of an elastic cluster have the same), when known. */
  nodeCapacityBytes?: number | undefined;
}

export interface PreflightFacts {
  /** The latest rebalance job (`citus_rebalance_status()`), if any ever ran. */
  latestJob?: { jobId: number; state: JobState } | undefined;
  plan: RebalancePlan;
  transferMode: ShardTransferMode;
  tablesWithoutReplicaIdentity: readonly string[];
  disk: DiskFacts;
  minFreeDiskPercent: number;
}

export interface DiskProjection {
  node: string;
  projectedBytes: number;
  capacityBytes: number;
  freePercent: number;
}

export type PreflightVerdict =
  | { kind: 'adopt'; jobId: number; state: JobState }
  | { kind: 'nothing-to-move'; message: string }
  | { kind: 'blocked'; problems: string[] }
  | { kind: 'ready'; notes: string[]; disk: DiskProjection[] };

export function assessPreflight(facts: PreflightFacts): PreflightVerdict {
  const { latestJob, plan } = facts;
  if (latestJob && !isTerminalJobState(latestJob.state))
    return { kind: 'adopt', jobId: latestJob.jobId, state: latestJob.state };
  if (plan.moves.length === 0)
    return {
      kind: 'nothing-to-move',
      message: 'the plan has no moves: the shards are already balanced for this strategy',
    };
  const problems: string[] = [];
  if (facts.transferMode === 'auto' && facts.tablesWithoutReplicaIdentity.length > 0) {
    const tables = facts.tablesWithoutReplicaIdentity.join(', ');
    problems.push(
      `shard_transfer_mode auto needs a replica identity on every table that moves, and ${tables} has none; add a primary key or run ALTER TABLE ... REPLICA IDENTITY FULL, or set rebalance.shardTransferMode to force_logical or block_writes (block_writes blocks writes to the moving shards)`,
    );
  }
  const disk = projectDisk(plan, facts.disk);
  for (const node of disk.filter((projection) => projection.freePercent < facts.minFreeDiskPercent)) {
    problems.push(
      `node ${node.node} would have ${node.freePercent.toFixed(1)} % free disk after the moves (${formatBytes(node.projectedBytes)} of ${formatBytes(node.capacityBytes)} used by shards), below minFreeDiskPercent ${facts.minFreeDiskPercent} %; add storage or lower rebalance.minFreeDiskPercent`,
    );
  }
  if (problems.length > 0) return { kind: 'blocked', problems };
  const notes =
    facts.disk.nodeCapacityBytes === undefined
      ? ["disk headroom not checked: the size of a node's storage is unknown"]
      : [];
  return { kind: 'ready', notes, disk };
}

/** Shard bytes on every node that receives data, once the plan has run. */
export function projectDisk(plan: RebalancePlan, disk: DiskFacts): DiskProjection[] {
  const capacity = disk.nodeCapacityBytes;
  if (capacity === undefined || capacity <= 0) return [];
  return Object.keys(plan.bytesInByNode)
    .sort()
    .map((node) => {
      const projectedBytes =
        (disk.shardBytesByNode[node] ?? 0) + (plan.bytesInByNode[node] ?? 0) - (plan.bytesOutByNode[node] ?? 0);
      return {
        node,
        projectedBytes,
        capacityBytes: capacity,
        freePercent: Math.max(0, (1 - projectedBytes / capacity) * 100),
      };
    });
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
