/**
 * The scaler's side of reconciling (reconcile.ts decides): read the target's follow-up instance through the
 * launcher, then wait, launch the follow-up again, or write the outcome the follow-up could not write.
 */
import type { TargetConfig } from '../config/schema/schema.js';
import type { FollowUpLauncher } from '../follow-up.port.js';
import type { OperationRecord, StateStore } from '../state/state-store.port.js';
import type { Logger } from '../logging.js';
import { describeError, StateConflictError } from '../vocabulary/errors.js';
import { reconcileFollowUp, type ReconcileAction } from './reconcile.js';

export interface ReconcileDependencies {
  state: StateStore;
  followUps: FollowUpLauncher;
  log: Logger;
}

/**
 * What reconciling did to the operation: still running, ended here (with the record as written), or ended by
 * another writer in the meantime (the follow-up or an operator; the caller reads its outcome).
 */
export type ReconcileResult = { ended: false } | { ended: true; operation: OperationRecord | undefined };

/**
 * Carries a `running` operation on. `launch` starts (or adopts) its follow-up the way the executor does, logging
 * rather than throwing when it cannot.
 */
export async function reconcileRunningOperation(
  deps: ReconcileDependencies,
  target: TargetConfig,
  operation: OperationRecord,
  now: Date,
  launch: () => Promise<void>,
): Promise<ReconcileResult> {
  const log = deps.log.child({ operationId: operation.id });
  if (!deps.followUps.inspect) {
    await launch();
    return { ended: false };
  }
  let action: ReconcileAction;
  try {
    action = reconcileFollowUp(operation, await deps.followUps.inspect(target), now);
  } catch (error) {
    log.log(
      'warn',
      `reading the follow-up of operation ${operation.id} failed: ${describeError(error)}; the operation stays running and the next evaluation looks again`,
    );
    return { ended: false };
  }
  switch (action.kind) {
    case 'wait':
      log.log('debug', `operation ${operation.id} still running: ${action.why}`);
      return { ended: false };
    case 'launch':
      log.log('info', `launching the follow-up of running operation ${operation.id}: ${action.why}`, {
        event: 'FollowUpRelaunched',
      });
      await launch();
      return { ended: false };
    case 'record':
      return recordOutcome(deps.state, log, operation, action);
  }
}

async function recordOutcome(
  state: StateStore,
  log: Logger,
  operation: OperationRecord,
  outcome: { status: OperationRecord['status']; message: string; at: Date },
): Promise<ReconcileResult> {
  let ended: OperationRecord;
  try {
    ended = await state.updateOperationStatus(operation.target, operation.id, {
      status: outcome.status,
      at: outcome.at,
      message: outcome.message,
    });
  } catch (error) {
    // The follow-up (or an operator) ended it in the meantime: that outcome stands.
    if (error instanceof StateConflictError) return { ended: true, operation: undefined };
    throw error;
  }
  const fields = { event: 'OperationReconciled', status: outcome.status };
  if (outcome.status === 'succeeded')
    log.log(
      'warn',
      `recorded operation ${operation.id} as succeeded from its follow-up's status: ${outcome.message}`,
      fields,
    );
  else
    log.log(
      'error',
      `recorded operation ${operation.id} as ${outcome.status} from its follow-up's status: ${outcome.message}`,
      { ...fields, alert: true },
    );
  return { ended: true, operation: ended };
}
