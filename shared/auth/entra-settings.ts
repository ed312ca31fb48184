/**
 * Microsoft Entra ID validation of the HTTP API's bearer tokens, from the app settings. Off unless
 * SCALER_ENTRA_TENANT_ID is set; function keys (authLevel 'function') protect every endpoint either way.
 */
import type { AppSettings } from '../config/app-settings.js';
import type { ScalerConfig } from '../config/schema/schema.js';
import { ScalerError } from '../vocabulary/errors.js';

/** Which endpoints a caller reaches, and so which app role the token must carry. */
export type AccessKind = 'alert' | 'operate' | 'read';

export interface EntraSettings {
  tenantId: string;
  audiences: string[];
  issuers: string[];
  jwksUri: URL;
  /** The access kinds that need a token; the others rely on the function key alone. */
  appliesTo: ReadonlySet<AccessKind>;
  /** Roles accepted per access kind: a valid token carrying none of them gets 403. */
  roles: Readonly<Record<AccessKind, readonly string[]>>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function entraSettingsFrom(settings: AppSettings): EntraSettings | undefined {
  const tenantId = settings.SCALER_ENTRA_TENANT_ID;
  if (!tenantId) return undefined;
  const jwksUri = new URL(
    settings.SCALER_ENTRA_JWKS_URI ?? `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`,
  );
  if (jwksUri.protocol !== 'https:' && !LOOPBACK_HOSTS.has(jwksUri.hostname)) {
    throw new ScalerError(
      'configuration',
      `SCALER_ENTRA_JWKS_URI: ${jwksUri.origin} is not HTTPS; signing keys must come over HTTPS (plain HTTP is allowed only on loopback, for tests)`,
    );
  }
  const operate = [settings.SCALER_ENTRA_OPERATOR_ROLE];
  const applyTo = settings.SCALER_ENTRA_APPLY_TO;
  return {
    tenantId,
    audiences: settings.SCALER_ENTRA_AUDIENCES ?? [],
    issuers: settings.SCALER_ENTRA_ISSUERS ?? [
      `https://login.microsoftonline.com/${tenantId}/v2.0`,
      `https://sts.windows.net/${tenantId}/`,
    ],
    jwksUri,
    appliesTo: new Set<AccessKind>(
      applyTo === 'all' ? ['alert', 'operate', 'read'] : applyTo === 'alerts' ? ['alert'] : ['operate', 'read'],
    ),
    roles: {
      alert: [settings.SCALER_ENTRA_ALERT_ROLE],
      operate,
      read: [settings.SCALER_ENTRA_READER_ROLE, ...operate],
    },
  };
}

/** Targets that alerts can scale: they opted in to at least one alert rule. */
function alertDrivenTargets(config: ScalerConfig): string[] {
  return config.targets
    .filter((target) => target.alerts.allowRules.length > 0 || Object.keys(target.alerts.rules).length > 0)
    .map((target) => target.name);
}

/**
 * Start-up checks that need the config as well as the settings: while alerts can scale a target, the webhook must
 * not rest on the function key alone, which the action group's URL carries for anyone who can read it. With Entra
 * ID on but not applied to alerts that is an error; with Entra ID off (a plain webhook, local development) a warning.
 */
export function alertAuthProblems(
  entra: EntraSettings | undefined,
  config: ScalerConfig,
): { errors: string[]; warnings: string[] } {
  const targets = alertDrivenTargets(config);
  if (targets.length === 0 || entra?.appliesTo.has('alert')) return { errors: [], warnings: [] };
  const which = `${targets.length} target(s) act on alerts (${targets.slice(0, 5).join(', ')}${targets.length > 5 ? ', ...' : ''})`;
  if (entra) {
    return {
      errors: [
        `SCALER_ENTRA_APPLY_TO: operators leaves POST /api/alerts to the function key alone while ${which}; set it to all (or alerts) so the webhook needs Azure Monitor's token, or remove alerts.allowRules and alerts.rules from those targets`,
      ],
      warnings: [],
    };
  }
  return {
    errors: [],
    warnings: [
      `POST /api/alerts is protected by the function key alone while ${which}, and anyone who can read the action group can read that key; set SCALER_ENTRA_TENANT_ID and SCALER_ENTRA_AUDIENCES and use a Secure Webhook so each delivery needs Azure Monitor's token`,
    ],
  };
}
