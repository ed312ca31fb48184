/**
 * The HTTPS server: authentication check, fault injection, lazy LRO settlement, routing, standard ARM headers and
 * the request log, in that order for every request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArmError, armError, authenticationMissing, invalidRequestContent } from './arm.js';
import { EmulatorClock } from './clock.js';
import type { FaultAction } from './faults.js';
import { FaultInjector, faultError } from './faults.js';
import type { EmulatorRequest, EmulatorResponse } from './http.js';
import { headerValue } from './http.js';
import { MetricStore } from './metrics/store.js';
import type { AsyncOperation } from './operations.js';
import { AsyncOperationStore } from './operations.js';
import { canonicalRegion } from './regions.js';
import { RequestLog } from './request-log.js';
import { Router } from './router.js';
import type { ArmRouteContext } from './routes/arm-route-context.js';
import { kustoRoutes } from './routes/kusto.js';
import { monitorRoutes } from './routes/monitor.js';
import { postgresRoutes } from './routes/postgres.js';
import { DEFAULT_RESOURCE_GRAPH_QUOTA, resourceGraphRoutes, type ResourceGraphQuota } from './routes/resource-graph.js';
import type { GraphRow } from './resource-graph/query.js';
import { ArmRateLimits, type ArmRateLimitOptions } from './rate-limits.js';
import { KustoState } from './state/kusto.js';
import { PostgresState } from './state/postgres.js';
import { ResourceGroups } from './state/resource-groups.js';
import { emulatorCertificates } from './tls.js';

/** The api-versions the pinned SDKs send; anything else gets ARM's 400, so an SDK upgrade shows up in tests. */
export const DEFAULT_API_VERSIONS = {
  postgres: ['2025-08-01'],
  kusto: ['2023-08-15'],
  metrics: ['2024-02-01'],
  resourceGraph: ['2024-04-01'],
} as const;

export interface AzureEmulatorOptions {
  /** Initial emulator-clock time. Default 2026-01-05T08:00:00Z. */
  startTime?: Date;
  /** Subscription used when a resource is added without one. */
  subscriptionId?: string;
  /** Items per page of ARM list responses (servers, configurations). Default 20. */
  pageSize?: number;
  apiVersions?: {
    postgres?: readonly string[];
    kusto?: readonly string[];
    metrics?: readonly string[];
    resourceGraph?: readonly string[];
  };
  /** Resource Graph's user quota (queries per window, on the emulator clock). Default 15 per 5 s. */
  resourceGraphQuota?: ResourceGraphQuota;
  /** ARM's per-subscription read and write budgets, sent in `x-ms-ratelimit-remaining-subscription-*`. */
  armRateLimits?: Partial<ArmRateLimitOptions>;
  /** Adds `Retry-After` to LRO 202s and running status polls (core-lro then waits that long, in wall time). */
  lroRetryAfterSeconds?: number;
  /** A minute's metric value is served once the clock is this far past the minute's end. Default 0. */
  metricsIngestionDelayMs?: number;
}

export type PostgresControl = Pick<
  PostgresState,
  | 'addCluster'
  | 'getCluster'
  | 'modifyCluster'
  | 'getConfiguration'
  | 'setConfiguration'
  | 'failNextUpdate'
  | 'setUpdateDuration'
>;
export type KustoControl = Pick<
  KustoState,
  'addCluster' | 'getCluster' | 'modifyCluster' | 'setAvailableSkus' | 'failNextUpdate' | 'setUpdateDuration'
>;
export type MetricsControl = Pick<MetricStore, 'set' | 'clear'>;

/** What Resource Graph shows: everything, except resources hidden as RBAC would hide them from the caller. */
export interface ResourceGraphControl {
  hide(resourceId: string): void;
  show(resourceId: string): void;
}

export interface AzureEmulator {
  /** `https://127.0.0.1:PORT`: the ARM endpoint (`endpoint` / `$host` of the management clients). */
  readonly endpoint: string;
  /** PEM of the CA that signed the server certificate. */
  readonly caPem: string;
  readonly subscriptionId: string;
  readonly clock: EmulatorClock;
  readonly postgres: PostgresControl;
  readonly kusto: KustoControl;
  readonly metrics: MetricsControl;
  readonly resourceGraph: ResourceGraphControl;
  /** ARM's remaining reads and writes per subscription, as the rate-limit headers report them. */
  readonly rateLimits: Pick<ArmRateLimits, 'remaining' | 'set'>;
  readonly faults: FaultInjector;
  readonly requests: RequestLog;
  /** The operation keeping a resource busy, if any. */
  runningOperation(resourceId: string): AsyncOperation | undefined;
  /** The regional metrics endpoint, the emulator's stand-in for `https://{region}.metrics.monitor.azure.com`. */
  metricsEndpoint(region: string): string;
  close(): Promise<void>;
}

interface Services {
  clock: EmulatorClock;
  operations: AsyncOperationStore;
  router: Router;
  faults: FaultInjector;
  requests: RequestLog;
  rateLimits: ArmRateLimits;
  /** Set once the server listens. */
  origin: string;
}

interface Providers {
  postgres: PostgresState;
  kusto: KustoState;
  metrics: MetricStore;
}

export async function startAzureEmulator(options: AzureEmulatorOptions = {}): Promise<AzureEmulator> {
  const certificates = await emulatorCertificates();
  const subscriptionId = options.subscriptionId ?? '6f0c2a3e-5d1b-4c7a-9e2f-3b8d4a1c0e57';
  const clock = new EmulatorClock(options.startTime ?? new Date('2026-01-05T08:00:00Z'));
  const operations = new AsyncOperationStore(clock);
  const stateDeps = {
    clock,
    operations,
    groups: new ResourceGroups(subscriptionId),
    defaultSubscriptionId: subscriptionId,
  };
  const providers: Providers = {
    postgres: new PostgresState(stateDeps),
    kusto: new KustoState(stateDeps),
    metrics: new MetricStore(),
  };
  const services: Services = {
    clock,
    operations,
    router: new Router(),
    faults: new FaultInjector(),
    requests: new RequestLog(),
    rateLimits: new ArmRateLimits(clock, options.armRateLimits),
    origin: '',
  };
  const hidden = new Set<string>();
  addRoutes(services, providers, options, () => graphRows(providers, hidden));

  const server = createServer({ key: certificates.keyPem, cert: certificates.certPem }, (req, res) => {
    handle(services, req, res).catch((error: unknown) =>
      res.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  });
  services.origin = `https://127.0.0.1:${await listen(server)}`;

  return {
    endpoint: services.origin,
    caPem: certificates.caPem,
    subscriptionId,
    clock,
    ...providers,
    resourceGraph: {
      hide: (resourceId) => hidden.add(resourceId.toLowerCase()),
      show: (resourceId) => hidden.delete(resourceId.toLowerCase()),
    },
    rateLimits: services.rateLimits,
    faults: services.faults,
    requests: services.requests,
    runningOperation: (resourceId) => operations.runningOn(resourceId),
    metricsEndpoint: (region) => `${services.origin}/metrics/${canonicalRegion(region)}`,
    close: () => close(server),
  };
}

function addRoutes(
  services: Services,
  { postgres, kusto, metrics }: Providers,
  options: AzureEmulatorOptions,
  rows: () => GraphRow[],
): void {
  const apiVersions = { ...DEFAULT_API_VERSIONS, ...options.apiVersions };
  const arm = (versions: readonly string[]): ArmRouteContext => ({
    origin: () => services.origin,
    clock: services.clock,
    operations: services.operations,
    pageSize: options.pageSize ?? 20,
    apiVersions: versions,
    lroRetryAfterSeconds: options.lroRetryAfterSeconds,
  });
  services.router.add(postgresRoutes(arm(apiVersions.postgres), postgres));
  services.router.add(kustoRoutes(arm(apiVersions.kusto), kusto));
  services.router.add(
    monitorRoutes({
      clock: services.clock,
      metrics,
      locate: (id) => postgres.locate(id) ?? kusto.locate(id),
      apiVersions: apiVersions.metrics,
      ingestionDelayMs: options.metricsIngestionDelayMs ?? 0,
    }),
  );
  services.router.add(
    resourceGraphRoutes({
      clock: services.clock,
      apiVersions: apiVersions.resourceGraph,
      quota: options.resourceGraphQuota ?? DEFAULT_RESOURCE_GRAPH_QUOTA,
      rows,
    }),
  );
}

/** Resource Graph's view of the emulator's resources: ARM bodies plus the columns the graph adds. */
function graphRows({ postgres, kusto }: Providers, hidden: ReadonlySet<string>): GraphRow[] {
  return [...postgres.all(), ...kusto.all()]
    .filter((body) => !hidden.has(body.id.toLowerCase()))
    .map((body) => {
      const [, subscriptionId = '', resourceGroup = ''] =
        /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(body.id) ?? [];
      return {
        ...body,
        type: body.type.toLowerCase(),
        subscriptionId,
        resourceGroup: resourceGroup.toLowerCase(),
      };
    });
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive sockets of the SDK agents would otherwise hold close() open.
    server.closeAllConnections();
  });
}

interface Answer {
  response?: EmulatorResponse;
  fault?: FaultAction;
}

async function handle(services: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const receivedAtMs = Date.now();
  const rawBody = await readBody(req);
  const request = parseRequest(req, services.origin, rawBody);
  const latencyMs = services.faults.latencyMs(request.method, request.path);
  if (latencyMs > 0) await sleep(latencyMs);
  const answer = answerRequest(services, request, rawBody);
  if (answer.response)
    await services.requests.runBeforeAnswer({
      method: request.method,
      path: request.path,
      status: answer.response.status,
    });
  const status =
    answer.response && answer.fault?.kind !== 'answer-lost'
      ? send(services, req, res, answer.response)
      : resetConnection(req);
  services.requests.record({
    method: request.method,
    path: request.path,
    apiVersion: request.apiVersion,
    query: Object.fromEntries(request.query),
    body: request.body,
    status,
    ...(answer.fault ? { fault: answer.fault.kind } : {}),
    receivedAtMs,
    emulatorTime: services.clock.now().toISOString(),
  });
}

function answerRequest(services: Services, request: EmulatorRequest, rawBody: string): Answer {
  if (!hasBearerToken(request)) return { response: authenticationMissing().toResponse() };
  const fault = services.faults.take(request.method, request.path);
  if (fault?.kind === 'connection-reset') return { fault };
  if (fault?.kind === 'answer-lost') return { ...dispatch(services, request, rawBody), fault };
  if (fault) return { response: faultError(fault, request.method, request.path).toResponse(), fault };
  const budget = services.rateLimits.take(request.method, request.path);
  if (budget?.throttled) return { response: budget.throttled };
  const answer = dispatch(services, request, rawBody);
  if (budget && answer.response)
    answer.response = { ...answer.response, headers: { ...answer.response.headers, ...budget.headers } };
  return answer;
}

function dispatch(services: Services, request: EmulatorRequest, rawBody: string): Answer {
  try {
    if (rawBody !== '' && request.body === undefined) throw invalidRequestContent('the body is not valid JSON');
    services.operations.settle();
    const match = services.router.match(request.method, request.path);
    if (!match) throw armError(404, 'NotFound', `The emulator has no route for ${request.method} ${request.path}.`);
    return { response: services.router.dispatch(request, match) };
  } catch (error) {
    if (error instanceof ArmError) return { response: error.toResponse() };
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return { response: armError(500, 'InternalServerError', `Emulator failure: ${message}`).toResponse() };
  }
}

function parseRequest(req: IncomingMessage, origin: string, rawBody: string): EmulatorRequest {
  const url = new URL(req.url ?? '/', origin);
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    path: safeDecode(url.pathname),
    query: url.searchParams,
    apiVersion: url.searchParams.get('api-version') ?? undefined,
    headers: req.headers,
    body: parseJson(rawBody),
  };
}

function send(services: Services, req: IncomingMessage, res: ServerResponse, response: EmulatorResponse): number {
  const payload = response.body === undefined ? '' : JSON.stringify(response.body);
  res.writeHead(response.status, {
    'Cache-Control': 'no-cache',
    Pragma: 'no-cache',
    Expires: '-1',
    Date: services.clock.now().toUTCString(),
    'x-ms-request-id': randomUUID(),
    'x-ms-correlation-request-id': headerValue(req.headers, 'x-ms-correlation-request-id') ?? randomUUID(),
    ...(payload ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': String(Buffer.byteLength(payload)),
    ...response.headers,
  });
  res.end(payload);
  return response.status;
}

function resetConnection(req: IncomingMessage): number {
  req.socket.destroy();
  return 0;
}

function hasBearerToken(request: EmulatorRequest): boolean {
  return /^Bearer\s+\S+/i.test(headerValue(request.headers, 'authorization') ?? '');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
