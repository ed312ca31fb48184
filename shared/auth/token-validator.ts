/**
 * Verifies Microsoft Entra ID access tokens with `jose` against the tenant's published signing keys (JWKS):
 * signature (RS256 only, so `alg: none` and HMAC tricks fail), issuer, audience, expiry and not-before. Every
 * failure becomes an `UnauthorizedError` that says which check failed; no message ever quotes the token.
 */
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { TransientError, describeError } from '../vocabulary/errors.js';
import { UnauthorizedError } from './errors.js';
import type { EntraSettings } from './entra-settings.js';

/** Clock skew tolerated on exp / nbf / iat, as Entra's own libraries allow a few minutes. */
const CLOCK_TOLERANCE_SECONDS = 120;
const JWKS_TIMEOUT_MS = 5_000;
const ALGORITHMS = ['RS256'];

export interface VerifiedToken {
  claims: JWTPayload;
  /** App roles (`roles` claim) the token carries. */
  roles: string[];
  /** Who the token speaks for, for logs and the ledger: a user principal name, an app id or an object id. */
  subject: string;
}

export interface TokenValidatorOptions {
  /** Defaults to the wall clock. */
  clock?: () => Date;
  /** Defaults to the remote JWKS at `settings.jwksUri` (cached, refetched when an unknown key id appears). */
  keys?: JWTVerifyGetKey;
}

export class EntraTokenValidator {
  private readonly keys: JWTVerifyGetKey;
  private readonly clock: () => Date;

  constructor(
    private readonly settings: EntraSettings,
    options: TokenValidatorOptions = {},
  ) {
    this.keys = options.keys ?? createRemoteJWKSet(settings.jwksUri, { timeoutDuration: JWKS_TIMEOUT_MS });
    this.clock = options.clock ?? (() => new Date());
  }

  /** Verifies the `Authorization` header's bearer token. */
  async verify(authorization: string | null | undefined): Promise<VerifiedToken> {
    const token = bearerToken(authorization);
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuers,
        audience: this.settings.audiences,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: this.clock(),
        requiredClaims: ['exp'],
      });
      return { claims: payload, roles: rolesOf(payload), subject: subjectOf(payload) };
    } catch (error) {
      throw this.explain(error, token);
    }
  }

  private explain(error: unknown, token: string): Error {
    if (error instanceof errors.JWTExpired) {
      return invalidToken(`the token expired at ${timeOf(error.payload.exp)}; get a new token`, 'token expired');
    }
    if (error instanceof errors.JWTClaimValidationFailed)
      return invalidToken(claimProblem(error), `${error.claim} claim check failed`);
    if (error instanceof errors.JOSEAlgNotAllowed) {
      return invalidToken(
        `the token's algorithm ${JSON.stringify(algorithmOf(token))} is not accepted; tokens must be signed with ${ALGORITHMS.join(' or ')}`,
        'algorithm not accepted',
      );
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return invalidToken(
        "the token's signature does not verify against the tenant's signing keys; use a token Microsoft Entra ID issued",
        'signature verification failed',
      );
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      return invalidToken(
        "the token is signed with a key the tenant's signing keys do not list; use a token Microsoft Entra ID issued",
        'unknown signing key',
      );
    }
    if (
      error instanceof errors.JWKSTimeout ||
      error instanceof errors.JWKSInvalid ||
      !(error instanceof errors.JOSEError)
    ) {
      return new TransientError(
        `authentication failed: the signing keys could not be read from ${this.settings.jwksUri.origin}${this.settings.jwksUri.pathname}: ${describeError(error)}; retry shortly`,
        { cause: error },
      );
    }
    return invalidToken(
      'the bearer token is not a well-formed signed JWT; send the access token itself',
      'malformed token',
    );
  }
}

function bearerToken(authorization: string | null | undefined): string {
  const realm = 'Bearer realm="elastic-scaler"';
  if (!authorization || authorization.trim().length === 0) {
    throw new UnauthorizedError(
      'authentication failed: no bearer token; send "Authorization: Bearer <token>" with a Microsoft Entra ID access token for the scaler',
      realm,
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match?.[1]) {
    throw new UnauthorizedError(
      'authentication failed: the Authorization header is not a bearer token; send "Authorization: Bearer <token>"',
      `${realm}, error="invalid_request"`,
    );
  }
  return match[1];
}

function invalidToken(why: string, description: string): UnauthorizedError {
  return new UnauthorizedError(
    `authentication failed: ${why}`,
    `Bearer realm="elastic-scaler", error="invalid_token", error_description="${description}"`,
  );
}

function claimProblem(error: InstanceType<typeof errors.JWTClaimValidationFailed>): string {
  const value = error.payload[error.claim];
  const shown = value === undefined ? 'is missing' : `${JSON.stringify(value)} is not accepted`;
  switch (error.claim) {
    case 'aud':
      return `the token's audience ${shown}; request the token for the scaler's app registration (its application ID URI or client id)`;
    case 'iss':
      return `the token's issuer ${shown}; use a token issued by the scaler's Microsoft Entra tenant`;
    case 'nbf':
      return `the token is not valid before ${timeOf(error.payload.nbf)}; check the caller's clock`;
    default:
      return `the token's ${error.claim} claim failed its check (${error.reason}); request a new token`;
  }
}

function rolesOf(claims: JWTPayload): string[] {
  const roles = claims['roles'];
  return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
}

function subjectOf(claims: JWTPayload): string {
  for (const claim of ['upn', 'preferred_username', 'unique_name']) {
    const value = claims[claim];
    if (typeof value === 'string' && value.length > 0) return value;
  }
  const app = claims['appid'] ?? claims['azp'];
  if (typeof app === 'string') return `app ${app}`;
  const objectId = claims['oid'] ?? claims.sub;
  return typeof objectId === 'string' ? `object ${objectId}` : 'unknown caller';
}

function algorithmOf(token: string): string {
  try {
    return decodeProtectedHeader(token).alg ?? 'none given';
  } catch {
    return 'unreadable';
  }
}

function timeOf(seconds: unknown): string {
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : 'an unknown time';
}
