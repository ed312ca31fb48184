/**
 * The Function App's settings (environment variables), validated like the config: every problem at once,
 * named, with the fix. The infra templates set each of these; a test checks they agree.
 */
import { z } from 'zod';
import { ScalerError } from '../vocabulary/errors.js';
import { formatPath, suggest } from './fields/problems.js';
import { serviceMaximumsFrom } from './service-maximums.js';

const positiveInt = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .positive('must be above 0')
    .default(fallback);
const url = (example: string) => z.url({ error: `not a URL; set it to ${example}` });
/** A comma-separated list, e.g. several accepted audiences. */
const list = (example: string) =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .pipe(z.array(z.string()).min(1, `empty; set it to ${example}`));
const required = (fix: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `not set; ${fix}` : 'must be text') })
    .min(1, `empty; ${fix}`);

export const appSettingsSchema = z.object({
  SCALER_CONFIG: required('set it to the config JSON or to the path of a config file'),
  /** Table Storage: an endpoint (managed identity, production) or a connection string (Azurite, local). */
  SCALER_STATE_TABLE_ENDPOINT: url('https://<account>.table.core.windows.net').optional(),
  SCALER_STATE_CONNECTION_STRING: z.string().min(1).optional(),
  SCALER_STATE_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]{0,40}$/, 'letters and digits, starting with a letter')
    .default('scaler'),
  /** Client id of the user-assigned managed identity the app uses for everything. */
  AZURE_CLIENT_ID: z.string().optional(),
  SCALER_ARM_ENDPOINT: url("https://management.azure.com or your cloud's ARM endpoint").optional(),
  /** `{region}` is replaced by the resource's region. */
  SCALER_METRICS_ENDPOINT_TEMPLATE: z
    .string()
    .includes('{region}', { error: 'must contain {region}, e.g. https://{region}.metrics.monitor.azure.com' })
    .optional(),
  SCALER_CONCURRENCY: positiveInt(128),
  /** How a timer tick reads the fleet's live state: one Resource Graph query per 1,000 targets, or a GET each. */
  SCALER_FLEET_READ: z
    .enum(['resource-graph', 'arm'], { error: 'must be resource-graph or arm' })
    .default('resource-graph'),
  /** Requests in flight at once, per service, whatever the number of targets evaluated at once. */
  SCALER_ARM_CONCURRENCY: positiveInt(16),
  SCALER_MONITOR_CONCURRENCY: positiveInt(16),
  SCALER_TABLE_CONCURRENCY: positiveInt(128),
  SCALER_LEDGER_RETENTION_DAYS: positiveInt(30),
  SCALER_ALERT_RECEIPT_RETENTION_DAYS: positiveInt(7),
  SCALER_LEASE_SECONDS: positiveInt(120),
  /**
   * Raises the elastic-cluster node maximum (20 at general availability) once the service allows more; checked by
   * serviceMaximumsFrom, which reads every kind's raising setting.
   */
  SCALER_ELASTIC_CLUSTER_MAX_NODES: z.string().optional(),
  /** Microsoft Entra ID validation of bearer tokens on the HTTP API, on top of function keys; on when set. */
  SCALER_ENTRA_TENANT_ID: z
    .string()
    .regex(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
      'not a tenant id; set it to the directory (tenant) id, a GUID',
    )
    .optional(),
  SCALER_ENTRA_AUDIENCES: list("the scaler app registration's application ID URI and/or client id").optional(),
  /** Defaults to the tenant's v2.0 and v1 (sts.windows.net) issuers. */
  SCALER_ENTRA_ISSUERS: list('https://login.microsoftonline.com/<tenant>/v2.0').optional(),
  /** Defaults to https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys. */
  SCALER_ENTRA_JWKS_URI: url('https://login.microsoftonline.com/<tenant>/discovery/v2.0/keys').optional(),
  SCALER_ENTRA_APPLY_TO: z
    .enum(['all', 'alerts', 'operators'], { error: 'must be all, alerts or operators' })
    .default('all'),
  /** App role the alert webhook's token must carry (Secure Webhook): a token without it gets 403. */
  SCALER_ENTRA_ALERT_ROLE: z.string().min(1).default('ActionGroupsSecureWebhook'),
  SCALER_ENTRA_OPERATOR_ROLE: z.string().min(1).default('Scaler.Operate'),
  /** App role that may read status; the operator role may always read. A token with neither gets 403. */
  SCALER_ENTRA_READER_ROLE: z.string().min(1).default('Scaler.Read'),
});

export type AppSettings = z.output<typeof appSettingsSchema>;

export function parseAppSettings(env: Record<string, string | undefined>): AppSettings {
  const result = appSettingsSchema.safeParse(env);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (result.success && !result.data.SCALER_STATE_TABLE_ENDPOINT && !result.data.SCALER_STATE_CONNECTION_STRING) {
    problems.push(
      'SCALER_STATE_TABLE_ENDPOINT: not set; set it to https://<account>.table.core.windows.net (or SCALER_STATE_CONNECTION_STRING for local development)',
    );
  }
  if (result.success) problems.push(...entraProblems(result.data, env));
  problems.push(...serviceMaximumsFrom(env).problems);
  if (problems.length > 0 || !result.success) {
    throw new ScalerError('configuration', `app settings: ${problems.length} problem(s):\n${problems.join('\n')}`);
  }
  return result.data;
}

/** Entra validation is all or nothing: a tenant needs its audiences, and the other settings need a tenant. */
function entraProblems(settings: AppSettings, env: Record<string, string | undefined>): string[] {
  const given = Object.keys(env).filter((name) => name.startsWith(ENTRA_PREFIX) && env[name] !== undefined);
  // A misspelt setting would silently leave a check off (SCALER_ENTRA_TENANT: no validation at all).
  const unknown = given
    .filter((name) => !ENTRA_SETTINGS.includes(name))
    .map((name) => {
      const hint = suggest(name, ENTRA_SETTINGS);
      return `${name}: not a setting the scaler reads${hint ? `; did you mean ${hint}?` : `; the Entra ID settings are ${ENTRA_SETTINGS.join(', ')}`}`;
    });
  if (settings.SCALER_ENTRA_TENANT_ID) {
    const audiences = settings.SCALER_ENTRA_AUDIENCES
      ? []
      : [
          "SCALER_ENTRA_AUDIENCES: not set; with SCALER_ENTRA_TENANT_ID set, list the scaler app registration's application ID URI and/or client id",
        ];
    return [...unknown, ...audiences];
  }
  const orphans = given.filter((name) => name !== 'SCALER_ENTRA_TENANT_ID' && ENTRA_SETTINGS.includes(name));
  return [
    ...unknown,
    ...orphans.map(
      (name) =>
        `${name}: has no effect without SCALER_ENTRA_TENANT_ID, so no token is checked; set the tenant id to turn Entra ID validation on, or remove ${name}`,
    ),
  ];
}

const ENTRA_PREFIX = 'SCALER_ENTRA_';
const ENTRA_SETTINGS = Object.keys(appSettingsSchema.shape).filter((name) => name.startsWith(ENTRA_PREFIX));
