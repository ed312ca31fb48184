/**
 * The emulator's Azure Monitor `metrics:getBatch` driven by the real `MetricsClient.queryResources`: scripted
 * per-minute load, per-node split, time grains, the batch limits, and what "now" means for the data.
 */
import type { MetricsQueryResult } from '@azure/monitor-query-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AzureEmulator, MetricLoad } from '../../tools/emulator/index.js';
import {
  MINUTE_MS,
  constant,
  metricsClient,
  perMinute,
  plateau,
  restErrorFrom,
  startAzureEmulator,
} from '../../tools/emulator/index.js';

const RG = 'scaler-rg';
const POSTGRES = 'Microsoft.DBforPostgreSQL/flexibleServers';
const KUSTO = 'Microsoft.Kusto/clusters';

let emulator: AzureEmulator;

beforeEach(async () => {
  emulator = await startAzureEmulator();
});

afterEach(async () => {
  await emulator.close();
});

function minutesFromNow(minutes: number): Date {
  return new Date(emulator.clock.nowMs() + minutes * MINUTE_MS);
}

function addClusters(names: readonly string[], location = 'canadacentral'): string[] {
  return names.map((name) => emulator.postgres.addCluster({ resourceGroup: RG, name, location }).id);
}

function points(result: MetricsQueryResult | undefined, metricIndex = 0, seriesIndex = 0) {
  return result?.metrics[metricIndex]?.timeseries[seriesIndex]?.data ?? [];
}

describe('metrics:getBatch', () => {
  it('returns the scripted per-minute load of several resources in one request, and no data for the future', async () => {
    const [busy, steady, silent] = addClusters(['pg1', 'pg2', 'pg3']) as [string, string, string];
    const busyLoad: MetricLoad = plateau({ from: minutesFromNow(-80), minutes: 70, value: 92, otherwise: 30 });
    emulator.metrics.set(busy, 'cpu_percent', busyLoad);
    emulator.metrics.set(steady, 'cpu_percent', constant(45));

    const results = await metricsClient(emulator, 'canadacentral').queryResources(
      [busy, steady, silent],
      ['cpu_percent'],
      POSTGRES,
      {
        startTime: minutesFromNow(-90),
        endTime: minutesFromNow(5),
        interval: 'PT1M',
        aggregation: 'average,maximum',
      },
    );

    expect(results.map((result) => [result.resourceId, result.resourceRegion, result.granularity])).toEqual([
      [busy, 'canadacentral', 'PT1M'],
      [steady, 'canadacentral', 'PT1M'],
      [silent, 'canadacentral', 'PT1M'],
    ]);
    const nowMs = emulator.clock.nowMs();
    const busyPoints = points(results[0]);
    expect(busyPoints).toHaveLength(95);
    for (const point of busyPoints) {
      const timeMs = point.timeStamp.getTime();
      const expected = timeMs < nowMs ? busyLoad(timeMs) : undefined;
      expect({ at: point.timeStamp.toISOString(), average: point.average, maximum: point.maximum }).toEqual({
        at: point.timeStamp.toISOString(),
        average: expected ?? undefined,
        maximum: expected ?? undefined,
      });
    }
    expect(points(results[1]).filter((point) => point.average === 45)).toHaveLength(90);
    expect(points(results[2]).every((point) => point.average === undefined)).toBe(true);
    expect(emulator.requests.count({ path: 'metrics:getBatch' })).toBe(1);
  });

  it('sends the query the service documents: decoded api-version, comma-joined metric names', async () => {
    const [id] = addClusters(['pg1']) as [string];

    await metricsClient(emulator, 'canadacentral').queryResources([id], ['cpu_percent', 'memory_percent'], POSTGRES, {
      interval: 'PT5M',
    });

    const [request] = emulator.requests.filter({ path: 'metrics:getBatch' });
    expect(request?.apiVersion).toBe('2024-02-01');
    expect(request?.query).toMatchObject({
      metricnames: 'cpu_percent,memory_percent',
      metricnamespace: POSTGRES,
      interval: 'PT5M',
    });
    expect(request?.body).toEqual({ resourceids: [id] });
  });

  it('splits an elastic cluster metric per node when the filter asks for ServerName', async () => {
    const [id] = addClusters(['pg1']) as [string];
    const nodes = { 'pg1-c': 80, 'pg1-w0': 40, 'pg1-w1': 20 };
    for (const [node, value] of Object.entries(nodes))
      emulator.metrics.set(id, 'cpu_percent', constant(value), { dimensions: { ServerName: node } });
    const client = metricsClient(emulator, 'canadacentral');
    const window = {
      startTime: minutesFromNow(-10),
      endTime: emulator.clock.now(),
      aggregation: 'average,maximum,minimum',
    };

    const [split] = await client.queryResources([id], ['cpu_percent'], POSTGRES, {
      ...window,
      filter: "ServerName eq '*'",
    });
    const [whole] = await client.queryResources([id], ['cpu_percent'], POSTGRES, window);

    const perNode = split?.metrics[0]?.timeseries.map((series) => [
      series.metadatavalues?.[0]?.name,
      series.metadatavalues?.[0]?.value,
      series.data?.[0]?.average,
    ]);
    expect(perNode).toEqual([
      ['servername', 'pg1-c', 80],
      ['servername', 'pg1-w0', 40],
      ['servername', 'pg1-w1', 20],
    ]);
    expect(whole?.metrics[0]?.timeseries).toHaveLength(1);
    expect(points(whole)[0]).toMatchObject({ minimum: 20, maximum: 80 });
    expect(points(whole)[0]?.average).toBeCloseTo(140 / 3);
  });

  it('aggregates minutes into coarser grains and FULL into one point', async () => {
    const [id] = addClusters(['pg1']) as [string];
    const start = minutesFromNow(-10);
    emulator.metrics.set(id, 'active_connections', perMinute(start, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]));
    const client = metricsClient(emulator, 'canadacentral');

    const [fiveMinutes] = await client.queryResources([id], ['active_connections'], POSTGRES, {
      startTime: start,
      endTime: emulator.clock.now(),
      interval: 'PT5M',
      aggregation: 'average,maximum,total,count',
    });
    const [full] = await client.queryResources([id], ['active_connections'], POSTGRES, {
      startTime: start,
      endTime: emulator.clock.now(),
      interval: 'FULL',
    });

    expect(
      points(fiveMinutes).map(({ average, maximum, total, count }) => ({ average, maximum, total, count })),
    ).toEqual([
      { average: 30, maximum: 50, total: 150, count: 5 },
      { average: 80, maximum: 100, total: 400, count: 5 },
    ]);
    expect(full?.granularity).toBe('PT10M');
    expect(points(full).map((point) => point.average)).toEqual([55]);
  });

  it('names each metric by its localized name, as the SDK flattens it; the REST name stays in the id', async () => {
    const [id] = addClusters(['pg1']) as [string];

    const [result] = await metricsClient(emulator, 'canadacentral').queryResources([id], ['cpu_percent'], POSTGRES);

    expect(result?.metrics[0]?.name).toBe('CPU percent');
    expect(result?.getMetricByName('cpu_percent')).toBeUndefined();
    expect(result?.metrics[0]?.id).toBe(`${id}/providers/Microsoft.Insights/metrics/cpu_percent`);
    expect(result?.metrics[0]?.unit).toBe('Percent');
  });

  it('serves Kusto cluster metrics', async () => {
    const ids = ['adx1', 'adx2'].map(
      (name) => emulator.kusto.addCluster({ resourceGroup: RG, name, location: 'westus' }).id,
    );
    for (const id of ids) emulator.metrics.set(id, 'CPU', constant(70));

    const results = await metricsClient(emulator, 'westus').queryResources(
      ids,
      ['CPU', 'CacheUtilizationFactor'],
      KUSTO,
      {
        startTime: minutesFromNow(-5),
        endTime: emulator.clock.now(),
      },
    );

    expect(results.map((result) => points(result, 0).map((point) => point.average))).toEqual([
      [70, 70, 70, 70, 70],
      [70, 70, 70, 70, 70],
    ]);
    expect(points(results[0], 1).every((point) => point.average === undefined)).toBe(true);
  });

  it('serves count-only samples, such as Kusto QueryResult split by QueryStatus', async () => {
    const { id } = emulator.kusto.addCluster({ resourceGroup: RG, name: 'adx1', location: 'westus' });
    emulator.metrics.set(id, 'QueryResult', constant({ count: 90 }), { dimensions: { QueryStatus: 'Succeeded' } });
    emulator.metrics.set(id, 'QueryResult', constant({ count: 10 }), { dimensions: { QueryStatus: 'Failed' } });

    const [result] = await metricsClient(emulator, 'westus').queryResources([id], ['QueryResult'], KUSTO, {
      startTime: minutesFromNow(-5),
      endTime: emulator.clock.now(),
      interval: 'PT5M',
      aggregation: 'count',
      filter: "QueryStatus eq '*'",
    });

    const byStatus = result?.metrics[0]?.timeseries.map((series) => [
      series.metadatavalues?.[0]?.value,
      series.data?.[0]?.count,
      series.data?.[0]?.average,
    ]);
    expect(byStatus).toEqual([
      ['Succeeded', 450, undefined],
      ['Failed', 50, undefined],
    ]);
  });

  it('withholds the latest minutes while they are still being ingested', async () => {
    const delayed = await startAzureEmulator({ metricsIngestionDelayMs: 3 * MINUTE_MS });
    try {
      const { id } = delayed.postgres.addCluster({ resourceGroup: RG, name: 'pg1' });
      delayed.metrics.set(id, 'cpu_percent', constant(50));
      const now = delayed.clock.nowMs();

      const [result] = await metricsClient(delayed, 'canadacentral').queryResources([id], ['cpu_percent'], POSTGRES, {
        startTime: new Date(now - 10 * MINUTE_MS),
        endTime: new Date(now),
      });

      expect(points(result).map((point) => point.average)).toEqual([
        50,
        50,
        50,
        50,
        50,
        50,
        50,
        undefined,
        undefined,
        undefined,
      ]);
    } finally {
      await delayed.close();
    }
  });
});

describe('metrics:getBatch limits', () => {
  it.each([
    {
      name: 'more than 50 resource ids',
      ids: () => addClusters(Array.from({ length: 51 }, (_, index) => `pg${index}`)),
      message: 'at most 50',
    },
    {
      name: 'resources in another region than the endpoint',
      ids: () => addClusters(['pg-east'], 'eastus'),
      message: "is in region 'eastus'",
    },
    {
      name: 'resources of two regions',
      ids: () => [...addClusters(['pg-a']), ...addClusters(['pg-b'], 'eastus')],
      message: 'a batch covers one region',
    },
  ])('answers 400 to $name', async ({ ids, message }) => {
    const error = await restErrorFrom(
      metricsClient(emulator, 'canadacentral').queryResources(ids(), ['cpu_percent'], POSTGRES),
    );

    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('BadRequest');
    expect(error.message).toContain(message);
  });

  it('answers 400 to a metric the resource type does not have', async () => {
    const [id] = addClusters(['pg1']) as [string];

    const error = await restErrorFrom(
      metricsClient(emulator, 'canadacentral').queryResources([id], ['cpu_percent', 'cpu_percentage'], POSTGRES),
    );

    expect(error.statusCode).toBe(400);
    expect(error.message).toContain(
      'Failed to find metric configuration for provider: Microsoft.DBforPostgreSQL, resource Type: flexibleServers, metric: cpu_percentage',
    );
  });

  it('answers 400 when the namespace does not match the resources (one resource type per batch)', async () => {
    const [id] = addClusters(['pg1']) as [string];

    const error = await restErrorFrom(metricsClient(emulator, 'canadacentral').queryResources([id], ['CPU'], KUSTO));

    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('a batch covers one resource type');
  });
});
