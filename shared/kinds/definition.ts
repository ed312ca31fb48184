/**
 * What the scaler must know about one kind of target, as one value per kind (registry.ts holds them in a
 * `Record<TargetKind, ...>`, so the compiler asks every kind each question). Kind modules declare data and small
 * functions over their own config; config validation, the policy and the follow-up interpret them. A kind module
 * imports only the vocabulary, the config types and this file, so no import circle forms through it.
 */
import type { KindFacts, TargetKind } from '../vocabulary/kinds.js';
import type { Statistic } from '../vocabulary/metric-series.js';
import type { ConfigProblem } from '../config/fields/problems.js';
import type { TargetBaseConfig } from '../config/fields/fields.js';
import type { KustoTargetConfig } from './kusto-cluster/config/schema.js';
import type { ElasticClusterTargetConfig } from './postgres-elastic-cluster/config/schema.js';

/**
 * A target of some kind, as a kind definition sees it: the sections every kind shares. Definitions are typed by
 * their own config, never by the union of all kinds (registry.ts builds that union, so it cannot sit below them).
 */
export type KindTarget = TargetBaseConfig & { kind: TargetKind };

/** An Azure Monitor metric of the kind's resource type, with the aggregations Azure accepts for it. */
export interface MetricDefinition {
  unit: 'Percent' | 'Count' | 'Bytes' | 'Seconds' | 'MilliSeconds';
  aggregations: readonly Statistic[];
}

/** One signal of optimized mode's scale-out: the metric must stay above the threshold for the whole window. */
export interface ScaleOutCheck {
  name: string;
  metric: string;
  threshold: number;
}

/** A metric optimized mode reads, with the aggregation (and the split) it reads it by. */
export interface OptimizedMetric {
  metric: string;
  aggregation: Statistic;
  splitBy?: string | undefined;
}

/** A scale-in threshold that must stay clear of its scale-out threshold, or capacity flaps. */
export interface ThresholdPair {
  metric: string;
  out: number;
  in: number;
  /** Config path of the scale-in threshold. */
  where: string;
}

/** A target whose optimized mode scales in: it has the scale-in thresholds, windows and grains. */
export type WithScaleIn<T extends KindTarget> = T & { optimized: KustoTargetConfig['optimized'] };

/**
 * A target whose follow-up runs the Citus steps after a scale-out: it has the rebalance, connection and database
 * settings.
 */
export type WithCitus<T extends KindTarget> = T &
  Pick<ElasticClusterTargetConfig, 'rebalance' | 'connections' | 'database'>;

/** What happens after ARM finished an operation. */
export type FollowUpPlan =
  /** Nothing more: the operation is done when ARM is. */
  | 'arm-only'
  /** Elastic clusters after a scale-out: the new nodes, the connection limits, then the Citus shard rebalance. */
  | 'citus-after-scale-out';

export interface KindWords {
  /** The kind's name for people: `PostgreSQL elastic cluster`, `Azure Data Explorer`. */
  name: string;
  /** The kind with its article, completing "for ...": `an elastic cluster`. */
  aCluster: string;
  /** One unit of capacity: `node`, `instance` (KindFacts.unit is the plural). */
  unitSingular: string;
  /** What ARM calls the resource in state messages: `server`, `cluster`. */
  resource: string;
  /** What each scale operation costs after ARM is done, completing "sized for one ...": `rebalance`. */
  settling: string;
}

export interface KindDefinition<T extends KindTarget = KindTarget> {
  kind: T['kind'];
  facts: KindFacts;
  words: KindWords;
  /** The ARM property that holds the capacity. */
  capacityField: string;
  metrics: {
    /** Azure Monitor metric namespace of the resource type. */
    namespace: string;
    catalog: Readonly<Record<string, MetricDefinition>>;
  };
  /** The utilization metrics whose largest value x capacity is the load the forecast learns from. */
  forecastMetrics: readonly string[];
  optimized: {
    scaleOutChecks(target: T): ScaleOutCheck[];
    /** Every metric optimized mode reads (scale-out and, where the kind scales in, scale-in). */
    metrics: readonly OptimizedMetric[];
    /** Minutes of history the scale-in reads; 0 where the kind never scales in. */
    scaleInLookbackMinutes(target: T): number;
    /** Optimized-mode windows that must be whole numbers of their grains, beyond the scale-out window. */
    extraWindows(target: T): Array<readonly [field: string, windowMinutes: number, grainMinutes: number]>;
    /**
     * The target itself where the kind scales in (optimized mode's scale-in reads these settings), else undefined.
     */
    scaleInTarget(target: T): WithScaleIn<T> | undefined;
    /** Scale-in thresholds that must stay clear of their scale-out thresholds. */
    thresholdPairs(target: T, path: string): ThresholdPair[];
  };
  /**
   * The horizon a scale-out is sized for when the target has no completed scale-out to learn from: provisioning
   * plus a typical rebalance or warm-up.
   */
  defaultHorizonMinutes: number;
  /**
   * Servers beside a cluster that alerts may name for it (an elastic cluster's coordinator and workers): the
   * suffix after the cluster's name. Undefined where the kind has none.
   */
  nodeServerSuffix: RegExp | undefined;
  /** Minutes the target keeps settling after ARM is done (ADX warms its cache); cooldowns start after them. */
  cacheWarmupMinutes(target: T): number;
  /** Minutes the forecast adds to every learned scale-out duration. */
  forecastWarmupMinutes(target: T): number;
  /**
   * Whether a utilization pinned at its ceiling may be taken as more load than it shows: only where a step too
   * large can be undone (the kind scales in).
   */
  assumesHiddenLoadWhenSaturated: boolean;
  /** Whether the config says to turn the target's own autoscaler off rather than refuse to act. */
  takesOverConflictingAutoscaler(target: T): boolean;
  followUpPlan: FollowUpPlan;
  /** The target itself where its follow-up runs the Citus steps (followUpPlan citus-after-scale-out), else undefined. */
  citusTarget(target: T): WithCitus<T> | undefined;
  /** The follow-up's polling and its wait for the resource to be ready after ARM (and, with HA, for its standby). */
  followUpTiming(target: T): {
    pollIntervalSeconds: number;
    readyTimeoutMinutes: number;
    haReadyTimeoutMinutes: number;
  };
  /** Whether ARM reports a high-availability standby the follow-up must wait for. */
  hasHighAvailabilityStandby: boolean;
  /** Semantic checks only this kind has. */
  checks(target: T, path: string): ConfigProblem[];
}
