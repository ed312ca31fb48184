/**
 * `scaler backtest` against the HTTPS emulator of ARM and Azure Monitor (real SDK clients through the scaler's
 * own adapters) and a real Azurite holding the scaler's operation history.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  constant,
  MINUTE_MS,
  perMinute,
  startAzureEmulator,
  StaticTokenCredential,
  steps,
  type AzureEmulator,
} from '../../tools/emulator/index.js';
import { startAzurite, type AzuriteInstance } from '../support/azurite.js';
import { FAST_RETRY, SUBSCRIPTION } from '../support/scaler-harness.js';
import { backtestCommand, type BacktestEnvironment } from '../../cli/backtest.js';
import { reconstructHistory } from '../../tools/simulation/backtest.js';
import { AzureMonitorMetrics } from '../../shared/metrics/azure-monitor-metrics.js';
import { ArmClients } from '../../shared/targets/azure-clients.js';
import { buildScaleTargets } from '../../shared/targets/build.js';
import { TableStateStore } from '../../shared/state/table-state-store.js';
import { configSchema, type ScalerConfig, type TargetConfig } from '../../shared/config/schema/schema.js';
import type { StateStore } from '../../shared/state/state-store.port.js';

const DAY = 1440;
let emulator: AzureEmulator;
let azurite: AzuriteInstance;
let dir: string;

beforeAll(async () => {
  [emulator, azurite] = await Promise.all([startAzureEmulator({ subscriptionId: SUBSCRIPTION }), startAzurite()]);
  dir = await mkdtemp(join(tmpdir(), 'scaler-backtest-'));
});
afterAll(async () => {
  await Promise.all([emulator?.close(), azurite?.stop(), dir ? rm(dir, { recursive: true, force: true }) : undefined]);
});

function environment(state?: StateStore): BacktestEnvironment {
  return {
    credential: new StaticTokenCredential(),
    armEndpoint: emulator.endpoint,
    metricsEndpointFor: (region) => emulator.metricsEndpoint(region),
    tlsCa: emulator.caPem,
    retry: FAST_RETRY,
    state,
    clock: () => emulator.clock.now(),
  };
}

function configFor(target: Record<string, unknown>): ScalerConfig {
  return configSchema.parse({ version: 1, targets: [{ limits: { min: 2, max: 20 }, ...target }] });
}

function sources(config: ScalerConfig, target: TargetConfig, state?: StateStore) {
  const env = environment(state);
  const clients = new ArmClients({
    credential: env.credential,
    endpoint: env.armEndpoint,
    tlsCa: env.tlsCa,
    retry: env.retry,
    lroPollIntervalMs: 10,
  });
  const scaleTarget = buildScaleTargets(config, clients).get(target.name);
  if (!scaleTarget) throw new Error('no scale target');
  return {
    scaleTarget,
    metrics: new AzureMonitorMetrics({
      credential: env.credential,
      endpointFor: env.metricsEndpointFor,
      tlsCa: env.tlsCa,
      retry: env.retry,
    }),
    state,
  };
}

/** The window of `days` days that ends at the emulator's current minute. */
function windowStart(days: number): Date {
  const endMs = Math.floor(emulator.clock.nowMs() / MINUTE_MS) * MINUTE_MS;
  return new Date(endMs - days * DAY * MINUTE_MS);
}

describe('backtest: reconstructing the load from Azure Monitor history', () => {
  it('multiplies Azure Data Explorer utilization by the InstanceCount metric, minute by minute, one Monitor call per day', async () => {
    const { id } = emulator.kusto.addCluster({
      resourceGroup: 'rg-bt',
      name: 'adxhistory',
      location: 'westeurope',
      capacity: 6,
    });
    const start = windowStart(2);
    const dayTwo = new Date(start.getTime() + DAY * MINUTE_MS);
    emulator.metrics.set(id, 'CPU', steps(50, [{ at: dayTwo, value: 80 }]));
    emulator.metrics.set(id, 'InstanceCount', steps(4, [{ at: dayTwo, value: 6 }]));
    emulator.metrics.set(id, 'CacheUtilizationFactor', constant(40));
    emulator.metrics.set(id, 'IngestionUtilization', constant(20));
    const config = configFor({
      name: 'adx-history',
      kind: 'kusto-cluster',
      resourceId: id,
      mode: 'custom',
      rules: [{ metric: 'CPU', operator: 'GreaterThan', threshold: 75, direction: 'out' }],
    });
    const target = config.targets[0] as TargetConfig;
    emulator.requests.clear();

    const history = await reconstructHistory(target, 2, emulator.clock.now(), sources(config, target));

    expect(emulator.requests.filter({ path: 'metrics:getBatch' })).toHaveLength(2);
    expect(history.capacitySource).toBe('the InstanceCount metric');
    expect(history.trace.startMs).toBe(start.getTime());
    expect(history.trace.demand).toHaveLength(2 * DAY);
    expect(history.trace.demand[0]).toBeCloseTo(2, 9);
    expect(history.trace.demand[2 * DAY - 1]).toBeCloseTo(4.8, 9);
    expect(history.trace.cacheDemand?.[0]).toBeCloseTo(1.6, 9);
    expect(history.trace.ingestionDemand?.[2 * DAY - 1]).toBeCloseTo(1.2, 9);
    expect(history.actualNodeHours).toBeCloseTo((4 * DAY + 6 * DAY) / 60, 9);
    expect(history.notes).toEqual([]);
  });

  it("takes an elastic cluster's capacity from ARM and the scaler's own operations in Table Storage", async () => {
    const { id } = emulator.postgres.addCluster({
      resourceGroup: 'rg-bt',
      name: 'pghistory',
      location: 'westeurope',
      clusterSize: 6,
    });
    emulator.metrics.set(id, 'cpu_percent', constant(60));
    const config = configFor({
      name: 'pg-history',
      kind: 'postgres-elastic-cluster',
      resourceId: id,
      mode: 'custom',
      rules: [{ metric: 'cpu_percent', operator: 'GreaterThan', threshold: 75, direction: 'out' }],
    });
    const target = config.targets[0] as TargetConfig;
    const state = TableStateStore.fromConnectionString(azurite.connectionString, {
      tablePrefix: `bt${randomUUID().replace(/-/g, '').slice(0, 10)}`,
    });
    const startedAt = new Date(windowStart(1).getTime() + 600 * MINUTE_MS);
    const completedAt = new Date(startedAt.getTime() + 40 * MINUTE_MS);
    await state.createOperation({
      id: 'op-1',
      target: target.name,
      trigger: 'timer',
      direction: 'out',
      from: 4,
      to: 6,
      startedAt,
      arm: {},
      initiator: 'timer',
      reason: 'cpu-high fired',
    });
    await state.updateOperationStatus(target.name, 'op-1', { status: 'running', at: startedAt });
    await state.updateOperationStatus(target.name, 'op-1', { status: 'succeeded', at: completedAt });

    const history = await reconstructHistory(target, 1, emulator.clock.now(), sources(config, target, state));

    expect(history.capacitySource).toBe("ARM's current capacity and the scaler's operation history");
    expect(history.capacity[639]).toBe(4);
    expect(history.capacity[640]).toBe(6);
    expect(history.trace.demand[0]).toBeCloseTo(2.4, 9);
    expect(history.trace.demand[DAY - 1]).toBeCloseTo(3.6, 9);
    expect(history.capacityAtStart).toBe(4);
  });

  it('fills short gaps, says so, and counts saturated minutes as a lower bound', async () => {
    const { id } = emulator.postgres.addCluster({
      resourceGroup: 'rg-bt',
      name: 'pggaps',
      location: 'westeurope',
      clusterSize: 4,
    });
    const start = windowStart(1);
    const values = Array.from({ length: DAY }, (_, minute) =>
      minute >= 100 && minute < 110 ? null : minute >= 500 && minute < 530 ? 100 : 50,
    );
    emulator.metrics.set(id, 'cpu_percent', perMinute(start, values));
    const config = configFor({
      name: 'pg-gaps',
      kind: 'postgres-elastic-cluster',
      resourceId: id,
      mode: 'custom',
      rules: [{ metric: 'cpu_percent', operator: 'GreaterThan', threshold: 75, direction: 'out' }],
    });
    const target = config.targets[0] as TargetConfig;

    const history = await reconstructHistory(target, 1, emulator.clock.now(), sources(config, target));

    expect(history.capacitySource).toMatch(
      /^ARM's current capacity \(4\) for the whole window: no state store configured/,
    );
    expect(history.notes).toEqual([
      "10 minute(s) without cpu_percent data were filled with the previous minute's value",
      '30 minute(s) at 99 % CPU or more: the load then was at least what is shown (CPU cannot show more than 100 %)',
    ]);
    expect(history.trace.demand[105]).toBeCloseTo(2, 9);
  });

  it('refuses to replay a target without data, naming what to check', async () => {
    const { id } = emulator.postgres.addCluster({
      resourceGroup: 'rg-bt',
      name: 'pgsilent',
      location: 'westeurope',
      clusterSize: 4,
    });
    const config = configFor({
      name: 'pg-silent',
      kind: 'postgres-elastic-cluster',
      resourceId: id,
      mode: 'custom',
      rules: [{ metric: 'cpu_percent', operator: 'GreaterThan', threshold: 75, direction: 'out' }],
    });
    const target = config.targets[0] as TargetConfig;
    await expect(reconstructHistory(target, 1, emulator.clock.now(), sources(config, target))).rejects.toThrow(
      'no cpu_percent data for pg-silent in the last 1 day(s); check the resource id and region, and that the identity has Monitoring Reader on it',
    );
  });
});

describe('scaler backtest', () => {
  it('replays the reconstructed load against the config and the baselines, and writes the report', async () => {
    const { id } = emulator.kusto.addCluster({
      resourceGroup: 'rg-bt',
      name: 'adxcli',
      location: 'westeurope',
      capacity: 4,
    });
    const start = windowStart(2);
    emulator.metrics.set(
      id,
      'CPU',
      perMinute(
        start,
        Array.from({ length: 2 * DAY }, (_, minute) => (minute % DAY >= 600 && minute % DAY < 900 ? 95 : 40)),
      ),
    );
    emulator.metrics.set(id, 'InstanceCount', constant(4));
    const configFile = join(dir, 'config.json');
    await writeFile(
      configFile,
      JSON.stringify({
        version: 1,
        targets: [
          {
            name: 'adx-cli',
            kind: 'kusto-cluster',
            resourceId: id,
            mode: 'custom',
            limits: { min: 2, max: 12 },
            rules: [
              { metric: 'CPU', operator: 'GreaterThan', threshold: 75, direction: 'out' },
              { metric: 'CPU', operator: 'LessThan', threshold: 25, direction: 'in' },
            ],
          },
        ],
      }),
    );
    const report = join(dir, 'backtest.html');
    const out: string[] = [];
    const err: string[] = [];

    const code = await backtestCommand(
      [
        '--target',
        'adx-cli',
        '--days',
        '2',
        '--config',
        configFile,
        '--report',
        report,
        '--workers',
        '1',
        '--policies',
        'elastic-scaler,static-peak,oracle',
      ],
      { out: (line) => out.push(line), err: (line) => err.push(line) },
      () => environment(),
    );

    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain(
      'Backtesting kusto-cluster target adx-cli (custom mode, 2 rule(s), 2..12 instances) over the last 2 day(s)',
    );
    expect(text).toContain('Capacity from the InstanceCount metric; actually billed 192 node-hours, starting at 4.');
    expect(text).toMatch(/^adx-cli, last 2 day\(s\)\s+elastic-scaler\s+\d+\s+\d+\.\d\dx/m);
    expect(text).toMatch(/^adx-cli, last 2 day\(s\)\s+oracle\s+\d+\s+1\.00x/m);
    expect(await readFile(report, 'utf8')).toContain('Backtest: adx-cli');
  }, 60_000);

  it.each([
    {
      name: 'a window longer than Azure Monitor keeps',
      args: ['--target', 'x', '--days', '120', '--config', 'examples/simulation.config.json'],
      message: '--days "120" is not a whole number from 1 to 93',
    },
    {
      name: 'a missing target',
      args: ['--days', '3', '--config', 'examples/simulation.config.json'],
      message: '--target is required',
    },
  ])('explains $name and exits 2', async ({ args, message }) => {
    const err: string[] = [];
    const code = await backtestCommand(args, { out: () => undefined, err: (line) => err.push(line) }, () =>
      environment(),
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(message);
  });

  it('names the targets of the config when asked for another one', async () => {
    const err: string[] = [];
    const code = await backtestCommand(
      ['--target', 'nope', '--days', '1', '--config', 'examples/simulation.config.json'],
      { out: () => undefined, err: (line) => err.push(line) },
      () => environment(),
    );
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('--target "nope" is not in the config; its targets are orders-pg, telemetry-adx');
  });
});
