import { describe, expect, it } from 'vitest';
import {
  effectiveParallelism,
  executorChanges,
  resolveParallelism,
  startFlags,
  type ExecutorSnapshot,
} from '../../../shared/citus/parallelism.js';

const snapshot = (executors: string, perNode: string): ExecutorSnapshot => ({
  'citus.max_background_task_executors': { name: 'citus.max_background_task_executors', value: executors },
  'citus.max_background_task_executors_per_node': {
    name: 'citus.max_background_task_executors_per_node',
    value: perNode,
  },
});

describe('parallel moves', () => {
  it.each([
    { setting: 1, added: 2, expected: 1 },
    { setting: 'auto' as const, added: 3, expected: 3 },
    { setting: 'auto' as const, added: 0, expected: 1 },
    { setting: 500, added: 1, expected: 128 },
  ])('resolves parallelism $setting with $added node(s) added to $expected', ({ setting, added, expected }) => {
    expect(resolveParallelism(setting, added)).toBe(expected);
  });

  it('raises BOTH settings to the parallelism, and never lowers one that is already higher', () => {
    expect(executorChanges(snapshot('1', '1'), 4)).toEqual([
      { name: 'citus.max_background_task_executors', from: '1', to: '4' },
      { name: 'citus.max_background_task_executors_per_node', from: '1', to: '4' },
    ]);
    expect(executorChanges(snapshot('8', '2'), 4)).toEqual([
      { name: 'citus.max_background_task_executors_per_node', from: '2', to: '4' },
    ]);
    expect(executorChanges(snapshot('1', '1'), 1)).toEqual([]);
  });

  it('asks citus_rebalance_start for parallel transfers only when moves may run in parallel', () => {
    expect(startFlags(1)).toEqual({ parallelTransferColocatedShards: false, parallelTransferReferenceTables: false });
    expect(startFlags(2)).toEqual({ parallelTransferColocatedShards: true, parallelTransferReferenceTables: true });
  });

  it('counts the lower of the two limits: setting only one changes nothing', () => {
    expect(
      effectiveParallelism({
        'citus.max_background_task_executors': '1',
        'citus.max_background_task_executors_per_node': '4',
      }),
    ).toBe(1);
    expect(
      effectiveParallelism({
        'citus.max_background_task_executors': '4',
        'citus.max_background_task_executors_per_node': '2',
      }),
    ).toBe(2);
  });
});
