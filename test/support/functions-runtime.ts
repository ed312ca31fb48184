/**
 * The @azure/functions classes tests construct. The package is CommonJS and Node's ESM loader cannot see these
 * named exports (only `app`), so take them from the default export: this works under vitest, tsx and plain node.
 */
import functions from '@azure/functions';

export const { InvocationContext, HttpRequest } = functions;
