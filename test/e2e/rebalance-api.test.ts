/**
 * The HTTP routes that pause and resume a running Citus rebalance. Pausing and resuming a live job is exercised
 * against the Citus stand-in in test/integration/follow-up; here the routes' answers when there is nothing to
 * pause, or the request is wrong, are checked end to end through the real handlers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kustoResourceId, pgResourceId, startHarness, type Harness } from '../support/scaler-harness.js';
import { scalerApi, type ScalerApi } from '../support/api-services.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';

let harness: Harness;
let api: ScalerApi;

beforeAll(async () => {
  harness = await startHarness();
  harness.emulator.postgres.addCluster({
    resourceGroup: 'rg-data',
    name: 'calm',
    location: 'westeurope',
    clusterSize: 3,
  });
  harness.emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'adx', capacity: 3 });
  const targets = [
    {
      name: 'calm',
      kind: 'postgres-elastic-cluster',
      resourceId: pgResourceId('calm'),
      mode: 'manual',
      limits: { min: 2, max: 10 },
    },
    {
      name: 'adx',
      kind: 'kusto-cluster',
      resourceId: kustoResourceId('adx'),
      mode: 'manual',
      limits: { min: 2, max: 10 },
    },
  ];
  api = scalerApi(await harness.services({ version: 1, targets } as ConfigInput));
});

afterAll(async () => {
  await harness?.stop();
});

describe('POST /api/targets/{name}/rebalance/pause and /resume', () => {
  it.each([
    { name: 'a pause without a reason', call: () => api.pauseRebalance('calm', {}), status: 400, detail: /reason/ },
    {
      name: 'an unknown target',
      call: () => api.pauseRebalance('nowhere', { reason: 'maintenance' }),
      status: 404,
      detail: /target "nowhere" is not configured/,
    },
    {
      name: 'an ADX cluster, which has no rebalance',
      call: () => api.pauseRebalance('adx', { reason: 'maintenance' }),
      status: 422,
      detail: /only elastic clusters have a rebalance/,
    },
    {
      name: 'an elastic cluster with no rebalance running',
      call: () => api.pauseRebalance('calm', { reason: 'maintenance' }),
      status: 409,
      detail: /no operation in progress, so no rebalance to pause or resume/,
    },
    {
      name: 'a resume of a rebalance that is not paused',
      call: () => api.resumeRebalance('calm', { reason: 'done' }),
      status: 409,
      detail: /no operation in progress/,
    },
  ])('answers $status problem+json for $name, and changes nothing', async ({ call, status, detail }) => {
    const before = harness.emulator.requests.count({ method: 'PATCH' });
    const answer = await call();
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(String(answer.body.detail)).toMatch(detail);
    expect(harness.emulator.requests.count({ method: 'PATCH' })).toBe(before);
  });
});
