/** An Azure Data Explorer target's config: its own sections and its target schema. */
import { z } from 'zod';
import { DEFAULTS } from '../../../config/fields/defaults.js';
import { FORECAST_DESCRIPTION, count, forecastShape, targetBase } from '../../../config/fields/fields.js';

const kustoOptimized = z
  .strictObject({
    scaleOutWindowMinutes: count(5)
      .max(1440)
      .default(DEFAULTS.optimized.scaleOutWindowMinutes)
      .describe('A scale-out signal must stay above its threshold this long.'),
    scaleOutGrainMinutes: count(1)
      .max(60)
      .default(DEFAULTS.optimized.scaleOutGrainMinutes)
      .describe('Grain of the scale-out window: every grain average must be above the threshold.'),
    targetUtilizationPercent: z
      .number()
      .gt(0)
      .max(100)
      .default(DEFAULTS.optimized.targetUtilizationPercent)
      .describe('Scale to the capacity that brings the hottest signal to this utilization.'),
    scaleInWindowMinutes: count(60)
      .max(10080)
      .default(DEFAULTS.optimized.scaleInWindowMinutes)
      .describe('Every scale-in check must agree over this window, which must lie after the last operation.'),
    scaleInGrainMinutes: count(1)
      .max(60)
      .default(DEFAULTS.optimized.scaleInGrainMinutes)
      .describe('Grain of the scale-in window (hourly by default, as ADX re-evaluates hourly).'),
    scaleInEarlyWindowMinutes: count(0)
      .max(10080)
      .default(DEFAULTS.optimized.scaleInEarlyWindowMinutes)
      .describe(
        'Strong evidence: scale in after this shorter quiet window when every peak, spread over the smaller size, stays below its scale-in threshold. 0 waits for the full window.',
      ),
    scaleOut: z
      .strictObject({
        cpuPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(DEFAULTS.optimized.kusto.scaleOut.cpuPercent)
          .describe('CPU percent threshold.'),
        cacheUtilizationPercent: z
          .number()
          .gt(0)
          .max(1000)
          .default(DEFAULTS.optimized.kusto.scaleOut.cacheUtilizationPercent)
          .describe('Cache utilization factor threshold (CacheUtilizationFactor).'),
        ingestionUtilizationPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(DEFAULTS.optimized.kusto.scaleOut.ingestionUtilizationPercent)
          .describe('Ingestion utilization threshold (IngestionUtilization).'),
      })
      .prefault({}),
    scaleIn: z
      .strictObject({
        cpuPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(DEFAULTS.optimized.kusto.scaleIn.cpuPercent)
          .describe('CPU percent threshold.'),
        ingestionUtilizationPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(DEFAULTS.optimized.kusto.scaleIn.ingestionUtilizationPercent)
          .describe('Ingestion utilization threshold (IngestionUtilization).'),
        cacheUtilizationPercent: z
          .number()
          .gt(0)
          .max(1000)
          .default(DEFAULTS.optimized.kusto.scaleIn.cacheUtilizationPercent)
          .describe('Cache utilization factor threshold (CacheUtilizationFactor).'),
        streamingIngestUtilizationPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(DEFAULTS.optimized.kusto.scaleIn.streamingIngestUtilizationPercent)
          .describe('Streaming ingest must stay below this (only when the cluster uses it).'),
        minKeepAlive: z
          .number()
          .min(0)
          .max(1)
          .default(DEFAULTS.optimized.kusto.scaleIn.minKeepAlive)
          .describe('Lowest hourly KeepAlive average that still counts as responsive.'),
        maxThrottledQueries: count(0)
          .max(1_000_000_000)
          .default(DEFAULTS.optimized.kusto.scaleIn.maxThrottledQueries)
          .describe('Throttled queries allowed over the window.'),
        maxFailedQueryPercent: z
          .number()
          .min(0)
          .max(100)
          .default(DEFAULTS.optimized.kusto.scaleIn.maxFailedQueryPercent)
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
      .default(DEFAULTS.kustoFollowUp.pollIntervalSeconds)
      .describe('How often the follow-up polls ARM for the end of the update.'),
    timeoutMinutes: count(1)
      .max(2880)
      .default(DEFAULTS.kustoFollowUp.timeoutMinutes)
      .describe('How long to wait for the update before recording the operation as timed-out.'),
    cacheWarmupMinutes: count(0)
      .max(720)
      .default(DEFAULTS.kustoFollowUp.cacheWarmupMinutes)
      .describe(
        'After ARM finishes, the hot cache reorganizes this long: cooldowns start after it, and no further change is made meanwhile.',
      ),
  })
  .prefault({})
  .describe('The follow-up after an ADX capacity change: wait for ARM, record how long it took.');

const kustoForecast = z
  .strictObject({
    ...forecastShape(DEFAULTS.forecast.kusto),
    cacheWarmupMinutes: count(0)
      .max(480)
      .default(DEFAULTS.forecast.kusto.cacheWarmupMinutes)
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
    .default(DEFAULTS.kusto.onConflictingAutoscaler)
    .describe(
      "What to do when the cluster's own optimized autoscale is on: refuse to act, or turn it off in the same update.",
    ),
  followUp: kustoFollowUp,
});
