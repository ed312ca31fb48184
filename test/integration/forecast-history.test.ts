/**
 * The forecast's history: read from the Monitor emulator through the real MetricsClient in few batched PT1H
 * requests, cached in Table Storage on Azurite, so later ticks (and a cold instance) do not read weeks again.
 */
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetSchema, type TargetConfig } from '../../shared/config/schema/schema.js';
import { ForecastInputs, type ForecastSubject } from '../../shared/forecasting.js';
import { createLogger } from '../../shared/logging.js';
import { AzureMonitorMetrics } from '../../shared/metrics/azure-monitor-metrics.js';
import { tableNamesFor } from '../../shared/state/keys.js';
import { TableStateStore } from '../../shared/state/table-state-store.js';
import { startAzureEmulator, StaticTokenCredential, type AzureEmulator } from '../../tools/emulator/index.js';
import { startAzurite, type AzuriteInstance } from '../support/azurite.js';
import { FAST_RETRY, kustoResourceId, SUBSCRIPTION } from '../support/scaler-harness.js';

const HOUR = 3_600_000;
const NAMES = ['adx-a', 'adx-b', 'adx-c'];

let emulator: AzureEmulator;
let azurite: AzuriteInstance;
let metrics: AzureMonitorMetrics;

/** CPU with a daily cycle: 20 % at 02:00 UTC, 80 % at 14:00. */
const dailyCpu = (minuteMs: number) => 50 - 30 * Math.cos((2 * Math.PI * (minuteMs / HOUR - 2)) / 24);

beforeAll(async () => {
  [emulator, azurite] = await Promise.all([startAzureEmulator({ subscriptionId: SUBSCRIPTION }), startAzurite()]);
  metrics = new AzureMonitorMetrics({
    credential: new StaticTokenCredential(),
    endpointFor: (region) => emulator.metricsEndpoint(region),
    tlsCa: emulator.caPem,
    retry: FAST_RETRY,
  });
  for (const name of NAMES) {
    const { id } = emulator.kusto.addCluster({ resourceGroup: 'rg-data', name });
    emulator.metrics.set(id, 'CPU', dailyCpu);
  }
});
afterAll(async () => Promise.all([emulator?.close(), azurite?.stop()]));

function target(name: string): TargetConfig {
  return targetSchema.parse({
    name,
    kind: 'kusto-cluster',
    resourceId: kustoResourceId(name),
    mode: 'custom',
    limits: { min: 2, max: 20 },
    forecast: { mode: 'act', historyDays: 14 },
  });
}

const subjects: ForecastSubject[] = NAMES.map((name) => ({
  target: target(name),
  region: 'westus',
  capacity: 4,
  history: {},
}));
const silent = createLogger(() => undefined);
const historyPosts = () =>
  emulator.requests.filter({ method: 'POST' }).filter((request) => request.path.includes('/metrics'));

describe('forecast history (Monitor emulator + Azurite)', () => {
  it('gets one averaged point per complete hour over weeks, through the adapter, like Azure Monitor', async () => {
    const { id } = emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'hourly' });
    // Minute m of each hour reads m %, except minutes 0-29 of 03:00 UTC, which have no data.
    emulator.metrics.set(id, 'CPU', (minuteMs) => {
      const hour = new Date(minuteMs).getUTCHours();
      const minute = new Date(minuteMs).getUTCMinutes();
      return hour === 3 && minute < 30 ? null : minute;
    });
    const now = emulator.clock.now();
    const answers = await metrics.fetch(
      [
        {
          target: 'hourly',
          kind: 'kusto-cluster',
          resourceId: kustoResourceId('hourly'),
          region: 'westus',
          needs: [{ metric: 'CPU', aggregations: ['Average'] }],
          lookbackMinutes: 21 * 1440,
          intervalMinutes: 60,
        },
      ],
      now,
    );
    const answer = answers.get('hourly');
    if (!answer || answer instanceof Error) throw new Error(String(answer));
    const samples = answer.series[0]?.samples ?? [];
    expect(samples).toHaveLength(21 * 24);
    expect(
      samples.every((sample) => sample.timestampMs % HOUR === 0 && sample.timestampMs + HOUR <= now.getTime()),
    ).toBe(true);
    const full = samples.find((sample) => new Date(sample.timestampMs).getUTCHours() === 5);
    const half = samples.find((sample) => new Date(sample.timestampMs).getUTCHours() === 3);
    expect(full?.value).toBeCloseTo(29.5, 6);
    expect(half?.value).toBeCloseTo(44.5, 6);
  });

  it('reads weeks of hourly history in one batched request, then only the new hours, once an hour', async () => {
    const prefix = `f${randomBytes(6).toString('hex')}`;
    const state = TableStateStore.fromConnectionString(azurite.connectionString, { tablePrefix: prefix });
    const inputs = new ForecastInputs({ metrics, state, log: silent });
    emulator.requests.clear();

    const first = await inputs.prepare(subjects, emulator.clock.now());
    const [cold] = historyPosts();
    expect(historyPosts()).toHaveLength(1);
    expect(cold?.query.interval).toBe('PT1H');
    expect(Date.parse(cold?.query.endtime ?? '') - Date.parse(cold?.query.starttime ?? '')).toBe(14 * 24 * HOUR);
    expect((cold?.body as { resourceids: string[] }).resourceids).toHaveLength(3);
    for (const name of NAMES) {
      expect(first.get(name)?.forecast.status).toBe('confident');
      expect(first.get(name)?.forecast.historyDays).toBe(14);
    }

    emulator.clock.advance(5 * 60_000);
    await inputs.prepare(subjects, emulator.clock.now());
    expect(historyPosts()).toHaveLength(1);

    emulator.clock.advance(HOUR);
    await inputs.prepare(subjects, emulator.clock.now());
    const posts = historyPosts();
    expect(posts).toHaveLength(2);
    const warm = posts[1];
    // The newest cached hour again (late samples), and the new one.
    expect(Date.parse(warm?.query.endtime ?? '') - Date.parse(warm?.query.starttime ?? '')).toBe(2 * HOUR);
  });

  it('serves a cold instance from the Table Storage cache without reading Azure Monitor', async () => {
    const prefix = `f${randomBytes(6).toString('hex')}`;
    const state = TableStateStore.fromConnectionString(azurite.connectionString, { tablePrefix: prefix });
    const warm = await new ForecastInputs({ metrics, state, log: silent }).prepare(subjects, emulator.clock.now());
    emulator.requests.clear();

    const cold = await new ForecastInputs({
      metrics,
      state: TableStateStore.fromConnectionString(azurite.connectionString, { tablePrefix: prefix }),
      log: silent,
    }).prepare(subjects, emulator.clock.now());
    expect(historyPosts()).toHaveLength(0);
    expect(cold.get('adx-b')?.forecast).toEqual(warm.get('adx-b')?.forecast);

    const rows = TableClient.fromConnectionString(azurite.connectionString, tableNamesFor(prefix).loadHistory, {
      allowInsecureConnection: true,
    }).listEntities();
    const partitions: string[] = [];
    for await (const row of rows) partitions.push(String(row.partitionKey));
    expect(partitions.sort()).toEqual(NAMES);
  });

  it('keeps forecasting from the cache when Azure Monitor fails, and reads again on the next tick', async () => {
    const prefix = `f${randomBytes(6).toString('hex')}`;
    const state = TableStateStore.fromConnectionString(azurite.connectionString, { tablePrefix: prefix });
    const inputs = new ForecastInputs({ metrics, state, log: silent });
    await inputs.prepare(subjects, emulator.clock.now());
    emulator.clock.advance(HOUR);
    emulator.faults.forbid({ method: 'POST', path: '/metrics/westus' });
    const during = await inputs.prepare(subjects, emulator.clock.now());
    emulator.faults.clear();
    expect(during.get('adx-a')?.forecast.status).toBe('confident');
    emulator.requests.clear();
    await inputs.prepare(subjects, emulator.clock.now());
    expect(historyPosts()).toHaveLength(1);
  });
});
