/** The request bounds shared by the SDK clients: the limiter, and the pacing on ARM's subscription budgets. */
import { describe, expect, it } from 'vitest';
import { Limiter } from '../../../shared/concurrency.js';
import { ArmRateLimits } from '../../../shared/request-limits.js';

/** A promise resolved from outside, to hold a task in flight until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('Limiter', () => {
  it('keeps at most `limit` tasks in flight and starts the waiting ones in arrival order', async () => {
    const limiter = new Limiter(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((held, index) =>
      limiter.run(async () => {
        started.push(index);
        await held.promise;
        return index;
      }),
    );
    await Promise.resolve();
    expect([started, limiter.inFlight]).toEqual([[0, 1], 2]);

    gates[1]?.open();
    await runs[1];
    expect(started).toEqual([0, 1, 2]);
    gates.forEach((held) => held.open());
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(limiter.inFlight).toBe(0);
  });

  it('starts waiting tasks at once when its limit is raised, and frees the slot of a task that failed', async () => {
    const limiter = new Limiter(1);
    const held = gate();
    const first = limiter.run(() => held.promise);
    let secondStarted = false;
    const second = limiter.run(() => {
      secondStarted = true;
      return Promise.reject(new Error('refused'));
    });
    limiter.limit = 2;
    await expect(second).rejects.toThrow('refused');
    expect([secondStarted, limiter.inFlight]).toEqual([true, 1]);
    held.open();
    await first;
  });
});

describe('ArmRateLimits', () => {
  function limits() {
    const waits: number[] = [];
    let nowMs = 0;
    const rateLimits = new ArmRateLimits({
      reserve: 100,
      pacingMs: 200,
      now: () => nowMs,
      wait: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    return { rateLimits, waits, advance: (ms: number) => (nowMs += ms) };
  }

  it('sends at once while the budget is above the reserve, and paces harder as it shrinks', async () => {
    const { rateLimits, waits } = limits();
    await rateLimits.before('sub', 'reads');
    rateLimits.observe('sub', 'reads', { status: 200, remaining: 500 });
    await rateLimits.before('sub', 'reads');
    rateLimits.observe('sub', 'reads', { status: 200, remaining: 50 });
    await rateLimits.before('sub', 'reads');
    rateLimits.observe('sub', 'reads', { status: 200, remaining: 0 });
    await rateLimits.before('sub', 'reads');
    await rateLimits.before('sub', 'writes');
    await rateLimits.before('other-sub', 'reads');

    expect(waits).toEqual([100, 200]);
    expect(rateLimits.paced).toBe(2);
  });

  it("makes every request to the subscription wait out a 429's Retry-After", async () => {
    const { rateLimits, waits, advance } = limits();
    rateLimits.observe('sub', 'writes', { status: 429, retryAfterSeconds: 3 });

    await Promise.all([rateLimits.before('sub', 'writes'), rateLimits.before('sub', 'writes')]);
    advance(1000);
    await rateLimits.before('sub', 'writes');
    advance(2000);
    await rateLimits.before('sub', 'writes');
    await rateLimits.before('sub', 'reads');

    expect(waits).toEqual([3000, 3000, 2000]);
  });
});
