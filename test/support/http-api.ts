/**
 * Calls HTTP function handlers the way the Functions host does: a real `HttpRequest` and `InvocationContext`
 * from @azure/functions in, the handler's result turned into a real `HttpResponse` out. Captures what the
 * invocation logs.
 */
import { randomUUID } from 'node:crypto';
import functions, { type HttpHandler } from '@azure/functions';
import { HttpRequest, InvocationContext } from './functions-runtime.js';
import type { LogLine } from './scaler-harness.js';
import type { LogFields } from '../../shared/logging.js';
import { durableClientInput } from '../../functions/orchestration/launcher.js';

const { HttpResponse } = functions;
export const APP_URL = 'https://scaler-test.azurewebsites.net';

export interface ApiCall {
  method: 'GET' | 'POST';
  /** e.g. `/api/targets/pg/scale`; the query may hold `code=<function key>` as the host passes it. */
  path: string;
  params?: Record<string, string>;
  /** A value is sent as JSON; a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** What the host binds to the function's durableClient input (a task hub's client data). */
  durableClient?: unknown;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  /** The parsed JSON body (problem+json included). */
  body: Record<string, unknown>;
  text: string;
  logs: LogLine[];
}

export async function callApi(handler: HttpHandler, call: ApiCall): Promise<ApiAnswer> {
  const logs: LogLine[] = [];
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: 'http',
    logHandler: (level, ...args) =>
      logs.push({ level, message: String(args[0]), fields: args[1] as LogFields | undefined }),
    // As registered with extraInputs [durableClientInput], when the test binds a durable client.
    ...(call.durableClient === undefined
      ? {}
      : { options: { trigger: { type: 'httpTrigger', name: 'request' }, extraInputs: [durableClientInput] as never } }),
  });
  if (call.durableClient !== undefined) context.extraInputs.set(durableClientInput, call.durableClient);
  const body =
    call.body === undefined
      ? undefined
      : { string: typeof call.body === 'string' ? call.body : JSON.stringify(call.body) };
  const url = new URL(call.path, APP_URL);
  const request = new HttpRequest({
    method: call.method,
    url: url.href,
    headers: { 'content-type': 'application/json', ...call.headers },
    query: Object.fromEntries(url.searchParams),
    params: call.params ?? {},
    ...(body ? { body } : {}),
  });
  const result = await handler(request, context);
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    text,
    logs,
  };
}
