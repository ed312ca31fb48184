import { describe, expect, it } from 'vitest';
import { settledProgress, type RequestedChange } from '../../../shared/targets/scale-outcome.js';
import type { LiveTargetState, ScaleProgress } from '../../../shared/targets/scale-target.port.js';

function live(capacity: number, busy = false): LiveTargetState {
  return {
    resourceId: '/r',
    region: 'westeurope',
    capacity,
    status: busy ? 'Updating' : 'Ready',
    details: {},
    operationInProgress: busy ? { description: 'an ARM operation is in progress' } : undefined,
  };
}

const out: RequestedChange = { direction: 'out', from: 3, to: 5 };
const inward: RequestedChange = { direction: 'in', from: 6, to: 4 };

describe('settledProgress', () => {
  it.each<{
    name: string;
    progress: ScaleProgress;
    change: RequestedChange;
    state: LiveTargetState;
    expected: ScaleProgress['status'];
  }>([
    {
      name: 'a scale-out that reached its size succeeded',
      progress: { status: 'succeeded' },
      change: out,
      state: live(5),
      expected: 'succeeded',
    },
    {
      name: 'a scale-in that reached its size succeeded',
      progress: { status: 'succeeded' },
      change: inward,
      state: live(4),
      expected: 'succeeded',
    },
    {
      name: 'a Succeeded update that left the size unchanged failed',
      progress: { status: 'succeeded' },
      change: out,
      state: live(3),
      expected: 'failed',
    },
    {
      name: 'a Succeeded update that stopped short failed',
      progress: { status: 'succeeded' },
      change: out,
      state: live(4),
      expected: 'failed',
    },
    {
      name: 'a Succeeded scale-in that left the size unchanged failed',
      progress: { status: 'succeeded' },
      change: inward,
      state: live(6),
      expected: 'failed',
    },
    {
      name: 'a Succeeded update on a resource still busy is still running',
      progress: { status: 'succeeded' },
      change: out,
      state: live(3, true),
      expected: 'running',
    },
    {
      name: 'a running update stays running',
      progress: { status: 'running' },
      change: out,
      state: live(3),
      expected: 'running',
    },
    {
      name: 'a failed update stays failed',
      progress: { status: 'failed', message: 'ARM reports the update failed: QuotaExceeded: no quota' },
      change: out,
      state: live(3),
      expected: 'failed',
    },
  ])('$name', ({ progress, change, state, expected }) => {
    expect(settledProgress(progress, change, state).status).toBe(expected);
  });

  it('says what ARM claimed and what the resource shows', () => {
    expect(settledProgress({ status: 'succeeded' }, out, live(3))).toEqual({
      status: 'failed',
      message:
        "ARM reports the update to 5 as Succeeded, but it left the capacity unchanged at 3 (state Ready); the requested change did not happen: check the resource's activity log for why",
    });
  });
});
