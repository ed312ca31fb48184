/**
 * How long a rebalance may take before its follow-up gives up (docs/operation-lifecycle.md). A deadline must not
 * cut a healthy rebalance short, so the default is generous: an hour of setup and slack, plus 2 minutes per GiB to
 * move (about 8.5 MiB/s, well below what a logical-replication shard move achieves), for every attempt allowed.
 * Pauses count against it: a rebalance paused and never resumed ends too.
 */
import type { RebalanceSettings } from './input.js';

const GIB = 1024 ** 3;
export const REBALANCE_BASE_MINUTES = 60;
export const REBALANCE_MINUTES_PER_GIB = 2;

export function rebalanceTimeoutMinutes(
  settings: Pick<RebalanceSettings, 'maxAttempts' | 'timeoutMinutes'>,
  bytesToMove: number,
): number {
  if (settings.timeoutMinutes !== undefined) return settings.timeoutMinutes;
  const perAttempt = REBALANCE_BASE_MINUTES + REBALANCE_MINUTES_PER_GIB * Math.ceil(Math.max(0, bytesToMove) / GIB);
  return perAttempt * settings.maxAttempts;
}
