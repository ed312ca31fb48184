/**
 * Step 2 of the follow-up: the nodes ARM added must show up in `pg_dist_node` as active primaries that can hold
 * shards (`isactive` and `shouldhaveshards`, docs/citus-rebalance.md). Azure's cluster size counts every node,
 * coordinator included, and new nodes get the highest node ids.
 */
import { z } from 'zod';
import { ProviderError } from '../vocabulary/errors.js';

export interface DistNode {
  nodeId: number;
  host: string;
  port: number;
  isActive: boolean;
  role: string;
  shouldHaveShards: boolean;
}

export type NodesVerdict =
  | { kind: 'ready'; activeNodes: number; newNodes: DistNode[] }
  | { kind: 'waiting'; message: string }
  | { kind: 'failed'; message: string };

const nodeRow = z.looseObject({
  nodeid: z.number().int(),
  nodename: z.string(),
  nodeport: z.number().int(),
  isactive: z.boolean(),
  noderole: z.string(),
  shouldhaveshards: z.boolean(),
});

export function parseNodes(rows: readonly unknown[]): DistNode[] {
  return rows.map((row) => {
    const parsed = nodeRow.safeParse(row);
    if (!parsed.success)
      throw new ProviderError(`reading pg_dist_node: unexpected row (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    const node = parsed.data;
    return {
      nodeId: node.nodeid,
      host: node.nodename,
      port: node.nodeport,
      isActive: node.isactive,
      role: node.noderole,
      shouldHaveShards: node.shouldhaveshards,
    };
  });
}

export function assessNodes(nodes: readonly DistNode[], size: { from: number; to: number }): NodesVerdict {
  const active = nodes.filter((node) => node.isActive && node.role === 'primary').sort((a, b) => a.nodeId - b.nodeId);
  if (active.length < size.to) {
    return {
      kind: 'waiting',
      message: `pg_dist_node shows ${active.length} active primary node(s), the cluster should have ${size.to}`,
    };
  }
  const newNodes = active.slice(active.length - Math.max(0, size.to - size.from));
  const refusing = newNodes.filter((node) => !node.shouldHaveShards);
  if (refusing.length > 0) {
    const names = refusing.map((node) => `${node.host}:${node.port}`).join(', ');
    const fix = refusing
      .map((node) => `SELECT citus_set_node_property('${node.host}', ${node.port}, 'shouldhaveshards', true);`)
      .join(' ');
    return {
      kind: 'failed',
      message: `the new node(s) ${names} are active but cannot hold shards (shouldhaveshards = false), so a rebalance would not use them; run ${fix} and rebalance by hand (scaler rebalance)`,
    };
  }
  return { kind: 'ready', activeNodes: active.length, newNodes };
}
