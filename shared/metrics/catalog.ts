/**
 * The Azure Monitor metrics each target kind publishes (its kind definition's catalog, under shared/kinds),
 * looked up by name. Config validation uses this to reject misspelled metric names and aggregations Azure would
 * refuse; the Azure Monitor adapter the namespace to query.
 */
import type { TargetKind } from '../vocabulary/kinds.js';
import type { MetricDefinition } from '../kinds/definition.js';
import { kindDefinition } from '../kinds/registry.js';

export type { MetricDefinition };

export function metricNamespace(kind: TargetKind): string {
  return kindDefinition(kind).metrics.namespace;
}

export function findMetric(kind: TargetKind, name: string): MetricDefinition | undefined {
  const { catalog } = kindDefinition(kind).metrics;
  return Object.hasOwn(catalog, name) ? catalog[name] : undefined;
}

export function metricNames(kind: TargetKind): string[] {
  return Object.keys(kindDefinition(kind).metrics.catalog);
}
