/**
 * Which metrics a target's policy reads, and how far back. Pure, so the metrics adapter can batch exactly what
 * the decision will look at and nothing more.
 */
import type { MetricNeed } from '../vocabulary/metric-series.js';
import type { TargetConfig } from '../config/schema/schema.js';
import type { Statistic } from '../vocabulary/metric-series.js';
import { kindOf } from '../kinds/registry.js';
import { TREND_MINUTES } from './horizon.js';
import { profileSettings } from './schedule.js';

/** The forecast compares the last 10 minutes' load with what it foresaw (forecast-stage.ts). */
const FORECAST_CURRENT_LOAD_MINUTES = 10;

export interface MetricRequirements {
  needs: MetricNeed[];
  lookbackMinutes: number;
}

/**
 * Every profile's metrics, not only the active one's: the fetch happens before the decision picks the profile, and a
 * profile that has just started finds its windows already filled.
 */
export function requiredMetrics(target: TargetConfig): MetricRequirements {
  const needs = new Map<string, MetricNeed>();
  const add = (metric: string, aggregation: Statistic, splitBy?: string) => {
    const key = `${metric}|${splitBy ?? ''}`;
    const need = needs.get(key) ?? { metric, aggregations: [], ...(splitBy ? { splitBy } : {}) };
    if (!need.aggregations.includes(aggregation)) need.aggregations.push(aggregation);
    needs.set(key, need);
  };
  let windowMinutes = 0;
  for (const { mode, rules } of [
    profileSettings(target),
    ...target.profiles.map((profile) => profileSettings(target, profile)),
  ]) {
    if (mode === 'custom') {
      for (const rule of rules) {
        add(rule.metric, rule.statistic);
        windowMinutes = Math.max(windowMinutes, rule.windowMinutes + rule.timeGrainMinutes);
        // The step of a scale-out is sized from the rule metric's trend over the last half hour (horizon.ts):
        // without these minutes the trend could never be read and every rise would look flat.
        if (rule.direction === 'out') {
          add(rule.metric, 'Average');
          windowMinutes = Math.max(windowMinutes, TREND_MINUTES + 1);
        }
      }
    } else if (mode === 'optimized') {
      windowMinutes = Math.max(windowMinutes, optimizedNeeds(target, add));
    }
  }
  if (target.forecast.mode !== 'off') {
    kindOf(target).forecastMetrics.forEach((metric) => add(metric, 'Average'));
    windowMinutes = Math.max(windowMinutes, FORECAST_CURRENT_LOAD_MINUTES);
  }
  return {
    needs: [...needs.values()],
    lookbackMinutes: windowMinutes === 0 ? 0 : windowMinutes + target.dataQuality.maxLagMinutes,
  };
}

function optimizedNeeds(
  target: TargetConfig,
  add: (metric: string, aggregation: Statistic, splitBy?: string) => void,
): number {
  const { optimized } = kindOf(target);
  optimized.metrics.forEach(({ metric, aggregation, splitBy }) => add(metric, aggregation, splitBy));
  const scaleOutMinutes = target.optimized.scaleOutWindowMinutes + target.optimized.scaleOutGrainMinutes;
  return Math.max(scaleOutMinutes, optimized.scaleInLookbackMinutes(target));
}
