import { describe, expect, it } from 'vitest';
import { withEnded, type KnownState } from '../../../shared/scaling/known-state.js';
import type { OperationRecord } from '../../../shared/state/state-store.port.js';
import { finishedOperation, MINUTE, NOW } from '../policy/builders.js';

const STARTED = new Date(NOW - 20 * MINUTE);
const ENDED = new Date(NOW);

function ended(status: OperationRecord['status'], overrides: Partial<OperationRecord> = {}): OperationRecord {
  return {
    id: 'op-1',
    target: 'orders',
    trigger: 'timer',
    direction: 'out',
    from: 3,
    to: 4,
    startedAt: STARTED,
    arm: {},
    initiator: 'timer',
    reason: 'cpu',
    status,
    completedAt: ENDED,
    updatedAt: ENDED,
    history: [
      { status: 'started', at: STARTED },
      { status, at: ENDED, message: `ARM says ${status}` },
    ],
    ...overrides,
  };
}

const running = { direction: 'out' as const, from: 3, to: 4, startedAt: STARTED };
const known = (overrides: Partial<KnownState> = {}): KnownState => ({
  history: { lastScaleOut: running, unfinished: running },
  failures: { recent: [] },
  paused: { scaleOut: false, scaleIn: false },
  ...overrides,
});

describe('withEnded', () => {
  it('completes the operation in the history, so its cooldown starts, and it is no longer unfinished', () => {
    const after = withEnded(known(), ended('succeeded'));
    expect(after.history).toEqual({ lastScaleOut: { ...running, completedAt: ENDED } });
  });

  it('lets the failure backoff count a failed end, newest started first', () => {
    const older = finishedOperation('failed', 120);
    const newer = finishedOperation('failed', 2, { startedAt: new Date(NOW - 5 * MINUTE) });
    const after = withEnded(
      known({ failures: { recent: [newer, older], resetAt: new Date(NOW - 500 * MINUTE) } }),
      ended('failed'),
    );
    expect(after.failures.recent.map((operation) => operation.startedAt)).toEqual([
      newer.startedAt,
      STARTED,
      older.startedAt,
    ]);
    expect(after.failures.recent[1]).toEqual({
      direction: 'out',
      from: 3,
      to: 4,
      startedAt: STARTED,
      completedAt: ENDED,
      status: 'failed',
      message: 'ARM says failed',
    });
    expect(after.failures.resetAt).toEqual(new Date(NOW - 500 * MINUTE));
  });

  it('leaves a newer finished operation of the same direction in place when the one that ended hid behind it', () => {
    const newer = {
      direction: 'out' as const,
      from: 4,
      to: 5,
      startedAt: new Date(NOW - 10 * MINUTE),
      completedAt: new Date(NOW - 5 * MINUTE),
    };
    const after = withEnded(known({ history: { lastScaleOut: newer, unfinished: running } }), ended('cancelled'));
    expect(after.history).toEqual({ lastScaleOut: newer });
    expect(after.failures.recent).toHaveLength(1);
  });

  it('keeps the pause flags and the other direction as they were', () => {
    const lastScaleIn = {
      direction: 'in' as const,
      from: 5,
      to: 3,
      startedAt: new Date(NOW - 300 * MINUTE),
      completedAt: new Date(NOW - 290 * MINUTE),
    };
    const after = withEnded(
      known({
        history: { lastScaleOut: running, lastScaleIn, unfinished: running },
        paused: { scaleOut: true, scaleIn: false },
      }),
      ended('succeeded'),
    );
    expect(after.history.lastScaleIn).toBe(lastScaleIn);
    expect(after.paused).toEqual({ scaleOut: true, scaleIn: false });
  });
});
