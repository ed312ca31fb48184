/**
 * What a finished ARM update achieved. ARM can end an update `Succeeded` and still leave the capacity where it
 * was (the service ignored or reverted the change): that is not a success, and calling it one would start a
 * cooldown for a scale that never happened.
 */
import type { Direction } from '../policy/decision.js';
import type { LiveTargetState, ScaleProgress } from './scale-target.port.js';

export interface RequestedChange {
  direction: Direction;
  from: number;
  to: number;
}

/** True when the live capacity is at (or past) the capacity asked for, in the direction asked for. */
export function capacityReached(change: RequestedChange, capacity: number): boolean {
  return change.direction === 'in' ? capacity <= change.to : capacity >= change.to;
}

/**
 * The operation's progress seen together with the live resource: `succeeded` only when the capacity was reached.
 * A resource that still reports an operation in progress is given time (it may show the new size a little later).
 */
export function settledProgress(
  progress: ScaleProgress,
  change: RequestedChange,
  live: LiveTargetState,
): ScaleProgress {
  if (progress.status !== 'succeeded' || capacityReached(change, live.capacity)) return progress;
  if (live.operationInProgress !== undefined) return { status: 'running' };
  const verb = live.capacity === change.from ? 'left the capacity unchanged at' : 'stopped at';
  return {
    status: 'failed',
    message: `ARM reports the update to ${change.to} as Succeeded, but it ${verb} ${live.capacity} (state ${live.status}); the requested change did not happen: check the resource's activity log for why`,
  };
}

/**
 * The progress of an update we have no poller for (adopted after its answer was lost), read from the resource
 * alone: done when the capacity is reached and the resource is idle, failed when it went idle without it.
 */
export function progressFromLive(change: RequestedChange, live: LiveTargetState): ScaleProgress {
  if (live.operationInProgress !== undefined) return { status: 'running' };
  if (capacityReached(change, live.capacity)) return { status: 'succeeded' };
  return {
    status: 'failed',
    message: `ARM shows no update running and capacity ${live.capacity} (state ${live.status}), not the ${change.to} asked for: the update did not take effect; check the resource's activity log for why`,
  };
}
