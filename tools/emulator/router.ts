import { missingApiVersion, unsupportedApiVersion } from './arm.js';
import type { ArmError } from './arm.js';
import type { EmulatorRequest, EmulatorResponse } from './http.js';

export type RouteParams = Readonly<Record<string, string>>;
export type RouteHandler = (request: EmulatorRequest, params: RouteParams) => EmulatorResponse;

export interface RouteDefinition {
  method: string;
  /** Path template such as `/subscriptions/{subscriptionId}/providers/Microsoft.Kusto/clusters`. */
  path: string;
  /** ARM type named in api-version errors, e.g. `Microsoft.Kusto/clusters`. */
  resourceType: string;
  apiVersions: readonly string[];
  handler: RouteHandler;
  /** How this service words an unsupported api-version; ARM's `InvalidResourceType` when absent. */
  apiVersionError?: (requested: string, supported: readonly string[]) => ArmError;
}

interface CompiledRoute extends RouteDefinition {
  pattern: RegExp;
  paramNames: string[];
}

export type RouteMatch = { route: CompiledRoute; params: RouteParams };

/** Matches paths case-insensitively, as ARM does for provider namespaces, types and names. */
export class Router {
  readonly #routes: CompiledRoute[] = [];

  add(routes: readonly RouteDefinition[]): void {
    for (const route of routes) this.#routes.push(compile(route));
  }

  /** `path` is already percent-decoded. */
  match(method: string, path: string): RouteMatch | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, index) => {
        params[name] = found[index + 1] ?? '';
      });
      return { route, params };
    }
    return undefined;
  }

  dispatch(request: EmulatorRequest, { route, params }: RouteMatch): EmulatorResponse {
    checkApiVersion(request.apiVersion, route);
    return route.handler(request, params);
  }
}

function compile(route: RouteDefinition): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.path
    .split(/(\{\w+\})/)
    .map((part) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (!param?.[1]) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(param[1]);
      return '([^/]+)';
    })
    .join('');
  return { ...route, pattern: new RegExp(`^${source}/?$`, 'i'), paramNames };
}

function checkApiVersion(apiVersion: string | undefined, route: CompiledRoute): void {
  if (apiVersion === undefined || apiVersion === '') throw missingApiVersion();
  if (route.apiVersions.includes(apiVersion)) return;
  throw (
    route.apiVersionError?.(apiVersion, route.apiVersions) ??
    unsupportedApiVersion(route.resourceType, apiVersion, route.apiVersions)
  );
}
