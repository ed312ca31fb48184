/** Azure Database for PostgreSQL elastic clusters (Citus): what the scaler knows about them. */
import { KIND_FACTS } from '../../vocabulary/kinds.js';
import type { KindDefinition } from '../definition.js';
import type { ElasticClusterTargetConfig } from './config/schema.js';
import { POSTGRES_METRICS } from './metrics.js';

export type ElasticClusterTarget = ElasticClusterTargetConfig;

export const ELASTIC_CLUSTER: KindDefinition<ElasticClusterTarget> = {
  kind: 'postgres-elastic-cluster',
  facts: KIND_FACTS['postgres-elastic-cluster'],
  words: {
    name: 'PostgreSQL elastic cluster',
    aCluster: 'an elastic cluster',
    unitSingular: 'node',
    resource: 'server',
    settling: 'rebalance',
  },
  capacityField: 'properties.cluster.clusterSize',
  metrics: { namespace: 'Microsoft.DBforPostgreSQL/flexibleServers', catalog: POSTGRES_METRICS },
  forecastMetrics: ['cpu_percent'],
  optimized: {
    scaleOutChecks: ({ optimized: { scaleOut } }) => [
      { name: 'cpu-high', metric: 'cpu_percent', threshold: scaleOut.cpuPercent },
      { name: 'memory-high', metric: 'memory_percent', threshold: scaleOut.memoryPercent },
      { name: 'storage-high', metric: 'storage_percent', threshold: scaleOut.storagePercent },
    ],
    metrics: ['cpu_percent', 'memory_percent', 'storage_percent'].map((metric) => ({
      metric,
      aggregation: 'Average' as const,
    })),
    // Elastic clusters cannot be scaled in.
    scaleInTarget: () => undefined,
    scaleInLookbackMinutes: () => 0,
    extraWindows: () => [],
    thresholdPairs: () => [],
  },
  defaultHorizonMinutes: 60,
  // `<cluster>-c` for the coordinator, `<cluster>-w<N>` for worker N, as in the per-node `ServerName` metric values.
  nodeServerSuffix: /-(?:c|w\d{1,3})$/,
  // The operation is complete when the rebalance is: nothing settles afterwards.
  cacheWarmupMinutes: () => 0,
  forecastWarmupMinutes: () => 0,
  // An elastic cluster keeps every node it is given, so it is sized for the load it can see.
  assumesHiddenLoadWhenSaturated: false,
  takesOverConflictingAutoscaler: () => false,
  followUpPlan: 'citus-after-scale-out',
  citusTarget: (target) => target,
  followUpTiming: ({ rebalance: { pollIntervalSeconds, readyTimeoutMinutes, haReadyTimeoutMinutes } }) => ({
    pollIntervalSeconds,
    readyTimeoutMinutes,
    haReadyTimeoutMinutes,
  }),
  hasHighAvailabilityStandby: true,
  checks: (target, path) =>
    // The rebalance follow-up logs in to the coordinator as `database.user`; without it every rebalance would fail.
    !target.rebalance.enabled || target.database.user !== undefined
      ? []
      : [
          {
            severity: 'warning',
            path: `${path}.database.user`,
            message:
              "not set, so the rebalance after a scale-out cannot log in to the coordinator; set it to the PostgreSQL role of the scaler's managed identity (see Deploy), or set rebalance.enabled to false",
          },
        ],
};
