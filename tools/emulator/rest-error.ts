import { isRestError } from '@azure/core-rest-pipeline';
import type { RestError } from '@azure/core-rest-pipeline';

/**
 * The RestError an SDK call rejects with; throws if it resolves or rejects with something else. Uses `isRestError`,
 * not `instanceof`: @azure/arm-kusto loads the CommonJS build of the pipeline, whose RestError is another class.
 */
export async function restErrorFrom(call: Promise<unknown>): Promise<RestError> {
  const outcome = await call.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (reason: unknown) => ({ resolved: false as const, reason }),
  );
  if (outcome.resolved) throw new Error('expected the call to fail with a RestError, but it succeeded');
  if (!isRestError(outcome.reason)) throw new Error(`expected a RestError, got ${String(outcome.reason)}`);
  return outcome.reason;
}
