import { describe, expect, it } from 'vitest';
import { adoptionVerdict, isOwnUpdateRefused } from '../../../shared/operation-adoption.js';
import { progressFromLive } from '../../../shared/targets/scale-outcome.js';
import type { OperationRecord } from '../../../shared/state/state-store.port.js';
import type { LiveTargetState } from '../../../shared/targets/scale-target.port.js';

const STARTED_MS = Date.UTC(2026, 0, 5, 8, 0, 0);
const MINUTE = 60_000;
const times = (minutesAfterStart: number) => ({
  nowMs: STARTED_MS + minutesAfterStart * MINUTE,
  leaseSeconds: 120,
  staleStartMinutes: 15,
});

const operation: OperationRecord = {
  id: 'op-1',
  target: 'orders',
  trigger: 'timer',
  direction: 'out',
  from: 3,
  to: 4,
  startedAt: new Date(STARTED_MS),
  arm: {},
  initiator: 'timer',
  reason: 'cpu high',
  status: 'started',
  updatedAt: new Date(STARTED_MS),
  history: [{ status: 'started', at: new Date(STARTED_MS) }],
};

function live(capacity: number, busy = false): LiveTargetState {
  return {
    resourceId: '/r',
    region: 'westeurope',
    capacity,
    status: busy ? 'Updating' : 'Ready',
    details: {},
    operationInProgress: busy ? { description: 'an ARM operation is in progress (server state Updating)' } : undefined,
  };
}

describe('adoptionVerdict', () => {
  it.each([
    {
      name: 'within the lease that protected the start: wait, whatever ARM shows',
      minutes: 1,
      state: live(3, true),
      kind: 'wait',
    },
    { name: 'ARM runs an update after the lease: adopt it', minutes: 3, state: live(3, true), kind: 'adopt' },
    { name: 'ARM already reached the size asked for: adopt it', minutes: 30, state: live(4), kind: 'adopt' },
    { name: 'no trace in ARM yet, within the stale-start window: wait', minutes: 10, state: live(3), kind: 'wait' },
    { name: 'no trace in ARM after the stale-start window: give up', minutes: 16, state: live(3), kind: 'give-up' },
  ])('$name', ({ minutes, state, kind }) => {
    expect(adoptionVerdict(operation, state, times(minutes)).kind).toBe(kind);
  });
});

describe('isOwnUpdateRefused', () => {
  it('takes a 409 on a resource idle a moment before, and busy now, for our own PATCH', () => {
    expect(isOwnUpdateRefused(live(3), live(3, true))).toBe(true);
  });

  it('does not claim an update that was already running when we decided', () => {
    expect(isOwnUpdateRefused(live(3, true), live(3, true))).toBe(false);
    expect(isOwnUpdateRefused(live(3), live(3))).toBe(false);
  });
});

describe('progressFromLive', () => {
  it.each([
    { name: 'busy: still running', state: live(3, true), status: 'running' },
    { name: 'idle at the size asked for: succeeded', state: live(4), status: 'succeeded' },
    { name: 'idle at the old size: failed', state: live(3), status: 'failed' },
  ])('$name', ({ state, status }) => {
    expect(progressFromLive(operation, state).status).toBe(status);
  });
});
