/**
 * A stand-in for the Azure Functions Node.js worker's registration module, `@azure/functions-core`. The real
 * worker serves that module to the app (it is not on npm) and receives every `registerFunction(metadata,
 * handler)` call the @azure/functions library makes while the app entry loads; this records them instead.
 *
 * Usage: node --import tsx test/support/functions-host-standin.ts <app entry>
 * Prints one line: `REGISTERED <json>`, the function metadata (name, bindings) in registration order.
 */
import Module from 'node:module';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

interface Registration {
  name: string;
  bindings: Record<string, Record<string, unknown>>;
  retryOptions?: unknown;
}

const registrations: Registration[] = [];
const disposable = { dispose: () => undefined };
const coreApi = {
  version: 'stand-in',
  registerFunction: (metadata: Registration, _handler: unknown) => {
    registrations.push(metadata);
    return disposable;
  },
  setProgrammingModel: (_model: unknown) => undefined,
  getProgrammingModel: () => undefined,
  registerHook: (_name: string, _callback: unknown) => disposable,
  log: (_level: string, _category: string, _message: string) => undefined,
};

// The worker injects the module the same way: by answering require('@azure/functions-core') itself.
const load = Reflect.get(Module, '_load') as (request: string, ...rest: unknown[]) => unknown;
Reflect.set(Module, '_load', function (this: unknown, request: string, ...rest: unknown[]) {
  return request === '@azure/functions-core' ? coreApi : load.call(this, request, ...rest);
});

const entry = process.argv[2];
if (!entry) throw new Error('functions-host-standin: pass the app entry to load, e.g. functions/index.ts');
await import(pathToFileURL(resolve(entry)).href);
console.log(`REGISTERED ${JSON.stringify(registrations)}`);
