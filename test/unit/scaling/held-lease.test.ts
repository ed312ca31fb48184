import { describe, expect, it } from 'vitest';
import { HeldLease } from '../../../shared/scaling/held-lease.js';
import { MemoryStateStore } from '../../../tools/memory-state/memory-state-store.js';
import { StateConflictError } from '../../../shared/vocabulary/errors.js';
import type { Lease } from '../../../shared/state/state-store.port.js';

const TIMING = { ttlSeconds: 120, maxClockSkewSeconds: 30 };
const T0 = Date.parse('2026-01-05T08:00:00Z');

async function takenAt(state: MemoryStateStore, clock: { ms: number }): Promise<HeldLease> {
  return HeldLease.take(state, () => new Date(clock.ms), 'orders', 'instance-a/tick-1', TIMING);
}

/** The lease as stored, from the conflict another holder meets when it asks for it. */
async function storedLease(state: MemoryStateStore, atMs: number): Promise<Lease | undefined> {
  const error = await state.acquireLease('orders', 'instance-b/tick-9', new Date(atMs), 120).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(StateConflictError);
  return (error as StateConflictError<Lease>).current;
}

describe('HeldLease.confirm, right before the PATCH', () => {
  it('keeps a lease with more than half its time left as it is, without writing it', async () => {
    const state = new MemoryStateStore();
    const clock = { ms: T0 };
    const lease = await takenAt(state, clock);
    clock.ms = T0 + 59_000;

    expect(await lease.confirm()).toBe(true);
    expect((await storedLease(state, clock.ms))?.expiresAt).toEqual(new Date(T0 + 120_000));
  });

  it('renews a lease that has spent half its time, from now', async () => {
    const state = new MemoryStateStore();
    const clock = { ms: T0 };
    const lease = await takenAt(state, clock);
    clock.ms = T0 + 61_000;

    expect(await lease.confirm()).toBe(true);
    expect((await storedLease(state, clock.ms))?.expiresAt).toEqual(new Date(T0 + 61_000 + 120_000));
  });

  it('answers false for a lease that expired and was taken over meanwhile', async () => {
    const state = new MemoryStateStore();
    const clock = { ms: T0 };
    const lease = await takenAt(state, clock);
    clock.ms = T0 + 5 * 60_000;
    await state.acquireLease('orders', 'instance-b/tick-9', new Date(clock.ms), 120, { takeoverGraceSeconds: 30 });

    expect(await lease.confirm()).toBe(false);
  });
});
