import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { MINUTE_MS } from '../../tools/emulator/index.js';
import {
  pgResourceId,
  startHarness,
  tick,
  type Harness,
  acceptedPatches,
  addManualKusto,
  addManualPg,
} from '../support/scaler-harness.js';
import { scalerApi, type ScalerApi } from '../support/api-services.js';
import { alertFor, alertId } from '../support/alert-fixtures.js';
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

const pg = (name: string, overrides: Record<string, unknown> = {}, clusterSize = 3) =>
  addManualPg(harness.emulator, name, overrides, clusterSize);
const kusto = (name: string, overrides: Record<string, unknown> = {}, capacity = 4) =>
  addManualKusto(harness.emulator, name, overrides, capacity);

async function apiFor(...targets: unknown[]): Promise<{ api: ScalerApi; services: Services }> {
  const services = await harness.services(config(...targets));
  return { api: scalerApi(services), services };
}

const patches = (name: string) => acceptedPatches(harness.emulator, name);
const advance = (minutes: number) => harness.emulator.clock.advance(minutes * MINUTE_MS);

describe('POST /api/targets/{name}/scale', () => {
  it('scales to the capacity asked for: 202 with the decision, the operation and its status URL', async () => {
    const { api, services } = await apiFor(pg('manual-up'));

    const answer = await api.scale('manual-up', { capacity: 6, reason: 'Black Friday' });

    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      target: 'manual-up',
      acted: true,
      decision: { action: 'scale-out', from: 3, to: 6, reason: 'ManualRequest' },
    });
    expect((answer.body['decision'] as { message: string }).message).toMatch(
      /operator asked to go from 3 to 6 nodes: Black Friday/,
    );
    const statusUrl = answer.body['statusUrl'] as string;
    expect(answer.headers.get('location')).toBe(statusUrl);
    expect(patches('manual-up').map((request) => request.body)).toEqual([
      { properties: { cluster: { clusterSize: 6 } } },
    ]);

    const running = await api.operation(statusUrl);
    expect(running.status).toBe(200);
    expect(running.body).toMatchObject({
      target: 'manual-up',
      trigger: 'manual',
      initiator: 'operator (function key)',
      status: 'running',
      from: 3,
      to: 6,
      statusUrl,
    });
    expect(JSON.stringify(running.body)).not.toContain('resumeToken');

    advance(6);
    await tick(services);
    expect((await api.operation(statusUrl)).body).toMatchObject({
      status: 'succeeded',
      completedAt: expect.any(String),
    });
  });

  it('scales by a delta, in either direction where the target can', async () => {
    const { api } = await apiFor(kusto('manualadx'));

    const answer = await api.scale('manualadx', { delta: -1, reason: 'quiet weekend' });

    expect(answer.status).toBe(202);
    expect(patches('manualadx')[0]?.body).toMatchObject({ sku: { capacity: 3 } });
  });

  it('answers a dry-run with 200 and the decision it would take, and writes nothing', async () => {
    const { api, services } = await apiFor(pg('dry'));

    const answer = await api.scale('dry', { capacity: 5, reason: 'what if', dryRun: true });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      target: 'dry',
      dryRun: true,
      wouldAct: true,
      decision: { action: 'scale-out', to: 5, reason: 'ManualRequest', evidence: expect.any(Object) },
    });
    expect(patches('dry')).toHaveLength(0);
    expect(await services.state.listDecisions('dry', 5)).toEqual([]);
    expect(await services.state.listOperations('dry', 5)).toEqual([]);
  });

  it('refuses a capacity outside the limits with 422 OutsideLimits, rather than clamping it', async () => {
    const { api, services } = await apiFor(pg('too-big'));

    const answer = await api.scale('too-big', { capacity: 15, reason: 'go big' });

    expect(answer.status).toBe(422);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({
      status: 422,
      reason: 'OutsideLimits',
      decision: { action: 'none', from: 3, to: 3 },
    });
    expect(answer.body['detail']).toMatch(/operator asked for 15, outside the limits 2..10; nothing changed/);
    expect(patches('too-big')).toHaveLength(0);
    expect((await services.state.listDecisions('too-big', 1))[0]?.decision.reason).toBe('OutsideLimits');
  });

  it.each([
    {
      name: 'a scale-in of an elastic cluster',
      body: { capacity: 2, reason: 'save money' },
      reason: 'ScaleInUnsupported',
      detail: /Azure does not offer scale-in for elastic clusters.*; elastic clusters can only grow/,
    },
    {
      name: 'more at the maximum',
      body: { delta: 1, reason: 'more' },
      size: 10,
      reason: 'AtMaximum',
      detail: /already the maximum; raise limits.max/,
    },
  ])('refuses $name with 422 and the reason code', async ({ body, reason, detail, size }) => {
    const name = `refuse-${reason.toLowerCase()}`;
    const { api } = await apiFor(pg(name, {}, size ?? 3));

    const answer = await api.scale(name, body);

    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ reason });
    expect(answer.body['detail']).toMatch(detail);
  });

  it('refuses with 409 OperationInProgress while an operation runs', async () => {
    const { api } = await apiFor(pg('running'));
    await api.scale('running', { delta: 1, reason: 'first' });

    const answer = await api.scale('running', { delta: 1, reason: 'second' });

    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({
      reason: 'OperationInProgress',
      type: 'tag:elastic-scaler,2025:problem:conflict',
    });
    expect(patches('running')).toHaveLength(1);
  });

  it('refuses with 409 during the cooldown, and acts when told to ignore it', async () => {
    const { api, services } = await apiFor(pg('cooling'));
    await api.scale('cooling', { delta: 1, reason: 'first' });
    advance(6);
    await tick(services);

    const refused = await api.scale('cooling', { delta: 1, reason: 'again' });
    const forced = await api.scale('cooling', { delta: 1, reason: 'again, really', ignoreCooldown: true });

    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ reason: 'CooldownActive' });
    expect(refused.body['detail']).toMatch(
      /cooldown of 30 min.*; retry when the cooldown ends, or send "ignoreCooldown": true/,
    );
    expect(forced.status).toBe(202);
    expect(patches('cooling').map((request) => request.body)).toEqual([
      { properties: { cluster: { clusterSize: 4 } } },
      { properties: { cluster: { clusterSize: 5 } } },
    ]);
  });

  it('answers 200 when the target already has the capacity asked for', async () => {
    const { api } = await apiFor(pg('already'));

    const answer = await api.scale('already', { capacity: 3, reason: 'make sure' });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ acted: false, decision: { reason: 'AlreadyAtRequestedCapacity' } });
  });

  it('answers 200 for a target in dry-run mode, with what it would have done, and changes nothing', async () => {
    const { api } = await apiFor(pg('rehearsal', { dryRun: true }));

    const answer = await api.scale('rehearsal', { delta: 2, reason: 'rehearse' });

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      acted: false,
      decision: { action: 'none', reason: 'DryRun', evidence: { dryRun: { action: 'scale-out', to: 5 } } },
    });
    expect(patches('rehearsal')).toHaveLength(0);
  });

  it('lets one of two concurrent requests act; the other is told why not with 409', async () => {
    const { api } = await apiFor(pg('contended'));

    const answers = await Promise.all([
      api.scale('contended', { delta: 1, reason: 'a' }),
      api.scale('contended', { delta: 2, reason: 'b' }),
    ]);

    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 409]);
    expect(['LeaseHeld', 'OperationInProgress']).toContain(
      answers.find((answer) => answer.status === 409)?.body['reason'],
    );
    expect(patches('contended')).toHaveLength(1);
  });

  it.each([
    { name: 'no body', target: 'bad-empty', body: '', detail: /^body: empty/ },
    { name: 'broken JSON', target: 'bad-json', body: '{"capacity": 4', detail: /^body: not valid JSON/ },
    { name: 'no reason', target: 'bad-reason', body: { capacity: 4 }, detail: /^body.reason: missing/ },
    {
      name: 'both capacity and delta',
      target: 'bad-both',
      body: { capacity: 4, delta: 1, reason: 'x' },
      detail: /set exactly one of capacity/,
    },
    {
      name: 'a capacity as text',
      target: 'bad-text',
      body: { capacity: 'four', reason: 'x' },
      detail: /^body.capacity: /,
    },
  ])('refuses $name with 400, names the field and changes nothing', async ({ target, body, detail }) => {
    const { api, services } = await apiFor(pg(target));

    const answer = await api.scale(target, body);

    expect(answer.status).toBe(400);
    expect(answer.body['detail']).toMatch(detail);
    expect(await services.state.listDecisions(target, 5)).toEqual([]);
  });

  it('answers 503 with Retry-After when Azure cannot be read, so the caller knows when to come back', async () => {
    const { api, services } = await apiFor(pg('armdown'));
    harness.emulator.faults.serverError({ status: 503, method: 'GET', path: '/flexibleServers/armdown', times: 20 });

    const answer = await api.scale('armdown', { delta: 1, reason: 'x' });
    harness.emulator.faults.clear();

    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe('10');
    expect(patches('armdown')).toHaveLength(0);
    expect(await services.state.listOperations('armdown', 5)).toEqual([]);
  });

  it('answers 404 for a target that is not configured, without listing the ones that are', async () => {
    const { api } = await apiFor(pg('known'));

    const answers = await Promise.all([
      api.scale('unknown', { capacity: 3, reason: 'x' }),
      api.target('unknown'),
      api.pause('unknown', { reason: 'x' }),
    ]);

    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
    expect(answers[0]?.body['detail']).toBe(
      'target "unknown" is not configured; check the name (GET /api/targets lists the targets)',
    );
    for (const answer of answers) expect(answer.text).not.toMatch(/\bknown\b/);
  });
});

describe('POST /api/targets/{name}/pause and /resume', () => {
  it('pauses scale-out so requests and alerts are refused, and resumes it', async () => {
    const { api } = await apiFor(pg('pausable', { alerts: { allowRules: ['test-metricAlertRule'] } }));

    const paused = await api.pause('pausable', { direction: 'out', reason: 'incident 42' });
    const refused = await api.scale('pausable', { delta: 1, reason: 'more' });
    const alert = await api.alert(
      alertFor({
        resourceId: pgResourceId('pausable'),
        alertId: alertId('p-1'),
        customProperties: { 'scaler.direction': 'out' },
      }),
    );
    const resumed = await api.resume('pausable', { direction: 'out' });
    const accepted = await api.scale('pausable', { delta: 1, reason: 'more' });

    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({
      target: 'pausable',
      paused: {
        scaleOut: true,
        scaleIn: false,
        byApi: { scaleOut: true, updatedBy: 'operator (function key)', reason: 'incident 42' },
      },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ reason: 'Paused' });
    expect(alert.body['targets']).toEqual([expect.objectContaining({ acted: false, reason: 'Paused' })]);
    expect(resumed.body).toMatchObject({ paused: { scaleOut: false, byApi: { reason: 'resumed through the API' } } });
    expect(accepted.status).toBe(202);
  });

  it('keeps the other direction as it was', async () => {
    const { api } = await apiFor(kusto('twoways'));
    await api.pause('twoways', { reason: 'freeze' });

    const answer = await api.resume('twoways', { direction: 'in', reason: 'allow shrinking' });

    expect(answer.body).toMatchObject({ paused: { scaleOut: true, scaleIn: false } });
  });

  it('asks why a target is paused', async () => {
    const { api } = await apiFor(pg('why'));
    const answer = await api.pause('why', { direction: 'both' });
    expect(answer.status).toBe(400);
    expect(answer.body['detail']).toMatch(/body.reason: missing; say why the target is paused/);
  });
});

describe('GET /api/targets, /api/targets/{name} and /api/operations/{id}', () => {
  it('shows configured and live capacity, limits, mode, pauses, cooldown, the operation in progress and the last decisions', async () => {
    const { api, services } = await apiFor(pg('observed', { mode: 'manual', paused: { scaleIn: true } }));
    await api.scale('observed', { capacity: 5, reason: 'launch' });

    const during = await api.target('observed');
    advance(6);
    await tick(services);
    const after = await api.target('observed', '?decisions=2');

    expect(during.status).toBe(200);
    expect(during.body).toMatchObject({
      name: 'observed',
      kind: 'postgres-elastic-cluster',
      mode: 'manual',
      dryRun: false,
      limits: { min: 2, max: 10, default: 2 },
      effectiveLimits: { min: 2, max: 10 },
      capacity: { live: 3, requested: 5 },
      live: { status: 'Updating', region: 'westeurope' },
      paused: { scaleOut: false, scaleIn: true, byConfig: { scaleOut: false, scaleIn: true }, byApi: null },
      operationInProgress: { status: 'running', from: 3, to: 5, trigger: 'manual' },
      lastDecisions: [expect.objectContaining({ reason: 'ManualRequest', trigger: 'manual', action: 'scale-out' })],
    });
    expect(after.body).toMatchObject({
      capacity: { live: 5, requested: null },
      operationInProgress: null,
      cooldown: {
        lastCompletedAt: expect.any(String),
        scaleOutRemainingSeconds: 30 * 60,
        scaleInRemainingSeconds: 60 * 60,
      },
    });
    expect(after.body['lastDecisions']).toHaveLength(2);
  });

  it('lists every target, saying why one cannot be read instead of failing the list', async () => {
    const healthy = pg('listed');
    const ghost = { ...pg('ghost-source'), name: 'ghost', resourceId: pgResourceId('never-created') };
    const { api } = await apiFor(healthy, ghost);

    const answer = await api.targets();

    expect(answer.status).toBe(200);
    const targets = answer.body['targets'] as Array<Record<string, unknown>>;
    expect(targets.map((target) => target['name'])).toEqual(['listed', 'ghost']);
    expect(targets[0]).toMatchObject({ capacity: { live: 3 } });
    expect(targets[1]).toMatchObject({
      capacity: { live: null },
      live: { error: { category: 'not-found', message: expect.stringMatching(/never-created.*does not exist/) } },
    });
  });

  it('answers 404 for an operation id nobody handed out', async () => {
    const { api } = await apiFor(pg('noop'));
    const answer = await api.operation('00000000-0000-0000-0000-000000000000');
    expect(answer.status).toBe(404);
    expect(answer.body['detail']).toMatch(/no operation has this id; use the statusUrl/);
  });

  it('refuses a decisions count it cannot serve with 400', async () => {
    const { api } = await apiFor(pg('counted'));
    expect((await api.targets('?decisions=500')).status).toBe(400);
  });
});

describe('the operator endpoints with Entra ID', () => {
  let entra: EntraStandIn;

  beforeAll(async () => {
    entra = await startEntraStandIn();
  });

  afterAll(async () => {
    await entra?.close();
  });

  it('needs the Scaler.Operate role to change anything and records who asked', async () => {
    const services = await harness.services(config(pg('guarded')), entra.settings());
    const api = scalerApi(services);
    const reader = { authorization: `Bearer ${await entra.token({ roles: ['Scaler.Read'] })}` };
    const operator = {
      authorization: `Bearer ${await entra.token({ roles: ['Scaler.Operate'], claims: { upn: 'alice@contoso.com' } })}`,
    };

    const anonymous = await api.scale('guarded', { delta: 1, reason: 'x' });
    const forbidden = await api.scale('guarded', { delta: 1, reason: 'x' }, reader);
    const accepted = await api.scale('guarded', { delta: 1, reason: 'x' }, operator);

    expect(anonymous.status).toBe(401);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body['detail']).toMatch(/lacks the app role 'Scaler.Operate'/);
    expect(accepted.status).toBe(202);
    expect((await api.operation(accepted.body['statusUrl'] as string, operator)).body).toMatchObject({
      initiator: 'alice@contoso.com',
    });
  });
});

describe('state written by the API', () => {
  it('leaves no lease behind after a scale', async () => {
    const { api, services } = await apiFor(pg('leasefree'));
    await api.scale('leasefree', { delta: 1, reason: 'x' });
    const prefix = services.settings.SCALER_STATE_TABLE_PREFIX;
    const leases = TableClient.fromConnectionString(harness.azurite.connectionString, `${prefix}Leases`, {
      allowInsecureConnection: true,
    });
    const rows = [];
    for await (const row of leases.listEntities()) rows.push(row);
    expect(rows).toEqual([]);
  });
});
