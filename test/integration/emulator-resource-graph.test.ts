/**
 * Resource Graph in the emulator, through the real `@azure/arm-resourcegraph` client: the query subset the scaler
 * sends, subscriptions as scope, `$skipToken` paging, `resultTruncated`, the user quota headers and its 429, an
 * outage, resources hidden as RBAC would hide them, and ARM's rate-limit headers on the other routes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AzureEmulator } from '../../tools/emulator/index.js';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import {
  RESOURCE_GRAPH_PATH,
  StaticTokenCredential,
  armClientOptions,
  kustoClient,
  postgresClient,
  resourceGraphClient,
  restErrorFrom,
  startAzureEmulator,
} from '../../tools/emulator/index.js';

const SUB_A = '10000000-0000-0000-0000-00000000000a';
const SUB_B = '20000000-0000-0000-0000-00000000000b';
const TYPES = "type in~ ('microsoft.dbforpostgresql/flexibleservers', 'microsoft.kusto/clusters')";

let emulator: AzureEmulator;
let ids: string[];

beforeEach(async () => {
  emulator = await startAzureEmulator({ subscriptionId: SUB_A });
  ids = [
    emulator.postgres.addCluster({ resourceGroup: 'rg', name: 'pg1', clusterSize: 4 }).id,
    emulator.postgres.addCluster({ resourceGroup: 'rg', name: 'pg2', clusterSize: 2, subscriptionId: SUB_B }).id,
    emulator.kusto.addCluster({ resourceGroup: 'rg', name: 'adx1', capacity: 3 }).id,
  ];
});

afterEach(async () => {
  await emulator.close();
});

function byIds(list: readonly string[]): string {
  return `resources | where ${TYPES} and id in~ (${list.map((id) => `'${id.toUpperCase()}'`).join(', ')}) | project id, type, location, sku, properties`;
}

describe('Resource Graph queries', () => {
  it('answers the scaler query from the emulated clusters, case-insensitively, within the subscriptions given', async () => {
    const client = resourceGraphClient(emulator);

    const both = await client.resources({ subscriptions: [SUB_A, SUB_B], query: byIds(ids) });
    const onlyA = await client.resources({ subscriptions: [SUB_A], query: byIds(ids) });

    expect(both.totalRecords).toBe(3);
    expect(both.resultTruncated).toBe('false');
    const rows = both.data as Array<{ id: string; type: string; properties: Record<string, unknown> }>;
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
    const pg1 = rows.find((row) => row.id === ids[0]);
    expect(pg1?.type).toBe('microsoft.dbforpostgresql/flexibleservers');
    expect(pg1?.properties['cluster']).toMatchObject({ clusterSize: 4 });
    expect(Object.keys(pg1 ?? {})).toEqual(['id', 'type', 'location', 'sku', 'properties']);
    expect((onlyA.data as Array<{ id: string }>).map((row) => row.id).sort()).toEqual([ids[0], ids[2]].sort());
  });

  it('pages with $skipToken when id is projected, and reports a truncated result when it is not', async () => {
    const client = resourceGraphClient(emulator);
    const query = byIds(ids);

    const first = await client.resources({ subscriptions: [SUB_A, SUB_B], query, options: { top: 2 } });
    const second = await client.resources({
      subscriptions: [SUB_A, SUB_B],
      query,
      options: { skipToken: first.skipToken ?? '' },
    });
    const withoutId = await client.resources({
      subscriptions: [SUB_A, SUB_B],
      query: `resources | where ${TYPES} | project name`,
      options: { top: 2 },
    });

    expect([first.count, first.totalRecords, second.count, second.skipToken]).toEqual([2, 3, 1, undefined]);
    const pageIds = [...(first.data as Array<{ id: string }>), ...(second.data as Array<{ id: string }>)].map(
      (row) => row.id,
    );
    expect(pageIds.sort()).toEqual([...ids].sort());
    expect([withoutId.resultTruncated, withoutId.skipToken, withoutId.count]).toEqual(['true', undefined, 2]);
  });

  it('sends the user quota headers and answers 429 with Retry-After once the quota is used up', async () => {
    await emulator.close();
    emulator = await startAzureEmulator({ subscriptionId: SUB_A, resourceGraphQuota: { requests: 2, windowMs: 5000 } });
    emulator.postgres.addCluster({ resourceGroup: 'rg', name: 'pg1' });
    const client = resourceGraphClient(emulator, { maxRetries: 0 });
    const query = `resources | where ${TYPES}`;
    const headers: Array<string | undefined> = [];
    const onResponse = (response: { headers: { get(name: string): string | undefined } }) =>
      headers.push(response.headers.get('x-ms-user-quota-remaining'));

    await client.resources({ query }, { onResponse });
    await client.resources({ query }, { onResponse });
    const error = await restErrorFrom(client.resources({ query }));
    emulator.clock.advance(5000);
    await client.resources({ query }, { onResponse });

    expect(headers).toEqual(['1', '0', '1']);
    expect(error.statusCode).toBe(429);
    const throttled = emulator.requests.filter({ path: RESOURCE_GRAPH_PATH, status: 429 })[0];
    expect(throttled).toBeDefined();
  });

  it('refuses a query outside the supported subset with 400 InvalidQuery', async () => {
    const error = await restErrorFrom(
      resourceGraphClient(emulator).resources({ query: 'resources | summarize count() by type' }),
    );

    expect(error.statusCode).toBe(400);
    expect(error.message).toMatch(/summarize/);
  });

  it('an outage answers 5xx; a hidden resource is left out of the result', async () => {
    const client = resourceGraphClient(emulator, { maxRetries: 0 });
    emulator.faults.serverError({ path: RESOURCE_GRAPH_PATH, status: 503, times: 1 });
    const outage = await restErrorFrom(client.resources({ query: byIds(ids) }));
    emulator.faults.clear();
    emulator.resourceGraph.hide(ids[0] ?? '');

    const visible = await client.resources({ subscriptions: [SUB_A, SUB_B], query: byIds(ids) });

    expect(outage.statusCode).toBe(503);
    expect((visible.data as Array<{ id: string }>).map((row) => row.id).sort()).toEqual([ids[1], ids[2]].sort());
  });
});

describe('ARM rate-limit headers', () => {
  it('report the remaining reads and writes per subscription, and 429 once a budget is spent', async () => {
    const seen: Array<string | undefined> = [];
    const onResponse = (response: { headers: { get(name: string): string | undefined } }) =>
      seen.push(response.headers.get('x-ms-ratelimit-remaining-subscription-reads'));
    emulator.rateLimits.set(SUB_A, 'reads', 2);

    await postgresClient(emulator).servers.get('rg', 'pg1', { onResponse });
    await kustoClient(emulator).clusters.get('rg', 'adx1', { onResponse });
    const noRetries = new PostgreSQLManagementFlexibleServerClient(new StaticTokenCredential(), SUB_A, {
      ...armClientOptions(emulator),
      retryOptions: { maxRetries: 0 },
    });
    const error = await restErrorFrom(noRetries.servers.get('rg', 'pg1'));

    expect(seen).toEqual(['1', '0']);
    expect(emulator.rateLimits.remaining(SUB_B, 'reads')).toBe(12_000);
    expect(error.statusCode).toBe(429);
  });
});
