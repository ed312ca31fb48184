/**
 * Azure Monitor `metrics:getBatch` (api-version 2024-02-01), the call behind `MetricsClient.queryResources`.
 *
 * Regions: the real service is regional (`https://{region}.metrics.monitor.azure.com`). The emulator serves
 * `{endpoint}/metrics/{region}/subscriptions/{sub}/metrics:getBatch` (use `emulator.metricsEndpoint(region)` as
 * the client endpoint); every resource of the batch must be in that region. The bare
 * `{endpoint}/subscriptions/{sub}/metrics:getBatch` is region-agnostic but still requires one region per batch.
 */
import { armTimestamp, resourceTypeOf, sameText, subscriptionOf } from '../arm.js';
import type { ArmError, LocatedResource } from '../arm.js';
import type { EmulatorClock } from '../clock.js';
import type { EmulatorRequest, EmulatorResponse } from '../http.js';
import { isRecord, jsonResponse } from '../http.js';
import type { MetricDefinition } from '../metrics/catalog.js';
import { metricDefinition, metricNames } from '../metrics/catalog.js';
import type { MetricsQuery } from '../metrics/query.js';
import { metricsBadRequest, parseMetricsQuery } from '../metrics/query.js';
import type { MetricStore } from '../metrics/store.js';
import type { TimeWindow } from '../metrics/timeseries.js';
import { timeSeries, timeWindow } from '../metrics/timeseries.js';
import { canonicalRegion } from '../regions.js';
import type { RouteDefinition, RouteParams } from '../router.js';

export const MAX_RESOURCES_PER_BATCH = 50;

export interface MonitorRouteContext {
  clock: EmulatorClock;
  metrics: MetricStore;
  locate: (resourceId: string) => LocatedResource | undefined;
  apiVersions: readonly string[];
  ingestionDelayMs: number;
}

export function monitorRoutes(context: MonitorRouteContext): RouteDefinition[] {
  const handler = (request: EmulatorRequest, params: RouteParams) => getBatch(context, request, params);
  const common = {
    method: 'POST',
    resourceType: 'Microsoft.Insights/metrics',
    apiVersions: context.apiVersions,
    handler,
    apiVersionError: (requested: string, supported: readonly string[]): ArmError =>
      metricsBadRequest(
        `The api-version '${requested}' is not supported. Supported api-versions: ${supported.join(', ')}`,
      ),
  };
  return [
    { ...common, path: '/subscriptions/{subscriptionId}/metrics:getBatch' },
    { ...common, path: '/metrics/{region}/subscriptions/{subscriptionId}/metrics:getBatch' },
  ];
}

function getBatch(context: MonitorRouteContext, request: EmulatorRequest, params: RouteParams): EmulatorResponse {
  const query = parseMetricsQuery(request.query, context.clock.nowMs());
  const resources = resolveResources(context, request.body, params, query.namespace);
  const definitions = query.metricNames.map((name) => definitionOrError(query.namespace, name));
  const window = timeWindow(query);
  const publishedUntilMs = context.clock.nowMs() - context.ingestionDelayMs;
  const starttime = armTimestamp(query.startMs);
  const endtime = armTimestamp(query.endMs);
  const values = resources.map((resource) => ({
    starttime,
    endtime,
    interval: window.intervalIso,
    value: definitions.map((definition) =>
      metricResult(context.metrics, resource, definition, query, window, publishedUntilMs),
    ),
    namespace: query.namespace.toLowerCase(),
    resourceregion: resource.region,
    resourceid: resource.id,
  }));
  return jsonResponse(200, { values });
}

function resolveResources(
  context: MonitorRouteContext,
  body: unknown,
  params: RouteParams,
  namespace: string,
): LocatedResource[] {
  const ids = isRecord(body) ? body['resourceids'] : undefined;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id): id is string => typeof id === 'string')) {
    throw metricsBadRequest('The request body must be {"resourceids": [...]} with at least one resource ID');
  }
  if (ids.length > MAX_RESOURCES_PER_BATCH) {
    throw metricsBadRequest(
      `The batch contains ${ids.length} resource IDs; at most ${MAX_RESOURCES_PER_BATCH} are allowed per request`,
    );
  }
  const subscriptionId = params['subscriptionId'] ?? '';
  const resources = ids.map((id) => locateForBatch(context, id, subscriptionId, namespace));
  checkOneRegion(resources, params['region']);
  return resources;
}

function locateForBatch(
  context: MonitorRouteContext,
  id: string,
  subscriptionId: string,
  namespace: string,
): LocatedResource {
  if (!sameText(subscriptionOf(id) ?? '', subscriptionId)) {
    throw metricsBadRequest(
      `Resource ID '${id}' is not in subscription '${subscriptionId}' of the request; a batch covers one subscription`,
    );
  }
  const type = resourceTypeOf(id);
  if (!type || !sameText(type, namespace)) {
    throw metricsBadRequest(
      `Resource ID '${id}' is not of the requested metricnamespace '${namespace}'; a batch covers one resource type`,
    );
  }
  const located = context.locate(id);
  if (!located) throw metricsBadRequest(`Resource '${id}' was not found`);
  return { ...located, id };
}

function checkOneRegion(resources: readonly LocatedResource[], endpointRegion: string | undefined): void {
  const expected = endpointRegion ? canonicalRegion(endpointRegion) : resources[0]?.region;
  const stray = resources.find((resource) => resource.region !== expected);
  if (stray) {
    throw metricsBadRequest(
      `Resource '${stray.id}' is in region '${stray.region}' but the batch is for region '${expected}'; a batch covers one region`,
    );
  }
}

function definitionOrError(namespace: string, metricName: string): MetricDefinition {
  const definition = metricDefinition(namespace, metricName);
  if (definition) return definition;
  const [provider = '', ...type] = namespace.split('/');
  throw metricsBadRequest(
    `Failed to find metric configuration for provider: ${provider}, resource Type: ${type.join('/')}, metric: ${metricName}, ` +
      `Valid metrics: ${metricNames(namespace).join(',')}`,
  );
}

/** One entry of `value[]`, shaped like the documented `metrics:getBatch` answer (docs/azure-api-shapes.md). */
function metricResult(
  store: MetricStore,
  resource: LocatedResource,
  definition: MetricDefinition,
  query: MetricsQuery,
  window: TimeWindow,
  publishedUntilMs: number,
) {
  return {
    id: `${resource.id}/providers/Microsoft.Insights/metrics/${definition.name}`,
    type: 'Microsoft.Insights/metrics',
    name: { value: definition.name, localizedValue: definition.localizedName },
    unit: definition.unit,
    timeseries: timeSeries(
      store.series(resource.id, definition.name),
      definition,
      query,
      window.buckets,
      publishedUntilMs,
    ),
    errorCode: 'Success',
  };
}
