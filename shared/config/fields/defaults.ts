/**
 * Every default of the config in one place. The schema reads them from here, docs/config-reference.md is
 * generated from the schema, and each value says where it comes from.
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
    /** ADX: scale in only after a 1-day evaluation, re-evaluated every hour. */
    scaleInWindowMinutes: 1440,
    scaleInGrainMinutes: 60,
    /**
     * Not in ADX's published logic: with strong evidence the scale-in need not wait for a whole quiet day. Every
     * check must agree over this shorter window, and every peak, spread over the smaller size, must still be
     * below its scale-in threshold (the cluster stays quiet after the scale-in). 0 turns it off.
     */
    scaleInEarlyWindowMinutes: 360,
    kusto: {
      scaleOut: {
        /** Not published by Azure; 80 % leaves the published 50 % scale-in threshold 30 points below. */
        cpuPercent: 80,
        /** Published: "cache utilization factor above 80 %". */
        cacheUtilizationPercent: 80,
        /** Not published; same reasoning as CPU. */
        ingestionUtilizationPercent: 80,
      },
      scaleIn: {
        /** Published allow-scale-in values: CPU < 50 %, ingestion < 50 %, cache < 75 %, streaming < 80 %. */
        cpuPercent: 50,
        ingestionUtilizationPercent: 50,
        cacheUtilizationPercent: 75,
        streamingIngestUtilizationPercent: 80,
        /** KeepAlive is ~1 on a responsive cluster; an hourly average below 0.9 means missed heartbeats. */
        minKeepAlive: 0.9,
        /** "There is no query throttling." */
        maxThrottledQueries: 0,
        /** "Failed queries below a defined minimum" (not published): 1 % of all queries. */
        maxFailedQueryPercent: 1,
      },
    },
    postgres: {
      scaleOut: {
        cpuPercent: 80,
        memoryPercent: 90,
        /** Each added node brings its own storage; rebalancing spreads the data over it. */
        storagePercent: 85,
      },
    },
  },
  rebalance: {
    enabled: true,
    /** Citus' default strategy since Citus 12 (docs/citus-rebalance.md). */
    strategy: 'by_disk_size',
    shardTransferMode: 'auto',
    /**
     * Four moves at once (Citus' own default is one). A scale-out happens because the cluster is hot, and the new
     * nodes carry load only as shards reach them: four parallel moves finish about 2.8x sooner (measured,
     * docs/citus-rebalance.md), for about a core per move on source and target while they run. In the simulator
     * this cut elastic clusters' overloaded minutes by a third on two fresh seeds at equal or lower cost
     * (docs/simulator.md). The executor settings are raised for the job and put back afterwards; where they cannot
     * be raised, the moves run one at a time and the operation says so. Set 1 to keep Citus' pace.
     */
    parallelism: 4,
    maxAttempts: 3,
    /** A move fails below `citus.desired_percent_disk_available_after_move` (10 %); keep a margin above it. */
    minFreeDiskPercent: 20,
    readyTimeoutMinutes: 90,
    /** Zone-redundant HA provisions a standby for every new node as well (docs/azure-elastic-clusters.md). */
    haReadyTimeoutMinutes: 180,
    pollIntervalSeconds: 30,
    /** A healthy job waits 0.2-5 s in `scheduled` (docs/citus-rebalance.md); ten minutes is clearly stuck. */
    stuckScheduledMinutes: 10,
  },
  database: {
    /** The coordinator: cluster-wide operations must not go through the load-balanced 7432 (docs/citus-rebalance.md). */
    port: 5432,
    ssl: 'verify-full',
  },
  kustoFollowUp: {
    pollIntervalSeconds: 30,
    /** ADX adds instances and rebalances its hot cache; large clusters take well over an hour. */
    timeoutMinutes: 180,
    /**
     * After ARM reports the update done, ADX reorganizes its hot cache over the instances, which loads the CPU
     * and can take "up to 2 hours" (docs/azure-data-explorer-scaling.md); an hour is typical. The operation is
     * held that long: cooldowns start after it, so a rule does not fire again on the reorganization's load.
     */
    cacheWarmupMinutes: 60,
  },
  alerts: {
    /** One unit per fired alert: an alert is a strong signal, but each delivery should move capacity gently. */
    step: 1,
    /** A resolved alert only says the condition passed; acting on it is opt-in. */
    actOnResolved: false,
  },
  connections: { policy: 'service-default' },
  kusto: { onConflictingAutoscaler: 'refuse' },
  forecast: {
    /** Azure Data Explorer's predictive logic reads "the last few weeks"; Azure Monitor keeps 93 days. */
    historyDays: 21,
    horizonHours: 36,
    /** Plan for this utilization of the forecast load plus its margin: below the usual 75-80 % scale-out rules. */
    targetUtilizationPercent: 85,
    /** A load above the forecast (with its margin) by this share is a spike the forecast did not foresee: reactive. */
    spikeTolerancePercent: 10,
    kusto: {
      /**
       * On: in the simulator it cut elastic-scaler's ADX node-hours by 5-6 % at equal overload, on the suite and on
       * two fresh seeds (docs/forecasting.md).
       */
      mode: 'act',
      /** Held-out R^2 that counts as "seasonality found with high confidence" for a reversible change. */
      minConfidence: 0.8,
      minHistoryDays: 3,
      /** ARM time plus cache warm-up until the first scale-out completes (simulator defaults: 15 + 60 min). */
      defaultLeadMinutes: 75,
      /** ADX does not report the end of its hot-cache warm-up; "up to 2 hours", one hour typical (docs/forecasting.md). */
      cacheWarmupMinutes: 60,
    },
    postgres: {
      /** On: cheaper (0.6 %) at equal overload on the suite and a fresh seed; guarded by stronger evidence below. */
      mode: 'act',
      /** An elastic cluster cannot scale back in: a forecast must explain more to add a node for good. */
      minConfidence: 0.9,
      minHistoryDays: 5,
      /** ARM time plus the rebalance until the first scale-out completes (10 min provisioning + ~50 min moving). */
      defaultLeadMinutes: 60,
    },
  },
} as const;
