import { describe, expect, it } from 'vitest';
import { assessPreflight, formatBytes, type PreflightFacts } from '../../../shared/citus/preflight.js';
import { summarizePlan, type PlanRow } from '../../../shared/citus/plan.js';

const GIB = 1024 ** 3;
const row = (shardId: number, target: string, bytes: number): PlanRow => ({
  tableName: 'events',
  shardId,
  source: 'n:5432',
  target,
  colocationId: 1,
  shardMinValue: String(shardId),
  shardBytes: bytes,
});
const plan = summarizePlan([row(1, 'n:5434', 10 * GIB), row(2, 'n:5434', 10 * GIB)]);
const facts = (overrides: Partial<PreflightFacts> = {}): PreflightFacts => ({
  plan,
  transferMode: 'auto',
  tablesWithoutReplicaIdentity: [],
  disk: { shardBytesByNode: { 'n:5432': 40 * GIB, 'n:5434': 5 * GIB }, nodeCapacityBytes: 128 * GIB },
  minFreeDiskPercent: 20,
  ...overrides,
});

describe('assessPreflight', () => {
  it('adopts a rebalance job that is not terminal instead of starting another', () => {
    expect(assessPreflight(facts({ latestJob: { jobId: 3, state: 'running' } }))).toEqual({
      kind: 'adopt',
      jobId: 3,
      state: 'running',
    });
    expect(assessPreflight(facts({ latestJob: { jobId: 3, state: 'failed' } })).kind).toBe('ready');
  });

  it('has nothing to do when the plan is empty', () => {
    expect(assessPreflight(facts({ plan: summarizePlan([]) }))).toMatchObject({ kind: 'nothing-to-move' });
  });

  it.each([
    { name: 'auto', mode: 'auto' as const, blocked: true },
    { name: 'force_logical', mode: 'force_logical' as const, blocked: false },
    { name: 'block_writes', mode: 'block_writes' as const, blocked: false },
  ])('needs a replica identity on moving tables only in $name mode', ({ mode, blocked }) => {
    const verdict = assessPreflight(facts({ transferMode: mode, tablesWithoutReplicaIdentity: ['public.items'] }));
    expect(verdict.kind).toBe(blocked ? 'blocked' : 'ready');
    if (verdict.kind === 'blocked')
      expect(verdict.problems[0]).toMatch(
        /^shard_transfer_mode auto needs a replica identity on every table that moves, and public.items has none; .*force_logical or block_writes/,
      );
  });

  it("projects each receiving node's disk and refuses to leave less than minFreeDiskPercent free", () => {
    const ready = assessPreflight(facts());
    expect(ready).toMatchObject({
      kind: 'ready',
      notes: [],
      disk: [{ node: 'n:5434', projectedBytes: 25 * GIB, capacityBytes: 128 * GIB }],
    });
    const blocked = assessPreflight(facts({ minFreeDiskPercent: 85 }));
    expect(blocked).toEqual({
      kind: 'blocked',
      problems: [
        'node n:5434 would have 80.5 % free disk after the moves (25.0 GiB of 128.0 GiB used by shards), below minFreeDiskPercent 85 %; add storage or lower rebalance.minFreeDiskPercent',
      ],
    });
  });

  it('says when it could not check the disk', () => {
    expect(assessPreflight(facts({ disk: { shardBytesByNode: {} } }))).toEqual({
      kind: 'ready',
      notes: ["disk headroom not checked: the size of a node's storage is unknown"],
      disk: [],
    });
  });

  it.each([
    { bytes: 512, text: '512 B' },
    { bytes: 1536, text: '1.5 KiB' },
    { bytes: 192 * 1024 * 1024, text: '192.0 MiB' },
    { bytes: 3 * GIB, text: '3.0 GiB' },
  ])('formats $bytes bytes as $text', ({ bytes, text }) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
