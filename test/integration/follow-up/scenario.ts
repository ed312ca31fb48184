/**
 * One follow-up scenario: an elastic cluster in the Azure emulator, its Citus stand-in on a real PostgreSQL, the
 * app's services from the real composition root (state in memory), an operator's scale-out started through the
 * scaler, and a replay driver ready to run the follow-up orchestration with the registered functions.
 */
import { createServices, type Services } from '../../../functions/composition-root.js';
import { FOLLOW_UP_ORCHESTRATION } from '../../../functions/orchestration/names.js';
import { followUpInputFor, followUpInstanceId } from '../../../shared/follow-up/input.js';
import { MemoryStateStore } from '../../../tools/memory-state/memory-state-store.js';
import { createLogger } from '../../../shared/logging.js';
import type { TargetConfig } from '../../../shared/config/schema/schema.js';
import type { OperationRecord } from '../../../shared/state/state-store.port.js';
import { StaticTokenCredential, type AzureEmulator } from '../../../tools/emulator/index.js';
import type { PostgresServer } from '../../support/postgres.js';
import { scaledOutCluster, type StandinDb } from '../../../tools/citus-standin/testing.js';
import { ReplayDriver, type ReplayOptions } from '../../support/durable-replay.js';
import { ClusterClock, registeredApp, standinDatabase } from '../../support/follow-up-host.js';
import { FAST_RETRY, pgResourceId } from '../../support/scaler-harness.js';

export interface Scenario {
  name: string;
  resourceId: string;
  db: StandinDb;
  state: MemoryStateStore;
  services: Services;
  operation: OperationRecord;
  target: TargetConfig;
  clock: ClusterClock;
  driver: ReplayDriver;
  /** New services over the same state, as after a host restart. */
  restartHost(): Promise<void>;
}

export interface ScenarioOptions {
  rebalance?: Record<string, unknown>;
  connections?: Record<string, unknown>;
  /** Milliseconds ARM takes to resize the cluster (default 1 minute). */
  armUpdateMs?: number;
  /** Target size (from 2 nodes). */
  to?: number;
  driver?: Partial<ReplayOptions>;
}

let counter = 0;

export async function scenario(
  emulator: AzureEmulator,
  server: PostgresServer,
  options: ScenarioOptions = {},
): Promise<Scenario> {
  counter += 1;
  const name = `pg${process.pid % 10000}x${counter}`;
  // Server parameters apply at once: the emulator's clock stands still while an activity waits for ARM.
  const resourceId = emulator.postgres.addCluster({
    resourceGroup: 'rg-data',
    name,
    location: 'westeurope',
    clusterSize: 2,
    updateDurationMs: options.armUpdateMs ?? 60_000,
    configurationUpdateDurationMs: 0,
  }).id;
  const db = await scaledOutCluster(server, { scaleOut: false });
  const { database, env } = standinDatabase(db.connectionString);
  const config = {
    version: 1,
    targets: [
      {
        name,
        kind: 'postgres-elastic-cluster',
        resourceId: pgResourceId(name),
        mode: 'manual',
        limits: { min: 2, max: 8 },
        // One move at a time unless a test asks for more: the parallel path (raise and restore the executor
        // settings, the product's default of 4) has tests of its own.
        rebalance: { pollIntervalSeconds: 10, parallelism: 1, ...options.rebalance },
        connections: options.connections ?? { policy: 'service-default' },
        database,
      },
    ],
  };
  const state = new MemoryStateStore();
  const launched: Array<{ target: TargetConfig; operation: OperationRecord }> = [];
  const build = () =>
    createServices(
      { SCALER_CONFIG: JSON.stringify(config), SCALER_STATE_CONNECTION_STRING: 'UseDevelopmentStorage=true', ...env },
      {
        credential: new StaticTokenCredential(),
        clock: () => emulator.clock.now(),
        arm: { endpoint: emulator.endpoint, tlsCa: emulator.caPem, retry: FAST_RETRY, lroPollIntervalMs: 10 },
        metrics: {
          endpointFor: (region) => emulator.metricsEndpoint(region),
          tlsCa: emulator.caPem,
          retry: FAST_RETRY,
        },
        state,
        log: createLogger(() => undefined),
        followUps: { launch: async (target, operation) => void launched.push({ target, operation }) },
        // The emulator's server parameters do not reach the stand-in's settings: do not wait for them to show.
        followUp: { settingsVisibleWithinMs: 0 },
      },
    );
  const services = await build();
  const outcome = await services.executor.evaluateTarget(name, {
    trigger: 'manual',
    initiator: 'test',
    request: { source: 'manual', capacity: options.to ?? 4, reason: 'follow-up test' },
  });
  const first = launched[0];
  if (!outcome.acted || !first)
    throw new Error(`the scale-out did not start: ${outcome.decision?.message ?? outcome.error?.message}`);
  const clock = new ClusterClock(emulator, db, resourceId);
  const driver = new ReplayDriver(registeredApp(services), {
    instanceId: followUpInstanceId(name),
    orchestrationName: FOLLOW_UP_ORCHESTRATION,
    clock,
    ...options.driver,
  });
  driver.start(followUpInputFor(first.target, first.operation));
  const result: Scenario = {
    name,
    resourceId,
    db,
    state,
    services,
    operation: first.operation,
    target: first.target,
    clock,
    driver,
    restartHost: async () => {
      result.services = await build();
      driver.restartWith(registeredApp(result.services));
    },
  };
  return result;
}

export const activity = (name: string) => `followUp_${name}`;
