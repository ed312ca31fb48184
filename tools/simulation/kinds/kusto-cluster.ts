/** The simulation of an Azure Data Explorer cluster: ARM adds or removes instances, then the cache warms up. */
import type { KustoClusterTarget } from '../../../shared/kinds/kusto-cluster/definition.js';
import { KustoClusterModel } from '../model/kusto-cluster-model.js';
import type { SimulationKind } from './definition.js';

export const KUSTO_CLUSTER_SIMULATION: SimulationKind<KustoClusterTarget> = {
  createModel: (parameters, initialCapacity) => new KustoClusterModel(parameters.kusto, initialCapacity),
  serviceBounds: (parameters) => ({ min: parameters.kusto.skuMinInstances, max: parameters.kusto.skuMaxInstances }),
  feedMetrics: [
    { name: 'CPU', measures: 'demand', noisy: true, capPercent: true },
    // Not capped: the published metric goes above 100 % when the hot data does not fit.
    { name: 'CacheUtilizationFactor', measures: 'cache', noisy: true, capPercent: false },
    { name: 'IngestionUtilization', measures: 'ingestion', noisy: true, capPercent: true },
    { name: 'KeepAlive', measures: 'keep-alive', noisy: false, capPercent: false },
    { name: 'InstanceCount', measures: 'instances', noisy: false, capPercent: false },
  ],
  servesSecondaryDemand: true,
  armStatus: (busy) => (busy ? 'Updating/Running' : 'Running/Succeeded'),
  changeOptions: () => ({}),
  reportsSkuAndAutoscaler: true,
  completionMessage: 'ARM reports the update finished',
  backtestMetrics: {
    cpu: 'CPU',
    cache: 'CacheUtilizationFactor',
    ingestion: 'IngestionUtilization',
    instances: 'InstanceCount',
  },
  baselines: {
    cpuMetric: 'CPU',
    reactiveMetrics: ['CPU', 'CacheUtilizationFactor', 'IngestionUtilization'],
    oracleLeadMinutes: (parameters) => parameters.kusto.provisioningMinutes + parameters.kusto.cacheWarmupMinutes,
  },
};
