import type { MetricsSnapshot } from '../../../shared/vocabulary/metric-series.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  constant,
  MINUTE_MS,
  startAzureEmulator,
  StaticTokenCredential,
  type AzureEmulator,
} from '../../../tools/emulator/index.js';
import { AzureMonitorMetrics } from '../../../shared/metrics/azure-monitor-metrics.js';
import type { MetricsRequest } from '../../../shared/metrics/metrics-source.port.js';
import { FAST_RETRY, kustoResourceId, pgResourceId, SUBSCRIPTION } from '../../support/scaler-harness.js';

let emulator: AzureEmulator;
let source: AzureMonitorMetrics;

beforeAll(async () => {
  emulator = await startAzureEmulator({ subscriptionId: SUBSCRIPTION });
  source = new AzureMonitorMetrics({
    credential: new StaticTokenCredential(),
    endpointFor: (region) => emulator.metricsEndpoint(region),
    tlsCa: emulator.caPem,
    retry: FAST_RETRY,
  });
});
afterAll(async () => emulator?.close());

const pgRequest = (name: string, overrides: Partial<MetricsRequest> = {}): MetricsRequest => ({
  target: name,
  kind: 'postgres-elastic-cluster',
  resourceId: pgResourceId(name),
  region: 'westeurope',
  needs: [{ metric: 'cpu_percent', aggregations: ['Average', 'Maximum'] }],
  lookbackMinutes: 15,
  ...overrides,
});

function snapshotOf(answers: Map<string, MetricsSnapshot | Error>, target: string): MetricsSnapshot {
  const answer = answers.get(target);
  if (!answer || answer instanceof Error) throw new Error(`no snapshot for ${target}: ${String(answer)}`);
  return answer;
}

describe('AzureMonitorMetrics (real MetricsClient against the Monitor emulator)', () => {
  it('returns the scripted per-minute values of many resources from one batch call', async () => {
    const names = ['m-a', 'm-b', 'm-c'];
    names.forEach((name, index) => {
      const { id } = emulator.postgres.addCluster({ resourceGroup: 'rg-data', name, location: 'westeurope' });
      emulator.metrics.set(id, 'cpu_percent', constant(10 * (index + 1)));
    });
    emulator.requests.clear();
    const answers = await source.fetch(
      names.map((name) => pgRequest(name)),
      emulator.clock.now(),
    );
    expect(emulator.requests.count({ method: 'POST' })).toBe(1);
    const snapshot = snapshotOf(answers, 'm-b');
    const average = snapshot.series.find((series) => series.aggregation === 'Average');
    expect(snapshot.series.map((series) => series.metric)).toEqual(['cpu_percent', 'cpu_percent']);
    expect(average?.samples).toHaveLength(15);
    expect(average?.samples.every((sample) => sample.value === 20)).toBe(true);
  });

  it('drops the minute still in progress', async () => {
    const { id } = emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'partial', location: 'westeurope' });
    emulator.metrics.set(id, 'cpu_percent', (minuteMs: number) => (minuteMs / MINUTE_MS) % 100);
    emulator.clock.advance(30_000); // half-way through a minute
    const now = emulator.clock.now();
    const snapshot = snapshotOf(await source.fetch([pgRequest('partial')], now), 'partial');
    const last = snapshot.series[0]?.samples.at(-1);
    expect((last?.timestampMs ?? 0) + MINUTE_MS).toBeLessThanOrEqual(now.getTime());
    emulator.clock.advance(30_000);
  });

  it('splits QueryResult by QueryStatus in its own call', async () => {
    const { id } = emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'adxq' });
    emulator.metrics.set(id, 'QueryResult', constant({ average: 1, count: 90 }), {
      dimensions: { QueryStatus: 'Succeeded' },
    });
    emulator.metrics.set(id, 'QueryResult', constant({ average: 1, count: 10 }), {
      dimensions: { QueryStatus: 'Failed' },
    });
    emulator.metrics.set(id, 'CPU', constant(50));
    const request: MetricsRequest = {
      target: 'adxq',
      kind: 'kusto-cluster',
      resourceId: kustoResourceId('adxq'),
      region: 'westus',
      lookbackMinutes: 10,
      needs: [
        { metric: 'CPU', aggregations: ['Average'] },
        { metric: 'QueryResult', aggregations: ['Count'], splitBy: 'QueryStatus' },
      ],
    };
    emulator.requests.clear();
    const snapshot = snapshotOf(await source.fetch([request], emulator.clock.now()), 'adxq');
    expect(emulator.requests.count({ method: 'POST' })).toBe(2);
    const byStatus = snapshot.series
      .filter((series) => series.metric === 'QueryResult')
      .map((series) => [series.dimensions?.QueryStatus, series.samples[0]?.value]);
    expect(byStatus.sort()).toEqual([
      ['Failed', 10],
      ['Succeeded', 90],
    ]);
  });

  it('isolates a failing call: the other targets still get their metrics', async () => {
    emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'ok-eu', location: 'westeurope' });
    emulator.postgres.addCluster({ resourceGroup: 'rg-data', name: 'bad-us', location: 'eastus' });
    emulator.faults.forbid({ method: 'POST', path: '/metrics/eastus' });
    const answers = await source.fetch(
      [pgRequest('ok-eu'), pgRequest('bad-us', { region: 'eastus' })],
      emulator.clock.now(),
    );
    emulator.faults.clear();
    expect(answers.get('bad-us')).toBeInstanceOf(Error);
    expect((answers.get('bad-us') as Error).message).toMatch(/reading metrics cpu_percent in eastus failed/);
    expect(snapshotOf(answers, 'ok-eu').series.length).toBeGreaterThan(0);
  });
});
