import { TableClient, TableServiceClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedPatches, addManualPg, pgResourceId, startHarness, type Harness } from '../support/scaler-harness.js';
import { scalerApi, type ScalerApi } from '../support/api-services.js';
import { alertFor, alertId } from '../support/alert-fixtures.js';
import type { Services } from '../../functions/composition-root.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';
import { MAX_BODY_BYTES } from '../../shared/http/requests.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const RULE = 'test-metricAlertRule';
/** The sample alerts' rule, opted in on the target, so a valid alert would act. */
const optedIn = { alerts: { rules: { [RULE]: { direction: 'out' } } } };

async function apiFor(name: string): Promise<{ api: ScalerApi; services: Services }> {
  const services = await harness.services({
    version: 1,
    targets: [addManualPg(harness.emulator, name, optedIn)],
  } as ConfigInput);
  return { api: scalerApi(services), services };
}

/** Nothing changed: no ARM update, and not a row in any of the scaler's tables (no decision, no receipt). */
async function expectNothingChanged(services: Services, name: string): Promise<void> {
  expect(acceptedPatches(harness.emulator, name)).toEqual([]);
  const prefix = services.settings.SCALER_STATE_TABLE_PREFIX;
  const tables = TableServiceClient.fromConnectionString(harness.azurite.connectionString, {
    allowInsecureConnection: true,
  });
  const rows: string[] = [];
  for await (const table of tables.listTables()) {
    if (!table.name?.startsWith(prefix)) continue;
    const client = TableClient.fromConnectionString(harness.azurite.connectionString, table.name, {
      allowInsecureConnection: true,
    });
    for await (const row of client.listEntities()) rows.push(`${table.name}/${row.partitionKey}/${row.rowKey}`);
  }
  expect(rows).toEqual([]);
}

const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('hostile request bodies cost little and change nothing', () => {
  it('refuses a scale request that gives dryRun twice, instead of acting on the last one', async () => {
    const { api, services } = await apiFor('twice');

    const answer = await api.scale(
      'twice',
      '{"delta": 1, "reason": "looks like a dry-run", "dryRun": true, "dryRun": false}',
    );

    expect(answer.status).toBe(400);
    expect(answer.body['detail']).toMatch(
      /^body.dryRun: appears twice in the same object \(at character \d+\); send each field once$/,
    );
    await expectNothingChanged(services, 'twice');
  });

  it('refuses a scale request nested five thousand levels deep with 400, never 500', async () => {
    const { api, services } = await apiFor('deepscale');

    const answer = await api.scale('deepscale', `{"delta": 1, "reason": ${deep(5_000)}}`);

    expect(answer.status).toBe(400);
    expect(answer.body['detail']).toMatch(/^body.reason(\[0\])+: nested deeper than 32 levels/);
    await expectNothingChanged(services, 'deepscale');
  });

  it('refuses an alert whose custom property nests a hundred thousand levels deep with 400 and records nothing', async () => {
    const { api, services } = await apiFor('deepalert');
    const payload = JSON.stringify(
      alertFor({
        resourceId: pgResourceId('deepalert'),
        alertId: alertId('deep-1'),
        customProperties: { 'scaler.direction': 'DEEP' },
      }),
    );

    const answer = await api.alert(payload.replace('"DEEP"', deep(100_000)));

    expect(answer.status).toBe(400);
    expect(answer.body['detail']).toMatch(
      /^body.data.customProperties.scaler.direction(\[0\])+: nested deeper than 32 levels/,
    );
    await expectNothingChanged(services, 'deepalert');
  });

  it('refuses a scale request that is not sent as JSON with 415', async () => {
    const { api, services } = await apiFor('formdata');

    const answer = await api.scale('formdata', '{"delta": 1, "reason": "curl -d"}', {
      'content-type': 'application/x-www-form-urlencoded',
    });

    expect(answer.status).toBe(415);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ type: 'tag:elastic-scaler,2025:problem:invalid-input', status: 415 });
    expect(answer.body['detail']).toBe(
      'body: Content-Type "application/x-www-form-urlencoded" is not JSON; send the body as JSON with Content-Type: application/json',
    );
    await expectNothingChanged(services, 'formdata');
  });

  it('refuses an alert that announces more than the limit with 413, before reading it', async () => {
    const { api, services } = await apiFor('bigalert');
    const payload = alertFor({ resourceId: pgResourceId('bigalert'), alertId: alertId('big-1') });

    const answer = await api.alert(payload, { 'content-length': String(MAX_BODY_BYTES * 8) });

    expect(answer.status).toBe(413);
    expect(answer.body['detail']).toMatch(
      /^body: Content-Length 8388608 is more than the 1048576 bytes this API accepts; nothing was read/,
    );
    await expectNothingChanged(services, 'bigalert');
  });
});
