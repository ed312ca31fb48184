/** Helpers for the kinds' metric catalogs (each kind lists its resource type's Azure Monitor metrics). */
import type { Statistic } from '../vocabulary/metric-series.js';
import type { MetricDefinition } from './definition.js';

export const AVG_MAX_MIN: readonly Statistic[] = ['Average', 'Maximum', 'Minimum'];
export const ALL: readonly Statistic[] = ['Average', 'Maximum', 'Minimum', 'Total', 'Count'];

/** The same unit and aggregations for each of `names`. */
export function metrics(
  unit: MetricDefinition['unit'],
  aggregations: readonly Statistic[],
  names: string[],
): Record<string, MetricDefinition> {
  return Object.fromEntries(names.map((name) => [name, { unit, aggregations }])) as Record<string, MetricDefinition>;
}
