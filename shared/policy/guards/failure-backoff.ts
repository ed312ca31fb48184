/**
 * A change that keeps failing (no quota, a size the service refuses) is not retried on every evaluation: after
 * the n-th failure in a row the scaler waits baseMinutes x 2^(n-1) (at most maxMinutes) before trying again, and
 * after maxConsecutiveFailures it stops and asks for an operator, who resets the failures through the API.
 *
 * "The same change" is the same direction from the same capacity: once the capacity moved (or an operation in
 * that direction succeeded, or an operator reset the failures) the streak starts over. Cancelled operations (ARM
 * answered 409 because another update ran) are neither failures nor successes.
 */
import type { Direction } from '../decision.js';
import type { FailureHistory, FinishedOperation } from '../input.js';
import { noteGuard, type PolicyContext, type Stage } from '../proposal.js';

const MINUTE_MS = 60_000;

export interface FailureStreak {
  count: number;
  /** The newest failure of the streak. */
  last?: FinishedOperation | undefined;
}

export const failureBackoffGuard: Stage = (proposal, context) => {
  const { from, to } = proposal;
  if (to === from) return noteGuard(proposal, 'failure-backoff');
  const direction: Direction = to > from ? 'out' : 'in';
  const streak = failureStreak(context.failures, direction, from);
  if (streak.count === 0 || !streak.last) return noteGuard(proposal, 'failure-backoff');
  const { maxConsecutiveFailures } = context.target.failureBackoff;
  const label = `scale-${direction} from ${from}`;
  const lastWords = streak.last.message ? ` (last: ${streak.last.message})` : '';
  if (streak.count >= maxConsecutiveFailures) {
    return noteGuard(proposal, 'failure-backoff', {
      to: from,
      reason: 'FailureLimitReached',
      message: `${label} failed ${streak.count} times in a row${lastWords}; stopped trying (failureBackoff.maxConsecutiveFailures is ${maxConsecutiveFailures}) until an operator fixes the cause and resets the failures with POST /api/targets/${context.target.name}/failures/reset; wanted ${from} -> ${to}`,
    });
  }
  const waitMinutes = backoffMinutes(context, streak.count);
  const lastFailedMs = streak.last.completedAt.getTime();
  const endsMs = lastFailedMs + waitMinutes * MINUTE_MS;
  if (context.nowMs >= endsMs) return noteGuard(proposal, 'failure-backoff');
  const remaining = Math.ceil((endsMs - context.nowMs) / MINUTE_MS);
  return noteGuard(proposal, 'failure-backoff', {
    to: from,
    reason: 'BackingOff',
    message: `${label} failed ${streak.count} time(s) in a row${lastWords}; backing off ${waitMinutes} min after the last failure (${new Date(lastFailedMs).toISOString()}), ${remaining} min left; wanted ${from} -> ${to}`,
  });
};

/** baseMinutes x 2^(failures-1), capped at maxMinutes. */
export function backoffMinutes(context: Pick<PolicyContext, 'target'>, failures: number): number {
  const { baseMinutes, maxMinutes } = context.target.failureBackoff;
  return Math.min(maxMinutes, baseMinutes * 2 ** Math.max(0, failures - 1));
}

/** Failures in a row of `direction` from `from`, newest first, since the last success, capacity move or reset. */
export function failureStreak(failures: FailureHistory, direction: Direction, from: number): FailureStreak {
  const resetMs = failures.resetAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  let count = 0;
  let last: FinishedOperation | undefined;
  for (const operation of failures.recent) {
    if (operation.completedAt.getTime() <= resetMs) break;
    if (operation.direction !== direction || operation.status === 'cancelled') continue;
    if (operation.status === 'succeeded' || operation.from !== from) break;
    count += 1;
    last ??= operation;
  }
  return { count, last };
}
