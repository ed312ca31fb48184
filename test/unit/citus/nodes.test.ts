import { describe, expect, it } from 'vitest';
import { assessNodes, parseNodes, type DistNode } from '../../../shared/citus/nodes.js';

const node = (nodeId: number, overrides: Partial<DistNode> = {}): DistNode => ({
  nodeId,
  host: 'c.postgres.database.azure.com',
  port: 5431 + nodeId,
  isActive: true,
  role: 'primary',
  shouldHaveShards: true,
  ...overrides,
});

describe('assessNodes', () => {
  it('is ready when pg_dist_node shows the new nodes active and able to hold shards', () => {
    expect(assessNodes([node(1), node(2), node(3), node(4)], { from: 2, to: 4 })).toEqual({
      kind: 'ready',
      activeNodes: 4,
      newNodes: [node(3), node(4)],
    });
  });

  it.each([
    { name: 'a new node is not registered yet', nodes: [node(1), node(2), node(3)] },
    { name: 'a new node is not active yet', nodes: [node(1), node(2), node(3), node(4, { isActive: false })] },
    { name: 'a node is a secondary', nodes: [node(1), node(2), node(3), node(4, { role: 'secondary' })] },
  ])('waits while $name', ({ nodes }) => {
    expect(assessNodes(nodes, { from: 2, to: 4 })).toMatchObject({
      kind: 'waiting',
      message: 'pg_dist_node shows 3 active primary node(s), the cluster should have 4',
    });
  });

  it('fails with the fix when a new node may not hold shards', () => {
    const verdict = assessNodes([node(1), node(2), node(3), node(4, { shouldHaveShards: false })], { from: 2, to: 4 });
    expect(verdict).toEqual({
      kind: 'failed',
      message: expect.stringContaining(
        "run SELECT citus_set_node_property('c.postgres.database.azure.com', 5435, 'shouldhaveshards', true);",
      ),
    });
  });

  it('reads pg_dist_node rows', () => {
    expect(
      parseNodes([
        { nodeid: 1, nodename: 'h', nodeport: 5432, isactive: true, noderole: 'primary', shouldhaveshards: false },
      ]),
    ).toEqual([{ nodeId: 1, host: 'h', port: 5432, isActive: true, role: 'primary', shouldHaveShards: false }]);
  });
});
