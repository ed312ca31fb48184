import { idKey, resourceTypeOf } from '../arm.js';
import { metricDefinition } from './catalog.js';
import type { MetricLoad } from './load.js';

export interface SeriesOptions {
  /**
   * Dimension values of this series, e.g. `{ ServerName: 'pg1-w0' }` for one node of an elastic cluster. A query
   * that splits by a dimension (`$filter=ServerName eq '*'`) returns the series that carry it; an unsplit query
   * returns the series without dimensions, or else combines all series of the metric.
   */
  dimensions?: Readonly<Record<string, string>>;
}

export interface MetricSeries {
  /** Keyed by lower-cased dimension name. */
  dimensions: ReadonlyMap<string, { name: string; value: string }>;
  load: MetricLoad;
}

/** The scripted load of every (resource, metric, dimension values) the tests set. */
export class MetricStore {
  readonly #series = new Map<string, MetricSeries[]>();

  /** Replaces the load of one series; throws on a metric or dimension the resource type does not have. */
  set(resourceId: string, metricName: string, load: MetricLoad, options: SeriesOptions = {}): void {
    const definition = definitionFor(resourceId, metricName);
    const dimensions = new Map<string, { name: string; value: string }>();
    for (const [name, value] of Object.entries(options.dimensions ?? {})) {
      const known = definition.dimensions.find((dimension) => dimension.toLowerCase() === name.toLowerCase());
      if (!known)
        throw new Error(
          `metrics.set: ${definition.name} has no dimension '${name}' (it has: ${definition.dimensions.join(', ') || 'none'})`,
        );
      dimensions.set(known.toLowerCase(), { name: known, value });
    }
    const key = seriesKey(resourceId, metricName);
    const others = (this.#series.get(key) ?? []).filter((series) => !sameDimensions(series.dimensions, dimensions));
    this.#series.set(key, [...others, { dimensions, load }]);
  }

  /** Forgets the load of one metric of a resource, of every metric of it, or of everything. */
  clear(resourceId?: string, metricName?: string): void {
    if (resourceId === undefined) {
      this.#series.clear();
      return;
    }
    if (metricName !== undefined) {
      this.#series.delete(seriesKey(resourceId, metricName));
      return;
    }
    const prefix = `${idKey(resourceId)}|`;
    for (const key of [...this.#series.keys()]) if (key.startsWith(prefix)) this.#series.delete(key);
  }

  series(resourceId: string, metricName: string): readonly MetricSeries[] {
    return this.#series.get(seriesKey(resourceId, metricName)) ?? [];
  }
}

function definitionFor(resourceId: string, metricName: string) {
  const resourceType = resourceTypeOf(resourceId);
  const definition = resourceType ? metricDefinition(resourceType, metricName) : undefined;
  if (!definition)
    throw new Error(`metrics.set: '${metricName}' is not a metric of ${resourceType ?? `'${resourceId}'`}`);
  return definition;
}

function seriesKey(resourceId: string, metricName: string): string {
  return `${idKey(resourceId)}|${metricName.toLowerCase()}`;
}

function sameDimensions(a: MetricSeries['dimensions'], b: MetricSeries['dimensions']): boolean {
  if (a.size !== b.size) return false;
  for (const [name, { value }] of a) if (b.get(name)?.value !== value) return false;
  return true;
}
