/**
 * ARM routes of Microsoft.Kusto used by `@azure/arm-kusto` 8.1.0 (api-version 2023-08-15): clusters get/list/PATCH,
 * SKU lists and the operationResults URL that a PATCH names in `Azure-AsyncOperation`.
 */
import { armTimestamp } from '../arm.js';
import type { EmulatorRequest, EmulatorResponse } from '../http.js';
import { headerValue, jsonResponse } from '../http.js';
import type { AsyncOperation } from '../operations.js';
import { canonicalRegion, displayRegion } from '../regions.js';
import type { RouteDefinition, RouteParams } from '../router.js';
import type { KustoState } from '../state/kusto.js';
import { skuCatalog } from '../state/kusto-skus.js';
import type { ArmRouteContext } from './arm-route-context.js';
import { armRouteBuilder, emulatorUrl, operationAt, retryAfterHeader } from './arm-route-context.js';

const CLUSTER_TYPE = 'Microsoft.Kusto/clusters';
const SUBSCRIPTION = '/subscriptions/{subscriptionId}/providers/Microsoft.Kusto';
const CLUSTER =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Kusto/clusters/{clusterName}';

const STATUS_TEXT: Readonly<Record<AsyncOperation['status'], string>> = {
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

export function kustoRoutes(context: ArmRouteContext, state: KustoState): RouteDefinition[] {
  const route = armRouteBuilder(context);
  return [
    route('GET', CLUSTER, CLUSTER_TYPE, (_request, p) => jsonResponse(200, state.cluster(sub(p), rg(p), cluster(p)))),
    route('GET', `${SUBSCRIPTION}/clusters`, CLUSTER_TYPE, (_request, p) =>
      jsonResponse(200, { value: state.list(sub(p)) }),
    ),
    route(
      'GET',
      '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Kusto/clusters',
      CLUSTER_TYPE,
      (_request, p) => jsonResponse(200, { value: state.list(sub(p), rg(p)) }),
    ),
    route('PATCH', CLUSTER, CLUSTER_TYPE, (request, p) => updateCluster(context, state, request, p)),
    route('GET', `${CLUSTER}/skus`, `${CLUSTER_TYPE}/skus`, (_request, p) =>
      jsonResponse(200, { value: resourceSkus(state, p) }),
    ),
    route('GET', `${SUBSCRIPTION}/skus`, 'Microsoft.Kusto/skus', () =>
      jsonResponse(200, { value: skuCatalog(state.regions()) }),
    ),
    route('GET', `${SUBSCRIPTION}/locations/{location}/skus`, 'Microsoft.Kusto/locations/skus', (_request, p) =>
      jsonResponse(200, { value: skusIn(state, p['location'] ?? '') }),
    ),
    route(
      'GET',
      `${SUBSCRIPTION}/locations/{location}/operationResults/{operationId}`,
      'Microsoft.Kusto/locations/operationResults',
      (_request, p) => operationResult(context, p),
    ),
  ];
}

const sub = (params: RouteParams): string => params['subscriptionId'] ?? '';
const rg = (params: RouteParams): string => params['resourceGroupName'] ?? '';
const cluster = (params: RouteParams): string => params['clusterName'] ?? '';

/** 202 with the cluster body and `Azure-AsyncOperation` only, as the documented update (docs/azure-api-shapes.md). */
function updateCluster(
  context: ArmRouteContext,
  state: KustoState,
  request: EmulatorRequest,
  params: RouteParams,
): EmulatorResponse {
  const operation = state.beginUpdate(
    sub(params),
    rg(params),
    cluster(params),
    request.body,
    headerValue(request.headers, 'if-match'),
  );
  const statusPath = `/subscriptions/${sub(params)}/providers/Microsoft.Kusto/locations/${operation.region}/operationResults/${operation.id}`;
  return {
    status: 202,
    headers: { 'Azure-AsyncOperation': emulatorUrl(context, statusPath, request), ...retryAfterHeader(context) },
    body: state.cluster(sub(params), rg(params), cluster(params)),
  };
}

/** Shaped like the documented `listSkusByResource` answer (docs/azure-api-shapes.md). */
function resourceSkus(state: KustoState, params: RouteParams) {
  return state.availableSkus(sub(params), rg(params), cluster(params)).map((sku) => ({
    resourceType: 'clusters',
    sku: { name: sku.name, tier: sku.tier },
    capacity: sku.capacity,
  }));
}

function skusIn(state: KustoState, location: string) {
  const wanted = displayRegion(location);
  return skuCatalog([...state.regions(), canonicalRegion(location)]).filter((sku) => sku.locations.includes(wanted));
}

/** Status body with the fields of a documented Kusto operation result (docs/azure-api-shapes.md). */
function operationResult(context: ArmRouteContext, params: RouteParams): EmulatorResponse {
  const operation = operationAt(context, params['location'] ?? '', params['operationId'] ?? '');
  const elapsedFraction = Math.min(
    1,
    (context.clock.nowMs() - operation.startedAtMs) / Math.max(1, operation.durationMs),
  );
  return jsonResponse(
    200,
    {
      id: `/subscriptions/${sub(params)}/providers/Microsoft.Kusto/locations/${operation.region}/operationresults/${operation.id}`,
      name: operation.id,
      status: STATUS_TEXT[operation.status],
      startTime: armTimestamp(operation.startedAtMs),
      ...(operation.endedAtMs === undefined ? {} : { endTime: armTimestamp(operation.endedAtMs) }),
      percentComplete: operation.status === 'running' ? Math.round(elapsedFraction * 100) / 100 : 1,
      properties: { operationKind: operation.kind },
      ...(operation.failure ? { error: operation.failure.detail } : {}),
    },
    operation.status === 'running' ? retryAfterHeader(context) : {},
  );
}
