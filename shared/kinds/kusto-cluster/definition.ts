/** Azure Data Explorer (Kusto) clusters: what the scaler knows about them. */
import { KIND_FACTS } from '../../vocabulary/kinds.js';
import type { KindDefinition } from '../definition.js';
import type { KustoTargetConfig } from './config/schema.js';
import { KUSTO_METRICS } from './metrics.js';

export type KustoClusterTarget = KustoTargetConfig;

export const KUSTO_CLUSTER: KindDefinition<KustoClusterTarget> = {
  kind: 'kusto-cluster',
  facts: KIND_FACTS['kusto-cluster'],
  words: {
    name: 'Azure Data Explorer',
    aCluster: 'a Kusto cluster',
    unitSingular: 'instance',
    resource: 'cluster',
    settling: 'cache warm-up',
  },
  capacityField: 'sku.capacity',
  metrics: { namespace: 'Microsoft.Kusto/clusters', catalog: KUSTO_METRICS },
  forecastMetrics: ['CPU', 'CacheUtilizationFactor', 'IngestionUtilization'],
  optimized: {
    scaleOutChecks: ({ optimized: { scaleOut } }) => [
      { name: 'cpu-high', metric: 'CPU', threshold: scaleOut.cpuPercent },
      { name: 'cache-high', metric: 'CacheUtilizationFactor', threshold: scaleOut.cacheUtilizationPercent },
      { name: 'ingestion-high', metric: 'IngestionUtilization', threshold: scaleOut.ingestionUtilizationPercent },
    ],
    metrics: [
      ...['CPU', 'CacheUtilizationFactor', 'IngestionUtilization', 'StreamingIngestUtilization', 'KeepAlive'].map(
        (metric) => ({ metric, aggregation: 'Average' as const }),
      ),
      { metric: 'TotalNumberOfThrottledQueries', aggregation: 'Total' },
      { metric: 'QueryResult', aggregation: 'Count', splitBy: 'QueryStatus' },
    ],
    scaleInTarget: (target) => target,
    scaleInLookbackMinutes: ({ optimized }) => optimized.scaleInWindowMinutes + optimized.scaleInGrainMinutes,
    extraWindows: ({ optimized }) => [
      ['scaleInWindowMinutes', optimized.scaleInWindowMinutes, optimized.scaleInGrainMinutes],
      // 0 turns the early scale-in off.
      ...(optimized.scaleInEarlyWindowMinutes > 0
        ? [['scaleInEarlyWindowMinutes', optimized.scaleInEarlyWindowMinutes, optimized.scaleInGrainMinutes] as const]
        : []),
    ],
    /**
     * The cache pair is left out on purpose: Azure publishes 80 % (scale out) and 75 % (allow scale in) itself, and
     * the flapping projection stops a scale-in that would push the cache factor back over 80 %.
     */
    thresholdPairs: ({ optimized: { scaleOut, scaleIn } }, path) => {
      const at = (field: string) => `${path}.optimized.scaleIn.${field}`;
      return [
        { metric: 'CPU', out: scaleOut.cpuPercent, in: scaleIn.cpuPercent, where: at('cpuPercent') },
        {
          metric: 'IngestionUtilization',
          out: scaleOut.ingestionUtilizationPercent,
          in: scaleIn.ingestionUtilizationPercent,
          where: at('ingestionUtilizationPercent'),
        },
      ];
    },
  },
  defaultHorizonMinutes: 75,
  nodeServerSuffix: undefined,
  // ADX keeps reorganizing its cache after ARM is done.
  cacheWarmupMinutes: (target) => target.followUp.cacheWarmupMinutes,
  forecastWarmupMinutes: (target) => target.forecast.cacheWarmupMinutes,
  // A step too large is undone by a scale-in.
  assumesHiddenLoadWhenSaturated: true,
  takesOverConflictingAutoscaler: (target) => target.onConflictingAutoscaler === 'take-over',
  followUpPlan: 'arm-only',
  citusTarget: () => undefined,
  followUpTiming: ({ followUp: { pollIntervalSeconds, timeoutMinutes } }) => ({
    pollIntervalSeconds,
    readyTimeoutMinutes: timeoutMinutes,
    haReadyTimeoutMinutes: timeoutMinutes,
  }),
  hasHighAvailabilityStandby: false,
  checks: () => [],
};
