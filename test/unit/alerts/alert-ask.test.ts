import { describe, expect, it } from 'vitest';
import { alertRequest, askFromCustomProperties, ruleAllowed } from '../../../shared/alerts/alert-ask.js';
import type { CommonAlert } from '../../../shared/alerts/common-alert-schema.js';
import { targetSchema, type TargetConfig } from '../../../shared/config/schema/schema.js';
import { InvalidInputError } from '../../../shared/vocabulary/errors.js';

const KUSTO_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Kusto/clusters/telemetry';

const RULE_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Insights/metricAlerts/CPU-High';

/** A target that opted in to the rule 'CPU-High' unless `alerts` says otherwise. */
function target(alerts: Record<string, unknown> = {}): TargetConfig {
  return targetSchema.parse({
    name: 'telemetry',
    kind: 'kusto-cluster',
    resourceId: KUSTO_ID,
    mode: 'manual',
    limits: { min: 2, max: 10 },
    alerts: { allowRules: ['cpu-high'], ...alerts },
  });
}

function alert(overrides: Partial<CommonAlert> = {}): CommonAlert {
  return {
    alertId: 'alert-1',
    alertRule: 'CPU-High',
    severity: 'Sev2',
    signalType: 'Metric',
    monitoringService: 'Platform',
    monitorCondition: 'Fired',
    alertTargetIds: [KUSTO_ID],
    firedDateTime: '2025-03-01T10:00:00Z',
    customProperties: {},
    ...overrides,
  };
}

describe('askFromCustomProperties', () => {
  it.each([
    {
      name: 'a direction alone, one unit',
      properties: { 'scaler.direction': 'out' },
      ask: { direction: 'out', step: 1 },
    },
    {
      name: 'a direction and a step',
      properties: { 'scaler.direction': 'in', 'scaler.step': '2' },
      ask: { direction: 'in', step: 2 },
    },
    {
      name: 'keys and values in another case',
      properties: { 'Scaler.Direction': ' OUT ', 'SCALER.STEP': 3 },
      ask: { direction: 'out', step: 3 },
    },
  ])('reads $name', ({ properties, ask }) => {
    expect(askFromCustomProperties(properties)).toEqual({ ...ask, source: 'custom properties' });
  });

  it('finds no ask in properties that say nothing to the scaler', () => {
    expect(askFromCustomProperties({ customKey1: 'value1' })).toBeUndefined();
  });

  it.each([
    {
      name: 'a direction that is neither out nor in',
      properties: { 'scaler.direction': 'up' },
      message: /scaler.direction: "up" is not out or in/,
    },
    {
      name: 'a step of zero',
      properties: { 'scaler.direction': 'out', 'scaler.step': '0' },
      message: /scaler.step: "0" is not a whole number from 1 to 100/,
    },
    {
      name: 'a fractional step',
      properties: { 'scaler.direction': 'out', 'scaler.step': '1.5' },
      message: /scaler.step/,
    },
    { name: 'a step without a direction', properties: { 'scaler.step': '2' }, message: /set without scaler.direction/ },
    {
      name: 'a misspelled scaler property',
      properties: { 'scaler.dirction': 'out' },
      message: /'scaler.dirction': not one the scaler reads/,
    },
  ])('refuses $name, naming the property', ({ properties, message }) => {
    expect(() => askFromCustomProperties(properties)).toThrow(InvalidInputError);
    expect(() => askFromCustomProperties(properties)).toThrow(message);
  });
});

describe('alertRequest', () => {
  it('asks for one more unit when a fired alert says scale out', () => {
    const result = alertRequest(alert(), target(), { direction: 'out', step: 1, source: 'custom properties' });

    expect(result).toMatchObject({ request: { source: 'alert', delta: 1 } });
    expect('request' in result && result.request.reason).toMatch(/alert rule 'CPU-High' fired \(Sev2, Metric\)/);
  });

  it('falls back to the target config, matching the rule name in any case', () => {
    const result = alertRequest(alert(), target({ rules: { 'cpu-high': { direction: 'in', step: 2 } } }), undefined);

    expect(result).toMatchObject({ request: { delta: -2 }, ask: { source: 'config' } });
  });

  it('prefers the custom properties over the config', () => {
    const result = alertRequest(alert(), target({ rules: { 'CPU-High': { direction: 'in' } } }), {
      direction: 'out',
      step: 3,
      source: 'custom properties',
    });

    expect(result).toMatchObject({ request: { delta: 3 } });
  });

  it('says how to wire an alert that asks for nothing', () => {
    expect(alertRequest(alert(), target(), undefined)).toMatchObject({
      skip: 'NoScaleAction',
      message: expect.stringMatching(/no scaler.direction custom property.*no alerts.rules entry/),
    });
  });

  it('records a resolved alert without acting unless the target opts in', () => {
    const ask = { direction: 'out' as const, step: 2, source: 'config' as const };
    expect(alertRequest(alert({ monitorCondition: 'Resolved' }), target(), ask)).toMatchObject({
      skip: 'ResolvedNotActedOn',
    });
  });

  it('undoes the fired ask on a resolved alert when the target opts in', () => {
    const ask = { direction: 'out' as const, step: 2, source: 'config' as const };
    const result = alertRequest(alert({ monitorCondition: 'Resolved' }), target({ actOnResolved: true }), ask);

    expect(result).toMatchObject({ request: { source: 'alert', delta: -2 } });
    expect('request' in result && result.request.reason).toMatch(/resolved; undoing its scale-out by 2/);
  });
});

describe('ruleAllowed: a target acts only on alert rules it opted in to', () => {
  it.each([
    {
      name: 'the rule name in allowRules, in any case',
      alerts: { allowRules: ['cpu-HIGH'] },
      rule: { alertRule: 'CPU-High' },
      allowed: true,
    },
    {
      name: 'the rule id in allowRules, as Azure Monitor lowercases it',
      alerts: { allowRules: [RULE_ID] },
      rule: { alertRule: 'renamed', alertRuleId: RULE_ID.toLowerCase() },
      allowed: true,
    },
    {
      name: 'the rule name mapped in rules',
      alerts: { allowRules: [], rules: { 'cpu-high': { direction: 'out' } } },
      rule: { alertRule: 'CPU-High' },
      allowed: true,
    },
    {
      name: 'no allow-list and no mapped rules',
      alerts: { allowRules: [] },
      rule: { alertRule: 'CPU-High' },
      allowed: false,
    },
    {
      name: 'another rule name',
      alerts: { allowRules: ['cpu-high'] },
      rule: { alertRule: 'CPU-High-2' },
      allowed: false,
    },
    {
      name: 'a rule with the listed id in another resource group',
      alerts: { allowRules: [RULE_ID] },
      rule: { alertRule: 'CPU-High', alertRuleId: RULE_ID.replace('/rg/', '/rg-other/') },
      allowed: false,
    },
    {
      name: 'a rule without an id, against an id-only allow-list',
      alerts: { allowRules: [RULE_ID] },
      rule: { alertRule: 'CPU-High' },
      allowed: false,
    },
  ])('$name: allowed $allowed', ({ alerts, rule, allowed }) => {
    expect(ruleAllowed(target(alerts), rule)).toBe(allowed);
  });

  it('records and refuses an alert of a rule the target did not opt in to, even when its properties ask to scale', () => {
    const result = alertRequest(alert({ alertRule: 'someone-elses-rule' }), target(), {
      direction: 'out',
      step: 1,
      source: 'custom properties',
    });

    expect(result).toEqual({
      skip: 'AlertRuleNotAllowed',
      message:
        "alert rule 'someone-elses-rule' may not scale target 'telemetry': the target has not opted in to it; recorded and refused. To let it scale the target, add the rule's name or id to the target's alerts.allowRules",
    });
  });
});
