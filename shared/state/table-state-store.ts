import type { TokenCredential } from '@azure/core-auth';
import { TableClient } from '@azure/data-tables';
import type { TableServiceClientOptions } from '@azure/data-tables';
import { AzureEntityTable } from './azure-entity-table.js';
import { EntityStateStore } from './entity-state-store.js';
import { perTableKind, tableNamesFor } from './keys.js';
import { ScalerError } from '../vocabulary/errors.js';
import { displayEndpoint, redact } from './table-errors.js';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import type { Limiter } from '../concurrency.js';
import { concurrencyPolicy } from '../request-limits.js';

export interface TableStateStoreOptions {
  /** Table names are `<prefix>Leases`, `<prefix>Operations`, ...; default `scaler`. */
  tablePrefix?: string;
  /** Deadline per request, retries included; past it the store reports Table Storage unreachable. */
  requestTimeoutMs?: number;
  /** The SDK's retry policy (e.g. `{ maxRetries: 0 }` where a test expects a failure). */
  retryOptions?: TableServiceClientOptions['retryOptions'];
  /** Table requests in flight at once, across every table of the store. */
  limiter?: Limiter | undefined;
  /** More pipeline policies, each run per attempt (e.g. a bench counting what reaches the service). */
  policies?: readonly PipelinePolicy[] | undefined;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

type ClientFactory = (tableName: string) => TableClient;

/**
 * The state store on Azure Table Storage. Tables are created on first use. Build it once in the composition
 * root: from an endpoint and a managed identity in Azure, from a connection string against Azurite.
 */
export class TableStateStore extends EntityStateStore {
  /** The account URL, without credentials, as it appears in error messages. */
  readonly endpoint: string;

  private constructor(createClient: ClientFactory, options: TableStateStoreOptions) {
    const names = tableNamesFor(options.tablePrefix);
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const endpoint = displayEndpoint(createClient(names.leases).url);
    super(perTableKind((kind) => new AzureEntityTable(createClient(names[kind]), endpoint, timeoutMs)));
    this.endpoint = endpoint;
  }

  /** `https://<account>.table.core.windows.net` with a `TokenCredential` (e.g. a managed identity). */
  static fromEndpoint(
    endpoint: string,
    credential: TokenCredential,
    options: TableStateStoreOptions = {},
  ): TableStateStore {
    if (!URL.canParse(endpoint)) {
      throw new ScalerError(
        'configuration',
        `Table Storage endpoint: '${redact(endpoint)}' is not a URL; use https://<account>.table.core.windows.net`,
      );
    }
    const clientOptions = clientOptionsFor(options, endpoint.startsWith('http:'));
    return new TableStateStore((tableName) => new TableClient(endpoint, tableName, credential, clientOptions), options);
  }

  /** A storage connection string; plain-HTTP endpoints (Azurite) are allowed when the string names one. */
  static fromConnectionString(connectionString: string, options: TableStateStoreOptions = {}): TableStateStore {
    const clientOptions = clientOptionsFor(options, accountUrlOf(connectionString).startsWith('http:'));
    return new TableStateStore(
      (tableName) => TableClient.fromConnectionString(connectionString, tableName, clientOptions),
      options,
    );
  }
}

function accountUrlOf(connectionString: string): string {
  try {
    return TableClient.fromConnectionString(connectionString, 'probe').url;
  } catch (error) {
    // The SDK's messages never echo the string, but redact anyway: it holds the account key.
    const why = redact(error instanceof Error ? error.message : String(error));
    throw new ScalerError(
      'configuration',
      `Table Storage connection string: ${why}; check the app setting that holds it`,
    );
  }
}

function clientOptionsFor(options: TableStateStoreOptions, insecure: boolean): TableServiceClientOptions {
  return {
    ...(insecure ? { allowInsecureConnection: true } : {}),
    ...(options.retryOptions === undefined ? {} : { retryOptions: options.retryOptions }),
    additionalPolicies: [
      ...(options.limiter ? [concurrencyPolicy('table', options.limiter)] : []),
      ...(options.policies ?? []),
    ].map((policy) => ({ policy, position: 'perRetry' as const })),
  };
}
