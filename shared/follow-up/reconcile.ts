/**
 * What to do about an operation that is still `running` while the scaler evaluates its target, given what the
 * durable client reports of the target's follow-up instance (docs/operation-lifecycle.md). Pure: the caller reads
 * the instance's status, input, output and custom status, and acts on the answer.
 *
 *   instance active for this operation            -> wait (the follow-up will end it)
 *   instance active for another operation         -> wait (this one's follow-up starts when that one ends)
 *   no instance, or an ended one of another op    -> launch the follow-up for this operation
 *   Completed for this operation                  -> record the outcome in its output
 *   Failed, with the outcome in its custom status -> record that outcome (the follow-up could not)
 *   Failed without one                            -> record failed, with the orchestration's error
 *   Terminated                                    -> record abandoned: someone ended it by hand
 */
import type { OperationRecord, OperationStatus } from '../state/state-store.port.js';
import type { FollowUpResult, OutcomeStatus, RebalanceSummary } from './machine-state.js';

/** The custom status the orchestrator sets: its progress, and the outcome when it could not record it. */
export interface FollowUpCustomStatus {
  phase: string;
  jobId?: number | undefined;
  attempts: number;
  rebalance?: RebalanceSummary | undefined;
  unrecordedOutcome?: FollowUpResult | undefined;
}

/** What the durable client reports of one follow-up instance. */
export interface FollowUpInstanceReport {
  instanceId: string;
  /** `Pending`, `Running`, `ContinuedAsNew`, `Suspended`, `Completed`, `Failed`, `Terminated`, ... */
  runtimeStatus: string;
  /** The operation the instance follows, from its input (undefined when the input does not say). */
  operationId: string | undefined;
  output: unknown;
  customStatus: unknown;
  /** When the instance last changed: for an ended instance, when it ended. */
  lastUpdatedAt: Date | undefined;
}

export type ReconcileAction =
  | { kind: 'wait'; why: string }
  | { kind: 'launch'; why: string }
  | { kind: 'record'; status: Extract<OperationStatus, OutcomeStatus | 'abandoned'>; message: string; at: Date };

const ACTIVE = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);
const OUTCOME_STATUSES: readonly OutcomeStatus[] = ['succeeded', 'failed', 'timed-out'];

export function reconcileFollowUp(
  operation: OperationRecord,
  instance: FollowUpInstanceReport | undefined,
  now: Date,
): ReconcileAction {
  if (instance === undefined)
    return { kind: 'launch', why: 'no follow-up instance exists for it (never started, or purged)' };
  const ended = instance.lastUpdatedAt ?? now;
  if (instance.operationId !== operation.id) {
    if (ACTIVE.has(instance.runtimeStatus))
      return {
        kind: 'wait',
        why: `the follow-up ${instance.instanceId} still runs for operation ${instance.operationId ?? 'unknown'}`,
      };
    return {
      kind: 'launch',
      why: `the follow-up ${instance.instanceId} is ${instance.runtimeStatus} and followed operation ${instance.operationId ?? 'unknown'}, not this one`,
    };
  }
  if (ACTIVE.has(instance.runtimeStatus))
    return { kind: 'wait', why: `its follow-up ${instance.instanceId} is ${instance.runtimeStatus}` };
  switch (instance.runtimeStatus) {
    case 'Completed': {
      const result = resultFor(operation, instance.output);
      if (result)
        return record(
          result.status,
          `${result.message} (recorded by the scaler: the follow-up completed without recording it)`,
          ended,
        );
      return record(
        'failed',
        `the follow-up ${instance.instanceId} completed without an outcome for this operation; check the cluster by hand`,
        ended,
      );
    }
    case 'Failed': {
      const result = resultFor(operation, unrecordedOutcome(instance.customStatus));
      if (result)
        return record(
          result.status,
          `${result.message} (recorded by the scaler: the follow-up could not record it)`,
          ended,
        );
      return record(
        'failed',
        `the follow-up ${instance.instanceId} failed: ${firstLine(instance.output)}; check the cluster by hand before scaling it again`,
        ended,
      );
    }
    case 'Terminated':
    case 'Canceled':
      return record(
        'abandoned',
        `the follow-up ${instance.instanceId} was ${instance.runtimeStatus.toLowerCase()} by hand (${firstLine(instance.output)}); the scaler no longer follows this operation`,
        ended,
      );
    default:
      return {
        kind: 'wait',
        why: `its follow-up ${instance.instanceId} is ${instance.runtimeStatus}, which the scaler does not act on`,
      };
  }
}

function record(
  status: Extract<OperationStatus, OutcomeStatus | 'abandoned'>,
  message: string,
  at: Date,
): ReconcileAction {
  return { kind: 'record', status, message, at };
}

/** `value` as the follow-up's result for `operation`, or undefined when it is not one. */
function resultFor(operation: OperationRecord, value: unknown): { status: OutcomeStatus; message: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { operationId, status, message } = value as Partial<Record<keyof FollowUpResult, unknown>>;
  const known = OUTCOME_STATUSES.find((candidate) => candidate === status);
  if (operationId !== operation.id || known === undefined || typeof message !== 'string') return undefined;
  return { status: known, message };
}

function unrecordedOutcome(customStatus: unknown): unknown {
  return typeof customStatus === 'object' && customStatus !== null
    ? (customStatus as { unrecordedOutcome?: unknown }).unrecordedOutcome
    : undefined;
}

function firstLine(value: unknown): string {
  const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value);
  return (text.split('\n')[0] ?? '').slice(0, 500).trim() || 'no reason given';
}
