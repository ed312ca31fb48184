/**
 * An operator ends an operation by hand (`POST /api/operations/{id}/abandon`, docs/operation-lifecycle.md): when
 * its follow-up is stuck, or the cluster was fixed outside the scaler. The operation becomes `abandoned` with its
 * completion time (the cooldown runs from it), the ledger gets an entry saying who and why, and the follow-up
 * still running for it is terminated so the next operation can have its own.
 */
import type { TargetConfig } from '../config/schema/schema.js';
import type { TargetDirectory } from '../targets/target-directory.js';
import type { Decision } from '../policy/decision.js';
import type { OperationRecord, PauseChange, StateStore } from '../state/state-store.port.js';
import type { FollowUpLauncher } from '../follow-up.port.js';
import type { Logger } from '../logging.js';
import { describeError, NotFoundError, StateConflictError } from '../vocabulary/errors.js';

export interface AbandonDependencies {
  targets: TargetDirectory;
  state: StateStore;
  clock: () => Date;
  newId: () => string;
  followUps?: FollowUpLauncher | undefined;
  log: Logger;
}

export interface AbandonOutcome {
  operation: OperationRecord;
  /** False when the operation was already abandoned (a repeated request): nothing was written again. */
  changed: boolean;
  decisionId?: string | undefined;
}

export async function abandonOperation(
  deps: AbandonDependencies,
  operationId: string,
  change: PauseChange,
): Promise<AbandonOutcome> {
  const operation = await deps.state.findOperation(operationId);
  if (!operation)
    throw new NotFoundError(
      `abandoning operation '${operationId.slice(0, 80)}' failed: no operation has this id; use the statusUrl a scale request or an alert answer returned`,
    );
  if (operation.status === 'abandoned') return { operation, changed: false };
  if (operation.status !== 'started' && operation.status !== 'running') {
    throw new StateConflictError(
      `abandoning operation '${operation.id}' failed: it already ended ${operation.status} at ${operation.completedAt?.toISOString() ?? 'an unknown time'}; there is nothing to abandon`,
      operation,
    );
  }
  const now = deps.clock();
  const message = `abandoned by ${change.by}: ${change.reason}`;
  const ended = await deps.state.updateOperationStatus(operation.target, operation.id, {
    status: 'abandoned',
    at: now,
    message,
  });
  const target = deps.targets.find(operation.target);
  const log = deps.log.child({ target: operation.target, resourceId: target?.resourceId, operationId: operation.id });
  const decisionId = deps.newId();
  await deps.state.appendDecision({
    id: decisionId,
    target: operation.target,
    trigger: 'manual',
    decidedAt: now,
    decision: abandonDecision(operation, target, now, message),
  });
  log.log(
    'warn',
    `operation ${operation.id} (${operation.from} -> ${operation.to}) ${message}; the target is free for the scaler again, so check the cluster's size and, for an elastic cluster, its rebalance`,
    { decisionId, by: change.by, event: 'OperationAbandoned' },
  );
  if (target) await stopFollowUp(deps.followUps, target, ended, message, log);
  return { operation: ended, changed: true, decisionId };
}

/** The ledger entry: no scaling, reason `OperationAbandoned`, the operator's words as the message. */
function abandonDecision(
  operation: OperationRecord,
  target: TargetConfig | undefined,
  now: Date,
  message: string,
): Decision {
  const text = `operation ${operation.id} (${operation.from} -> ${operation.to}) ${message}`;
  const limits = target ? { ...target.limits } : { min: operation.from, max: operation.from, default: operation.from };
  return {
    action: 'none',
    from: operation.from,
    to: operation.from,
    reason: 'OperationAbandoned',
    message: text,
    evidence: {
      mode: target?.mode ?? 'manual',
      trigger: 'manual',
      now: now.toISOString(),
      limits,
      signals: [],
      proposal: { action: 'none', to: operation.from, reason: 'OperationAbandoned', message: text },
      guards: [],
    },
  };
}

/** Best effort: the operation has ended either way, and a follow-up that runs on only finds it ended. */
async function stopFollowUp(
  followUps: FollowUpLauncher | undefined,
  target: TargetConfig,
  operation: OperationRecord,
  reason: string,
  log: Logger,
): Promise<void> {
  if (!followUps?.stop) return;
  try {
    await followUps.stop(target, operation, reason);
  } catch (error) {
    log.log(
      'warn',
      `the follow-up of abandoned operation ${operation.id} could not be terminated: ${describeError(error)}; it ends by itself, finding the operation already ended, and until then the next operation's follow-up waits for it`,
    );
  }
}
