/** The test pool's simulation: the ADX model's ARM timing, with the kind's own metrics and bounds. */
import type { SimulationKind } from '../../../tools/simulation/kinds/definition.js';
import { KustoClusterModel } from '../../../tools/simulation/model/kusto-cluster-model.js';

export const TEST_POOL_SIMULATION: SimulationKind = {
  createModel: (parameters, initialCapacity) =>
    new KustoClusterModel({ ...parameters.kusto, skuMaxInstances: 12, cacheWarmupMinutes: 0 }, initialCapacity),
  serviceBounds: (parameters) => ({ min: parameters.kusto.skuMinInstances, max: 12 }),
  feedMetrics: [
    { name: 'CPU', measures: 'demand', noisy: true, capPercent: true },
    { name: 'InstanceCount', measures: 'instances', noisy: false, capPercent: false },
  ],
  servesSecondaryDemand: false,
  armStatus: (busy) => (busy ? 'Updating' : 'Succeeded'),
  changeOptions: () => ({}),
  reportsSkuAndAutoscaler: false,
  completionMessage: 'ARM reports the pool resized',
  backtestMetrics: { cpu: 'CPU', instances: 'InstanceCount' },
  baselines: {
    cpuMetric: 'CPU',
    reactiveMetrics: ['CPU'],
    oracleLeadMinutes: (parameters) => parameters.kusto.provisioningMinutes,
  },
};
