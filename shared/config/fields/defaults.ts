/**
 * The defaults every kind's targets share. A kind's own sections keep theirs beside their schema
 * (shared/kinds/<kind>/config/schema.ts). The schema reads them, docs/config-reference.md is generated from the
 * schema, and each value says where it comes from.
 */
export const DEFAULTS = {
  settings: {
    /**
     * Warn when a scale-out and a scale-in threshold on the same metric are closer than this share of the
     * scale-out threshold. Azure Monitor's autoscale guidance asks for "an adequate margin" between them; 20 %
     * keeps an 80 % scale-out rule from sharing a metric with a scale-in rule above 64 %.
     */
    minThresholdGapPercent: 20,
  },
  dataQuality: {
    /** A window fires only when at least this share of its grains has data. */
    minWindowCoveragePercent: 80,
    /**
     * Newest data may lag behind `now` by this much before the signal counts as missing. PostgreSQL publishes
     * some metrics in 5-minute batches (docs/azure-monitor-metrics.md), so 10 minutes tolerates one late batch.
     */
    maxLagMinutes: 10,
  },
  cooldowns: {
    /** Measured from the completion of the last operation (for elastic clusters: after the rebalance). */
    scaleOutMinutes: 15,
    /** Long, because a scale-in that turns out wrong costs a scale-out plus a cache warm-up. */
    scaleInMinutes: 60,
  },
  failureBackoff: {
    /**
     * Wait after the first failure of a change; doubled for each further failure in a row. At least 5 minutes, so
     * that no configuration retries a failing PATCH on every timer tick.
     */
    baseMinutes: 15,
    /** The longest wait between two attempts (the doubling stops here). */
    maxMinutes: 240,
    /** After this many failures in a row the scaler stops trying the change and raises an alert. */
    maxConsecutiveFailures: 4,
  },
  /**
   * Each operation costs a shard rebalance (elastic clusters) or a cache reorganization plus cooldown (Azure Data
   * Explorer), so a step is sized to the load (policy/horizon.ts) rather than taken one unit at a time; these caps
   * only bound a wrong reading. In the simulator, out 4 instead of 2 cut overloaded minutes by a fifth on elastic
   * clusters for 1 % more node-hours; in 10 instead of 1 lets a sized scale-in reach the night's need in one
   * reorganization instead of one per instance over hours (docs/simulator.md).
   */
  maxStep: { out: 4, in: 10 },
  dryRun: false,
  paused: { scaleOut: false, scaleIn: false },
  rule: {
    statistic: 'Average',
    timeGrainMinutes: 1,
    /** Azure Monitor autoscale's suggested starting duration (docs/azure-data-explorer-scaling.md). */
    windowMinutes: 10,
    timeAggregation: 'Average',
    change: { type: 'count', value: 1 },
  },
  optimized: {
    /** ADX reactive logic: scale out when a signal is high "for over an hour" (docs/azure-data-explorer-scaling.md). */
    scaleOutWindowMinutes: 60,
    /** 5-minute averages: one noisy minute does not reset an hour of evidence. */
    scaleOutGrainMinutes: 5,
    /** Scale out by enough to bring the hottest signal back to this utilization (proportional, like the HPA). */
    targetUtilizationPercent: 70,
  },
  alerts: {
    /** One unit per fired alert: an alert is a strong signal, but each delivery should move capacity gently. */
    step: 1,
    /** A resolved alert only says the condition passed; acting on it is opt-in. */
    actOnResolved: false,
  },
  forecast: {
    /** Azure Data Explorer's predictive logic reads "the last few weeks"; Azure Monitor keeps 93 days. */
    historyDays: 21,
    horizonHours: 36,
    /** Plan for this utilization of the forecast load plus its margin: below the usual 75-80 % scale-out rules. */
    targetUtilizationPercent: 85,
    /** A load above the forecast (with its margin) by this share is a spike the forecast did not foresee: reactive. */
    spikeTolerancePercent: 10,
  },
} as const;
