/**
 * `scaler forecast` against the HTTPS emulator of ARM and Azure Monitor (real SDK clients through the scaler's own
 * adapters): the forecast, its planned schedule, its day-ahead backtest and the replay with and without it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzureEmulator, StaticTokenCredential, type AzureEmulator } from '../../tools/emulator/index.js';
import { FAST_RETRY, kustoResourceId, SUBSCRIPTION } from '../support/scaler-harness.js';
import { forecastCommand } from '../../cli/forecast.js';
import type { BacktestEnvironment } from '../../cli/backtest.js';
import { main } from '../../cli/main.js';

const HOUR = 3_600_000;
let emulator: AzureEmulator;
let dir: string;
let configFile: string;

beforeAll(async () => {
  emulator = await startAzureEmulator({ subscriptionId: SUBSCRIPTION });
  dir = await mkdtemp(join(tmpdir(), 'scaler-forecast-'));
  const { id } = emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'adxdaily', capacity: 6 });
  // 20 % at 02:00 UTC, 80 % at 14:00, at 6 instances.
  emulator.metrics.set(id, 'CPU', (minuteMs) => 50 - 30 * Math.cos((2 * Math.PI * (minuteMs / HOUR - 2)) / 24));
  emulator.metrics.set(id, 'InstanceCount', () => 6);
  configFile = join(dir, 'scaler.config.json');
  const target = {
    name: 'adx-daily',
    kind: 'kusto-cluster',
    resourceId: kustoResourceId('adxdaily'),
    mode: 'custom',
    limits: { min: 2, max: 20 },
    rules: [{ metric: 'CPU', operator: 'GreaterThan', threshold: 75, direction: 'out' }],
  };
  await writeFile(configFile, JSON.stringify({ version: 1, targets: [target] }));
});
afterAll(async () => Promise.all([emulator?.close(), dir ? rm(dir, { recursive: true, force: true }) : undefined]));

function environment(): BacktestEnvironment {
  return {
    credential: new StaticTokenCredential(),
    armEndpoint: emulator.endpoint,
    metricsEndpointFor: (region) => emulator.metricsEndpoint(region),
    tlsCa: emulator.caPem,
    retry: FAST_RETRY,
    clock: () => emulator.clock.now(),
  };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } };
}

describe('scaler forecast', () => {
  it('shows the forecast, the planned schedule, its day-ahead backtest and a replay with and without it', async () => {
    const { out, err, output } = capture();
    const code = await forecastCommand(
      ['--target', 'adx-daily', '--config', configFile, '--days', '2'],
      output,
      environment,
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/confident: daily seasonality found with confidence (0\.9\d|1\.00)/);
    // The default for Azure Data Explorer since the forecast measured cheaper there (docs/forecasting.md).
    expect(text).toMatch(/configured mode act/);
    expect(text).toMatch(/lead time 75 min \(default/);
    expect(text).toMatch(/Planned schedule[^\n]*\n {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}-> \d+/);
    const dayRows = out.filter((line) => /^ {2}\d{4}-\d\d-\d\dT\d\d:00:00\.000Z {2}confident/.test(line));
    expect(dayRows).toHaveLength(7);
    expect(text).toMatch(/over 7 confident day\(s\): R\^2 (0\.9\d*|1),/);
    expect(out.some((line) => line.includes('elastic-scaler, forecast act'))).toBe(true);
    expect(out.some((line) => line.includes('elastic-scaler, forecast off'))).toBe(true);
  }, 120_000);

  it('answers in JSON with --json, and skips the replay with --no-replay', async () => {
    const { out, output } = capture();
    expect(
      await forecastCommand(
        ['--target', 'adx-daily', '--config', configFile, '--no-replay', '--json'],
        output,
        environment,
      ),
    ).toBe(0);
    const answer = JSON.parse(out.join('')) as {
      forecast: { status: string; points: unknown[] };
      plan: { schedule: unknown[] };
      replay?: unknown;
      accuracy: { confidentDays: number };
    };
    expect(answer.forecast.status).toBe('confident');
    expect(answer.forecast.points).toHaveLength(36);
    expect(answer.plan.schedule.length).toBeGreaterThan(1);
    expect(answer.accuracy.confidentDays).toBe(7);
    expect(answer.replay).toBeUndefined();
  });

  it('names the target that is not in the config, and exits 2', async () => {
    const { err, output } = capture();
    expect(await forecastCommand(['--target', 'nope', '--config', configFile], output, environment)).toBe(2);
    expect(err.join('\n')).toMatch(/--target "nope" is not in the config; its targets are adx-daily/);
  });

  it('is listed by scaler --help and refuses an option it does not have', async () => {
    expect(await main(['forecast', '--target', 'adx-daily', '--config', configFile, '--dayz', '3'])).toBe(2);
  });
});
