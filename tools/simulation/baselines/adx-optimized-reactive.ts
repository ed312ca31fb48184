/**
 * Azure Data Explorer's optimized autoscale, reactive logic, as documented in "Manage cluster horizontal scaling"
 * (learn.microsoft.com/azure/data-explorer/manage-cluster-horizontal-scaling, docs/azure-data-explorer-scaling.md):
 * - scale out "when at least one of the following conditions occurs: the cache utilization is high for over an
 *   hour; the CPU is high for over an hour; the ingestion utilization is high for over an hour";
 * - scale in only when cache utilization isn't high, CPU and ingestion are below average, the cluster is
 *   responsive (KeepAlive) and there is no throttling or failure; "the scale in logic requires a 1-day evaluation
 *   ... This evaluation takes place once every hour".
 * The predictive half (a forecast from weeks of history) is not modelled: elastic-scaler implements the reactive logic.
 *
 * Azure publishes no thresholds and no step sizes. Assumptions, each a parameter: "high" = every 1-minute sample
 * of the last hour above 80 %; "below average" = every hourly mean of the last day below 50 % (CPU, ingestion),
 * cache "not high" below 75 %, KeepAlive hourly mean at least 0.9 (elastic-scaler's optimized defaults, so the
 * two differ in logic, not in numbers); one instance per operation, in both directions (the ADX team describes
 * reactive scale-out as "performed after detecting the high load with about 1 hour delay"); the hour (or day) of
 * evidence must lie after the previous operation finished, so a decision never rests on data from another size.
 * Throttling and failed-query signals are not simulated (no data), which lets those checks pass.
 *
 * For an elastic cluster (no scale-in) only the scale-out half applies, on `cpu_percent`.
 */
import type { TargetKind } from '../../../shared/vocabulary/kinds.js';
import type { MetricFeed } from '../metric-feed.js';
import { clamp, type Controller } from '../policy-runner.js';
import { simulationOf } from '../kinds/registry.js';
import { kindDefinition } from '../../../shared/kinds/registry.js';

export interface AdxReactiveSettings {
  highPercent: number;
  highWindowMinutes: number;
  scaleIn: { cpuPercent: number; ingestionPercent: number; cachePercent: number; minKeepAlive: number };
  scaleInWindowMinutes: number;
  scaleInEveryMinutes: number;
  step: number;
}

export const ADX_REACTIVE_DEFAULTS: Readonly<AdxReactiveSettings> = {
  highPercent: 80,
  highWindowMinutes: 60,
  scaleIn: { cpuPercent: 50, ingestionPercent: 50, cachePercent: 75, minKeepAlive: 0.9 },
  scaleInWindowMinutes: 1440,
  scaleInEveryMinutes: 60,
  step: 1,
};

export class AdxOptimizedReactive implements Controller {
  readonly policy = 'adx-optimized-reactive' as const;
  /** Evidence counts only from here: the minute the last operation finished (or the trace's start). */
  private evidenceFrom: number;
  private readonly outMetrics: string[];

  constructor(
    private readonly kind: TargetKind,
    private readonly feed: MetricFeed,
    private readonly limits: { min: number; max: number },
    private readonly current: () => number,
    private readonly settings: AdxReactiveSettings = ADX_REACTIVE_DEFAULTS,
    historyBeforeStartMinutes = settings.scaleInWindowMinutes,
  ) {
    this.evidenceFrom = -historyBeforeStartMinutes;
    this.outMetrics = simulationOf(kind).baselines.reactiveMetrics.filter((metric) => feed.has(metric));
  }

  reason(_minute: number, wanted: number): string {
    return wanted > this.current()
      ? `a signal above ${this.settings.highPercent} % for the whole ${this.settings.highWindowMinutes}-min window`
      : 'every hour of the last day quiet on every signal';
  }

  decide(minute: number): number | undefined {
    const current = this.current();
    if (this.outMetrics.some((metric) => this.highForTheWindow(metric, minute))) {
      const to = clamp(current + this.settings.step, this.limits);
      return to > current ? to : undefined;
    }
    if (
      kindDefinition(this.kind).facts.canScaleIn &&
      minute % this.settings.scaleInEveryMinutes === 0 &&
      this.safeToScaleIn(minute)
    ) {
      const to = clamp(current - this.settings.step, this.limits);
      return to < current ? to : undefined;
    }
    return undefined;
  }

  onSettled(minute: number): void {
    this.evidenceFrom = Math.max(this.evidenceFrom, minute);
  }

  /** Every readable sample of the last hour is high, the hour is complete, and it lies after the last operation. */
  private highForTheWindow(metric: string, minute: number): boolean {
    const { highWindowMinutes, highPercent } = this.settings;
    const last = this.feed.lastPublished(minute);
    const first = last - highWindowMinutes + 1;
    if (first < this.evidenceFrom) return false;
    for (let sample = first; sample <= last; sample += 1) {
      if ((this.feed.valueAt(metric, sample) ?? 0) <= highPercent) return false;
    }
    return true;
  }

  /** A full day after the last operation, in which every hour was quiet on every signal the cluster emits. */
  private safeToScaleIn(minute: number): boolean {
    const { scaleInWindowMinutes, scaleIn } = this.settings;
    const last = this.feed.lastPublished(minute);
    const first = last - scaleInWindowMinutes + 1;
    if (first < this.evidenceFrom) return false;
    const peakHourBelow = (metric: string, threshold: number) =>
      !this.feed.has(metric) || this.hourlyMeans(metric, first, last).every((mean) => mean < threshold);
    const keepAliveOk =
      !this.feed.has('KeepAlive') ||
      this.hourlyMeans('KeepAlive', first, last).every((mean) => mean >= scaleIn.minKeepAlive);
    return (
      peakHourBelow('CPU', scaleIn.cpuPercent) &&
      peakHourBelow('IngestionUtilization', scaleIn.ingestionPercent) &&
      peakHourBelow('CacheUtilizationFactor', scaleIn.cachePercent) &&
      keepAliveOk
    );
  }

  private hourlyMeans(metric: string, first: number, last: number): number[] {
    const means: number[] = [];
    for (let hourStart = first; hourStart <= last; hourStart += 60) {
      let sum = 0;
      let count = 0;
      for (let sample = hourStart; sample < Math.min(hourStart + 60, last + 1); sample += 1) {
        const value = this.feed.valueAt(metric, sample);
        if (value !== undefined) {
          sum += value;
          count += 1;
        }
      }
      if (count > 0) means.push(sum / count);
    }
    return means;
  }
}
