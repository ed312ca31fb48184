/** The simulation of an elastic cluster: ARM adds nodes, then the Citus rebalance moves shards onto them. */
import type { ElasticClusterTarget } from '../../../shared/kinds/postgres-elastic-cluster/definition.js';
import { ElasticClusterModel, elasticServiceBounds } from '../model/elastic-cluster-model.js';
import type { SimulationKind } from './definition.js';

export const ELASTIC_CLUSTER_SIMULATION: SimulationKind<ElasticClusterTarget> = {
  createModel: (parameters, initialCapacity) => new ElasticClusterModel(parameters.elastic, initialCapacity),
  serviceBounds: (parameters) => elasticServiceBounds(parameters.elastic),
  feedMetrics: [{ name: 'cpu_percent', measures: 'demand', noisy: true, capPercent: true }],
  servesSecondaryDemand: false,
  armStatus: (busy) => (busy ? 'Updating' : 'Ready'),
  changeOptions: ({ rebalance }) => ({ rebalance: rebalance.enabled, rebalanceParallelism: rebalance.parallelism }),
  reportsSkuAndAutoscaler: false,
  completionMessage: 'ARM finished and the rebalance completed',
  backtestMetrics: { cpu: 'cpu_percent' },
  baselines: {
    cpuMetric: 'cpu_percent',
    reactiveMetrics: ['cpu_percent'],
    oracleLeadMinutes: (parameters, limits) => {
      const model = new ElasticClusterModel(parameters.elastic, limits.min);
      return (
        parameters.elastic.provisioningMinutes +
        model.rebalanceMinutes(limits.min, 1, parameters.elastic.defaultRebalanceParallelism)
      );
    },
  },
};
