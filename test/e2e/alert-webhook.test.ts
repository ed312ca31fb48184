import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  kustoResourceId,
  pgResourceId,
  servicesFor,
  startHarness,
  type Harness,
  type LogLine,
  acceptedPatches,
  addManualKusto,
  addManualPg,
} from '../support/scaler-harness.js';
import { createLogger } from '../../shared/logging.js';
import { scalerApi, type ScalerApi } from '../support/api-services.js';
import { alertFixture, alertFor, alertId, type AlertOptions } from '../support/alert-fixtures.js';
import { startEntraStandIn, type EntraStandIn } from '../support/entra-standin.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';
import type { Services } from '../../functions/composition-root.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const config = (...targets: unknown[]): ConfigInput => ({ version: 1, targets }) as ConfigInput;
const OUT = { 'scaler.direction': 'out' };

/** The rules of the fired and resolved sample alerts; the targets below opt in to them unless a test says otherwise. */
const SAMPLE_RULES = ['test-metricAlertRule', 'WCUS-R2-Gen2'];
const optedIn = (overrides: Record<string, unknown>) => ({
  ...overrides,
  alerts: { allowRules: SAMPLE_RULES, ...(overrides['alerts'] as object | undefined) },
});
const pg = (name: string, overrides: Record<string, unknown> = {}, clusterSize = 3) =>
  addManualPg(harness.emulator, name, optedIn(overrides), clusterSize);
const kusto = (name: string, overrides: Record<string, unknown> = {}, capacity = 4) =>
  addManualKusto(harness.emulator, name, optedIn(overrides), capacity);

async function apiFor(...targets: unknown[]): Promise<{ api: ScalerApi; services: Services }> {
  const services = await harness.services(config(...targets));
  return { api: scalerApi(services), services };
}

const patches = (name: string) => acceptedPatches(harness.emulator, name);
const fired = (name: string, id: string, extra: Partial<AlertOptions> = {}) =>
  alertFor({ resourceId: pgResourceId(name), alertId: alertId(id), customProperties: OUT, ...extra });

describe('POST /api/alerts: Azure Monitor common alert schema', () => {
  it('scales an elastic cluster out once on a fired alert whose rule says scaler.direction out', async () => {
    const { api, services } = await apiFor(pg('alerted'));

    const answer = await api.alert(fired('alerted', 'a-1'));

    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      duplicate: false,
      matched: true,
      alertId: alertId('a-1'),
      monitorCondition: 'Fired',
    });
    expect(answer.body['targets']).toEqual([
      expect.objectContaining({
        target: 'alerted',
        acted: true,
        reason: 'AlertFired',
        asked: { direction: 'out', step: 1, from: 'custom properties' },
      }),
    ]);
    expect(patches('alerted').map((request) => request.body)).toEqual([
      { properties: { cluster: { clusterSize: 4 } } },
    ]);
    const statusUrl = (answer.body['targets'] as Array<{ statusUrl: string }>)[0]?.statusUrl ?? '';
    expect(statusUrl).toMatch(/^https:\/\/scaler-test\.azurewebsites\.net\/api\/operations\//);
    const operation = await api.operation(statusUrl);
    expect(operation.body).toMatchObject({
      target: 'alerted',
      trigger: 'alert',
      initiator: alertId('a-1'),
      status: 'running',
      from: 3,
      to: 4,
    });
    expect((await services.state.listDecisions('alerted', 5)).map((record) => record.trigger)).toEqual(['alert']);
  });

  it('answers a redelivery with 200 duplicate and does nothing else', async () => {
    const { api, services } = await apiFor(pg('retried'));
    const payload = fired('retried', 'r-1');
    await api.alert(payload);
    const before = {
      decisions: await services.state.listDecisions('retried', 50),
      operations: await services.state.listOperations('retried', 50),
    };

    const retries = await Promise.all([api.alert(payload), api.alert(payload), api.alert(payload)]);

    expect(retries.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(retries[0]?.body).toMatchObject({
      duplicate: true,
      alertId: alertId('r-1'),
      monitorCondition: 'Fired',
      firstReceivedAt: expect.any(String),
    });
    expect(patches('retried')).toHaveLength(1);
    expect(await services.state.listDecisions('retried', 50)).toEqual(before.decisions);
    expect(await services.state.listOperations('retried', 50)).toEqual(before.operations);
  });

  it('records an alert about no configured target and answers 202 matched false', async () => {
    const { api } = await apiFor(pg('bystander'));
    const payload = alertFixture('metricStaticFired');

    const first = await api.alert(payload);
    const retry = await api.alert(payload);

    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ duplicate: false, matched: false, alertRule: 'test-metricAlertRule' });
    expect(first.body['message']).toMatch(
      /storageaccounts\/test-storageAccount, which no configured target covers; recorded and ignored/,
    );
    expect(retry.body).toMatchObject({ duplicate: true });
    expect(patches('bystander')).toHaveLength(0);
  });

  it('refuses a legacy payload with 400 telling the user to enable the common alert schema, and records nothing', async () => {
    const { api, services } = await apiFor(pg('legacy'));

    const answer = await api.alert(alertFixture('legacyMetric'));

    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({
      status: 400,
      type: 'tag:elastic-scaler,2025:problem:invalid-input',
      instance: '/api/alerts',
    });
    expect(answer.body['detail']).toMatch(/enable the common alert schema on the action group's webhook action/);
    expect(await services.state.listDecisions('legacy', 5)).toEqual([]);
  });

  it.each([
    { name: 'the coordinator', node: 'nodes-c' },
    { name: 'a worker node', node: 'nodes-w1' },
  ])('maps an alert on $name of an elastic cluster to the cluster', async ({ node }) => {
    const name = `nodes${node.slice(-1)}`;
    const { api } = await apiFor(pg(name));

    const answer = await api.alert(
      alertFor({
        resourceId: pgResourceId(`${name}-${node.split('-')[1]}`),
        alertId: alertId(`node-${name}`),
        customProperties: OUT,
      }),
    );

    expect(answer.body['targets']).toEqual([expect.objectContaining({ target: name, acted: true })]);
    expect(patches(name)).toHaveLength(1);
  });

  it('takes the ask from the target config when the rule has no scaler custom properties', async () => {
    const { api } = await apiFor(pg('mapped', { alerts: { rules: { 'cpu-high': { direction: 'out', step: 2 } } } }));

    const answer = await api.alert(
      fired('mapped', 'm-1', { alertRule: 'CPU-High', customProperties: { team: 'data' } }),
    );

    expect(answer.body['targets']).toEqual([
      expect.objectContaining({ acted: true, asked: { direction: 'out', step: 2, from: 'config' } }),
    ]);
    expect(patches('mapped')[0]?.body).toEqual({ properties: { cluster: { clusterSize: 5 } } });
  });

  it('says how to wire an alert that asks for nothing, and does not act', async () => {
    const { api } = await apiFor(pg('unwired'));

    const answer = await api.alert(fired('unwired', 'u-1', { customProperties: null }));

    expect(answer.status).toBe(202);
    expect(answer.body['targets']).toEqual([
      {
        target: 'unwired',
        acted: false,
        reason: 'NoScaleAction',
        message: expect.stringMatching(
          /no scaler.direction custom property and target 'unwired' has no alerts.rules entry/,
        ),
      },
    ]);
    expect(answer.logs.some((line) => line.level === 'warning' && /says nothing to do/.test(line.message))).toBe(true);
    expect(patches('unwired')).toHaveLength(0);
  });

  it('refuses custom properties it cannot use with 400, records nothing, and accepts the fixed delivery', async () => {
    const { api } = await apiFor(pg('typo'));
    const bad = fired('typo', 't-1', { customProperties: { 'scaler.direction': 'up' } });

    const refused = await api.alert(bad);
    const fixed = await api.alert(fired('typo', 't-1'));

    expect(refused.status).toBe(400);
    expect(refused.body['detail']).toMatch(/scaler.direction: "up" is not out or in/);
    expect(fixed.status).toBe(202);
    expect(patches('typo')).toHaveLength(1);
  });

  it('records an alert whose rule the target has not opted in to, refuses it and never reaches ARM', async () => {
    const { api, services } = await apiFor(pg('closed', { alerts: { allowRules: [] } }));
    const payload = fired('closed', 'c-1');

    const answer = await api.alert(payload);
    const retry = await api.alert(payload);

    expect(answer.status).toBe(202);
    expect(answer.body['targets']).toEqual([
      {
        target: 'closed',
        acted: false,
        reason: 'AlertRuleNotAllowed',
        message: expect.stringMatching(
          /^alert rule 'test-metricAlertRule' may not scale target 'closed': the target has not opted in to it; recorded and refused/,
        ),
      },
    ]);
    expect(
      answer.logs.some((line) => line.level === 'warning' && /may not scale target 'closed'/.test(line.message)),
    ).toBe(true);
    expect(retry.body).toMatchObject({ duplicate: true });
    expect(patches('closed')).toHaveLength(0);
    expect(await services.state.listDecisions('closed', 5)).toEqual([]);
  });

  it('scales a target that opted in to the rule by its ARM id, in whatever case Azure Monitor sends it', async () => {
    const ruleId =
      '/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-alerts/providers/Microsoft.Insights/metricAlerts/orders-cpu-high';
    const { api } = await apiFor(pg('byid', { alerts: { allowRules: [ruleId] } }));
    const payload = fired('byid', 'id-1');
    payload.data.essentials['alertRuleId'] = ruleId.toLowerCase();

    const answer = await api.alert(payload);

    expect(answer.body['targets']).toEqual([expect.objectContaining({ target: 'byid', acted: true })]);
    expect(patches('byid')).toHaveLength(1);
  });

  describe('every guard still applies to a fired alert', () => {
    it.each([
      {
        name: 'an operation in progress',
        reason: 'OperationInProgress',
        target: () => pg('guard-busy'),
        before: async (api: ScalerApi) => api.alert(fired('guard-busy', 'g-0')),
        expectedPatches: 1,
      },
      {
        name: 'a paused direction',
        reason: 'Paused',
        target: () => pg('guard-paused', { paused: { scaleOut: true } }),
        before: async () => undefined,
        expectedPatches: 0,
      },
      {
        name: 'the maximum',
        reason: 'AtMaximum',
        target: () => pg('guard-max', {}, 10),
        before: async () => undefined,
        expectedPatches: 0,
      },
      {
        name: 'the one-way door of an elastic cluster',
        reason: 'ScaleInUnsupported',
        target: () => pg('guard-door'),
        before: async () => undefined,
        expectedPatches: 0,
        properties: { 'scaler.direction': 'in' },
      },
    ])('refuses to act past $name and says why', async ({ reason, target, before, expectedPatches, properties }) => {
      const spec = target();
      const { api } = await apiFor(spec);
      await before(api);

      const answer = await api.alert(
        fired(spec.name, `${spec.name}-late`, properties ? { customProperties: properties } : {}),
      );

      expect(answer.status).toBe(202);
      expect(answer.body['targets']).toEqual([expect.objectContaining({ target: spec.name, acted: false, reason })]);
      expect(patches(spec.name)).toHaveLength(expectedPatches);
    });
  });

  it('records a resolved alert without acting unless the target opts in', async () => {
    const { api } = await apiFor(pg('resolved'));

    const answer = await api.alert(
      alertFor({
        resourceId: pgResourceId('resolved'),
        alertId: alertId('res-1'),
        monitorCondition: 'Resolved',
        customProperties: OUT,
      }),
    );

    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ monitorCondition: 'Resolved', matched: true });
    expect(answer.body['targets']).toEqual([expect.objectContaining({ acted: false, reason: 'ResolvedNotActedOn' })]);
    expect(patches('resolved')).toHaveLength(0);
  });

  it('treats the resolution of an alert as a new delivery, and scales an ADX cluster back in when it opts in', async () => {
    const { api } = await apiFor(kusto('resolvingadx', { alerts: { actOnResolved: true } }));
    const options = {
      resourceId: kustoResourceId('resolvingadx'),
      alertId: alertId('res-adx'),
      firedDateTime: '2025-04-15T18:17:12.851Z',
      customProperties: OUT,
    };

    const answer = await api.alert(alertFor({ ...options, monitorCondition: 'Resolved' }));

    expect(answer.body).toMatchObject({ duplicate: false, monitorCondition: 'Resolved' });
    expect(answer.body['targets']).toEqual([expect.objectContaining({ acted: true, reason: 'AlertFired' })]);
    expect(patches('resolvingadx')[0]?.body).toMatchObject({ sku: { capacity: 3 } });
  });

  it('gives the delivery back when Azure is unavailable, so the retry Azure Monitor sends is processed', async () => {
    const { api } = await apiFor(pg('outage'));
    const payload = fired('outage', 'o-1');
    harness.emulator.faults.serverError({ status: 503, method: 'GET', path: '/flexibleServers/outage', times: 20 });

    const failed = await api.alert(payload);
    harness.emulator.faults.clear();
    const retried = await api.alert(payload);

    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('10');
    expect(failed.body['detail']).toMatch(
      /alert processing failed for target 'outage': .*503.*; the delivery was not recorded, so Azure Monitor's retry will process it/,
    );
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ duplicate: false });
    expect(patches('outage')).toHaveLength(1);
  });

  it('refuses a body that is not JSON with 400, never 500', async () => {
    const { api } = await apiFor(pg('garbage'));

    const answer = await api.alert('{"schemaId": "azureMonitorCommonAlertSchema", ');

    expect(answer.status).toBe(400);
    expect(answer.body['detail']).toMatch(/^body: not valid JSON/);
  });
});

describe('POST /api/alerts with Secure Webhook (Entra ID)', () => {
  let entra: EntraStandIn;

  beforeAll(async () => {
    entra = await startEntraStandIn();
  });

  afterAll(async () => {
    await entra?.close();
  });

  it('accepts the action group token carrying the webhook role and refuses a delivery without one', async () => {
    const services = await harness.services(
      config(pg('secure')),
      entra.settings({ SCALER_ENTRA_ALERT_ROLE: 'ActionGroupsSecureWebhook' }),
    );
    const api = scalerApi(services);

    const anonymous = await api.alert(fired('secure', 's-1'));
    const wrongRole = await api.alert(fired('secure', 's-1'), {
      authorization: `Bearer ${await entra.token({ roles: ['Scaler.Operate'] })}`,
    });
    const secure = await api.alert(fired('secure', 's-1'), {
      authorization: `Bearer ${await entra.token({ roles: ['ActionGroupsSecureWebhook'] })}`,
    });

    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="elastic-scaler"');
    expect(wrongRole.status).toBe(403);
    expect(secure.status).toBe(202);
    expect(patches('secure')).toHaveLength(1);
  });

  it('refuses a token that carries no roles with 403 even when no alert role is set, and acts on the Secure Webhook role', async () => {
    const services = await harness.services(config(pg('roleless')), entra.settings());
    const api = scalerApi(services);

    const roleless = await api.alert(fired('roleless', 'rl-1'), { authorization: `Bearer ${await entra.token()}` });
    const webhook = await api.alert(fired('roleless', 'rl-1'), {
      authorization: `Bearer ${await entra.token({ roles: ['ActionGroupsSecureWebhook'] })}`,
    });

    expect(roleless.status).toBe(403);
    expect(roleless.body['detail']).toMatch(/lacks the app role 'ActionGroupsSecureWebhook' \(it has none\)/);
    expect(webhook.status).toBe(202);
    expect(patches('roleless')).toHaveLength(1);
  });

  it('refuses to start when Entra ID covers operators only while a target acts on alerts, saying what to change', async () => {
    await expect(
      harness.services(config(pg('exposed')), entra.settings({ SCALER_ENTRA_APPLY_TO: 'operators' })),
    ).rejects.toThrow(
      /SCALER_ENTRA_APPLY_TO: operators leaves POST \/api\/alerts to the function key alone while 1 target\(s\) act on alerts \(exposed\); set it to all \(or alerts\)/,
    );
  });

  it('warns at start-up that the function key alone guards alerts when Entra ID is off', async () => {
    const lines: LogLine[] = [];
    await servicesFor(
      harness.emulator,
      harness.azurite,
      config(pg('keyonly')),
      {},
      { log: createLogger((level, message, fields) => lines.push({ level, message, fields })) },
    );

    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringMatching(
          /^app settings: POST \/api\/alerts is protected by the function key alone while 1 target\(s\) act on alerts \(keyonly\).*set SCALER_ENTRA_TENANT_ID and SCALER_ENTRA_AUDIENCES/,
        ),
      }),
    );
  });
});
