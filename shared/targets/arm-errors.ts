/**
 * Turns ARM failures into the scaler's error family, in one place for every scale target. The SDK pipeline has
 * already retried throttling (429 with Retry-After), 5xx and connection resets with backoff by the time an error
 * reaches here.
 */
import { isRestError, type RestError } from '@azure/core-rest-pipeline';
import { NotFoundError, ProviderError, ScalerError, TransientError } from '../vocabulary/errors.js';
import { OperationInProgressError } from './errors.js';
import { lroFailureOf } from './lro.js';
import { numericHeader } from '../request-limits.js';

export interface ArmCallContext {
  /** What we were doing, e.g. `reading` or `scaling out`. */
  action: string;
  resourceId: string;
  /** The role that grants the action, named in 403 messages. */
  role: string;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'REQUEST_SEND_ERROR',
]);

export async function armCall<T>(context: ArmCallContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toScalerError(error, context);
  }
}

export function toScalerError(error: unknown, context: ArmCallContext): ScalerError {
  if (error instanceof ScalerError) return error;
  const prefix = `${context.action} ${context.resourceId}`;
  if (!isRestError(error)) {
    // core-lro rejects with a plain Error when ARM reports the operation itself failed (e.g. a size it refuses).
    const failure = lroFailureOf(error);
    if (failure)
      return new ProviderError(
        `${prefix} failed: ARM refused the change: ${failure.code ? `${failure.code}: ` : ''}${failure.message}`,
        { cause: error, details: { armCode: failure.code } },
      );
    const message = error instanceof Error ? error.message : String(error);
    return new TransientError(`${prefix} failed: ${message}`, { cause: error });
  }
  const status = error.statusCode;
  const armCode = armErrorCode(error);
  const detail = `${armCode ? `${armCode}: ` : ''}${firstLine(error.message)}`;
  if (status === undefined || NETWORK_CODES.has(error.code ?? '')) {
    return new TransientError(
      `${prefix} failed: ARM could not be reached (${error.code ?? 'no response'}); the next evaluation retries`,
      { cause: error, details: { armAnswered: false } },
    );
  }
  if (status === 409)
    return new OperationInProgressError(
      `${prefix}: ARM refused because another operation on the resource is in progress (${detail})`,
      { cause: error },
    );
  if (status === 401)
    return new ProviderError(
      `${prefix} failed: ARM rejected the credential (401 ${detail}); check the managed identity configuration`,
      { cause: error },
    );
  if (status === 403) {
    return new ProviderError(
      `${prefix} failed: the scaler's identity lacks permission (403 ${detail}); grant it the "${context.role}" role on the resource`,
      { cause: error, details: { missingRole: context.role } },
    );
  }
  if (status === 404)
    return new NotFoundError(
      `${prefix} failed: the resource does not exist (404 ${detail}); check resourceId in the config`,
      { cause: error },
    );
  if (status === 429 || status >= 500) {
    const retryAfterMs = retryAfter(error);
    return new TransientError(
      `${prefix} failed: ARM answered ${status} after retries (${detail}); the next evaluation retries`,
      { cause: error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
    );
  }
  return new ProviderError(`${prefix} failed: ARM answered ${status} (${detail})`, { cause: error });
}

/** True for a call ARM never answered (connection refused or dropped): a PATCH may or may not have been carried out. */
export function armDidNotAnswer(error: unknown): boolean {
  return error instanceof TransientError && error.details['armAnswered'] === false;
}

function armErrorCode(error: RestError): string | undefined {
  const body = error.details as { error?: { code?: unknown } } | undefined;
  const code = body?.error?.code ?? error.code;
  return typeof code === 'string' ? code : undefined;
}

function retryAfter(error: RestError): number | undefined {
  const seconds = error.response ? numericHeader(error.response.headers, 'retry-after') : undefined;
  return seconds === undefined ? undefined : seconds * 1000;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.slice(0, 300) ?? '';
}
