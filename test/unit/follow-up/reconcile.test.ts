/**
 * The reconcile decision on its own: an operation still running, and what the durable client reports of the
 * target's follow-up instance, in; wait, launch or record out.
 */
import { describe, expect, it } from 'vitest';
import { reconcileFollowUp, type FollowUpInstanceReport } from '../../../shared/follow-up/reconcile.js';
import type { OperationRecord } from '../../../shared/state/state-store.port.js';

const NOW = new Date('2026-01-05T10:00:00Z');
const ENDED = new Date('2026-01-05T09:40:00Z');
const operation: OperationRecord = {
  id: 'op-1',
  target: 'orders',
  trigger: 'timer',
  direction: 'out',
  from: 2,
  to: 4,
  startedAt: new Date('2026-01-05T09:00:00Z'),
  arm: {},
  initiator: 'timer',
  reason: 'cpu',
  status: 'running',
  updatedAt: new Date('2026-01-05T09:00:01Z'),
  history: [],
};
const result = (status: string, operationId = 'op-1') => ({
  target: 'orders',
  operationId,
  status,
  message: `ARM finished the update to 4 node(s); ${status}`,
  attempts: 1,
});
const instance = (runtimeStatus: string, overrides: Partial<FollowUpInstanceReport> = {}): FollowUpInstanceReport => ({
  instanceId: 'follow-up-orders',
  runtimeStatus,
  operationId: 'op-1',
  output: null,
  customStatus: null,
  lastUpdatedAt: ENDED,
  ...overrides,
});

describe('reconcileFollowUp', () => {
  it.each([
    { name: 'Running', report: instance('Running') },
    { name: 'Pending', report: instance('Pending') },
    { name: 'ContinuedAsNew', report: instance('ContinuedAsNew') },
    { name: 'Suspended', report: instance('Suspended') },
    { name: 'Running for an earlier operation', report: instance('Running', { operationId: 'op-0' }) },
  ])('waits while the instance is $name', ({ report }) => {
    expect(reconcileFollowUp(operation, report, NOW)).toMatchObject({ kind: 'wait' });
  });

  it.each([
    {
      name: 'there is no instance',
      report: undefined,
      why: 'no follow-up instance exists for it (never started, or purged)',
    },
    {
      name: 'the instance completed for an earlier operation',
      report: instance('Completed', { operationId: 'op-0', output: result('succeeded', 'op-0') }),
      why: 'the follow-up follow-up-orders is Completed and followed operation op-0, not this one',
    },
    {
      name: 'the instance failed for an earlier operation',
      report: instance('Failed', { operationId: 'op-0' }),
      why: 'the follow-up follow-up-orders is Failed and followed operation op-0, not this one',
    },
  ])('launches the follow-up when $name', ({ report, why }) => {
    expect(reconcileFollowUp(operation, report, NOW)).toEqual({ kind: 'launch', why });
  });

  it.each(['succeeded', 'failed', 'timed-out'])(
    'records the %s outcome of an instance that completed without recording it, at the time it ended',
    (status) => {
      expect(reconcileFollowUp(operation, instance('Completed', { output: result(status) }), NOW)).toEqual({
        kind: 'record',
        status,
        at: ENDED,
        message: `ARM finished the update to 4 node(s); ${status} (recorded by the scaler: the follow-up completed without recording it)`,
      });
    },
  );

  it('records the outcome a failed instance carries in its custom status', () => {
    const report = instance('Failed', {
      output: 'the follow-up of operation op-1 ended succeeded but could not record it',
      customStatus: { phase: 'done', attempts: 1, unrecordedOutcome: result('succeeded') },
    });
    expect(reconcileFollowUp(operation, report, NOW)).toEqual({
      kind: 'record',
      status: 'succeeded',
      at: ENDED,
      message:
        'ARM finished the update to 4 node(s); succeeded (recorded by the scaler: the follow-up could not record it)',
    });
  });

  it.each([
    {
      name: 'a failed instance without an outcome',
      report: instance('Failed', { output: 'Non-deterministic workflow detected\n at replay' }),
      status: 'failed',
      message:
        'the follow-up follow-up-orders failed: Non-deterministic workflow detected; check the cluster by hand before scaling it again',
    },
    {
      name: 'a failed instance whose outcome is for another operation',
      report: instance('Failed', { output: 'boom', customStatus: { unrecordedOutcome: result('succeeded', 'op-0') } }),
      status: 'failed',
      message: 'the follow-up follow-up-orders failed: boom; check the cluster by hand before scaling it again',
    },
    {
      name: 'a completed instance without a result',
      report: instance('Completed', { output: null }),
      status: 'failed',
      message:
        'the follow-up follow-up-orders completed without an outcome for this operation; check the cluster by hand',
    },
    {
      name: 'a terminated instance',
      report: instance('Terminated', { output: 'stuck, ended by ops' }),
      status: 'abandoned',
      message:
        'the follow-up follow-up-orders was terminated by hand (stuck, ended by ops); the scaler no longer follows this operation',
    },
  ])('ends the operation for $name, so the target is free again', ({ report, status, message }) => {
    expect(reconcileFollowUp(operation, report, NOW)).toEqual({ kind: 'record', status, message, at: ENDED });
  });

  it('records at the evaluation time when the client does not say when the instance ended', () => {
    expect(
      reconcileFollowUp(
        operation,
        instance('Completed', { output: result('succeeded'), lastUpdatedAt: undefined }),
        NOW,
      ),
    ).toMatchObject({ kind: 'record', at: NOW });
  });
});
