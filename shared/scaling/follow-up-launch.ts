import type { TargetConfig } from '../config/schema/schema.js';
import type { FollowUpLauncher } from '../follow-up.port.js';
import type { OperationRecord } from '../state/state-store.port.js';
import type { Logger } from '../logging.js';
import { describeError, ScalerError } from '../vocabulary/errors.js';

/** Starts (or adopts) the operation's follow-up. One that cannot start is logged, not fatal: ARM already accepted the update. */
export async function launchFollowUp(
  followUps: FollowUpLauncher | undefined,
  target: TargetConfig,
  operation: OperationRecord,
  log: Logger,
): Promise<void> {
  if (!followUps) return;
  try {
    await followUps.launch(target, operation);
  } catch (error) {
    const level = error instanceof ScalerError && error.retryable ? 'warn' : 'error';
    log.log(
      level,
      `the follow-up of operation ${operation.id} could not start: ${describeError(error)}; the operation stays running, and each evaluation launches its follow-up again until one runs`,
      { operationId: operation.id },
    );
  }
}
