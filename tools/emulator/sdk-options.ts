/**
 * Client options that point the real Azure SDK clients at an emulator.
 *
 * TLS: all three clients build their pipeline with `createPipelineFromOptions` from @azure/core-rest-pipeline,
 * which adds `tlsPolicy(options.tlsOptions)`; that policy sets `request.tlsSettings`, and the Node HTTP client
 * spreads those settings into its `https.Agent` (ts-http-runtime `nodeHttpClient.getOrCreateAgent`). So
 * `tlsOptions: { ca }` in the client options makes the emulator's CA trusted, for that client only, while the
 * bearer-token policy still runs (it refuses plain http).
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import type { KustoManagementClientOptionalParams } from '@azure/arm-kusto';
import { KustoManagementClient } from '@azure/arm-kusto';
import type { PostgreSQLManagementFlexibleServerClientOptionalParams } from '@azure/arm-postgresql-flexible';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import type { MetricsClientOptions } from '@azure/monitor-query-metrics';
import { MetricsClient } from '@azure/monitor-query-metrics';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';

/** What the helpers need of an emulator. */
export interface EmulatorTarget {
  endpoint: string;
  caPem: string;
  subscriptionId: string;
  metricsEndpoint(region: string): string;
}

/** Answers every scope with the same opaque token: the emulator checks that a bearer token is sent, not its claims. */
export class StaticTokenCredential implements TokenCredential {
  readonly #token: string;

  constructor(token = 'emulator-access-token') {
    this.#token = token;
  }

  getToken(): Promise<AccessToken> {
    // The SDK compares expiry with the wall clock, not the emulator clock.
    return Promise.resolve({ token: this.#token, expiresOnTimestamp: Date.now() + 60 * 60_000 });
  }
}

/** Per-call options for `begin*` methods: poll every 10 ms instead of the SDK's 2 s (no Retry-After is sent). */
export const FAST_LRO = { updateIntervalInMs: 10 } as const;

/** Keeps the SDK's exponential retries (5xx, connection resets) short; 429 Retry-After is still honoured as sent. */
const FAST_RETRIES = { retryDelayInMs: 5, maxRetryDelayInMs: 50 } as const;

type ArmClientOptions = PostgreSQLManagementFlexibleServerClientOptionalParams & KustoManagementClientOptionalParams;

/** Options for either management client. `$host` matters: the generated operation specs build URLs from it. */
export function armClientOptions(emulator: Pick<EmulatorTarget, 'endpoint' | 'caPem'>): ArmClientOptions {
  return {
    endpoint: emulator.endpoint,
    $host: emulator.endpoint,
    tlsOptions: { ca: emulator.caPem },
    retryOptions: FAST_RETRIES,
  };
}

export function metricsClientOptions(emulator: Pick<EmulatorTarget, 'caPem'>): MetricsClientOptions {
  return { tlsOptions: { ca: emulator.caPem }, retryOptions: FAST_RETRIES };
}

export function postgresClient(
  emulator: EmulatorTarget,
  credential: TokenCredential = new StaticTokenCredential(),
): PostgreSQLManagementFlexibleServerClient {
  return new PostgreSQLManagementFlexibleServerClient(credential, emulator.subscriptionId, armClientOptions(emulator));
}

export function kustoClient(
  emulator: EmulatorTarget,
  credential: TokenCredential = new StaticTokenCredential(),
): KustoManagementClient {
  return new KustoManagementClient(credential, emulator.subscriptionId, armClientOptions(emulator));
}

/** A metrics client bound to one region, like `https://{region}.metrics.monitor.azure.com`. */
export function metricsClient(
  emulator: EmulatorTarget,
  region: string,
  credential: TokenCredential = new StaticTokenCredential(),
): MetricsClient {
  return new MetricsClient(emulator.metricsEndpoint(region), credential, metricsClientOptions(emulator));
}

/** A Resource Graph client on the emulator's ARM endpoint (the graph is a tenant-level ARM provider). */
export function resourceGraphClient(
  emulator: Pick<EmulatorTarget, 'endpoint' | 'caPem'>,
  retryOptions: { maxRetries?: number } = {},
  credential: TokenCredential = new StaticTokenCredential(),
): ResourceGraphClient {
  return new ResourceGraphClient(credential, {
    endpoint: emulator.endpoint,
    tlsOptions: { ca: emulator.caPem },
    retryOptions: { ...FAST_RETRIES, ...retryOptions },
  });
}
