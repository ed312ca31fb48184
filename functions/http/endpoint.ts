/**
 * The one wrapper every HTTP function goes through: Entra ID check (when on) -> the endpoint's handler ->
 * JSON or RFC 9457 problem+json. Each handler parses its input (shared/http), calls one use case and maps the
 * result. Logs name the method, path and status; never the query string (it may carry a function key), headers
 * or bodies.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { Services } from '../composition-root.js';
import { invocationLogger } from '../logging.js';
import type { AccessKind } from '../../shared/auth/entra-settings.js';
import type { Caller } from '../../shared/auth/authenticator.js';
import type { Logger } from '../../shared/logging.js';
import type { ApiResponse } from '../../shared/http/response.js';
import { problemResponse } from '../../shared/http/problem.js';
import { apiBaseUrl } from '../../shared/http/views.js';
import { ScalerError, describeError } from '../../shared/vocabulary/errors.js';

export interface EndpointCall {
  request: HttpRequest;
  services: Services;
  caller: Caller;
  log: Logger;
  invocationId: string;
  /** `https://<app>/api`, for status URLs. */
  apiBase: string;
}

export interface EndpointSpec {
  /** Which Entra app role the caller needs (when Entra ID validation is on). */
  access: AccessKind;
  /** The route as this request filled it in (e.g. `targets/pg-prod/scale`), to find the API's base URL. */
  route: (request: HttpRequest) => string;
  handle: (call: EndpointCall) => Promise<ApiResponse>;
}

/** An HTTP trigger's handler; always asynchronous, so it composes with wrappers such as `withDurableClient`. */
export type EndpointHandler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

export function httpEndpoint(services: () => Promise<Services>, spec: EndpointSpec): EndpointHandler {
  return async (request, context) => {
    const startedMs = Date.now();
    const log = invocationLogger(context);
    const path = new URL(request.url).pathname;
    let response: ApiResponse;
    let caller: Caller | undefined;
    try {
      const resolved = await services();
      caller = await resolved.authenticator.authenticate(spec.access, request.headers.get('authorization'));
      response = await spec.handle({
        request,
        services: resolved,
        caller,
        log,
        invocationId: context.invocationId,
        apiBase: apiBaseUrl(request.url, spec.route(request)),
      });
    } catch (error) {
      response = problemResponse(error, { instance: path, invocationId: context.invocationId });
      logFailure(log, error, response.status);
    }
    const level = response.status >= 500 ? 'error' : response.status >= 400 ? 'warn' : 'info';
    log.log(level, `${request.method} ${path} -> ${response.status}`, {
      status: response.status,
      durationMs: Date.now() - startedMs,
      caller: caller?.name,
    });
    return {
      status: response.status,
      jsonBody: response.body,
      ...(response.headers ? { headers: response.headers } : {}),
    };
  };
}

function logFailure(log: Logger, error: unknown, status: number): void {
  const category = error instanceof ScalerError ? error.category : 'internal';
  if (status < 500) {
    log.log('warn', `request refused: ${describeError(error)}`, { category });
    return;
  }
  // Unexpected failures keep their stack for whoever debugs them; scaler errors say enough in their message.
  const stack = category === 'internal' && error instanceof Error ? error.stack : undefined;
  log.log('error', `request failed: ${describeError(error)}`, { category, ...(stack ? { stack } : {}) });
}
