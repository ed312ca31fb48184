/**
 * The Azure Monitor common alert schema, as action groups POST it to a webhook (metric alerts with static or
 * dynamic thresholds, log search alerts, activity log alerts). Only `data.essentials` and the custom
 * properties matter to the scaler; everything else Azure adds is tolerated. Legacy (non-common) payloads are
 * recognised and refused with the fix: enable the common alert schema on the action group.
 */
import { z } from 'zod';
import { InvalidInputError } from '../vocabulary/errors.js';
import { formatPath } from '../config/fields/problems.js';

export const COMMON_ALERT_SCHEMA_ID = 'azureMonitorCommonAlertSchema';
export const MONITOR_CONDITIONS = ['Fired', 'Resolved'] as const;
export type MonitorCondition = (typeof MONITOR_CONDITIONS)[number];

export interface CommonAlert {
  alertId: string;
  alertRule: string;
  alertRuleId?: string | undefined;
  severity: string;
  signalType: string;
  monitoringService: string;
  monitorCondition: MonitorCondition;
  alertTargetIds: string[];
  /** Exactly as the payload spells it: part of the delivery's identity (Azure Monitor retries repeat it). */
  firedDateTime: string;
  resolvedDateTime?: string | undefined;
  /**
   * The alert rule's custom properties: `data.customProperties`, over `alertContext.properties` (where log
   * search alerts carry them). Values as sent.
   */
  customProperties: Readonly<Record<string, unknown>>;
}

const TIME_TEXT = z
  .string()
  .min(1)
  .max(64)
  .refine((text) => !Number.isNaN(Date.parse(text)), 'is not a date and time');
const ID_TEXT = z.string().min(1).max(2048);

const essentialsSchema = z.looseObject({
  alertId: ID_TEXT,
  alertRule: z.string().min(1).max(512),
  alertRuleId: ID_TEXT.nullish(),
  severity: z.string().max(32),
  signalType: z.string().max(64),
  monitorCondition: z.enum(MONITOR_CONDITIONS),
  monitoringService: z.string().max(256),
  alertTargetIDs: z.array(ID_TEXT).max(500).nullish(),
  firedDateTime: TIME_TEXT,
  resolvedDateTime: TIME_TEXT.nullish(),
});

const propertiesSchema = z.record(z.string(), z.unknown()).nullish().catch(undefined);

const commonAlertSchema = z.looseObject({
  schemaId: z.literal(COMMON_ALERT_SCHEMA_ID),
  data: z.looseObject({
    essentials: essentialsSchema,
    alertContext: z.looseObject({ properties: propertiesSchema }).nullish().catch(undefined),
    customProperties: propertiesSchema,
  }),
});

/** Parses a webhook body. Throws `InvalidInputError` naming each bad field, or the legacy schema and its fix. */
export function parseCommonAlert(body: unknown): CommonAlert {
  const legacy = legacySchemaOf(body);
  if (legacy !== undefined) {
    throw new InvalidInputError(
      `alert payload: ${legacy} is not the common alert schema, which the scaler requires; enable the common alert schema on the action group's webhook action (Azure portal: Monitor > Alerts > Action groups > your group > Actions > edit the webhook > "Enable the common alert schema": Yes; ARM: useCommonAlertSchema: true)`,
      { details: { legacySchema: legacy } },
    );
  }
  const parsed = commonAlertSchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new InvalidInputError(
      `alert payload: not a valid common alert schema payload: ${problems.join('; ')}; send the body Azure Monitor action groups send`,
      {
        details: {
          errors: parsed.error.issues.map((issue) => ({ field: formatPath(issue.path), message: issue.message })),
        },
      },
    );
  }
  const { essentials, alertContext, customProperties } = parsed.data.data;
  return {
    alertId: essentials.alertId,
    alertRule: essentials.alertRule,
    alertRuleId: essentials.alertRuleId ?? undefined,
    severity: essentials.severity,
    signalType: essentials.signalType,
    monitoringService: essentials.monitoringService,
    monitorCondition: essentials.monitorCondition,
    alertTargetIds: essentials.alertTargetIDs ?? [],
    firedDateTime: essentials.firedDateTime,
    resolvedDateTime: essentials.resolvedDateTime ?? undefined,
    customProperties: { ...(alertContext?.properties ?? {}), ...(customProperties ?? {}) },
  };
}

/**
 * How a legacy payload names itself, or undefined when the body is not one: a `schemaId` other than the common
 * one (`AzureMonitorMetricAlert`, `Microsoft.Insights/activityLogs`, `Microsoft.Insights/LogAlert`), or the
 * classic shapes without a schemaId (`status` + `context`, or a log search alert's `AlertRuleName`).
 */
export function legacySchemaOf(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const schemaId = body['schemaId'];
  if (typeof schemaId === 'string')
    return schemaId === COMMON_ALERT_SCHEMA_ID ? undefined : `schemaId ${JSON.stringify(schemaId.slice(0, 80))}`;
  if (schemaId !== undefined) return undefined;
  const data = isRecord(body['data']) ? body['data'] : body;
  if (isRecord(data['context']) && typeof data['status'] === 'string')
    return `a classic alert payload (status ${JSON.stringify(String(data['status']).slice(0, 40))}, no schemaId)`;
  if (typeof data['AlertRuleName'] === 'string')
    return 'a legacy log search alert payload (AlertRuleName, no schemaId)';
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
