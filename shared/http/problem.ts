/**
 * RFC 9457 problem details (`application/problem+json`) for every failure the HTTP API reports. The status comes
 * from the error's category, in the one place that maps categories (`httpStatusFor` in shared/errors.ts); the
 * `detail` is the error's own `<what failed>: <why>; <fix>` message. Unexpected errors never leak internals.
 */
import { ScalerError, TransientError, httpStatusFor, type ErrorCategory } from '../errors.js';
import { UnauthorizedError } from '../auth/errors.js';
import type { ApiResponse } from './response.js';

/** Retry-After for a 503 when the cause did not say: Azure Monitor's own first retry comes after 10 s. */
const DEFAULT_RETRY_AFTER_SECONDS = 10;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** Extension members: `reason` (a decision's reason code), `errors` (bad fields), `invocationId`, ... */
  [extension: string]: unknown;
}

const TITLES: Record<ErrorCategory, string> = {
  configuration: 'The scaler is misconfigured',
  'invalid-input': 'The request is malformed',
  'not-found': 'Not found',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  unsupported: 'The target cannot do that',
  conflict: 'Conflicts with the target\'s current state',
  provider: 'Azure refused the request',
  transient: 'Temporarily unavailable',
  internal: 'Internal error',
};

/** A problem type URI per category; `tag:` URIs (RFC 4151) name them without pretending to be web pages. */
export function problemType(category: ErrorCategory): string {
  return `tag:elastic-scaler,2025:problem:${category}`;
}

export interface ProblemContext {
  /** The request path, without the query string (which may hold a function key). */
  instance?: string | undefined;
  invocationId?: string | undefined;
}

export function problemResponse(error: unknown, context: ProblemContext = {}): ApiResponse {
  const known = error instanceof ScalerError ? error : undefined;
  const category: ErrorCategory = known?.category ?? 'internal';
  const status = httpStatusFor(known ?? error);
  const exposed = known !== undefined && category !== 'internal';
  const body: ProblemDetails = {
    ...(exposed ? known.details : {}),
    type: problemType(category),
    title: TITLES[category],
    status,
    detail: exposed ? known.message : `the scaler failed unexpectedly; look up invocation ${context.invocationId ?? '(unknown)'} in its logs`,
    ...(context.instance ? { instance: context.instance } : {}),
    ...(context.invocationId ? { invocationId: context.invocationId } : {}),
  };
  return { status, body, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...headersFor(known) } };
}

function headersFor(error: ScalerError | undefined): Record<string, string> {
  if (error instanceof UnauthorizedError) return { 'WWW-Authenticate': error.challenge };
  if (error instanceof TransientError) {
    const seconds = error.retryAfterMs === undefined ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(error.retryAfterMs / 1000));
    return { 'Retry-After': String(seconds) };
  }
  return {};
}
