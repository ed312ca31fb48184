/**
 * ARM conventions shared by the resource-provider routes: the error body shape, the errors ARM itself answers
 * (before a request reaches a resource provider), timestamps and `nextLink` paging.
 */
import type { EmulatorResponse } from './http.js';

export interface ArmErrorDetail {
  code: string;
  message: string;
  target?: string;
  additionalInfo?: Array<{ type: string; info: unknown }>;
}

/** Thrown by state and route code; the server turns it into `{"error":{code,message}}` with `status`. */
export class ArmError extends Error {
  readonly status: number;
  readonly detail: ArmErrorDetail;
  readonly headers: Record<string, string>;

  constructor(status: number, detail: ArmErrorDetail, headers: Record<string, string> = {}) {
    super(`${status} ${detail.code}: ${detail.message}`);
    this.name = 'ArmError';
    this.status = status;
    this.detail = detail;
    this.headers = headers;
  }

  toResponse(): EmulatorResponse {
    return { status: this.status, headers: this.headers, body: { error: this.detail } };
  }
}

export function armError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): ArmError {
  return new ArmError(status, { code, message }, headers);
}

export function missingApiVersion(): ArmError {
  return armError(
    400,
    'MissingApiVersionParameter',
    'The api-version query parameter (?api-version=) is required for all requests.',
  );
}

export function unsupportedApiVersion(resourceType: string, requested: string, supported: readonly string[]): ArmError {
  const [namespace = '', ...typeParts] = resourceType.split('/');
  return armError(
    400,
    'InvalidResourceType',
    `The resource type '${typeParts.join('/')}' could not be found in the namespace '${namespace}' for api version '${requested}'. ` +
      `The supported api-versions are '${supported.join(',')}'.`,
  );
}

export function authenticationMissing(): ArmError {
  return armError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.", {
    'WWW-Authenticate':
      'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", ' +
      `error_description="The authentication failed because of missing 'Authorization' header."`,
  });
}

export function subscriptionNotFound(subscriptionId: string): ArmError {
  return armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
}

export function resourceGroupNotFound(resourceGroup: string): ArmError {
  return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
}

export function resourceNotFound(resourceType: string, name: string, resourceGroup: string): ArmError {
  return armError(
    404,
    'ResourceNotFound',
    `The Resource '${resourceType}/${name}' under resource group '${resourceGroup}' was not found. ` +
      'For more details please go to https://aka.ms/ARMResourceNotFoundFix',
  );
}

export function parentResourceNotFound(parentName: string): ArmError {
  return armError(
    404,
    'ParentResourceNotFound',
    `Can not perform requested operation on nested resource. Parent resource '${parentName}' not found.`,
  );
}

export function invalidRequestContent(reason: string): ArmError {
  return armError(
    400,
    'InvalidRequestContent',
    `The request content was invalid and could not be deserialized: '${reason}'.`,
  );
}

/**
 * ISO-8601 the way the ARM services print it: .NET drops trailing zeros of the fraction
 * ("2026-04-22T14:22:34.03Z" in the recorded traffic) and the whole fraction when it is zero.
 */
export function armTimestamp(ms: number): string {
  // Trimmed by hand rather than by a regex: a metrics answer prints one per data point, thousands per request.
  const iso = new Date(ms).toISOString();
  let end = iso.length - 1;
  while (iso[end - 1] === '0') end -= 1;
  if (iso[end - 1] === '.') end -= 1;
  return `${iso.slice(0, end)}Z`;
}

export interface Page<T> {
  value: T[];
  nextLink?: string;
}

/**
 * One page of a list. `$skiptoken` is the offset of the page; `nextLink` is absolute and carries the api-version,
 * because the SDKs follow it verbatim.
 */
export function pageOf<T>(items: readonly T[], pageSize: number, requestUrl: URL): Page<T> {
  const offset = Number.parseInt(requestUrl.searchParams.get('$skiptoken') ?? '0', 10) || 0;
  const value = items.slice(offset, offset + pageSize);
  if (offset + pageSize >= items.length) return { value };
  const next = new URL(requestUrl.href);
  next.searchParams.delete('$skiptoken');
  // Appended by hand: URLSearchParams would print `%24skiptoken`, ARM prints `$skiptoken`.
  return { value, nextLink: `${next.href}${next.search ? '&' : '?'}$skiptoken=${offset + pageSize}` };
}

/** Case-insensitive key used for every ARM id comparison: ARM treats ids case-insensitively. */
export function idKey(id: string): string {
  return id.replace(/\/+$/, '').toLowerCase();
}

export function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `Microsoft.Kusto/clusters` from `/subscriptions/.../providers/Microsoft.Kusto/clusters/name`. */
export function resourceTypeOf(resourceId: string): string | undefined {
  const match = /\/providers\/([^/]+)\/([^/]+)\/[^/]+$/i.exec(resourceId.replace(/\/+$/, ''));
  return match ? `${match[1]}/${match[2]}` : undefined;
}

export function subscriptionOf(resourceId: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1];
}

/** Whether an id lies in a subscription, or in one of its resource groups. */
export function isInScope(resourceId: string, subscriptionId: string, resourceGroup?: string): boolean {
  const scope = `/subscriptions/${subscriptionId}/${resourceGroup === undefined ? '' : `resourceGroups/${resourceGroup}/`}`;
  return idKey(resourceId).startsWith(scope.toLowerCase());
}

/** Where a resource lives, as far as the metrics service needs to know. */
export interface LocatedResource {
  id: string;
  resourceType: string;
  /** Canonical region, e.g. `canadacentral`. */
  region: string;
}
