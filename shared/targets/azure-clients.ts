/**
 * Builds the Azure SDK clients once per subscription, with the scaler's retry and LRO settings. Tests point them
 * at the local HTTPS emulator through `endpoint` and `tlsCa`; production uses the defaults.
 */
import type { TokenCredential } from '@azure/core-auth';
import { PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import { KustoManagementClient } from '@azure/arm-kusto';
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { Limiter } from '../concurrency.js';
import { concurrencyPolicy, type ArmRateLimits } from '../request-limits.js';

export interface ArmClientSettings {
  credential: TokenCredential;
  /** ARM endpoint; defaults to https://management.azure.com. */
  endpoint?: string | undefined;
  /** Extra CA certificate (PEM) to trust, for a local emulator. */
  tlsCa?: string | undefined;
  retry?: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number } | undefined;
  /** How often an LRO poll may repeat when the service does not say (Retry-After). */
  lroPollIntervalMs?: number | undefined;
  /** ARM requests in flight at once, across every client built here. */
  limiter?: Limiter | undefined;
  /** ARM's subscription budgets, read from every answer (slows down before 429s). */
  rateLimits?: ArmRateLimits | undefined;
}

export const DEFAULT_RETRY = { maxRetries: 4, retryDelayInMs: 800, maxRetryDelayInMs: 30_000 };

export class ArmClients {
  private readonly postgresClients = new Map<string, PostgreSQLManagementFlexibleServerClient>();
  private readonly kustoClients = new Map<string, KustoManagementClient>();
  private graphClient: ResourceGraphClient | undefined;

  constructor(readonly settings: ArmClientSettings) {}

  postgres(subscriptionId: string): PostgreSQLManagementFlexibleServerClient {
    return cached(
      this.postgresClients,
      subscriptionId,
      () =>
        new PostgreSQLManagementFlexibleServerClient(this.settings.credential, subscriptionId, this.clientOptions()),
    );
  }

  kusto(subscriptionId: string): KustoManagementClient {
    return cached(
      this.kustoClients,
      subscriptionId,
      () => new KustoManagementClient(this.settings.credential, subscriptionId, this.clientOptions()),
    );
  }

  /** Resource Graph is a tenant-level ARM provider: one client serves every subscription. */
  resourceGraph(): ResourceGraphClient {
    const { endpoint, tlsCa } = this.settings;
    this.graphClient ??= new ResourceGraphClient(this.settings.credential, {
      ...(endpoint ? { endpoint } : {}),
      ...(tlsCa ? { tlsOptions: { ca: tlsCa } } : {}),
      retryOptions: this.settings.retry ?? DEFAULT_RETRY,
      userAgentOptions: { userAgentPrefix: 'elastic-scaler' },
      additionalPolicies: this.policies(),
    });
    return this.graphClient;
  }

  get lroPollIntervalMs(): number {
    return this.settings.lroPollIntervalMs ?? 2000;
  }

  private clientOptions() {
    const { endpoint, tlsCa, retry } = this.settings;
    return {
      ...(endpoint ? { endpoint, $host: endpoint } : {}),
      ...(tlsCa ? { tlsOptions: { ca: tlsCa } } : {}),
      retryOptions: retry ?? DEFAULT_RETRY,
      userAgentOptions: { userAgentPrefix: 'elastic-scaler' },
      additionalPolicies: this.policies(),
    };
  }

  /** Per attempt, so a retry waiting out its delay holds no slot, and every attempt reads the budget headers. */
  private policies() {
    const { limiter, rateLimits } = this.settings;
    return [
      ...(rateLimits ? [{ policy: rateLimits.policy(), position: 'perRetry' as const }] : []),
      ...(limiter ? [{ policy: concurrencyPolicy('arm', limiter), position: 'perRetry' as const }] : []),
    ];
  }
}

function cached<T>(cache: Map<string, T>, key: string, create: () => T): T {
  const existing = cache.get(key);
  if (existing) return existing;
  const created = create();
  cache.set(key, created);
  return created;
}

/** ARM reports `location` as a name (`westus`) or a display name (`Canada Central`); Monitor wants the name. */
export function normalizeRegion(location: string | undefined): string {
  return (location ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
}
