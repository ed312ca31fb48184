import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../shared/config/validate.js';

const PG_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders';
const KUSTO_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Kusto/clusters/telemetry';
const pg = (alerts: unknown) => ({
  name: 'orders',
  kind: 'postgres-elastic-cluster',
  resourceId: PG_ID,
  mode: 'manual',
  limits: { min: 2, max: 8 },
  database: { user: 'scaler-identity' },
  alerts,
});
const kusto = (alerts: unknown) => ({
  name: 'telemetry',
  kind: 'kusto-cluster',
  resourceId: KUSTO_ID,
  mode: 'manual',
  limits: { min: 2, max: 8 },
  alerts,
});

describe('the alerts block of a target', () => {
  it('defaults to no mapped rules, no allowed rules and no action on resolved alerts, with one unit per mapped alert', () => {
    const result = validateConfig({
      version: 1,
      targets: [pg(undefined), kusto({ rules: { 'cpu-high': { direction: 'in' } } })],
    });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.targets[0]?.alerts).toEqual({ rules: {}, allowRules: [], actOnResolved: false });
    expect(result.config.targets[1]?.alerts.rules).toEqual({ 'cpu-high': { direction: 'in', step: 1 } });
  });

  it.each([
    {
      name: 'a scale-in alert rule on an elastic cluster',
      raw: pg({ rules: { 'cpu-low': { direction: 'in' } } }),
      path: 'targets[0].alerts.rules.cpu-low.direction',
      message: /Azure does not offer scale-in for elastic clusters/,
    },
    {
      name: 'one alert rule twice in different case',
      raw: kusto({ rules: { 'CPU-High': { direction: 'out' }, 'cpu-high': { direction: 'out' } } }),
      path: 'targets[0].alerts.rules.cpu-high',
      message: /same alert rule as "CPU-High"/,
    },
    {
      name: 'a step of zero',
      raw: kusto({ rules: { 'cpu-high': { direction: 'out', step: 0 } } }),
      path: 'targets[0].alerts.rules.cpu-high.step',
      message: /must be 1 or more/,
    },
    {
      name: 'an allow-list id that is no alert rule',
      raw: kusto({ allowRules: [KUSTO_ID] }),
      path: 'targets[0].alerts.allowRules[0]',
      message: /is not the ARM id of an alert rule, so no alert's essentials.alertRuleId can equal it/,
    },
    {
      name: 'an empty allow-list entry',
      raw: kusto({ allowRules: ['  '] }),
      path: 'targets[0].alerts.allowRules[0]',
      message: /too small/,
    },
    {
      name: 'an unknown direction',
      raw: kusto({ rules: { 'cpu-high': { direction: 'up' } } }),
      path: 'targets[0].alerts.rules.cpu-high.direction',
      message: /"out"\|"in"/,
    },
  ])('reports $name at its path', ({ raw, path, message }) => {
    const result = validateConfig({ version: 1, targets: [raw] });
    const problem = result.ok ? undefined : result.errors.find((one) => one.path === path);
    expect(problem, JSON.stringify(result.ok ? [] : result.errors)).toBeDefined();
    expect(problem?.message).toMatch(message);
  });

  it('warns that an elastic cluster cannot act on resolved alerts', () => {
    const result = validateConfig({ version: 1, targets: [pg({ actOnResolved: true })] });
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        path: 'targets[0].alerts.actOnResolved',
        message: expect.stringMatching(/resolved alerts will be recorded and refused/),
      }),
    ]);
  });
});
