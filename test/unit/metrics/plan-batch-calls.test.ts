import { describe, expect, it } from 'vitest';
import {
  planBatchCalls,
  MAX_METRICS_PER_CALL,
  MAX_RESOURCES_PER_CALL,
} from '../../../shared/metrics/azure-monitor-metrics.js';
import type { MetricsRequest } from '../../../shared/metrics/metrics-source.port.js';
import { requiredMetrics } from '../../../shared/policy/required-metrics.js';
import { kustoTarget, pgTarget } from '../policy/builders.js';

const SUBSCRIPTIONS = ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'];
const REGIONS = ['westeurope', 'northeurope', 'eastus', 'westus2', 'swedencentral'];

function request(
  index: number,
  kind: 'postgres-elastic-cluster' | 'kusto-cluster',
  overrides: Partial<MetricsRequest> = {},
): MetricsRequest {
  const subscription = SUBSCRIPTIONS[Math.floor(index / 2) % 2];
  const type = kind === 'kusto-cluster' ? 'Microsoft.Kusto/clusters' : 'Microsoft.DBforPostgreSQL/flexibleServers';
  return {
    target: `${kind}-${index}`,
    kind,
    region: REGIONS[index % 5] as string,
    resourceId: `/subscriptions/${subscription}/resourceGroups/rg/providers/${type}/c${index}`,
    needs: [{ metric: kind === 'kusto-cluster' ? 'CPU' : 'cpu_percent', aggregations: ['Average'] }],
    lookbackMinutes: 20,
    ...overrides,
  };
}

describe('planBatchCalls', () => {
  it("keeps the forecast's hourly history apart from the 1-minute decision metrics, and batches it across targets", () => {
    const minute = Array.from({ length: 10 }, (_, index) => request(index * 20, 'kusto-cluster'));
    const hourly = Array.from({ length: 10 }, (_, index) =>
      request(index * 20, 'kusto-cluster', { intervalMinutes: 60, lookbackMinutes: 21 * 1440 }),
    );
    const calls = planBatchCalls([...minute, ...hourly]);
    expect(calls.map((call) => [call.intervalMinutes, call.resourceIds.length, call.lookbackMinutes]).sort()).toEqual([
      [1, 10, 20],
      [60, 10, 21 * 1440],
    ]);
  });

  it('covers 500 targets in 2 subscriptions and 5 regions with 20 calls', () => {
    const requests = Array.from({ length: 500 }, (_, index) =>
      request(index, index % 2 === 0 ? 'postgres-elastic-cluster' : 'kusto-cluster'),
    );
    const calls = planBatchCalls(requests);
    expect(calls).toHaveLength(20);
    expect(calls.every((call) => call.resourceIds.length <= MAX_RESOURCES_PER_CALL)).toBe(true);
    expect(calls.reduce((sum, call) => sum + call.resourceIds.length, 0)).toBe(500);
  });

  it('never mixes subscriptions, regions or resource types in one call', () => {
    const calls = planBatchCalls(
      Array.from({ length: 120 }, (_, index) =>
        request(index, index % 3 === 0 ? 'kusto-cluster' : 'postgres-elastic-cluster'),
      ),
    );
    for (const call of calls) {
      const ids = call.resourceIds.map((id) => id.toLowerCase());
      expect(ids.every((id) => id.includes(call.subscriptionId))).toBe(true);
      expect(ids.every((id) => id.includes(call.namespace.toLowerCase()))).toBe(true);
    }
  });

  it('splits more than 50 resources of one group into several calls', () => {
    const calls = planBatchCalls(
      Array.from({ length: 120 }, (_, index) => request(index * 20, 'postgres-elastic-cluster')),
    );
    expect(calls.map((call) => call.resourceIds.length)).toEqual([50, 50, 20]);
  });

  it('keeps metrics with different aggregations or dimension splits in separate calls', () => {
    const needs = requiredMetrics(kustoTarget({ mode: 'optimized', rules: [] })).needs;
    const calls = planBatchCalls([request(0, 'kusto-cluster', { needs })]);
    expect(calls.map((call) => [call.aggregations.join(','), call.splitBy ?? '', call.metricNames.length])).toEqual([
      ['Average', '', 5],
      ['Total', '', 1],
      ['Count', 'QueryStatus', 1],
    ]);
  });

  it('asks for at most 20 metrics per call and the longest lookback of the group', () => {
    const many = Array.from({ length: 25 }, (_, index) => ({
      metric: `m${index}`,
      aggregations: ['Average' as const],
    }));
    const calls = planBatchCalls([
      request(0, 'postgres-elastic-cluster', { needs: many, lookbackMinutes: 70 }),
      request(20, 'postgres-elastic-cluster', { lookbackMinutes: 1460 }),
    ]);
    expect(calls.map((call) => call.metricNames.length)).toEqual([MAX_METRICS_PER_CALL, 6]);
    expect(calls.every((call) => call.lookbackMinutes === 1460)).toBe(true);
  });

  it('plans the metrics a custom PostgreSQL target reads, with the half hour its scale-out trend reads', () => {
    // The out-rule's 10-minute window needs 11 minutes; the step sizing reads the metric's last 30 (31 with the
    // grain in progress); plus the 10 minutes of tolerated lag.
    expect(requiredMetrics(pgTarget())).toEqual({
      needs: [{ metric: 'cpu_percent', aggregations: ['Average'] }],
      lookbackMinutes: 41,
    });
  });
});
