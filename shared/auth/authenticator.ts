/**
 * Who may call which endpoint. Function keys (authLevel 'function') are checked by the Functions host before
 * any code runs; when Entra ID validation is on, the token and its app role are checked here on top.
 */
import type { AccessKind, EntraSettings } from './entra-settings.js';
import { ForbiddenError } from './errors.js';
import { EntraTokenValidator, type TokenValidatorOptions } from './token-validator.js';

export interface Caller {
  /** How the caller proved who it is. */
  method: 'function-key' | 'entra';
  /** Kept in the ledger and logs as the initiator: a user principal name, an app id, never a secret. */
  name: string;
  roles: readonly string[];
}

const KEY_HOLDER: Caller = { method: 'function-key', name: 'operator (function key)', roles: [] };

export class HttpAuthenticator {
  private readonly validator: EntraTokenValidator | undefined;

  constructor(
    private readonly entra: EntraSettings | undefined,
    options: TokenValidatorOptions = {},
  ) {
    this.validator = entra ? new EntraTokenValidator(entra, options) : undefined;
  }

  /** Whether callers of this kind must present an Entra ID token. */
  requiresToken(kind: AccessKind): boolean {
    return this.entra?.appliesTo.has(kind) ?? false;
  }

  /** Throws `UnauthorizedError` (401), `ForbiddenError` (403) or, when the signing keys cannot be read, `TransientError`. */
  async authenticate(kind: AccessKind, authorization: string | null | undefined): Promise<Caller> {
    if (!this.entra || !this.validator || !this.entra.appliesTo.has(kind)) return KEY_HOLDER;
    const token = await this.validator.verify(authorization);
    const accepted = this.entra.roles[kind];
    if (accepted.length > 0 && !accepted.some((role) => token.roles.includes(role))) {
      const has = token.roles.length > 0 ? `it has ${token.roles.join(', ')}` : 'it has none';
      throw new ForbiddenError(
        `authorization failed: ${token.subject} lacks the app role ${accepted.map((role) => `'${role}'`).join(' or ')} (${has}); assign the role to this caller on the scaler's app registration`,
      );
    }
    return { method: 'entra', name: token.subject, roles: token.roles };
  }
}
