/** How an operation record reads as policy input: the same mapping for the store's reads and the executor's writes. */
import type { FinishedOperation, OperationSummary } from '../policy/input.js';
import type { OperationRecord } from './state-store.port.js';

export function operationSummaryOf(operation: OperationRecord): OperationSummary {
  const summary: OperationSummary = {
    direction: operation.direction,
    from: operation.from,
    to: operation.to,
    startedAt: operation.startedAt,
  };
  if (operation.completedAt !== undefined) summary.completedAt = operation.completedAt;
  return summary;
}

/** An operation the failure backoff counts: ended succeeded, failed or cancelled (an abandoned one is the operator's). */
export function finishedOperationOf(operation: OperationRecord): FinishedOperation | undefined {
  if (
    operation.completedAt === undefined ||
    (operation.status !== 'succeeded' && operation.status !== 'failed' && operation.status !== 'cancelled')
  )
    return undefined;
  const { direction, from, to, startedAt, completedAt, status } = operation;
  return { direction, from, to, startedAt, completedAt, status, message: operation.history.at(-1)?.message };
}
