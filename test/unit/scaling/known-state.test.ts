import { describe, expect, it } from 'vitest';
import {
  FAILURE_HISTORY_WINDOW,
  loadKnownState,
  OPERATIONS_READ,
  withEnded,
  type KnownState,
} from '../../../shared/scaling/known-state.js';
import type { OperationRecord, StateStore } from '../../../shared/state/state-store.port.js';
import { MemoryStateStore } from '../../../tools/memory-state/memory-state-store.js';
import type { TargetConfig } from '../../../shared/config/schema/schema.js';
import { createLogger } from '../../../shared/logging.js';
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

describe('loadKnownState', () => {
  const target = { name: 'orders', resourceId: '/subscriptions/x' } as TargetConfig;
  const log = createLogger(() => undefined);

  /** The in-memory store with `count` operations (a scale-in first, then failed scale-outs), counting its calls. */
  async function storeWith(count: number): Promise<{ state: StateStore; calls: string[] }> {
    const real = new MemoryStateStore();
    for (let index = 0; index < count; index += 1) {
      const startedAt = new Date(STARTED.getTime() - (count - index) * MINUTE);
      const scaleIn = index === 0;
      await real.createOperation({
        id: `op-${index}`,
        target: 'orders',
        trigger: 'timer',
        direction: scaleIn ? 'in' : 'out',
        from: scaleIn ? 4 : 3,
        to: scaleIn ? 3 : 4,
        startedAt,
        arm: {},
        initiator: 'timer',
        reason: 'cpu',
      });
      await real.updateOperationStatus('orders', `op-${index}`, { status: 'failed', at: startedAt });
    }
    const calls: string[] = [];
    const state = new Proxy(real, {
      get(store, property, receiver) {
        const value: unknown = Reflect.get(store, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          calls.push(property);
          return (value as (...parameters: unknown[]) => unknown).apply(store, args);
        };
      },
    });
    return { state, calls };
  }

  it('derives the history and the failures from one query of the operations when fewer exist than it reads', async () => {
    const { state, calls } = await storeWith(3);

    const known = await loadKnownState(state, target, ENDED, log, { controls: {} });

    expect(calls).toEqual(['listOperations']);
    expect(known.history).toEqual(await state.getScaleHistory('orders'));
    expect(known.failures).toEqual(await state.getFailureHistory('orders', FAILURE_HISTORY_WINDOW));
    expect(known.paused).toEqual({ scaleOut: false, scaleIn: false });
  });

  it('reads nothing of the operations when the fleet read gave the summary, and answers what the queries would', async () => {
    const { state, calls } = await storeWith(OPERATIONS_READ + 1);
    const summary = (await state.listTargetSummaries()).get('orders');
    calls.length = 0;

    const known = await loadKnownState(state, target, ENDED, log, { controls: {}, summary });

    expect(calls).toEqual([]);
    expect(known.operations).toBeUndefined();
    expect(known.history).toEqual(await state.getScaleHistory('orders'));
    expect(known.failures).toEqual(await state.getFailureHistory('orders', FAILURE_HISTORY_WINDOW));
  });

  it('reads the history on its own when a part of it may be older than the operations read', async () => {
    const { state, calls } = await storeWith(OPERATIONS_READ + 1);

    const known = await loadKnownState(state, target, ENDED, log);

    expect([...calls].sort()).toEqual(['getScaleHistory', 'getTargetControls', 'listOperations']);
    expect(known.history.lastScaleIn?.direction).toBe('in');
    expect(known.history).toEqual(await state.getScaleHistory('orders'));
    expect(known.failures).toEqual(await state.getFailureHistory('orders', FAILURE_HISTORY_WINDOW));
  });
});
