import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
import { decisionAfterReread } from '../../../shared/scaling/evaluation.js';
import { flat, input, pgTarget, snapshot } from '../policy/builders.js';

const target = pgTarget();
const hot = snapshot(flat('cpu_percent', 95, 10));

describe('decisionAfterReread', () => {
  it('keeps the first decision when the re-read under the lease changed no input', () => {
    const before = input({ target, capacity: 4, metrics: hot });
    const first = decide(before);
    const after = { ...input({ target, capacity: 4, metrics: hot }), observed: { capacity: 4 } };
    expect(decisionAfterReread(first, before, after)).toBe(first);
  });

  it('decides again when ARM shows another capacity', () => {
    const before = input({ target, capacity: 4, metrics: hot });
    const first = decide(before);
    const again = decisionAfterReread(first, before, input({ target, capacity: 5, metrics: hot }));
    expect(again).not.toBe(first);
    // 95 % of 5 nodes needs 7 below 75 %: the step is sized for the load (one rebalance).
    expect(again).toMatchObject({ action: 'scale-out', from: 5, to: 7 });
  });

  it('decides again when the state store shows an operation that started meanwhile', () => {
    const before = input({ target, capacity: 4, metrics: hot });
    const first = decide(before);
    const history = {
      unfinished: { direction: 'out' as const, from: 4, to: 5, startedAt: new Date(before.now.getTime() - 1000) },
    };
    expect(decisionAfterReread(first, before, { ...before, history })).toMatchObject({
      action: 'none',
      reason: 'OperationInProgress',
    });
  });
});
