/**
 * The sandbox's two clusters and the scaler config that watches them: an elastic cluster (2 nodes, CPU rules,
 * rebalance after every scale-out) and an ADX cluster (2 instances, CPU rules both ways). Cooldowns are short so
 * that a few simulated hours show several operations.
 */
import type { AzureEmulator } from '../emulator/index.js';
import type { WorkloadCluster } from './workload.js';

export const SANDBOX_SUBSCRIPTION = '00000000-0000-0000-0000-000000005a4d';
const RESOURCE_GROUP = 'rg-sandbox';
const PASSWORD_SETTING = 'SANDBOX_CITUS_PASSWORD';

export interface SandboxTargets {
  config: { version: 1; targets: Array<Record<string, unknown>> };
  /** App settings the config refers to (the coordinator's password). */
  env: Record<string, string>;
  /** The coordinator the rebalance runs on. */
  databaseUrl: string;
  postgres: { name: string; resourceId: string };
  kusto: { name: string; resourceId: string };
  postgresWorkload: WorkloadCluster;
  kustoWorkload: WorkloadCluster;
}

export function sandboxConfig(emulator: AzureEmulator, citusConnectionString: string): SandboxTargets {
  const postgres = emulator.postgres.addCluster({
    resourceGroup: RESOURCE_GROUP,
    name: 'orders-pg',
    location: 'westeurope',
    clusterSize: 2,
    updateDurationMs: 6 * 60_000,
    configurationUpdateDurationMs: 0,
  });
  const kusto = emulator.kusto.addCluster({
    resourceGroup: RESOURCE_GROUP,
    name: 'telemetryadx',
    location: 'westeurope',
    capacity: 2,
    updateDurationMs: 8 * 60_000,
  });
  const url = new URL(citusConnectionString);
  const database = {
    host: url.hostname,
    port: Number(url.port || 5432),
    name: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
    user: decodeURIComponent(url.username),
    passwordSetting: PASSWORD_SETTING,
    ssl: url.searchParams.get('sslmode') === 'require' ? 'require' : 'disable',
  };
  const targets = [
    {
      name: 'orders-pg',
      kind: 'postgres-elastic-cluster',
      resourceId: postgres.id,
      mode: 'custom',
      limits: { min: 2, max: 10 },
      maxStep: { out: 2 },
      cooldowns: { scaleOutMinutes: 20 },
      rules: [
        {
          name: 'cpu-high',
          metric: 'cpu_percent',
          operator: 'GreaterThan',
          threshold: 75,
          direction: 'out',
          windowMinutes: 10,
          change: { type: 'count', value: 2 },
        },
      ],
      rebalance: { pollIntervalSeconds: 60 },
      database,
      // Evidence only: an elastic cluster cannot scale back in, so the forecast's schedule is shown, not followed.
      forecast: { mode: 'forecast-only', historyDays: 7 },
    },
    {
      name: 'telemetry-adx',
      kind: 'kusto-cluster',
      resourceId: kusto.id,
      mode: 'custom',
      limits: { min: 2, max: 10 },
      maxStep: { out: 2, in: 1 },
      cooldowns: { scaleOutMinutes: 15, scaleInMinutes: 30 },
      rules: [
        {
          name: 'cpu-high',
          metric: 'CPU',
          operator: 'GreaterThan',
          threshold: 75,
          direction: 'out',
          windowMinutes: 10,
          change: { type: 'count', value: 2 },
        },
        {
          name: 'cpu-low',
          metric: 'CPU',
          operator: 'LessThan',
          threshold: 40,
          direction: 'in',
          windowMinutes: 30,
          change: { type: 'count', value: 1 },
        },
      ],
      // Predictive scaling acts here: the workload's history before the sandbox started repeats its first day.
      forecast: { mode: 'act', historyDays: 7 },
    },
  ];
  return {
    config: { version: 1, targets },
    env: { [PASSWORD_SETTING]: decodeURIComponent(url.password) },
    databaseUrl: citusConnectionString,
    postgres: { name: 'orders-pg', resourceId: postgres.id },
    kusto: { name: 'telemetry-adx', resourceId: kusto.id },
    postgresWorkload: {
      kind: 'postgres-elastic-cluster',
      resourceId: postgres.id,
      cpuMetric: 'cpu_percent',
      demandScale: 1,
    },
    kustoWorkload: { kind: 'kusto-cluster', resourceId: kusto.id, cpuMetric: 'CPU', demandScale: 0.8 },
  };
}
