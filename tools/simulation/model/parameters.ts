/**
 * Every constant of the cluster models and the metric feed, each a named parameter with its default and where the
 * default comes from. Where Azure publishes nothing, the number is an assumption and says so: change it to what
 * you measure on your own clusters (`scaler simulate --model <file.json>`, same shape as these objects).
 */
import { z } from 'zod';
import { MAX_UNITS } from '../../../shared/config/schema/schema.js';
import { serviceMaximum, type ServiceMaximums } from '../../../shared/config/service-maximums.js';
import { KIND_FACTS } from '../../../shared/vocabulary/kinds.js';

const ELASTIC = 'postgres-elastic-cluster';

export const ELASTIC_CLUSTER_DEFAULTS = {
  /**
   * PATCH of `clusterSize` until the new workers run. Azure: "The deployment may take a few minutes"
   * (docs/azure-elastic-clusters.md); assumed 10 minutes, longer with high availability.
   */
  provisioningMinutes: 10,
  /** Distributed data on the cluster. Sets how much a rebalance moves (assumed: a mid-size 500 GB cluster). */
  dataSizeGb: 500,
  /**
   * Copy rate of one shard move (logical replication plus index builds). Not published; assumed 50 MB/s, which
   * moves 100 GB in about 34 minutes.
   */
  shardMoveMbPerSecond: 50,
  /**
   * How parallel moves speed up a rebalance: p moves at once go p^0.75 times faster. Fitted to the measurement
   * in docs/citus-rebalance.md (10 moves onto one new node: 2 per node 1.9x, 4 per node 2.8x faster than sequential).
   */
  parallelSpeedupExponent: 0.75,
  /**
   * Capacity each running move takes from the cluster, in node-equivalents. Assumed: a move keeps about one core
   * busy on its source and one on its target; on 8-vCore nodes that is a quarter of a node.
   */
  moveCostNodes: 0.25,
  /**
   * Moves at once when the policy does not set them (baselines, oracle): Citus' default
   * `citus.max_background_task_executors_per_node` = 1, i.e. sequential (docs/azure-elastic-clusters.md).
   * elastic-scaler uses its target's `rebalance.parallelism` instead.
   */
  defaultRebalanceParallelism: 1,
  /**
   * The most nodes ARM accepts: the kind's service maximum (20 at general availability). `scaler simulate` raises
   * it as the scaler does where SCALER_ELASTIC_CLUSTER_MAX_NODES is set; a model file may set it too.
   */
  maxNodes: serviceMaximum(ELASTIC) ?? MAX_UNITS,
};

export const KUSTO_CLUSTER_DEFAULTS = {
  /** PATCH of `sku.capacity` until the new instances run. Not published; assumed 15 minutes. */
  provisioningMinutes: 15,
  /** PATCH removing instances until they are gone (capacity drops at the end). Not published; assumed 10 minutes. */
  scaleInMinutes: 10,
  /**
   * Hot-cache reorganization after any scale operation, during which new instances ramp linearly to full effect.
   * Azure Data Explorer team: "this process might last up to 2 hours" (Tech Community, "How to save ADX cost with
   * the new Predictive Autoscale", 2021); we take one hour as typical.
   */
  cacheWarmupMinutes: 60,
  /**
   * CPU the reorganization itself takes while it runs, per instance added or removed, in instance-equivalents
   * ("the reorganization itself loads the CPU", same source; not quantified there, assumed a fifth of an instance).
   */
  reorganizationCostPerInstance: 0.2,
  /** SKU bounds reported by listSkusByResource (the official example: 2..100). */
  skuMinInstances: 2,
  skuMaxInstances: 100,
} as const;

export const METRIC_FEED_DEFAULTS = {
  /**
   * Minutes between the end of a minute and its sample being readable. Azure Monitor is eventually consistent:
   * PT1M platform metrics usually appear within 1-3 minutes (integrators poll with up to 5 minutes of delay);
   * assumed 2.
   */
  reportingLagMinutes: 2,
  /** Standard deviation of the measurement noise on utilization metrics, in percentage points (assumed). */
  noisePercentPoints: 2,
  /** Seed of the noise; the same for every policy, so all see the same noise on the same minute. */
  seed: 7,
} as const;

export const OUTCOME_DEFAULTS = {
  /** A scale operation in the opposite direction of the previous one, started within this window, is a reversal. */
  reversalWindowMinutes: 60,
  /** Minutes with true CPU above this are counted as "hot". */
  hotCpuPercent: 80,
} as const;

const positive = z.number().positive().finite();
const minutes = z
  .number()
  .int()
  .min(0)
  .max(24 * 60);

const elasticSchema = z.strictObject({
  provisioningMinutes: minutes,
  dataSizeGb: z.number().min(0).finite(),
  shardMoveMbPerSecond: positive,
  parallelSpeedupExponent: z.number().min(0).max(1),
  moveCostNodes: z.number().min(0).max(5),
  defaultRebalanceParallelism: z.number().int().min(1).max(128),
  maxNodes: z.number().int().min(KIND_FACTS[ELASTIC].serviceMin).max(MAX_UNITS),
});

const kustoSchema = z.strictObject({
  provisioningMinutes: minutes,
  scaleInMinutes: minutes,
  cacheWarmupMinutes: minutes,
  reorganizationCostPerInstance: z.number().min(0).max(5),
  skuMinInstances: z.number().int().min(1),
  skuMaxInstances: z.number().int().min(1).max(1000),
});

const feedSchema = z.strictObject({
  reportingLagMinutes: minutes,
  noisePercentPoints: z.number().min(0).max(50),
  seed: z.number().int().min(0),
});

const outcomeSchema = z.strictObject({
  reversalWindowMinutes: minutes,
  hotCpuPercent: z.number().gt(0).max(100),
});

export const simulationParametersSchema = z.strictObject({
  elastic: elasticSchema.partial().default({}),
  kusto: kustoSchema.partial().default({}),
  metrics: feedSchema.partial().default({}),
  outcomes: outcomeSchema.partial().default({}),
});

export type ElasticClusterParameters = z.output<typeof elasticSchema>;
export type KustoClusterParameters = z.output<typeof kustoSchema>;
export type MetricFeedParameters = z.output<typeof feedSchema>;
export type OutcomeParameters = z.output<typeof outcomeSchema>;

export interface SimulationParameters {
  elastic: ElasticClusterParameters;
  kusto: KustoClusterParameters;
  metrics: MetricFeedParameters;
  outcomes: OutcomeParameters;
}

export const DEFAULT_SIMULATION_PARAMETERS: SimulationParameters = {
  elastic: { ...ELASTIC_CLUSTER_DEFAULTS },
  kusto: { ...KUSTO_CLUSTER_DEFAULTS },
  metrics: { ...METRIC_FEED_DEFAULTS },
  outcomes: { ...OUTCOME_DEFAULTS },
};

/**
 * Defaults overridden by a partial document (e.g. the `--model` file); every problem reported with its path.
 * `raised`: service maximums raised by app settings (serviceMaximumsFrom), the models' bounds unless the document
 * sets them.
 */
export function simulationParameters(
  overrides: unknown = {},
  raised: ServiceMaximums = {},
): SimulationParameters | { problems: string[] } {
  const parsed = simulationParametersSchema.safeParse(overrides);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`) };
  }
  const { elastic, kusto, metrics, outcomes } = parsed.data;
  const merged: SimulationParameters = {
    elastic: withOverrides<ElasticClusterParameters>(
      { ...ELASTIC_CLUSTER_DEFAULTS, maxNodes: serviceMaximum(ELASTIC, raised) ?? ELASTIC_CLUSTER_DEFAULTS.maxNodes },
      elastic,
    ),
    kusto: withOverrides<KustoClusterParameters>(KUSTO_CLUSTER_DEFAULTS, kusto),
    metrics: withOverrides<MetricFeedParameters>(METRIC_FEED_DEFAULTS, metrics),
    outcomes: withOverrides<OutcomeParameters>(OUTCOME_DEFAULTS, outcomes),
  };
  if (merged.kusto.skuMinInstances > merged.kusto.skuMaxInstances) {
    return {
      problems: [
        `kusto.skuMinInstances: ${merged.kusto.skuMinInstances} is above kusto.skuMaxInstances (${merged.kusto.skuMaxInstances}); make the minimum the smaller`,
      ],
    };
  }
  return merged;
}

function withOverrides<T extends Record<string, number>>(
  defaults: T,
  overrides: { [K in keyof T]?: number | undefined },
): T {
  const result: T = { ...defaults };
  for (const key of Object.keys(overrides) as Array<keyof T>) {
    const value = overrides[key];
    if (value !== undefined) result[key] = value as T[keyof T];
  }
  return result;
}
