import type { ArmError } from '../arm.js';
import { armError } from '../arm.js';
import type { EmulatorClock } from '../clock.js';
import type { EmulatorRequest } from '../http.js';
import type { AsyncOperation, AsyncOperationStore } from '../operations.js';
import { canonicalRegion } from '../regions.js';
import type { RouteDefinition, RouteHandler } from '../router.js';

/** What the ARM routes need from the server beyond their provider's state. */
export interface ArmRouteContext {
  /** `https://127.0.0.1:PORT`: LRO and paging URLs must point back at the emulator, the SDKs follow them verbatim. */
  origin: () => string;
  clock: EmulatorClock;
  operations: AsyncOperationStore;
  pageSize: number;
  apiVersions: readonly string[];
  /** Sent on 202s and status responses when set; the recorded PostgreSQL traffic carries none. */
  lroRetryAfterSeconds: number | undefined;
}

/** A route builder for one provider: every route accepts the provider's api-versions. */
export function armRouteBuilder(context: ArmRouteContext) {
  return (method: string, path: string, resourceType: string, handler: RouteHandler): RouteDefinition => ({
    method,
    path,
    resourceType,
    apiVersions: context.apiVersions,
    handler,
  });
}

/** Absolute URL on the emulator for `path`, carrying the api-version of the request that created it. */
export function emulatorUrl(context: ArmRouteContext, path: string, request: EmulatorRequest): string {
  return `${context.origin()}${path}?api-version=${request.apiVersion ?? ''}`;
}

export function retryAfterHeader(context: ArmRouteContext): Record<string, string> {
  return context.lroRetryAfterSeconds === undefined ? {} : { 'Retry-After': String(context.lroRetryAfterSeconds) };
}

/** The operation behind a status URL; it must have been started in that region. */
export function operationAt(context: ArmRouteContext, location: string, operationId: string): AsyncOperation {
  const operation = context.operations.get(operationId);
  if (!operation || operation.region !== canonicalRegion(location)) throw operationNotFound(operationId);
  return operation;
}

function operationNotFound(operationId: string): ArmError {
  return armError(404, 'NotFound', `The operation '${operationId}' could not be found.`);
}
