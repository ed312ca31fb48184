/**
 * What the simulator must know about one kind of target, beside its kind definition (shared/kinds): its cluster
 * model, the metrics the feed produces for it, its service bounds and what the baselines read. Tool code, so it
 * stays out of the deployment; held by kind in registry.ts, so a kind without a simulation does not compile.
 */
import type { TargetConfig } from '../../../shared/config/schema/schema.js';
import type { TargetOfKind } from '../../../shared/kinds/registry.js';
import type { TargetKind } from '../../../shared/vocabulary/kinds.js';
import type { ClusterModel } from '../model/cluster-model.js';
import type { SimulationParameters } from '../model/parameters.js';
import type { ChangeOptions } from '../model/cluster-model.js';

/** What a simulated metric measures each minute. */
export type FeedMeasure =
  /** demand / effective capacity, in percent */
  | 'demand'
  /** cache demand / effective capacity (only when the trace has cache demand) */
  | 'cache'
  /** ingestion demand / effective capacity (only when the trace has ingestion demand) */
  | 'ingestion'
  /** 1, or the served share of the load while overloaded */
  | 'keep-alive'
  /** running units */
  | 'instances';

export interface FeedMetric {
  /** REST name, as Azure Monitor reports it. */
  name: string;
  measures: FeedMeasure;
  noisy: boolean;
  /** Whether the published metric stops at 100 %. */
  capPercent: boolean;
}

/** The real metrics a backtest reads to rebuild a target's load: utilization and, where published, the count. */
export interface UtilizationMetrics {
  cpu: string;
  cache?: string;
  ingestion?: string;
  instances?: string;
}

export interface SimulationKind<T extends TargetConfig = TargetConfig> {
  createModel(parameters: SimulationParameters, initialCapacity: number): ClusterModel;
  /** The bounds the model enforces, which narrow every policy's limits. */
  serviceBounds(parameters: SimulationParameters): { min: number; max: number };
  /** The metrics the feed produces, in order. */
  feedMetrics: readonly FeedMetric[];
  /** Whether cache and ingestion demand count toward what the cluster must serve (and are measured). */
  servesSecondaryDemand: boolean;
  /** What the real adapter's read would report, busy or not. */
  armStatus(busy: boolean): string;
  /** The options the real adapter would pass with a scale request. */
  changeOptions(target: T): ChangeOptions;
  /** Whether the simulated resource reports ADX's own autoscale (off) and its SKU bounds, as the Kusto adapter does. */
  reportsSkuAndAutoscaler: boolean;
  /** The message of a completed operation's follow-up. */
  completionMessage: string;
  backtestMetrics: UtilizationMetrics;
  baselines: {
    /** The CPU metric the rule-based baselines (HPA, Azure Monitor autoscale) scale on. */
    cpuMetric: string;
    /** The metrics ADX's documented reactive logic scales out on. */
    reactiveMetrics: readonly string[];
    /** Minutes from ordering capacity until it serves, as the oracle plans with. */
    oracleLeadMinutes(parameters: SimulationParameters, limits: { min: number; max: number }): number;
  };
}

/** One simulation per kind: a missing kind is a compile error. */
export type SimulationRegistry = { [K in TargetKind]: SimulationKind<TargetOfKind<K>> };
