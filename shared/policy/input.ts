import type { TargetConfig } from '../config/schema/schema.js';
import type { Direction } from './decision.js';
import type { MetricsSnapshot, Statistic } from '../vocabulary/metric-series.js';
import type { LoadForecast } from './forecast.js';
import type { LeadTime } from './lead-time.js';

/** What the executor hands the policy for a target with forecasting on (shared/forecasting.ts builds it). */
export interface ForecastInput {
  forecast: LoadForecast;
  leadTime: LeadTime;
}

/** The live state of the resource, read from ARM just before deciding. */
export interface ObservedTarget {
  capacity: number;
  /**
   * Set while the resource cannot be changed: ARM reports an update, our own follow-up (a Citus rebalance) runs,
   * or the resource is not running. The description completes "not changing capacity while ...".
   */
  operationInProgress?: { description: string; direction?: Direction; startedAt?: Date } | undefined;
  /** Another autoscaler that manages the same capacity (ADX optimized autoscale). */
  conflictingAutoscaler?: { name: string; enabled: boolean } | undefined;
  /** Service bounds for the current SKU, when the scale target knows them (Kusto listSkusByResource). */
  capacityBounds?: { min: number; max: number } | undefined;
}

export interface OperationSummary {
  direction: Direction;
  from: number;
  to: number;
  startedAt: Date;
  /** Cooldowns run from here; absent while the operation (and its follow-up) runs. */
  completedAt?: Date | undefined;
}

/** A finished operation, as the failure backoff needs it. */
export interface FinishedOperation extends OperationSummary {
  status: 'succeeded' | 'failed' | 'cancelled';
  completedAt: Date;
  /** Why it ended, e.g. ARM's error code and message. */
  message?: string | undefined;
}

/** What the failure backoff looks at: the target's recent finished operations and the operator's last reset. */
export interface FailureHistory {
  /** Most recently started first; a bounded window, enough to count any streak up to the configured limit. */
  recent: FinishedOperation[];
  /** Failures that ended at or before this moment no longer count (`POST /api/targets/{name}/failures/reset`). */
  resetAt?: Date | undefined;
}

export interface ScaleHistory {
  lastScaleOut?: OperationSummary | undefined;
  lastScaleIn?: OperationSummary | undefined;
  /**
   * The most recently started operation that is still unfinished, whatever its direction: it may hide behind a
   * newer, finished operation of the same direction (one cancelled by ARM's 409, or started by a slow clock).
   */
  unfinished?: OperationSummary | undefined;
}

/** An explicit ask from an operator or an alert. Exactly one of capacity or delta is set. */
export interface ScaleRequest {
  source: 'manual' | 'alert';
  capacity?: number | undefined;
  delta?: number | undefined;
  /** Why the caller asks; kept in the ledger. */
  reason: string;
  ignoreCooldown?: boolean | undefined;
}

export interface RuntimePauses {
  scaleOut: boolean;
  scaleIn: boolean;
}

/**
 * The load a scale-out should be sized for: what the cluster will have to serve when an operation started now
 * is complete. A forecaster may supply it; without one the policy derives it from the recent trend.
 */
export interface HorizonNeed {
  /** Expected load at the end of the horizon, in units at 100 % (node-equivalents). */
  loadUnits: number;
  horizonMinutes: number;
  source: 'trend' | 'forecast';
  /** How it was derived, for the decision's message. */
  detail: string;
}

export interface DecideInput {
  now: Date;
  target: TargetConfig;
  observed: ObservedTarget;
  /** Undefined when the metrics could not be read at all. */
  metrics: MetricsSnapshot | undefined;
  history: ScaleHistory;
  /** Absent: no failure has been recorded (the backoff has nothing to count). */
  failures?: FailureHistory | undefined;
  request?: ScaleRequest | undefined;
  /** Pause flags set at run time (HTTP API); combined with the config's `paused`. */
  paused?: RuntimePauses | undefined;
  /** The target's load forecast and learned lead time; absent when forecasting is off or no history could be read. */
  forecast?: ForecastInput | undefined;
  /** Load over the coming operation's horizon, from a forecast; absent: derived from the recent trend. */
  horizonNeed?: HorizonNeed | undefined;
  /** What the executor found while acting; absent when deciding without acting (the timer's first look, a preview). */
  executor?: ExecutorFacts | undefined;
}

/** Facts only the guarded executor knows, which the closing guards turn into decisions. */
export interface ExecutorFacts {
  /** Another evaluation holds the target's lease: it is acting on the target right now. */
  leaseHeld: boolean;
}

export type { Statistic };
