/**
 * The official Azure Monitor alert samples (test/fixtures/alerts, Microsoft's published samples, docs/azure-api-shapes.md), and
 * copies of them re-aimed at a resource, with custom properties, as an action group would send for a rule on it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ALERT_FIXTURES = {
  metricStaticFired: 'CommonSchema_MetricAlert_StaticThreshold_Fired_TestAction.json',
  metricStaticResolved: 'CommonSchema_MetricAlert_StaticThreshold_Resolved.json',
  metricDynamicFired: 'CommonSchema_MetricAlert_DynamicThreshold_Fired_TestAction.json',
  logSearchFired: 'CommonSchema_LogAlertV2_Fired_TestAction.json',
  activityLogFired: 'CommonSchema_ActivityLogAlert_Administrative_Fired_TestAction.json',
  legacyMetric: 'Legacy_MetricAlert_AzureMonitorMetricAlert_Activated.json',
  staticContextFragment: 'CommonSchema_MetricAlert_StaticThreshold_alertContext_fragment.json',
  dynamicContextFragment: 'CommonSchema_MetricAlert_DynamicThreshold_alertContext_fragment.json',
  activityContextFragment: 'CommonSchema_ActivityLogAlert_Administrative_alertContext_fragment.json',
} as const;

export type AlertFixture = keyof typeof ALERT_FIXTURES;

/** The parts of a common-schema payload tests change; everything else stays as the sample has it. */
export interface AlertPayload {
  schemaId: string;
  data: {
    essentials: Record<string, unknown>;
    alertContext?: unknown;
    customProperties?: unknown;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** A fresh copy of the sample each call, so tests may change it. */
export function alertFixture(name: AlertFixture): AlertPayload {
  const file = fileURLToPath(new URL(`../fixtures/alerts/${ALERT_FIXTURES[name]}`, import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as AlertPayload;
}

export interface AlertOptions {
  /** The resource the alert is about. */
  resourceId: string;
  alertId?: string;
  alertRule?: string;
  monitorCondition?: 'Fired' | 'Resolved';
  firedDateTime?: string;
  /** Replaces the sample's custom properties. */
  customProperties?: Record<string, string> | null;
}

/** A real sample, re-aimed at `resourceId` with the given identity and custom properties. */
export function alertFor(
  options: AlertOptions,
  sample: AlertFixture = options.monitorCondition === 'Resolved' ? 'metricStaticResolved' : 'metricStaticFired',
): AlertPayload {
  const payload = alertFixture(sample);
  const essentials = payload.data.essentials;
  essentials.alertTargetIDs = [options.resourceId];
  essentials.configurationItems = [options.resourceId.split('/').at(-1)];
  if (options.alertId) essentials.alertId = options.alertId;
  if (options.alertRule) essentials.alertRule = options.alertRule;
  if (options.monitorCondition) essentials.monitorCondition = options.monitorCondition;
  if (options.firedDateTime) essentials.firedDateTime = options.firedDateTime;
  if (options.customProperties !== undefined) payload.data.customProperties = options.customProperties;
  return payload;
}

export function alertId(suffix: string): string {
  return `/subscriptions/00000000-0000-0000-0000-0000000000aa/providers/Microsoft.AlertsManagement/alerts/${suffix}`;
}
