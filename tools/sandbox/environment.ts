/**
 * Everything the scaler talks to, started locally on free ports: the HTTPS ARM and Azure Monitor emulator,
 * Azurite (Table Storage), and PostgreSQL with the Citus stand-in (or a real Citus coordinator the user names).
 * Then the app itself: the real composition root pointed at them, the real registrations on the local host, the
 * in-process follow-up, and the scenario's workload in the metrics.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startAzureEmulator, StaticTokenCredential, MINUTE_MS, type AzureEmulator } from '../emulator/index.js';
import { startAzurite, type AzuriteInstance } from '../local-services/azurite.js';
import { startPostgres, type PostgresServer } from '../local-services/postgres.js';
import { CITUS_SETTING_DEFAULTS, installCitusStandin } from '../citus-standin/index.js';
import { createServices, type Services } from '../../functions/composition-root.js';
import { registerFunctions } from '../../functions/register.js';
import { TableStateStore } from '../../shared/state/table-state-store.js';
import { createLogger, type Logger } from '../../shared/logging.js';
import { generateScenario, type ScenarioName } from '../../tools/simulation/scenarios.js';
import { SandboxClock } from './sandbox-clock.js';
import { LocalFunctionHost, type InvocationLogHandler } from './local-host.js';
import { InProcessFollowUps } from './in-process-follow-ups.js';
import { ScenarioWorkload, type WorkloadCluster } from './workload.js';
import { sandboxConfig, SANDBOX_SUBSCRIPTION, type SandboxTargets } from './sandbox-config.js';

export interface SandboxOptions {
  scenario: ScenarioName;
  /** Hours into the scenario's first day at which the sandbox starts (the morning ramp is the interesting part). */
  startHour: number;
  /** Port of the local Functions host (7071 as with Core Tools; 0: any free port). */
  port: number;
  /** A real Citus coordinator instead of the stand-in. */
  citusUrl?: string | undefined;
  schedule: string;
  /** Where the app's log lines go. */
  logHandler: (functionName: string) => InvocationLogHandler;
  log: Logger;
}

export interface Sandbox {
  emulator: AzureEmulator;
  azurite: AzuriteInstance;
  postgres: PostgresServer | undefined;
  clock: SandboxClock;
  host: LocalFunctionHost;
  followUps: InProcessFollowUps;
  services: Services;
  workload: ScenarioWorkload;
  clusters: WorkloadCluster[];
  targets: SandboxTargets;
  baseUrl: string;
  functionKey: string;
  /** Moves time forward by `elapsedMs`, samples capacity, runs the timers that fell due. */
  step(elapsedMs: number): Promise<void>;
  stop(): Promise<void>;
}

const FAST_RETRY = { maxRetries: 4, retryDelayInMs: 5, maxRetryDelayInMs: 50 };

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const trace = generateScenario(options.scenario, { days: 3 });
  const started: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined);
  };
  try {
    const emulator = await startAzureEmulator({
      subscriptionId: SANDBOX_SUBSCRIPTION,
      startTime: new Date(trace.startMs + options.startHour * 60 * MINUTE_MS),
    });
    started.push(() => emulator.close());
    const [azurite, database] = await Promise.all([startAzurite(), startDatabase(options.citusUrl)]);
    started.push(() => azurite.stop());
    if (database.server) started.push(() => database.server?.stop() ?? Promise.resolve());
    const citus = await connectCitus(database.connectionString);
    started.push(() => citus.end());

    const targets = sandboxConfig(emulator, database.connectionString);
    const clock = new SandboxClock(
      emulator.clock,
      database.standin
        ? (elapsedMs) => followStandin(citus, emulator, targets.postgres.resourceId, elapsedMs)
        : undefined,
    );
    const host = new LocalFunctionHost({
      functionKey: randomBytes(24).toString('base64url'),
      settings: { SCALER_SCHEDULE: options.schedule },
      logHandler: options.logHandler,
    });
    const followUps = new InProcessFollowUps({
      clock,
      activity: (name) => host.activities.get(name),
      logHandler: options.logHandler('followUp'),
    });
    const services = await sandboxServices(emulator, azurite, clock, followUps, targets, options);
    registerFunctions(host.functionHost, () => Promise.resolve(services), host.durableHost);

    const workload = new ScenarioWorkload(emulator, trace);
    const clusters = [targets.postgresWorkload, targets.kustoWorkload];
    for (const cluster of clusters) workload.attach(cluster);
    const baseUrl = await host.listen(options.port);
    started.push(() => host.close());

    return {
      emulator,
      azurite,
      postgres: database.server,
      clock,
      host,
      followUps,
      services,
      workload,
      clusters,
      targets,
      baseUrl,
      functionKey: host.functionKey,
      step: async (elapsedMs) => {
        const fromMs = clock.nowMs();
        await clock.advance(elapsedMs);
        workload.sample(clusters);
        await host.runDueTimers(fromMs, clock.nowMs());
        await followUps.whenWaiting();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface Database {
  connectionString: string;
  server: PostgresServer | undefined;
  standin: boolean;
}

/** PostgreSQL with the Citus stand-in in a fresh database, holding two distributed tables to rebalance. */
async function startDatabase(citusUrl: string | undefined): Promise<Database> {
  if (citusUrl) return { connectionString: citusUrl, server: undefined, standin: false };
  const server = await startPostgres({ config: CITUS_SETTING_DEFAULTS });
  try {
    const connectionString = await server.createDatabase('orders');
    await installCitusStandin(connectionString, { nodeCount: 2 });
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      await client.query(`
        CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric);
        CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint NOT NULL);
        SELECT citus_standin.distribute_table('orders', 'id', shard_count => 32, shard_size_bytes => 512 * 1024 * 1024);
        SELECT citus_standin.distribute_table('order_lines', 'order_id', shard_count => 32, colocate_with => 'orders', shard_size_bytes => 256 * 1024 * 1024);
      `);
    } finally {
      await client.end();
    }
    return { connectionString, server, standin: true };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function connectCitus(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * The stand-in keeps its own simulated time (manual mode): it moves with the sandbox's clock. When ARM reports a
 * larger cluster than pg_dist_node holds, the new workers join, as the service adds them at the end of a resize.
 */
async function followStandin(
  citus: pg.Client,
  emulator: AzureEmulator,
  resourceId: string,
  elapsedMs: number,
): Promise<void> {
  await citus.query('SELECT citus_standin.advance($1)', [elapsedMs / 1000]);
  const size = emulator.postgres.getCluster(resourceId).properties.cluster?.clusterSize ?? 0;
  const [row] = (await citus.query<{ nodes: number }>('SELECT count(*)::int AS nodes FROM pg_dist_node')).rows;
  const missing = size - (row?.nodes ?? size);
  if (missing > 0) await citus.query('SELECT citus_standin.add_nodes($1)', [missing]);
}

async function sandboxServices(
  emulator: AzureEmulator,
  azurite: AzuriteInstance,
  clock: SandboxClock,
  followUps: InProcessFollowUps,
  targets: SandboxTargets,
  options: SandboxOptions,
): Promise<Services> {
  const tablePrefix = 'sandbox';
  return createServices(
    {
      SCALER_CONFIG: JSON.stringify(targets.config),
      SCALER_STATE_CONNECTION_STRING: azurite.connectionString,
      SCALER_STATE_TABLE_PREFIX: tablePrefix,
      SCALER_SCHEDULE: options.schedule,
      ...targets.env,
    },
    {
      credential: new StaticTokenCredential(),
      clock: () => clock.now(),
      arm: { endpoint: emulator.endpoint, tlsCa: emulator.caPem, retry: FAST_RETRY, lroPollIntervalMs: 10 },
      metrics: { endpointFor: (region) => emulator.metricsEndpoint(region), tlsCa: emulator.caPem, retry: FAST_RETRY },
      state: TableStateStore.fromConnectionString(azurite.connectionString, { tablePrefix }),
      log: options.log,
      followUps,
      // The stand-in applies settings at once, and nothing may sleep on the wall clock in virtual time.
      followUp: { settingsVisibleWithinMs: 0, sleep: () => Promise.resolve() },
    },
  );
}

export const quietLogger = (): Logger => createLogger(() => undefined);
