/**
 * Builds every dependency once, on first use (never at import time), from the app settings. Tests build their
 * own services with `createServices` and explicit overrides (emulator endpoints, Azurite, a controlled clock).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { parseAppSettings, type AppSettings } from '../shared/config/app-settings.js';
import { loadConfigFromSetting } from '../shared/config/load.js';
import type { ScalerConfig } from '../shared/config/schema/schema.js';
import {
  createScaling,
  type ScaleExecutor,
  type ScalingOptions,
  type TargetAdministration,
  type TargetDirectory,
  type TargetQueries,
} from '../shared/scaling/index.js';
import type { ForecastInputs } from '../shared/forecasting.js';
import { ArmClients, type ArmClientSettings } from '../shared/targets/azure-clients.js';
import { buildScaleTargets } from '../shared/targets/build.js';
import { Limiter } from '../shared/concurrency.js';
import { ArmRateLimits } from '../shared/request-limits.js';
import { ResourceGraphFleetReader } from '../shared/targets/resource-graph/resource-graph-fleet-reader.js';
import { AzureMonitorMetrics, type AzureMonitorSettings } from '../shared/metrics/azure-monitor-metrics.js';
import { TableStateStore } from '../shared/state/table-state-store.js';
import type { StateStore } from '../shared/state/state-store.port.js';
import { createLogger, type Logger } from '../shared/logging.js';
import { AlertIntake } from '../shared/alerts/alert-intake.js';
import { HttpAuthenticator } from '../shared/auth/authenticator.js';
import { alertAuthProblems, entraSettingsFrom } from '../shared/auth/entra-settings.js';
import { ScalerError } from '../shared/vocabulary/errors.js';
import type { TokenValidatorOptions } from '../shared/auth/token-validator.js';
import type { FollowUpLauncher } from '../shared/follow-up.port.js';
import { DurableFollowUpLauncher } from './orchestration/launcher.js';
import { followUpServices, type FollowUpOverrides, type FollowUpServices } from './orchestration/follow-up-services.js';

export interface Services {
  settings: AppSettings;
  config: ScalerConfig;
  /** Every configured target by name, with the scale target built for it. */
  targets: TargetDirectory;
  /** The acting path: evaluate, act, complete. */
  executor: ScaleExecutor;
  /** Target status and operations, as operators read them. */
  queries: TargetQueries;
  /** Pauses, failure resets, abandoning an operation, ledger retention. */
  administration: TargetAdministration;
  state: StateStore;
  /** The alert webhook's use case. */
  alerts: AlertIntake;
  /** Entra ID checks of the HTTP API (function keys are the host's). */
  authenticator: HttpAuthenticator;
  /** The durable follow-up's activities, and pause/resume of a rebalance. */
  followUp: FollowUpServices;
  /** The forecasts' history reader and cache, shared by every evaluation of this instance. */
  forecasts: ForecastInputs;
}

export interface ServiceOverrides {
  credential?: TokenCredential;
  clock?: () => Date;
  arm?: Partial<ArmClientSettings>;
  metrics?: Partial<AzureMonitorSettings>;
  state?: StateStore;
  scaling?: Partial<ScalingOptions>;
  log?: Logger;
  /** Token validation's clock and key source (tests use locally generated keys). */
  auth?: TokenValidatorOptions;
  /** Who carries operations to their end; null: nobody, each timer tick polls ARM (no rebalance). Default: Durable Functions. */
  followUps?: FollowUpLauncher | null;
  followUp?: FollowUpOverrides;
}

export async function createServices(
  env: Record<string, string | undefined>,
  overrides: ServiceOverrides = {},
): Promise<Services> {
  const settings = parseAppSettings(env);
  const log =
    overrides.log ??
    createLogger((level, message, fields) => console[level === 'debug' ? 'debug' : level](message, fields));
  const { config, warnings } = await loadConfigFromSetting(env);
  for (const warning of warnings) log.log('warn', `config: ${warning.path}: ${warning.message}`);

  const credential =
    overrides.credential ??
    new DefaultAzureCredential(settings.AZURE_CLIENT_ID ? { managedIdentityClientId: settings.AZURE_CLIENT_ID } : {});
  const clients = new ArmClients({
    credential,
    endpoint: settings.SCALER_ARM_ENDPOINT,
    limiter: new Limiter(settings.SCALER_ARM_CONCURRENCY),
    rateLimits: new ArmRateLimits(),
    ...overrides.arm,
  });
  const template = settings.SCALER_METRICS_ENDPOINT_TEMPLATE;
  const metrics = new AzureMonitorMetrics({
    credential,
    limiter: new Limiter(settings.SCALER_MONITOR_CONCURRENCY),
    ...(template ? { endpointFor: (region: string) => template.replace('{region}', region) } : {}),
    ...overrides.metrics,
  });
  const state = overrides.state ?? stateStoreFrom(settings, credential);
  const scaleTargets = buildScaleTargets(config, clients);
  const fleet =
    settings.SCALER_FLEET_READ === 'resource-graph'
      ? new ResourceGraphFleetReader(clients.resourceGraph(), scaleTargets)
      : undefined;
  // Predictive scaling: hourly history in batched Azure Monitor reads, cached in the state store's LoadHistory table.
  const { targets, executor, queries, administration, forecasts } = createScaling({
    config,
    scaleTargets,
    followUps: overrides.followUps === null ? undefined : (overrides.followUps ?? new DurableFollowUpLauncher()),
    metrics,
    state,
    fleet,
    clock: overrides.clock ?? (() => new Date()),
    newId: randomUUID,
    instanceId: `${hostname()}/${process.pid}`,
    log,
    options: {
      concurrency: settings.SCALER_CONCURRENCY,
      leaseSeconds: settings.SCALER_LEASE_SECONDS,
      ...overrides.scaling,
    },
  });
  const clock = overrides.clock ?? (() => new Date());
  const alerts = new AlertIntake({
    config,
    state,
    evaluateTarget: (name, context) => executor.evaluateTarget(name, context),
    clock,
    log,
  });
  const entra = entraSettingsFrom(settings);
  const exposure = alertAuthProblems(entra, config);
  for (const warning of exposure.warnings) log.log('warn', `app settings: ${warning}`);
  if (exposure.errors.length > 0)
    throw new ScalerError(
      'configuration',
      `app settings: ${exposure.errors.length} problem(s):\n${exposure.errors.join('\n')}`,
    );
  const authenticator = new HttpAuthenticator(entra, overrides.auth);
  const followUp = followUpServices({ targets, state, arm: clients, credential, env, clock, log }, overrides.followUp);
  return {
    settings,
    config,
    targets,
    executor,
    queries,
    administration,
    state,
    alerts,
    authenticator,
    followUp,
    forecasts,
  };
}

function stateStoreFrom(settings: AppSettings, credential: TokenCredential): StateStore {
  const options = {
    tablePrefix: settings.SCALER_STATE_TABLE_PREFIX,
    limiter: new Limiter(settings.SCALER_TABLE_CONCURRENCY),
  };
  if (settings.SCALER_STATE_TABLE_ENDPOINT)
    return TableStateStore.fromEndpoint(settings.SCALER_STATE_TABLE_ENDPOINT, credential, options);
  return TableStateStore.fromConnectionString(settings.SCALER_STATE_CONNECTION_STRING as string, options);
}

let services: Promise<Services> | undefined;

/** The app's services, built on first use. A failed build is retried on the next invocation. */
export function getServices(): Promise<Services> {
  services ??= createServices(process.env).catch((error: unknown) => {
    services = undefined;
    throw error;
  });
  return services;
}
