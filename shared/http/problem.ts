/**
 * RFC 9457 problem details (`application/problem+json`) for every failure the HTTP API reports. The status comes
 * from the error's category, in the one place that maps categories (`httpStatusFor` in shared/errors.ts); the
 * `detail` is the error's own `<what failed>: <why>; <fix>` message. What the body never carries: the config or
 * the app settings (a misconfigured scaler says so and points at its logs), storage endpoints and table names,
 * stack traces, or extension members other than the few the API documents.
 */
import { ScalerError, TransientError, httpStatusFor, type ErrorCategory } from '../vocabulary/errors.js';
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
  conflict: "Conflicts with the target's current state",
  provider: 'Azure refused the request',
  transient: 'Temporarily unavailable',
  internal: 'Internal error',
};

/** Extension members an error's details may add to the body; any other detail (an endpoint, a table) stays in the logs. */
const PUBLIC_DETAILS = ['errors', 'reason', 'decision', 'legacySchema'] as const;

/** Categories whose message describes the scaler's own setup rather than the request: never shown to the caller. */
const PRIVATE_CATEGORIES: ReadonlySet<ErrorCategory> = new Set(['configuration', 'internal']);

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
  const body: ProblemDetails = {
    ...publicDetails(known),
    type: problemType(category),
    title: TITLES[category],
    status,
    detail:
      known && !PRIVATE_CATEGORIES.has(category)
        ? publicMessage(known.message)
        : privateDetail(category, context.invocationId),
    ...(context.instance ? { instance: context.instance } : {}),
    ...(context.invocationId ? { invocationId: context.invocationId } : {}),
  };
  return { status, body, headers: { 'Content-Type': PROBLEM_CONTENT_TYPE, ...headersFor(known) } };
}

/**
 * A message as a caller may read it: storage endpoints and table names (which messages of storage failures name,
 * for the logs) are left out.
 */
export function publicMessage(message: string): string {
  return message
    .replace(/\bhttps?:\/\/[^\s;,'"()]*[^\s;,'"():.]/g, '(endpoint)')
    .replace(/\btable [a-z][a-z0-9]*[A-Z][A-Za-z0-9]*/g, 'a table');
}

function privateDetail(category: ErrorCategory, invocationId: string | undefined): string {
  const where = `look up invocation ${invocationId ?? '(unknown)'} in its logs`;
  return category === 'configuration'
    ? `the scaler is misconfigured and cannot serve requests; its administrators find every problem when they ${where}`
    : `the scaler failed unexpectedly; ${where}`;
}

function publicDetails(error: ScalerError | undefined): Record<string, unknown> {
  if (!error || PRIVATE_CATEGORIES.has(error.category)) return {};
  return Object.fromEntries(
    PUBLIC_DETAILS.filter((key) => error.details[key] !== undefined).map((key) => [key, error.details[key]]),
  );
}

function headersFor(error: ScalerError | undefined): Record<string, string> {
  if (error instanceof UnauthorizedError) return { 'WWW-Authenticate': error.challenge };
  // Every 503 says when to come back, whichever error carried the category.
  if (error?.category === 'transient') {
    const retryAfterMs = error instanceof TransientError ? error.retryAfterMs : undefined;
    const seconds =
      retryAfterMs === undefined ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(retryAfterMs / 1000));
    return { 'Retry-After': String(seconds) };
  }
  return {};
}
