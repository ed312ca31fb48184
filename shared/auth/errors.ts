import { ScalerError, type ScalerErrorOptions } from '../vocabulary/errors.js';

/**
 * No usable credentials: the caller should authenticate (again). `challenge` becomes the `WWW-Authenticate`
 * header (RFC 6750), e.g. `Bearer error="invalid_token"`. Messages never quote the token.
 */
export class UnauthorizedError extends ScalerError {
  readonly challenge: string;

  constructor(message: string, challenge: string, options?: ScalerErrorOptions) {
    super('unauthorized', message, options);
    this.challenge = challenge;
  }
}

/** Authenticated, but without the app role this endpoint needs. */
export class ForbiddenError extends ScalerError {
  constructor(message: string, options?: ScalerErrorOptions) {
    super('forbidden', message, options);
  }
}
