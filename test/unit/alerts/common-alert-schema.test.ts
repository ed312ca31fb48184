import { describe, expect, it } from 'vitest';
import { parseCommonAlert } from '../../../shared/alerts/common-alert-schema.js';
import { InvalidInputError } from '../../../shared/vocabulary/errors.js';
import { alertFixture, type AlertFixture } from '../../support/alert-fixtures.js';

function failure(body: unknown): InvalidInputError {
  try {
    parseCommonAlert(body);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the payload to be refused');
}

describe('parseCommonAlert', () => {
  it.each([
    {
      name: 'a static-threshold metric alert',
      fixture: 'metricStaticFired',
      rule: 'test-metricAlertRule',
      signal: 'Metric',
      condition: 'Fired',
      target: /storageaccounts\/test-storageAccount$/,
    },
    {
      name: 'a dynamic-threshold metric alert',
      fixture: 'metricDynamicFired',
      rule: 'test-dynamicMetricAlertRule',
      signal: 'Metric',
      condition: 'Fired',
      target: /storageAccounts\/test-storageAccount$/,
    },
    {
      name: 'a log search alert',
      fixture: 'logSearchFired',
      rule: 'test-logAlertRule-v2',
      signal: 'Log',
      condition: 'Fired',
      target: /workspaces\/test-logAnalyticsWorkspace$/,
    },
    {
      name: 'an activity log alert',
      fixture: 'activityLogFired',
      rule: 'test-activityLogAlertRule',
      signal: 'Activity Log',
      condition: 'Fired',
      target: /virtualmachines\/test-VM$/,
    },
    {
      name: 'a resolved metric alert',
      fixture: 'metricStaticResolved',
      rule: 'WCUS-R2-Gen2',
      signal: 'Metric',
      condition: 'Resolved',
      target: /virtualmachines\/wcus-r2-gen2$/,
    },
  ] satisfies Array<{
    name: string;
    fixture: AlertFixture;
    rule: string;
    signal: string;
    condition: string;
    target: RegExp;
  }>)('reads $name from the official sample', ({ fixture, rule, signal, condition, target }) => {
    const alert = parseCommonAlert(alertFixture(fixture));

    expect(alert).toMatchObject({ alertRule: rule, signalType: signal, monitorCondition: condition });
    expect(alert.alertTargetIds).toHaveLength(1);
    expect(alert.alertTargetIds[0]).toMatch(target);
    expect(alert.alertId).toMatch(/^\/subscriptions\//);
    expect(Date.parse(alert.firedDateTime)).not.toBeNaN();
  });

  it('keeps the fired time exactly as sent, since retries repeat it verbatim', () => {
    expect(parseCommonAlert(alertFixture('metricStaticResolved'))).toMatchObject({
      firedDateTime: '2019-03-22T13:58:24.3713213Z',
      resolvedDateTime: '2019-03-22T14:03:16.2246313Z',
    });
  });

  it('merges the rule custom properties over those a log search alert carries in its context', () => {
    const payload = alertFixture('logSearchFired');
    payload.data.customProperties = { customKey2: 'from the rule', 'scaler.direction': 'out' };

    expect(parseCommonAlert(payload).customProperties).toEqual({
      customKey1: 'value1',
      customKey2: 'from the rule',
      'scaler.direction': 'out',
    });
  });

  it.each([
    { name: 'the static-threshold fragment', fragment: 'staticContextFragment' },
    { name: 'the dynamic-threshold fragment', fragment: 'dynamicContextFragment' },
    { name: 'the activity log fragment', fragment: 'activityContextFragment' },
  ] satisfies Array<{ name: string; fragment: AlertFixture }>)(
    'accepts the alertContext of $name, whatever it holds',
    ({ fragment }) => {
      const payload = alertFixture('metricStaticFired');
      payload.data.alertContext = (alertFixture(fragment) as unknown as { alertContext: unknown }).alertContext;

      expect(parseCommonAlert(payload).alertRule).toBe('test-metricAlertRule');
    },
  );

  it('refuses the legacy metric alert payload and says to enable the common alert schema', () => {
    const error = failure(alertFixture('legacyMetric'));

    expect(error.message).toMatch(/schemaId "AzureMonitorMetricAlert" is not the common alert schema/);
    expect(error.message).toMatch(/enable the common alert schema on the action group/);
    expect(error.details).toMatchObject({ legacySchema: 'schemaId "AzureMonitorMetricAlert"' });
  });

  it.each([
    {
      name: 'a legacy activity log payload',
      body: { schemaId: 'Microsoft.Insights/activityLogs', data: { status: 'Activated', context: {} } },
      says: /Microsoft.Insights\/activityLogs/,
    },
    {
      name: 'a classic alert without a schemaId',
      body: { status: 'Activated', context: { name: 'cpu' } },
      says: /classic alert payload/,
    },
    {
      name: 'a legacy log search payload',
      body: { AlertRuleName: 'errors', SearchQuery: 'Heartbeat' },
      says: /legacy log search alert payload/,
    },
  ])('recognises $name as legacy', ({ body, says }) => {
    const error = failure(body);
    expect(error.message).toMatch(says);
    expect(error.message).toMatch(/enable the common alert schema/);
  });

  it.each([
    { name: 'not an object', body: 'hello', field: '(root)' },
    { name: 'no schemaId or data', body: {}, field: 'schemaId' },
    {
      name: 'an unknown monitor condition',
      body: withEssentials({ monitorCondition: 'Active' }),
      field: 'data.essentials.monitorCondition',
    },
    { name: 'no alert id', body: withEssentials({ alertId: undefined }), field: 'data.essentials.alertId' },
    {
      name: 'a fired time that is not a time',
      body: withEssentials({ firedDateTime: 'yesterday' }),
      field: 'data.essentials.firedDateTime',
    },
    {
      name: 'target ids that are not text',
      body: withEssentials({ alertTargetIDs: [42] }),
      field: 'data.essentials.alertTargetIDs[0]',
    },
  ])('names the field when a payload has $name', ({ body, field }) => {
    const error = failure(body);
    expect(error.message).toContain(`${field}: `);
    expect(error.details['errors']).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('treats missing target ids as none, so the alert is recorded as unmatched rather than refused', () => {
    expect(parseCommonAlert(withEssentials({ alertTargetIDs: null })).alertTargetIds).toEqual([]);
  });
});

function withEssentials(changes: Record<string, unknown>) {
  const payload = alertFixture('metricStaticFired');
  payload.data.essentials = { ...payload.data.essentials, ...changes };
  return payload;
}
