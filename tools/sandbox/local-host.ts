/**
 * A small local stand-in for the Azure Functions host, so the app runs without Core Tools: it takes the app's own
 * registrations (`registerFunctions` with this host), serves the HTTP functions on Node's HTTP server under
 * `/api/<route>` with the host's function-key check, and invokes the timers when the sandbox's clock passes their
 * schedule. Every invocation gets @azure/functions' own `HttpRequest` and `InvocationContext`, as in Azure.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import functions, {
  type HttpHandler,
  type HttpMethod,
  type HttpResponseInit,
  type TimerHandler,
} from '@azure/functions';
import type { FunctionHost } from '../../functions/register.js';
import type { DurableHost } from '../../functions/orchestration/register.js';
import type { ActivityHandler } from '../../functions/orchestration/activities.js';
import { firingsBetween, parseSchedule, type Schedule } from './schedule.js';

const { HttpRequest, HttpResponse, InvocationContext } = functions;

export type InvocationLogHandler = (level: string, ...args: unknown[]) => void;

interface HttpFunction {
  name: string;
  methods: readonly string[];
  pattern: RegExp;
  parameterNames: string[];
  needsKey: boolean;
  handler: HttpHandler;
}

interface TimerFunction {
  name: string;
  schedule: Schedule;
  expression: string;
  handler: TimerHandler;
}

/** Largest request body the local host accepts (the Functions host's own limit is far higher; nothing here needs it). */
const MAX_BODY_BYTES = 1024 * 1024;

export class LocalFunctionHost {
  readonly http: HttpFunction[] = [];
  readonly timers: TimerFunction[] = [];
  readonly activities = new Map<string, ActivityHandler>();
  #server: Server | undefined;

  constructor(
    private readonly options: {
      functionKey: string;
      settings: Readonly<Record<string, string | undefined>>;
      logHandler: (functionName: string) => InvocationLogHandler;
    },
  ) {}

  /** The key every function-level route wants, in `?code=` or the `x-functions-key` header. */
  get functionKey(): string {
    return this.options.functionKey;
  }

  /** What `registerFunctions` registers its triggers with. */
  get functionHost(): FunctionHost {
    const host = {
      http: (
        name: string,
        options: { route?: string; methods?: HttpMethod[]; authLevel?: string; handler: HttpHandler },
      ) => {
        const { pattern, parameterNames } = routePattern(options.route ?? name);
        this.http.push({
          name,
          methods: options.methods ?? ['GET', 'POST'],
          pattern,
          parameterNames,
          needsKey: options.authLevel !== 'anonymous',
          handler: options.handler,
        });
      },
      timer: (name: string, options: { schedule: string; handler: TimerHandler }) => {
        const expression = this.resolveSetting(options.schedule);
        this.timers.push({ name, expression, schedule: parseSchedule(expression), handler: options.handler });
      },
    };
    return host as unknown as FunctionHost;
  }

  /** What `registerFollowUpFunctions` registers with: the activities are kept, the orchestrator is not run here. */
  get durableHost(): DurableHost {
    const host = {
      orchestration: () => undefined,
      activity: (name: string, options: { handler: ActivityHandler }) => this.activities.set(name, options.handler),
    };
    return host as unknown as DurableHost;
  }

  async listen(port: number): Promise<string> {
    const server = createServer((request, response) => {
      this.serve(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`local host: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://localhost:${(server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    const server = this.#server;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Runs every timer whose schedule fired in (fromMs, toMs], once each, as the host does after a pause (past due). */
  async runDueTimers(fromMs: number, toMs: number): Promise<void> {
    for (const timer of this.timers) {
      const firings = firingsBetween(timer.schedule, fromMs, toMs);
      if (firings.length === 0) continue;
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName: timer.name,
        logHandler: this.options.logHandler(timer.name),
      });
      const scheduleStatus = {
        last: new Date(fromMs).toISOString(),
        next: '',
        lastUpdated: new Date(toMs).toISOString(),
      };
      try {
        await timer.handler(
          { isPastDue: firings.length > 1, schedule: { adjustForDST: false }, scheduleStatus },
          context,
        );
      } catch (error) {
        context.error(`${timer.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private resolveSetting(value: string): string {
    const setting = /^%([^%]+)%$/.exec(value)?.[1];
    if (setting === undefined) return value;
    const resolved = this.options.settings[setting];
    if (!resolved)
      throw new Error(
        `timer schedule '${value}': the app setting ${setting} is not set; set it to an NCRONTAB expression such as '0 */1 * * * *'`,
      );
    return resolved;
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = url.pathname.startsWith('/api/') ? url.pathname.slice('/api/'.length) : undefined;
    const method = (request.method ?? 'GET').toUpperCase();
    const found = route === undefined ? undefined : this.match(method, route);
    if (!found) return writePlain(response, 404, `no function serves ${method} ${url.pathname}`);
    if (found.fn.needsKey && !this.hasFunctionKey(request, url)) return writePlain(response, 401, '');
    const body = await readBody(request);
    const httpRequest = new HttpRequest({
      method,
      url: url.href.replace('http://localhost', `http://${request.headers.host ?? 'localhost'}`),
      headers: headersOf(request),
      query: Object.fromEntries(url.searchParams),
      params: found.params,
      ...(body.length > 0 ? { body: { bytes: body } } : {}),
    });
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: found.fn.name,
      logHandler: this.options.logHandler(found.fn.name),
    });
    const result = await found.fn.handler(httpRequest, context);
    await writeResult(response, result);
  }

  private match(method: string, route: string): { fn: HttpFunction; params: Record<string, string> } | undefined {
    for (const fn of this.http) {
      if (!fn.methods.includes(method)) continue;
      const match = fn.pattern.exec(route);
      if (!match) continue;
      const params = Object.fromEntries(
        fn.parameterNames.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
      );
      return { fn, params };
    }
    return undefined;
  }

  private hasFunctionKey(request: IncomingMessage, url: URL): boolean {
    const header = request.headers['x-functions-key'];
    const given = url.searchParams.get('code') ?? (Array.isArray(header) ? header[0] : header);
    return given === this.options.functionKey;
  }
}

/** `targets/{name}/scale` -> /^targets\/([^/]+)\/scale$/i with parameter `name` (routes match case-insensitively, as in Azure). */
function routePattern(route: string): { pattern: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const source = route
    .split('/')
    .map((segment) => {
      const parameter = /^\{([^}:?]+)[^}]*\}$/.exec(segment)?.[1];
      if (parameter === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`, 'i'), parameterNames };
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.destroy();
        reject(new Error(`request body: larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

async function writeResult(
  response: ServerResponse,
  result: HttpResponseInit | InstanceType<typeof HttpResponse> | void,
): Promise<void> {
  const httpResponse = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
  const body = Buffer.from(await httpResponse.arrayBuffer());
  const headers: Record<string, string> = {};
  httpResponse.headers.forEach((value, name) => (headers[name] = value));
  response.writeHead(httpResponse.status, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

function writePlain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}
