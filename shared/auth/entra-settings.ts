/**
 * Microsoft Entra ID validation of the HTTP API's bearer tokens, from the app settings. Off unless
 * SCALER_ENTRA_TENANT_ID is set; function keys (authLevel 'function') protect every endpoint either way.
 */
import type { AppSettings } from '../config/app-settings.js';
import { ScalerError } from '../errors.js';

/** Which endpoints a caller reaches, and so which app role the token must carry. */
export type AccessKind = 'alert' | 'operate' | 'read';

export interface EntraSettings {
  tenantId: string;
  audiences: string[];
  issuers: string[];
  jwksUri: URL;
  /** The access kinds that need a token; the others rely on the function key alone. */
  appliesTo: ReadonlySet<AccessKind>;
  /** Roles accepted per access kind; an empty list accepts any valid token. */
  roles: Readonly<Record<AccessKind, readonly string[]>>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function entraSettingsFrom(settings: AppSettings): EntraSettings | undefined {
  const tenantId = settings.SCALER_ENTRA_TENANT_ID;
  if (!tenantId) return undefined;
  const jwksUri = new URL(settings.SCALER_ENTRA_JWKS_URI ?? `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`);
  if (jwksUri.protocol !== 'https:' && !LOOPBACK_HOSTS.has(jwksUri.hostname)) {
    throw new ScalerError('configuration', `SCALER_ENTRA_JWKS_URI: ${jwksUri.origin} is not HTTPS; signing keys must come over HTTPS (plain HTTP is allowed only on loopback, for tests)`);
  }
  const operate = [settings.SCALER_ENTRA_OPERATOR_ROLE];
  const applyTo = settings.SCALER_ENTRA_APPLY_TO;
  return {
    tenantId,
    audiences: settings.SCALER_ENTRA_AUDIENCES ?? [],
    issuers: settings.SCALER_ENTRA_ISSUERS ?? [`https://login.microsoftonline.com/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`],
    jwksUri,
    appliesTo: new Set<AccessKind>(applyTo === 'all' ? ['alert', 'operate', 'read'] : applyTo === 'alerts' ? ['alert'] : ['operate', 'read']),
    roles: {
      alert: settings.SCALER_ENTRA_ALERT_ROLE ? [settings.SCALER_ENTRA_ALERT_ROLE] : [],
      operate,
      read: settings.SCALER_ENTRA_READER_ROLE ? [settings.SCALER_ENTRA_READER_ROLE, ...operate] : [],
    },
  };
}
