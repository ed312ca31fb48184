/**
 * One error family for the whole scaler. `category` decides, in one place (see `httpStatusFor`), how a failure
 * surfaces: HTTP status, retry, or durable failure. Messages follow `<what failed>: <why>[; <fix>]`.
 */
export type ErrorCategory =
  | 'configuration' // the scaler's own config is wrong: fix the config
  | 'invalid-input' // a request or payload is malformed: fix the caller
  | 'not-found' // a named thing does not exist
  | 'unauthorized' // no or bad credentials
  | 'forbidden' // authenticated, but lacking a role
  | 'unsupported' // valid, but the target cannot do it
  | 'conflict' // someone else holds the lease or an operation runs
  | 'provider' // Azure or PostgreSQL refused for a reason that retrying will not fix
  | 'transient' // retrying later may succeed
  | 'internal'; // a bug in the scaler

export interface ScalerErrorOptions {
  cause?: unknown;
  /** Machine-readable extras for logs and problem+json bodies. Never put secrets here. */
  details?: Record<string, unknown>;
}

export class ScalerError extends Error {
  readonly category: ErrorCategory;
  readonly details: Record<string, unknown>;

  constructor(category: ErrorCategory, message: string, options: ScalerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.category = category;
    this.details = options.details ?? {};
  }

  get retryable(): boolean {
    return this.category === 'transient';
  }
}

export class InvalidInputError extends ScalerError {
  constructor(message: string, options?: ScalerErrorOptions) {
    super('invalid-input', message, options);
  }
}

export class NotFoundError extends ScalerError {
  constructor(message: string, options?: ScalerErrorOptions) {
    super('not-found', message, options);
  }
}

/** A request body refused before it is parsed, with a status more precise than 400: too large (413) or not JSON (415). */
export class UnreadableBodyError extends InvalidInputError {
  constructor(
    readonly status: 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** An optional capability of a port that this adapter does not offer. */
export class NotSupportedError extends ScalerError {
  constructor(message: string, options?: ScalerErrorOptions) {
    super('unsupported', message, options);
  }
}

export class TransientError extends ScalerError {
  /** How long the remote side asked us to wait, when it said (Retry-After). */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: ScalerErrorOptions & { retryAfterMs?: number } = {}) {
    super('transient', message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class ProviderError extends ScalerError {
  constructor(message: string, options?: ScalerErrorOptions) {
    super('provider', message, options);
  }
}

/** A conditional write lost a race. Carries the row as it is now, so the caller can decide without re-reading. */
export class StateConflictError<TCurrent = unknown> extends ScalerError {
  readonly current: TCurrent | undefined;

  constructor(message: string, current?: TCurrent, options?: ScalerErrorOptions) {
    super('conflict', message, options);
    this.current = current;
  }
}

const statusByCategory: Record<ErrorCategory, number> = {
  configuration: 500,
  'invalid-input': 400,
  'not-found': 404,
  unauthorized: 401,
  forbidden: 403,
  unsupported: 422,
  conflict: 409,
  provider: 502,
  transient: 503,
  internal: 500,
};

export function httpStatusFor(error: unknown): number {
  if (error instanceof UnreadableBodyError) return error.status;
  return error instanceof ScalerError ? statusByCategory[error.category] : 500;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
