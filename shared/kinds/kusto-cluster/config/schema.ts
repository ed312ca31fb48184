/** An Azure Data Explorer target's config: its own sections and its target schema. */
import { z } from 'zod';
import {
  FORECAST_DESCRIPTION,
  count,
  forecastShape,
  optimizedScaleOutFields,
  targetBase,
} from '../../../config/fields/fields.js';

/** The defaults of an Azure Data Explorer target's own sections (the shared ones are in config/fields/defaults.ts). */
export const KUSTO_CONFIG_DEFAULTS = {
  optimized: {
    /** ADX: scale in only after a 1-day evaluation, re-evaluated every hour. */
    scaleInWindowMinutes: 1440,
    scaleInGrainMinutes: 60,
    /**
     * Not in ADX's published logic: with strong evidence the scale-in need not wait for a whole quiet day. Every
     * check must agree over this shorter window, and every peak, spread over the smaller size, must still be
     * below its scale-in threshold (the cluster stays quiet after the scale-in). 0 turns it off.
     */
    scaleInEarlyWindowMinutes: 360,
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
  followUp: {
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
  onConflictingAutoscaler: 'refuse',
  forecast: {
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
} as const;

const kustoOptimized = z
  .strictObject({
    ...optimizedScaleOutFields,
    scaleInWindowMinutes: count(60)
      .max(10080)
      .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleInWindowMinutes)
      .describe('Every scale-in check must agree over this window, which must lie after the last operation.'),
    scaleInGrainMinutes: count(1)
      .max(60)
      .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleInGrainMinutes)
      .describe('Grain of the scale-in window (hourly by default, as ADX re-evaluates hourly).'),
    scaleInEarlyWindowMinutes: count(0)
      .max(10080)
      .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleInEarlyWindowMinutes)
      .describe(
        'Strong evidence: scale in after this shorter quiet window when every peak, spread over the smaller size, stays below its scale-in threshold. 0 waits for the full window.',
      ),
    scaleOut: z
      .strictObject({
        cpuPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleOut.cpuPercent)
          .describe('CPU percent threshold.'),
        cacheUtilizationPercent: z
          .number()
          .gt(0)
          .max(1000)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleOut.cacheUtilizationPercent)
          .describe('Cache utilization factor threshold (CacheUtilizationFactor).'),
        ingestionUtilizationPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleOut.ingestionUtilizationPercent)
          .describe('Ingestion utilization threshold (IngestionUtilization).'),
      })
      .prefault({}),
    scaleIn: z
      .strictObject({
        cpuPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleIn.cpuPercent)
          .describe('CPU percent threshold.'),
        ingestionUtilizationPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleIn.ingestionUtilizationPercent)
          .describe('Ingestion utilization threshold (IngestionUtilization).'),
        cacheUtilizationPercent: z
          .number()
          .gt(0)
          .max(1000)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleIn.cacheUtilizationPercent)
          .describe('Cache utilization factor threshold (CacheUtilizationFactor).'),
        streamingIngestUtilizationPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleIn.streamingIngestUtilizationPercent)
          .describe('Streaming ingest must stay below this (only when the cluster uses it).'),
        minKeepAlive: z
          .number()
          .min(0)
          .max(1)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleIn.minKeepAlive)
          .describe('Lowest hourly KeepAlive average that still counts as responsive.'),
        maxThrottledQueries: count(0)
          .max(1_000_000_000)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleIn.maxThrottledQueries)
          .describe('Throttled queries allowed over the window.'),
        maxFailedQueryPercent: z
          .number()
          .min(0)
          .max(100)
          .default(KUSTO_CONFIG_DEFAULTS.optimized.scaleIn.maxFailedQueryPercent)
          .describe('Failed share of QueryResult allowed over the window.'),
      })
      .prefault({}),
  })
  .prefault({})
  .describe('Optimized mode for Azure Data Explorer: the documented reactive logic with tunable thresholds.');

const kustoFollowUp = z
  .strictObject({
    pollIntervalSeconds: count(5)
      .max(3600)
      .default(KUSTO_CONFIG_DEFAULTS.followUp.pollIntervalSeconds)
      .describe('How often the follow-up polls ARM for the end of the update.'),
    timeoutMinutes: count(1)
      .max(2880)
      .default(KUSTO_CONFIG_DEFAULTS.followUp.timeoutMinutes)
      .describe('How long to wait for the update before recording the operation as timed-out.'),
    cacheWarmupMinutes: count(0)
      .max(720)
      .default(KUSTO_CONFIG_DEFAULTS.followUp.cacheWarmupMinutes)
      .describe(
        'After ARM finishes, the hot cache reorganizes this long: cooldowns start after it, and no further change is made meanwhile.',
      ),
  })
  .prefault({})
  .describe('The follow-up after an ADX capacity change: wait for ARM, record how long it took.');

const kustoForecast = z
  .strictObject({
    ...forecastShape(KUSTO_CONFIG_DEFAULTS.forecast),
    cacheWarmupMinutes: count(0)
      .max(480)
      .default(KUSTO_CONFIG_DEFAULTS.forecast.cacheWarmupMinutes)
      .describe(
        'Added to each learned scale-out duration: ADX warms its hot cache after ARM finished, and does not report when.',
      ),
  })
  .prefault({})
  .describe(FORECAST_DESCRIPTION);

export const kustoTargetSchema = z.strictObject({
  ...targetBase,
  kind: z.literal('kusto-cluster'),
  optimized: kustoOptimized,
  forecast: kustoForecast,
  onConflictingAutoscaler: z
    .enum(['refuse', 'take-over'])
    .default(KUSTO_CONFIG_DEFAULTS.onConflictingAutoscaler)
    .describe(
      "What to do when the cluster's own optimized autoscale is on: refuse to act, or turn it off in the same update.",
    ),
  followUp: kustoFollowUp,
});

export type KustoTargetConfig = z.output<typeof kustoTargetSchema>;
