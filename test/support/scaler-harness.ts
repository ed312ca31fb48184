/**
 * End-to-end harness: a real HTTPS Azure emulator, a real Azurite, and the app's services built by the real
 * composition root, pointed at them. Time is the emulator's clock, for the scaler as for Azure.
 */
import { randomUUID } from 'node:crypto';
import type { Timer } from '@azure/functions';
import { InvocationContext } from './functions-runtime.js';
import { createServices, type ServiceOverrides, type Services } from '../../functions/composition-root.js';
import { evaluateTargetsHandler } from '../../functions/evaluate-targets.js';
import { startAzureEmulator, StaticTokenCredential, type AzureEmulator } from '../../tools/emulator/index.js';
import { startAzurite, type AzuriteInstance } from './azurite.js';
import { TableStateStore } from '../../shared/state/table-state-store.js';
import { createLogger, type LogFields, type LogLevel } from '../../shared/logging.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';

export const SUBSCRIPTION = '00000000-0000-0000-0000-0000000000aa';
export const FAST_RETRY = { maxRetries: 4, retryDelayInMs: 5, maxRetryDelayInMs: 50 };

export interface LogLine {
  level: LogLevel | string;
  message: string;
  fields: LogFields | undefined;
}

export interface Harness {
  emulator: AzureEmulator;
  azurite: AzuriteInstance;
  stop(): Promise<void>;
  /** Builds the app's services for a config, with a fresh set of tables. */
  services(config: ConfigInput, env?: Record<string, string>): Promise<Services>;
}

export async function startHarness(): Promise<Harness> {
  const [emulator, azurite] = await Promise.all([startAzureEmulator({ subscriptionId: SUBSCRIPTION }), startAzurite()]);
  return {
    emulator,
    azurite,
    stop: async () => {
      await Promise.all([emulator.close(), azurite.stop()]);
    },
    services: (config, env = {}) => servicesFor(emulator, azurite, config, env),
  };
}

/** `overrides` replace the harness's own (e.g. a `log` that captures what the services write). */
export async function servicesFor(
  emulator: AzureEmulator,
  azurite: AzuriteInstance,
  config: ConfigInput,
  env: Record<string, string> = {},
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const tablePrefix = env.SCALER_STATE_TABLE_PREFIX ?? `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  return createServices(
    {
      SCALER_CONFIG: JSON.stringify(config),
      SCALER_STATE_CONNECTION_STRING: azurite.connectionString,
      SCALER_STATE_TABLE_PREFIX: tablePrefix,
      ...env,
    },
    {
      credential: new StaticTokenCredential(),
      clock: () => emulator.clock.now(),
      arm: { endpoint: emulator.endpoint, tlsCa: emulator.caPem, retry: FAST_RETRY, lroPollIntervalMs: 10 },
      metrics: { endpointFor: (region) => emulator.metricsEndpoint(region), tlsCa: emulator.caPem, retry: FAST_RETRY },
      state: TableStateStore.fromConnectionString(azurite.connectionString, { tablePrefix }),
      log: createLogger(() => undefined),
      // No durable follow-up unless a test passes a launcher: each tick then polls ARM and ends operations itself.
      followUps: null,
      ...overrides,
    },
  );
}

/** Invokes the registered timer handler the way the Functions host does, and captures what it logs. */
export async function tick(services: Services): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: 'evaluateTargets',
    logHandler: (level, ...args) =>
      lines.push({ level, message: String(args[0]), fields: args[1] as LogFields | undefined }),
  });
  const timer: Timer = {
    isPastDue: false,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '', next: '', lastUpdated: '' },
  };
  await evaluateTargetsHandler(() => Promise.resolve(services))(timer, context);
  return lines;
}

export function pgResourceId(name: string, resourceGroup = 'rg-data'): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${resourceGroup}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
}

export function kustoResourceId(name: string, resourceGroup = 'rg-data'): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${resourceGroup}/providers/Microsoft.Kusto/clusters/${name}`;
}

/** The PATCHes ARM accepted (202) for the resource named `name`. */
export function acceptedPatches(emulator: AzureEmulator, name: string) {
  return emulator.requests
    .filter({ method: 'PATCH', status: 202 })
    .filter((request) => request.path.endsWith(`/${name}`));
}

/** Adds an elastic cluster to the emulator and returns a manual-mode target for it. */
export function addManualPg(
  emulator: AzureEmulator,
  name: string,
  overrides: Record<string, unknown> = {},
  clusterSize = 3,
) {
  emulator.postgres.addCluster({ resourceGroup: 'rg-data', name, location: 'westeurope', clusterSize });
  return {
    name,
    kind: 'postgres-elastic-cluster',
    resourceId: pgResourceId(name),
    mode: 'manual',
    limits: { min: 2, max: 10 },
    cooldowns: { scaleOutMinutes: 30 },
    ...overrides,
  };
}

/** Adds an ADX cluster to the emulator and returns a manual-mode target for it. */
export function addManualKusto(
  emulator: AzureEmulator,
  name: string,
  overrides: Record<string, unknown> = {},
  capacity = 4,
) {
  emulator.kusto.addCluster({ resourceGroup: 'rg-data', name, capacity });
  return {
    name,
    kind: 'kusto-cluster',
    resourceId: kustoResourceId(name),
    mode: 'manual',
    limits: { min: 2, max: 10 },
    ...overrides,
  };
}
