/**
 * A stand-in for the Durable Functions extension's HTTP client API, the part durable-functions' DurableClient
 * calls through `rpcBaseUrl`: start an orchestration (`POST orchestrators/{name}/{instanceId}`) and read an
 * instance's status (`GET instances/{instanceId}`). With its client data bound to an invocation's durableClient
 * input, the app's real launcher and the real DurableClient run unchanged. Terminating (`POST instances/{id}/terminate`)
 * works as the extension answers it. Running the instances is the replay
 * driver's job; tests move an instance to Completed when it has run.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubInstance {
  name: string;
  instanceId: string;
  input: unknown;
  output: unknown;
  runtimeStatus: string;
  customStatus: unknown;
  createdTime: string;
  lastUpdatedTime: string;
}

export class TaskHubStandIn {
  readonly instances = new Map<string, HubInstance>();
  /** Every start request, accepted or refused. */
  readonly starts: Array<{ name: string; instanceId: string; accepted: boolean }> = [];
  /** Every terminate request, with its reason as the client sent it. */
  readonly terminations: Array<{ instanceId: string; reason: string }> = [];

  private constructor(
    private readonly server: Server,
    private readonly clock: () => Date,
  ) {}

  static async start(clock: () => Date = () => new Date()): Promise<TaskHubStandIn> {
    const holder: { hub?: TaskHubStandIn } = {};
    const server = createServer((request, response) => void holder.hub?.handle(request, response));
    const hub = new TaskHubStandIn(server, clock);
    holder.hub = hub;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return hub;
  }

  /** What the extension passes as the `durableClient` input binding. */
  get clientData(): Record<string, unknown> {
    const base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/durabletask/`;
    return {
      taskHubName: 'scalerhub',
      creationUrls: {
        createNewInstancePostUri: `${base}orchestrators/{functionName}[/{instanceId}]`,
        createAndWaitOnNewInstancePostUri: `${base}orchestrators/{functionName}[/{instanceId}]`,
      },
      managementUrls: { id: 'INSTANCEID', statusQueryGetUri: `${base}instances/INSTANCEID` },
      baseUrl: base,
      requiredQueryStringParameters: '',
      rpcBaseUrl: base,
    };
  }

  setStatus(instanceId: string, runtimeStatus: string, output: unknown = null, customStatus?: unknown): void {
    const instance = this.instances.get(instanceId);
    if (!instance) throw new Error(`no instance ${instanceId}`);
    Object.assign(
      instance,
      { runtimeStatus, output, lastUpdatedTime: this.clock().toISOString() },
      customStatus === undefined ? {} : { customStatus },
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await new Promise<string>((resolve) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => resolve(text));
    });
    const start = /^\/durabletask\/orchestrators\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    const status = /^\/durabletask\/instances\/([^/]+)$/.exec(url.pathname);
    const terminate = /^\/durabletask\/instances\/([^/]+)\/terminate$/.exec(url.pathname);
    if (request.method === 'POST' && terminate)
      return this.terminateInstance(
        decodeURIComponent(terminate[1] ?? ''),
        url.searchParams.get('reason') ?? '',
        response,
      );
    if (request.method === 'POST' && start)
      return this.startInstance(decodeURIComponent(start[1] ?? ''), decodeURIComponent(start[2] ?? ''), body, response);
    if (request.method === 'GET' && status) {
      const instance = this.instances.get(decodeURIComponent(status[1] ?? ''));
      return send(response, instance ? 200 : 404, instance ?? null);
    }
    return send(response, 404, { message: `not a client API route: ${request.method} ${url.pathname}` });
  }

  /** Like the extension: 202 for a running instance (it ends Terminated, the reason as its output), 410 for one that ended. */
  private terminateInstance(instanceId: string, reason: string, response: ServerResponse): void {
    const instance = this.instances.get(instanceId);
    if (!instance) return send(response, 404, { message: `No instance with ID '${instanceId}' found.` });
    this.terminations.push({ instanceId, reason });
    if (!['Running', 'Pending', 'ContinuedAsNew', 'Suspended'].includes(instance.runtimeStatus))
      return send(response, 410, null);
    this.setStatus(instanceId, 'Terminated', reason);
    send(response, 202, null);
  }

  private startInstance(name: string, instanceId: string, body: string, response: ServerResponse): void {
    const existing = this.instances.get(instanceId);
    // The extension refuses to replace an instance that is still running (OverridableExistingInstanceStates).
    if (existing && ['Running', 'Pending', 'ContinuedAsNew'].includes(existing.runtimeStatus)) {
      this.starts.push({ name, instanceId, accepted: false });
      return send(response, 409, { message: `An Orchestration instance with the ID '${instanceId}' already exists.` });
    }
    const now = this.clock().toISOString();
    this.instances.set(instanceId, {
      name,
      instanceId,
      input: body ? JSON.parse(body) : null,
      output: null,
      runtimeStatus: 'Pending',
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
    });
    this.starts.push({ name, instanceId, accepted: true });
    send(response, 202, {
      id: instanceId,
      statusQueryGetUri: `${this.clientData['rpcBaseUrl'] as string}instances/${instanceId}`,
    });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
