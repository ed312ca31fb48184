/**
 * ARM routes of Microsoft.DBforPostgreSQL used by `@azure/arm-postgresql-flexible` 9.0.0 (api-version 2025-08-01):
 * servers get/list/PATCH, configurations get/list/PATCH/PUT, and the two operation monitor URLs the 202s name.
 */
import { randomBytes } from 'node:crypto';
import { armTimestamp, pageOf } from '../arm.js';
import type { EmulatorRequest, EmulatorResponse } from '../http.js';
import { jsonResponse } from '../http.js';
import type { AsyncOperation } from '../operations.js';
import type { RouteDefinition, RouteParams } from '../router.js';
import type { PostgresState } from '../state/postgres.js';
import { POSTGRES_SERVER_TYPE } from '../state/postgres.js';
import type { ArmRouteContext } from './arm-route-context.js';
import { armRouteBuilder, emulatorUrl, operationAt, retryAfterHeader } from './arm-route-context.js';

const PROVIDER =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DBforPostgreSQL';
const SERVER = `${PROVIDER}/flexibleServers/{serverName}`;
const CONFIGURATION = `${SERVER}/configurations/{configurationName}`;
const LOCATION = '/subscriptions/{subscriptionId}/providers/Microsoft.DBforPostgreSQL/locations/{location}';

/** PostgreSQL's running status in the recorded traffic; core-lro treats unknown values as still running. */
const STATUS_TEXT: Readonly<Record<AsyncOperation['status'], string>> = {
  running: 'InProgress',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

export function postgresRoutes(context: ArmRouteContext, state: PostgresState): RouteDefinition[] {
  const route = armRouteBuilder(context);
  const configurationType = `${POSTGRES_SERVER_TYPE}/configurations`;
  return [
    route('GET', SERVER, POSTGRES_SERVER_TYPE, (_request, p) =>
      jsonResponse(200, state.server(sub(p), rg(p), server(p))),
    ),
    route('GET', `${PROVIDER}/flexibleServers`, POSTGRES_SERVER_TYPE, (request, p) =>
      page(context, request, state.list(sub(p), rg(p))),
    ),
    route(
      'GET',
      '/subscriptions/{subscriptionId}/providers/Microsoft.DBforPostgreSQL/flexibleServers',
      POSTGRES_SERVER_TYPE,
      (request, p) => page(context, request, state.list(sub(p))),
    ),
    route('PATCH', SERVER, POSTGRES_SERVER_TYPE, (request, p) => {
      const operation = state.beginUpdate(sub(p), rg(p), server(p), request.body);
      return accepted(context, request, sub(p), operation, {
        operation: operation.kind,
        startTime: armTimestamp(operation.startedAtMs),
      });
    }),
    route('GET', `${SERVER}/configurations`, configurationType, (request, p) =>
      page(context, request, state.configurations(sub(p), rg(p), server(p))),
    ),
    route('GET', CONFIGURATION, configurationType, (_request, p) =>
      jsonResponse(200, state.configuration(sub(p), rg(p), server(p), p['configurationName'] ?? '')),
    ),
    ...['PATCH', 'PUT'].map((method) =>
      route(method, CONFIGURATION, configurationType, (request, p) => {
        const operation = state.beginConfigurationUpdate(
          sub(p),
          rg(p),
          server(p),
          p['configurationName'] ?? '',
          request.body,
        );
        return accepted(context, request, sub(p), operation, undefined);
      }),
    ),
    route(
      'GET',
      `${LOCATION}/azureAsyncOperation/{operationId}`,
      'Microsoft.DBforPostgreSQL/locations/azureAsyncOperation',
      (_request, p) => operationStatus(context, p),
    ),
    route(
      'GET',
      `${LOCATION}/operationResults/{operationId}`,
      'Microsoft.DBforPostgreSQL/locations/operationResults',
      (request, p) => operationResult(context, state, request, p),
    ),
  ];
}

const sub = (params: RouteParams): string => params['subscriptionId'] ?? '';
const rg = (params: RouteParams): string => params['resourceGroupName'] ?? '';
const server = (params: RouteParams): string => params['serverName'] ?? '';

function page(context: ArmRouteContext, request: EmulatorRequest, items: readonly unknown[]): EmulatorResponse {
  return jsonResponse(200, pageOf(items, context.pageSize, request.url));
}

/** 202 with both monitor URLs, as the documented update and the recorded PATCHes answer (docs/azure-api-shapes.md). */
function accepted(
  context: ArmRouteContext,
  request: EmulatorRequest,
  subscriptionId: string,
  operation: AsyncOperation,
  body: unknown,
): EmulatorResponse {
  const locationPath = `/subscriptions/${subscriptionId}/providers/Microsoft.DBforPostgreSQL/locations/${operation.region}`;
  const signature = signatureParameters(context);
  return {
    status: 202,
    headers: {
      'Azure-AsyncOperation': `${emulatorUrl(context, `${locationPath}/azureAsyncOperation/${operation.id}`, request)}${signature}`,
      Location: `${emulatorUrl(context, `${locationPath}/operationResults/${operation.id}`, request)}${signature}`,
      ...retryAfterHeader(context),
    },
    body,
  };
}

/**
 * The real monitor URLs carry signed parameters (`t`, `c`, `s`, `h`; elided in the recording). The emulator adds
 * opaque ones and ignores them, so a client that rebuilds the URL instead of following it shows up in the log.
 */
function signatureParameters(context: ArmRouteContext): string {
  const token = () => randomBytes(12).toString('base64url');
  return `&t=${context.clock.nowMs()}&c=${token()}&s=${token()}&h=${token()}`;
}

/** `{name, status, startTime, error?}` exactly as the recorded status polls. */
function operationStatus(context: ArmRouteContext, params: RouteParams): EmulatorResponse {
  const operation = operationAt(context, params['location'] ?? '', params['operationId'] ?? '');
  const body = {
    name: operation.id,
    status: STATUS_TEXT[operation.status],
    startTime: armTimestamp(operation.startedAtMs),
    ...(operation.failure ? { error: operation.failure.detail } : {}),
  };
  return jsonResponse(200, body, operation.status === 'running' ? retryAfterHeader(context) : {});
}

/** The Location URL: 202 while running, then what the request would have answered synchronously. */
function operationResult(
  context: ArmRouteContext,
  state: PostgresState,
  request: EmulatorRequest,
  params: RouteParams,
): EmulatorResponse {
  const operation = operationAt(context, params['location'] ?? '', params['operationId'] ?? '');
  if (operation.failure) return operation.failure.toResponse();
  if (operation.status === 'running') {
    return { status: 202, headers: { Location: request.url.href, ...retryAfterHeader(context) } };
  }
  return jsonResponse(200, state.resourceBody(operation.resourceId));
}
