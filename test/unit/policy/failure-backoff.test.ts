import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
import { failureStreak } from '../../../shared/policy/guards/failure-backoff.js';
import type { FailureHistory } from '../../../shared/policy/input.js';
import {
  MINUTE,
  NOW,
  cpuOut,
  failedInARow,
  finishedOperation,
  flat,
  input,
  kustoTarget,
  pgTarget,
  snapshot,
} from './builders.js';

const hotPg = snapshot(flat('cpu_percent', 95, 10));
/** Defaults: 15 min after the first failure, doubled per failure, at most 240 min, stop after 4. */
const target = pgTarget({ cooldowns: { scaleOutMinutes: 0 } });

function decideWith(
  failures: FailureHistory,
  options: { nowMs?: number; capacity?: number; target?: ReturnType<typeof pgTarget> } = {},
) {
  return decide(
    input({
      target: options.target ?? target,
      capacity: options.capacity ?? 4,
      metrics: hotPg,
      failures,
      ...(options.nowMs ? { nowMs: options.nowMs } : {}),
    }),
  );
}

describe('failure backoff guard', () => {
  it.each([
    {
      name: 'one failure 10 min ago: 15 min backoff, 5 min left',
      failures: 1,
      endedMinutesAgo: 10,
      reason: 'BackingOff',
      left: '5 min left',
    },
    {
      name: 'one failure 15 min ago: the backoff is over',
      failures: 1,
      endedMinutesAgo: 15,
      reason: 'ScaleOutRuleFired',
    },
    {
      name: 'two failures, the last 20 min ago: 30 min backoff',
      failures: 2,
      endedMinutesAgo: 20,
      reason: 'BackingOff',
      left: '10 min left',
    },
    {
      name: 'three failures, the last 59 min ago: 60 min backoff',
      failures: 3,
      endedMinutesAgo: 59,
      reason: 'BackingOff',
      left: '1 min left',
    },
    {
      name: 'three failures, the last 60 min ago: the backoff is over',
      failures: 3,
      endedMinutesAgo: 60,
      reason: 'ScaleOutRuleFired',
    },
    {
      name: 'four failures in a row: stopped, however long ago',
      failures: 4,
      endedMinutesAgo: 10_000,
      reason: 'FailureLimitReached',
    },
  ])('$name', ({ failures, endedMinutesAgo, reason, left }) => {
    const decision = decideWith({ recent: failedInARow(failures, endedMinutesAgo) });
    expect(decision.reason).toBe(reason);
    if (reason !== 'ScaleOutRuleFired') expect(decision).toMatchObject({ action: 'none', to: 4 });
    if (left) expect(decision.message).toContain(left);
  });

  it('caps the doubling at maxMinutes', () => {
    const capped = pgTarget({
      cooldowns: { scaleOutMinutes: 0 },
      failureBackoff: { baseMinutes: 60, maxMinutes: 90, maxConsecutiveFailures: 10 },
    });
    expect(decideWith({ recent: failedInARow(5, 89) }, { target: capped }).reason).toBe('BackingOff');
    expect(decideWith({ recent: failedInARow(5, 90) }, { target: capped }).reason).toBe('ScaleOutRuleFired');
  });

  it('quotes the last failure and the way out when it stops', () => {
    const decision = decideWith({ recent: failedInARow(4, 10) });
    expect(decision.message).toBe(
      'scale-out from 4 failed 4 times in a row (last: ARM reports the update failed: QuotaExceeded: no quota); stopped trying (failureBackoff.maxConsecutiveFailures is 4) until an operator fixes the cause and resets the failures with POST /api/targets/orders/failures/reset; wanted 4 -> 6',
    );
  });

  it('counts from zero again after an operator reset', () => {
    const recent = failedInARow(4, 10);
    expect(decideWith({ recent, resetAt: new Date(NOW - 5 * MINUTE) }).reason).toBe('ScaleOutRuleFired');
    const afterReset = [finishedOperation('failed', 1), ...recent];
    expect(decideWith({ recent: afterReset, resetAt: new Date(NOW - 5 * MINUTE) })).toMatchObject({
      reason: 'BackingOff',
    });
  });

  it('does not hold back a change from another capacity or in the other direction', () => {
    expect(decideWith({ recent: failedInARow(4, 10) }, { capacity: 6 }).reason).toBe('ScaleOutRuleFired');
    const adx = kustoTarget({ rules: [cpuOut({ metric: 'CPU', threshold: 80 })], cooldowns: { scaleOutMinutes: 0 } });
    const scaleInFailures = failedInARow(4, 10, { direction: 'in', from: 4, to: 3 });
    expect(
      decide(
        input({
          target: adx,
          capacity: 4,
          metrics: snapshot(flat('CPU', 95, 10)),
          failures: { recent: scaleInFailures },
        }),
      ).reason,
    ).toBe('ScaleOutRuleFired');
  });

  it('holds back an operator request too, even one that ignores the cooldown', () => {
    const manual = pgTarget({ mode: 'manual', rules: [] });
    const decision = decide(
      input({
        target: manual,
        capacity: 4,
        failures: { recent: failedInARow(4, 10) },
        request: { source: 'manual', capacity: 5, reason: 'try again', ignoreCooldown: true },
      }),
    );
    expect(decision.reason).toBe('FailureLimitReached');
  });
});

describe('failureStreak', () => {
  it.each([
    {
      name: 'a success ends the streak',
      recent: [finishedOperation('failed', 5), finishedOperation('succeeded', 50), finishedOperation('failed', 90)],
      count: 1,
    },
    {
      name: 'cancelled operations (ARM busy) neither count nor break it',
      recent: [finishedOperation('failed', 5), finishedOperation('cancelled', 20), finishedOperation('failed', 40)],
      count: 2,
    },
    {
      name: 'operations in the other direction are skipped',
      recent: [
        finishedOperation('failed', 5),
        finishedOperation('succeeded', 20, { direction: 'in', from: 5, to: 4 }),
        finishedOperation('failed', 40),
      ],
      count: 2,
    },
    {
      name: 'a failure from another capacity ends it',
      recent: [finishedOperation('failed', 5), finishedOperation('failed', 40, { from: 3, to: 4 })],
      count: 1,
    },
    { name: 'no operations, no streak', recent: [], count: 0 },
  ])('$name', ({ recent, count }) => {
    expect(failureStreak({ recent }, 'out', 4).count).toBe(count);
  });
});

describe('no configuration retries a failing change on every tick', () => {
  it('refuses a backoff shorter than 5 minutes and a maximum below the base', () => {
    expect(() => pgTarget({ failureBackoff: { baseMinutes: 1 } })).toThrow(/baseMinutes/);
    expect(() => pgTarget({ failureBackoff: { baseMinutes: 30, maxMinutes: 10 } })).toThrow(/maxMinutes/);
  });
});
