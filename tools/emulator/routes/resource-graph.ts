/**
 * Azure Resource Graph: `POST /providers/Microsoft.ResourceGraph/resources` (api-version 2024-04-01, the one
 * `@azure/arm-resourcegraph` 5.x sends), answered from the emulator's elastic clusters and Kusto clusters. Shapes
 * follow the service's published examples (docs/azure-api-shapes.md "Resource Graph"): `totalRecords`, `count`,
 * `resultTruncated` ("true"/"false" strings), `$skipToken` paging (only when the query projects `id`), `facets`,
 * `data` as an array of objects; the user quota in `x-ms-user-quota-remaining` / `x-ms-user-quota-resets-after`
 * on every answer and a 429 with `Retry-After` once it is used up (the window runs on the emulator clock).
 */
import type { EmulatorClock } from '../clock.js';
import { ArmError, armError } from '../arm.js';
import type { EmulatorRequest, EmulatorResponse } from '../http.js';
import { isRecord, jsonResponse } from '../http.js';
import type { RouteDefinition } from '../router.js';
import { evaluateGraphQuery, invalidQuery, parseGraphQuery, type GraphRow } from '../resource-graph/query.js';

export const RESOURCE_GRAPH_PATH = '/providers/Microsoft.ResourceGraph/resources';
/** The service's defaults: 100 rows per page unless `$top` asks for more, at most 1,000. */
const DEFAULT_PAGE_ROWS = 100;
const MAX_PAGE_ROWS = 1000;

export interface ResourceGraphQuota {
  /** Queries per window and user; the service's default is 15 per 5 seconds. */
  requests: number;
  windowMs: number;
}

export const DEFAULT_RESOURCE_GRAPH_QUOTA: ResourceGraphQuota = { requests: 15, windowMs: 5000 };

export interface ResourceGraphContext {
  clock: EmulatorClock;
  apiVersions: readonly string[];
  quota: ResourceGraphQuota;
  /** Every resource the graph holds, as graph rows (lower-case `type`, `subscriptionId`, `resourceGroup`, ...). */
  rows: () => GraphRow[];
}

/** The user quota: a fixed window on the emulator clock. */
class QuotaWindow {
  #windowStartMs = Number.NEGATIVE_INFINITY;
  #used = 0;

  constructor(
    private readonly clock: EmulatorClock,
    private readonly quota: ResourceGraphQuota,
  ) {}

  /** Counts one query; false when the window's quota is already used up. */
  take(): boolean {
    const now = this.clock.nowMs();
    if (now >= this.#windowStartMs + this.quota.windowMs) {
      this.#windowStartMs = now;
      this.#used = 0;
    }
    if (this.#used >= this.quota.requests) return false;
    this.#used += 1;
    return true;
  }

  headers(): Record<string, string> {
    const resetsAfterMs = Math.max(0, this.#windowStartMs + this.quota.windowMs - this.clock.nowMs());
    return {
      'x-ms-user-quota-remaining': String(Math.max(0, this.quota.requests - this.#used)),
      'x-ms-user-quota-resets-after': timeSpan(resetsAfterMs),
    };
  }

  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.#windowStartMs + this.quota.windowMs - this.clock.nowMs()) / 1000));
  }
}

export function resourceGraphRoutes(context: ResourceGraphContext): RouteDefinition[] {
  const quota = new QuotaWindow(context.clock, context.quota);
  return [
    {
      method: 'POST',
      path: RESOURCE_GRAPH_PATH,
      resourceType: 'Microsoft.ResourceGraph/resources',
      apiVersions: context.apiVersions,
      handler: (request) => answerQuery(context, quota, request),
    },
  ];
}

function answerQuery(context: ResourceGraphContext, quota: QuotaWindow, request: EmulatorRequest): EmulatorResponse {
  if (!quota.take()) {
    const retryAfter = quota.retryAfterSeconds();
    return armError(
      429,
      'RateLimiting',
      `Please provide below info when asking for support: the user quota of ${context.quota.requests} queries per ${context.quota.windowMs / 1000} seconds is used up; retry after ${retryAfter} seconds.`,
      { ...quota.headers(), 'Retry-After': String(retryAfter) },
    ).toResponse();
  }
  try {
    return jsonResponse(200, pageOf(context, request.body), quota.headers());
  } catch (error) {
    if (!(error instanceof ArmError)) throw error;
    const response = error.toResponse();
    return { ...response, headers: { ...response.headers, ...quota.headers() } };
  }
}

interface QueryBody {
  subscriptions: string[] | undefined;
  query: string;
  top: number;
  skip: number;
}

function pageOf(context: ResourceGraphContext, body: unknown) {
  const request = queryBody(body);
  const query = parseGraphQuery(request.query);
  const inScope = context
    .rows()
    .filter(
      (row) =>
        request.subscriptions === undefined ||
        request.subscriptions.some((id) => id.toLowerCase() === String(row['subscriptionId']).toLowerCase()),
    );
  // Stable order by id, as the service sorts pages when `id` is projected.
  inScope.sort((a, b) => compareOrdinal(String(a['id']), String(b['id'])));
  const all = evaluateGraphQuery(query, inScope);
  const data = all.slice(request.skip, request.skip + request.top);
  const more = request.skip + data.length < all.length;
  const pageable = query.project === undefined || query.project.includes('id');
  return {
    totalRecords: all.length,
    count: data.length,
    resultTruncated: more && !pageable ? 'true' : 'false',
    ...(more && pageable ? { $skipToken: skipToken(request.skip + data.length, request.top) } : {}),
    facets: [],
    data,
  };
}

function compareOrdinal(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function queryBody(body: unknown): QueryBody {
  if (!isRecord(body) || typeof body['query'] !== 'string')
    throw invalidQuery("the request body needs a 'query' string");
  const subscriptions = body['subscriptions'];
  if (subscriptions !== undefined && !(Array.isArray(subscriptions) && subscriptions.every(isText)))
    throw invalidQuery("'subscriptions' must be an array of subscription ids");
  const options = isRecord(body['options']) ? body['options'] : {};
  const token = typeof options['$skipToken'] === 'string' ? readSkipToken(options['$skipToken']) : undefined;
  const top = numberOption(options['$top']) ?? token?.top ?? DEFAULT_PAGE_ROWS;
  if (top < 1 || top > MAX_PAGE_ROWS) throw invalidQuery(`$top must be between 1 and ${MAX_PAGE_ROWS}, not ${top}`);
  return {
    subscriptions: subscriptions as string[] | undefined,
    query: body['query'],
    top,
    skip: token?.skip ?? numberOption(options['$skip']) ?? 0,
  };
}

function isText(value: unknown): value is string {
  return typeof value === 'string';
}

function numberOption(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** Opaque to clients, like the service's base64 tokens. */
function skipToken(skip: number, top: number): string {
  return Buffer.from(JSON.stringify({ skip, top })).toString('base64');
}

function readSkipToken(token: string): { skip: number; top: number } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    if (isRecord(parsed) && typeof parsed['skip'] === 'number' && typeof parsed['top'] === 'number')
      return { skip: parsed['skip'], top: parsed['top'] };
  } catch {
    // Falls through to the service's answer for a token it did not issue.
  }
  throw invalidQuery('the $skipToken is not one this service issued');
}

/** .NET TimeSpan text, as the service writes `x-ms-user-quota-resets-after` (`00:00:04`). */
function timeSpan(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  const part = (value: number) => String(value).padStart(2, '0');
  return `${part(Math.floor(seconds / 3600))}:${part(Math.floor(seconds / 60) % 60)}:${part(seconds % 60)}`;
}
