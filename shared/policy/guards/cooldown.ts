/**
 * Per-direction cooldowns, measured from the completion of the last operation of either direction (for an
 * elastic cluster that is the end of the rebalance; for Azure Data Explorer the end of the cache warm-up after
 * ARM finished), so a scale-in never follows a scale-out too closely and a rule does not fire again on the load
 * of a reorganization still running.
 */
import { noteGuard, type PolicyContext, type Stage } from '../proposal.js';
import { kindOf } from '../../kinds/registry.js';

const MINUTE_MS = 60_000;

export const cooldownGuard: Stage = (proposal, context) => {
  const { from, to } = proposal;
  if (to === from) return noteGuard(proposal, 'cooldown');
  if (context.request?.source === 'manual' && context.request.ignoreCooldown) {
    return {
      ...proposal,
      guards: [
        ...proposal.guards,
        { guard: 'cooldown', verdict: 'passed', detail: "ignored at the operator's request" },
      ],
    };
  }
  const lastCompletedMs = lastCompletion(context);
  if (lastCompletedMs === undefined) return noteGuard(proposal, 'cooldown');
  const minutes = to > from ? context.target.cooldowns.scaleOutMinutes : context.target.cooldowns.scaleInMinutes;
  const warmupMinutes = cacheWarmupMinutes(context);
  const endsMs = lastCompletedMs + (warmupMinutes + minutes) * MINUTE_MS;
  if (context.nowMs >= endsMs) return noteGuard(proposal, 'cooldown');
  const remaining = Math.ceil((endsMs - context.nowMs) / MINUTE_MS);
  const label = to > from ? 'scale-out' : 'scale-in';
  const after =
    warmupMinutes > 0 ? `the ${warmupMinutes}-min cache warm-up that follows the last operation` : 'the last operation';
  return noteGuard(proposal, 'cooldown', {
    to: from,
    reason: 'CooldownActive',
    message: `${label} cooldown of ${minutes} min after ${after} (finished ${new Date(lastCompletedMs).toISOString()}) has ${remaining} min left; wanted ${from} -> ${to}`,
  });
};

/** Azure Data Explorer keeps reorganizing its cache after ARM is done; elastic clusters complete with the rebalance. */
export function cacheWarmupMinutes(context: Pick<PolicyContext, 'target'>): number {
  return kindOf(context.target).cacheWarmupMinutes(context.target);
}

/** When the last operation's effect is complete: its completion, plus the cache warm-up on Azure Data Explorer. */
export function lastSettled(context: Pick<PolicyContext, 'history' | 'target'>): number | undefined {
  const completed = lastCompletion(context);
  return completed === undefined ? undefined : completed + cacheWarmupMinutes(context) * MINUTE_MS;
}

export function lastCompletion(context: Pick<PolicyContext, 'history'>): number | undefined {
  const times = [context.history.lastScaleOut?.completedAt, context.history.lastScaleIn?.completedAt]
    .filter((time): time is Date => time !== undefined)
    .map((time) => time.getTime());
  return times.length > 0 ? Math.max(...times) : undefined;
}

/** Where a target's cooldowns stand at `nowMs`: what an operator sees next to the guard's verdict. */
export interface CooldownStatus {
  /** The completion the cooldowns run from (epoch ms); undefined when no operation has completed yet. */
  lastCompletedMs: number | undefined;
  scaleOutRemainingSeconds: number;
  scaleInRemainingSeconds: number;
}

export function cooldownStatus(context: Pick<PolicyContext, 'history' | 'target' | 'nowMs'>): CooldownStatus {
  const last = lastCompletion(context);
  const remaining = (minutes: number) =>
    last === undefined ? 0 : Math.max(0, Math.ceil((last + minutes * MINUTE_MS - context.nowMs) / 1000));
  return {
    lastCompletedMs: last,
    scaleOutRemainingSeconds: remaining(context.target.cooldowns.scaleOutMinutes),
    scaleInRemainingSeconds: remaining(context.target.cooldowns.scaleInMinutes),
  };
}
