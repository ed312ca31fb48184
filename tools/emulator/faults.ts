/**
 * Fault injection: N x 429 with Retry-After, 5xx, 403 AuthorizationFailed, connection resets (before or after the
 * request was carried out) and fixed latency,
 * each for the requests a matcher selects. Count-limited faults fire on the first N matching requests.
 */
import { randomUUID } from 'node:crypto';
import { armError } from './arm.js';
import type { ArmError } from './arm.js';
import type { RequestMatcher } from './request-log.js';
import { matches } from './request-log.js';

export type FaultMatcher = Pick<RequestMatcher, 'method' | 'path'>;

export interface ThrottleOptions extends FaultMatcher {
  times?: number;
  retryAfterSeconds?: number;
}

export interface ServerErrorOptions extends FaultMatcher {
  times?: number;
  status?: number;
  code?: string;
  message?: string;
}

export interface ForbidOptions extends FaultMatcher {
  /** Defaults to every matching request: a missing role assignment does not heal by itself. */
  times?: number;
}

export interface ResetOptions extends FaultMatcher {
  times?: number;
}

export interface LoseAnswerOptions extends FaultMatcher {
  times?: number;
}

export interface LatencyOptions extends FaultMatcher {
  ms: number;
}

export type FaultAction =
  | { kind: 'throttled'; retryAfterSeconds: number }
  | { kind: 'server-error'; status: number; code?: string; message?: string }
  | { kind: 'forbidden' }
  | { kind: 'connection-reset' }
  /** The request is carried out (an update starts), then the connection drops before the answer is sent. */
  | { kind: 'answer-lost' };

interface FaultRule {
  matcher: FaultMatcher;
  remaining: number;
  action: FaultAction;
}

/** The identity named in AuthorizationFailed messages. */
export const EMULATOR_PRINCIPAL_ID = '11111111-2222-3333-4444-555555555555';

export class FaultInjector {
  #rules: FaultRule[] = [];
  #latencies: LatencyOptions[] = [];

  throttle({ times = 1, retryAfterSeconds = 1, ...matcher }: ThrottleOptions = {}): void {
    this.#add(matcher, times, { kind: 'throttled', retryAfterSeconds });
  }

  serverError({ times = 1, status = 500, code, message, ...matcher }: ServerErrorOptions = {}): void {
    this.#add(matcher, times, {
      kind: 'server-error',
      status,
      ...(code ? { code } : {}),
      ...(message ? { message } : {}),
    });
  }

  forbid({ times = Number.POSITIVE_INFINITY, ...matcher }: ForbidOptions = {}): void {
    this.#add(matcher, times, { kind: 'forbidden' });
  }

  resetConnection({ times = 1, ...matcher }: ResetOptions = {}): void {
    this.#add(matcher, times, { kind: 'connection-reset' });
  }

  /** Carries out matching requests, then resets the connection instead of answering: ARM accepted, the caller never heard. */
  loseAnswer({ times = 1, ...matcher }: LoseAnswerOptions = {}): void {
    this.#add(matcher, times, { kind: 'answer-lost' });
  }

  /** Adds real (wall-clock) latency to matching requests until `clear()`. */
  delay(options: LatencyOptions): void {
    this.#latencies.push(options);
  }

  clear(): void {
    this.#rules = [];
    this.#latencies = [];
  }

  /** The fault to apply to this request, consuming one of its remaining uses. */
  take(method: string, path: string): FaultAction | undefined {
    const rule = this.#rules.find(
      (candidate) => candidate.remaining > 0 && matches({ method, path }, candidate.matcher),
    );
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.action;
  }

  latencyMs(method: string, path: string): number {
    return this.#latencies.find((latency) => matches({ method, path }, latency))?.ms ?? 0;
  }

  #add(matcher: FaultMatcher, times: number, action: FaultAction): void {
    this.#rules.push({ matcher, remaining: times, action });
  }
}

/** The error ARM (or the metrics service) answers for an injected fault. */
export function faultError(
  action: Exclude<FaultAction, { kind: 'connection-reset' | 'answer-lost' }>,
  method: string,
  path: string,
): ArmError {
  const metrics = isMetricsPath(path);
  switch (action.kind) {
    case 'throttled':
      return throttledError(action.retryAfterSeconds, method, path, metrics);
    case 'server-error':
      return serverError(action, path, metrics);
    case 'forbidden':
      return forbiddenError(method, path);
  }
}

function throttledError(retryAfterSeconds: number, method: string, path: string, metrics: boolean): ArmError {
  const headers = { 'Retry-After': String(retryAfterSeconds) };
  if (metrics) {
    return armError(
      429,
      'TooManyRequests',
      `Rate limit exceeded. Please try again after '${retryAfterSeconds}' seconds.`,
      {
        ...headers,
        'x-ms-error-code': 'TooManyRequests',
      },
    );
  }
  const kind = method === 'GET' ? 'read' : 'write';
  return armError(
    429,
    'SubscriptionRequestsThrottled',
    `Number of '${kind}' requests for subscription '${subscriptionOf(path)}' actor '${EMULATOR_PRINCIPAL_ID}' exceeded. ` +
      `Please try again after '${retryAfterSeconds}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
    { ...headers, [`x-ms-ratelimit-remaining-subscription-${kind}s`]: '0' },
  );
}

function serverError(
  action: { status: number; code?: string; message?: string },
  path: string,
  metrics: boolean,
): ArmError {
  const code = action.code ?? (action.status === 503 ? 'ServiceUnavailable' : 'InternalServerError');
  const message =
    action.message ??
    `Encountered internal server error. Diagnostic information: subscription id '${subscriptionOf(path)}', ` +
      `tracking id '${randomUUID()}', request correlation id '${randomUUID()}'.`;
  return armError(action.status, code, message, metrics ? { 'x-ms-error-code': code } : {});
}

function forbiddenError(method: string, path: string): ArmError {
  return armError(
    403,
    'AuthorizationFailed',
    `The client '${EMULATOR_PRINCIPAL_ID}' with object id '${EMULATOR_PRINCIPAL_ID}' does not have authorization to perform ` +
      `action '${actionFor(method, path)}' over scope '${scopeOf(path)}' or the scope is invalid. ` +
      'If access was recently granted, please refresh your credentials.',
    { 'x-ms-failure-cause': 'gateway' },
  );
}

/** The RBAC action ARM checks: `Microsoft.X/type[/childType]/read|write|delete`, or `.../{verb}/action` for POST. */
export function actionFor(method: string, path: string): string {
  if (isMetricsPath(path)) return 'Microsoft.Insights/metrics/read';
  const segments = path.split('/').filter(Boolean);
  const providers = segments.map((segment) => segment.toLowerCase()).lastIndexOf('providers');
  const afterProviders = providers >= 0 ? segments.slice(providers + 1) : [];
  const [namespace = 'Microsoft.Resources', ...rest] = afterProviders;
  const typeParts = rest.filter((_segment, index) => index % 2 === 0);
  const type = [namespace, ...typeParts].join('/');
  if (method === 'POST' && rest.length % 2 === 1) return `${type}/action`;
  const verb = method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : 'write';
  return `${type}/${verb}`;
}

function scopeOf(path: string): string {
  return path.replace(/\/metrics:getBatch$/i, '').replace(/^\/metrics\/[^/]+(?=\/subscriptions\/)/i, '');
}

function subscriptionOf(path: string): string {
  return /\/subscriptions\/([^/]+)/i.exec(path)?.[1] ?? '';
}

export function isMetricsPath(path: string): boolean {
  return /\/metrics:getBatch$/i.test(path);
}
