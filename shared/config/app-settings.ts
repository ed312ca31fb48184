/**
 * The Function App's settings (environment variables), validated like the config: every problem at once,
 * named, with the fix. The infra templates set each of these; a test checks they agree.
 */
import { z } from 'zod';
import { ScalerError } from '../errors.js';
import { formatPath } from './problems.js';

const positiveInt = (fallback: number) => z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').positive('must be above 0').default(fallback);
const url = (example: string) => z.url({ error: `not a URL; set it to ${example}` });
const required = (fix: string) => z.string({ error: (issue) => (issue.input === undefined ? `not set; ${fix}` : 'must be text') }).min(1, `empty; ${fix}`);

export const appSettingsSchema = z.object({
  SCALER_CONFIG: required('set it to the config JSON or to the path of a config file'),
  /** Table Storage: an endpoint (managed identity, production) or a connection string (Azurite, local). */
  SCALER_STATE_TABLE_ENDPOINT: url('https://<account>.table.core.windows.net').optional(),
  SCALER_STATE_CONNECTION_STRING: z.string().min(1).optional(),
  SCALER_STATE_TABLE_PREFIX: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,40}$/, 'letters and digits, starting with a letter').default('scaler'),
  /** Client id of the user-assigned managed identity the app uses for everything. */
  AZURE_CLIENT_ID: z.string().optional(),
  SCALER_ARM_ENDPOINT: url('https://management.azure.com or your cloud\'s ARM endpoint').optional(),
  /** `{region}` is replaced by the resource's region. */
  SCALER_METRICS_ENDPOINT_TEMPLATE: z.string().includes('{region}', { error: 'must contain {region}, e.g. https://{region}.metrics.monitor.azure.com' }).optional(),
  SCALER_CONCURRENCY: positiveInt(32),
  SCALER_LEDGER_RETENTION_DAYS: positiveInt(30),
  SCALER_ALERT_RECEIPT_RETENTION_DAYS: positiveInt(7),
  SCALER_LEASE_SECONDS: positiveInt(120),
});

export type AppSettings = z.output<typeof appSettingsSchema>;

export function parseAppSettings(env: Record<string, string | undefined>): AppSettings {
  const result = appSettingsSchema.safeParse(env);
  const problems = result.success ? [] : result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (result.success && !result.data.SCALER_STATE_TABLE_ENDPOINT && !result.data.SCALER_STATE_CONNECTION_STRING) {
    problems.push('SCALER_STATE_TABLE_ENDPOINT: not set; set it to https://<account>.table.core.windows.net (or SCALER_STATE_CONNECTION_STRING for local development)');
  }
  if (problems.length > 0 || !result.success) {
    throw new ScalerError('configuration', `app settings: ${problems.length} problem(s):\n${problems.join('\n')}`);
  }
  return result.data;
}
