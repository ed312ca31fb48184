/**
 * Operations whose start we did not see to its end: ARM may have accepted the PATCH while the answer, or our
 * record of it, got lost (a dropped connection after ARM carried the request out, Table Storage failing right
 * after ARM accepted). Such an operation stays `started` with no resume token. Instead of guessing, the next
 * evaluation looks at the resource and adopts what ARM is doing (never a second scale for one need,
 * never a record that says "failed" for an update ARM ran).
 *
 * Pure: the caller passes the operation, the live resource and the time.
 */
import type { OperationRecord } from './state/state-store.port.js';
import type { LiveTargetState } from './targets/scale-target.port.js';
import { capacityReached } from './targets/scale-outcome.js';

export type AdoptionVerdict =
  /** The evaluation that started it may still be recording it (it holds the lease): leave it alone for now. */
  | { kind: 'wait' }
  /** ARM runs an update, or already reached the capacity asked for: this is our update; carry it on. */
  | { kind: 'adopt'; message: string }
  /** ARM shows no update and the old capacity long after the start: the PATCH never took effect. */
  | { kind: 'give-up'; message: string };

export interface AdoptionTimes {
  nowMs: number;
  /** The lease that protected the start; until it expires, the starting evaluation may still record the answer. */
  leaseSeconds: number;
  /** An operation that shows no trace in ARM is given up after this long. */
  staleStartMinutes: number;
}

export function adoptionVerdict(
  operation: OperationRecord,
  live: LiveTargetState,
  times: AdoptionTimes,
): AdoptionVerdict {
  const ageMs = times.nowMs - operation.startedAt.getTime();
  if (ageMs < times.leaseSeconds * 1000) return { kind: 'wait' };
  const change = `${operation.from} -> ${operation.to}`;
  if (capacityReached(operation, live.capacity)) {
    return {
      kind: 'adopt',
      message: `adopted: ARM shows capacity ${live.capacity} (state ${live.status}), the change ${change} this operation asked for; ARM accepted it but the answer was not recorded`,
    };
  }
  if (live.operationInProgress !== undefined) {
    return {
      kind: 'adopt',
      message: `adopted: ${live.operationInProgress.description}, started when this operation sent ${change}; ARM accepted it but the answer was not recorded`,
    };
  }
  if (ageMs <= times.staleStartMinutes * 60_000) return { kind: 'wait' };
  return {
    kind: 'give-up',
    message: `ARM shows no update of the resource and capacity still ${live.capacity} ${times.staleStartMinutes} min after this operation sent ${change}: the update never took effect; the scaler will decide again`,
  };
}

/**
 * ARM refused a PATCH with 409 (another update runs) although the resource was idle when it was read under the
 * lease a moment before: the update running is, in all likelihood, this very PATCH, which ARM carried out
 * before its answer was lost and the SDK sent it again.
 */
export function isOwnUpdateRefused(before: LiveTargetState, after: LiveTargetState): boolean {
  return before.operationInProgress === undefined && after.operationInProgress !== undefined;
}
