/**
 * A timer tick reads the fleet through Resource Graph (real `@azure/arm-resourcegraph` client against the emulator):
 * one query for every target, an ARM GET only for the target about to act (under its lease), and per-target GETs
 * when Resource Graph fails or does not return a target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS, RESOURCE_GRAPH_PATH, plateau } from '../../tools/emulator/index.js';
import {
  acceptedPatches,
  kustoResourceId,
  pgResourceId,
  servicesFor,
  startHarness,
  tick,
  type Harness,
} from '../support/scaler-harness.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const CPU_RULE = { metric: 'cpu_percent', operator: 'GreaterThan', threshold: 80, direction: 'out', windowMinutes: 10 };

/** Two elastic clusters (the first hot) and an ADX cluster, named after the test. */
function fleet(prefix: string): { config: ConfigInput; names: string[] } {
  const { emulator } = harness;
  const names = [`${prefix}-hot`, `${prefix}-calm`, `${prefix}adx`];
  const [hot, calm, adx] = names as [string, string, string];
  for (const name of [hot, calm]) {
    const { id } = emulator.postgres.addCluster({
      resourceGroup: 'rg-data',
      name,
      location: 'westeurope',
      clusterSize: 3,
    });
    const value = name === hot ? 92 : 40;
    const from = new Date(emulator.clock.nowMs() - 70 * MINUTE_MS);
    emulator.metrics.set(id, 'cpu_percent', plateau({ from, minutes: 100_000, value, otherwise: 30 }));
  }
  emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: adx, location: 'westeurope', capacity: 3 });
  const pg = (name: string) => ({
    name,
    kind: 'postgres-elastic-cluster',
    resourceId: pgResourceId(name),
    mode: 'custom',
    limits: { min: 2, max: 10 },
    maxStep: { out: 1 },
    rules: [CPU_RULE],
  });
  const targets = [
    pg(hot),
    pg(calm),
    { name: adx, kind: 'kusto-cluster', resourceId: kustoResourceId(adx), mode: 'manual', limits: { min: 2, max: 8 } },
  ];
  return { config: { version: 1, targets } as ConfigInput, names };
}

function getsOf(name: string): number {
  return harness.emulator.requests
    .filter({ method: 'GET' })
    .filter((request) => request.path.toLowerCase().endsWith(`/${name.toLowerCase()}`)).length;
}

function graphQueries(): number {
  return harness.emulator.requests.filter({ method: 'POST', path: RESOURCE_GRAPH_PATH }).length;
}

describe('a tick through Resource Graph', () => {
  it('reads every target in one query and GETs only the target that acts', async () => {
    const { config, names } = fleet('rg');
    const [hot, calm, adx] = names as [string, string, string];
    const services = await servicesFor(harness.emulator, harness.azurite, config);
    const queriesBefore = graphQueries();

    const lines = await tick(services);

    expect(graphQueries() - queriesBefore).toBe(1);
    expect(acceptedPatches(harness.emulator, hot)).toHaveLength(1);
    expect([getsOf(hot), getsOf(calm), getsOf(adx)]).toEqual([1, 0, 0]);
    const [calmDecision] = await services.state.listDecisions(calm, 1);
    const [adxDecision] = await services.state.listDecisions(adx, 1);
    expect(calmDecision?.decision).toMatchObject({ action: 'none', from: 3, to: 3 });
    expect(adxDecision?.decision).toMatchObject({ action: 'none', from: 3, to: 3 });
    expect(lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('falls back to one GET per target, with a warning, when Resource Graph is down', async () => {
    const { config, names } = fleet('down');
    const [hot, calm, adx] = names as [string, string, string];
    const services = await servicesFor(harness.emulator, harness.azurite, config);
    harness.emulator.faults.serverError({ path: RESOURCE_GRAPH_PATH, status: 503, times: 100 });

    const lines = await tick(services);
    harness.emulator.faults.clear();

    expect(acceptedPatches(harness.emulator, hot)).toHaveLength(1);
    expect([getsOf(hot), getsOf(calm), getsOf(adx)]).toEqual([2, 1, 1]);
    const [calmDecision] = await services.state.listDecisions(calm, 1);
    expect(calmDecision?.decision).toMatchObject({ action: 'none', from: 3, to: 3 });
    const warning = lines.find((line) => line.fields?.['event'] === 'FleetReadFailed');
    expect(warning?.level).toBe('warning');
    expect(warning?.message).toMatch(/bulk read of 3 target\(s\) failed: .*reading each target with its own ARM GET/);
  });

  it('falls back the same way when Resource Graph keeps answering 429 beyond the retries', async () => {
    const { config, names } = fleet('quota');
    const [, calm] = names as [string, string, string];
    const services = await servicesFor(harness.emulator, harness.azurite, config);
    harness.emulator.faults.throttle({ path: RESOURCE_GRAPH_PATH, times: 100, retryAfterSeconds: 0 });

    const lines = await tick(services);
    harness.emulator.faults.clear();

    expect(getsOf(calm)).toBe(1);
    const warning = lines.find((line) => line.fields?.['event'] === 'FleetReadFailed');
    expect(warning?.message).toMatch(/429|throttl|Rate limit/i);
  });

  it('reads a target Resource Graph does not return (hidden by RBAC, or just created) with its own GET', async () => {
    const { config, names } = fleet('hidden');
    const [, calm, adx] = names as [string, string, string];
    harness.emulator.resourceGraph.hide(pgResourceId(calm));
    const services = await servicesFor(harness.emulator, harness.azurite, config);

    await tick(services);

    expect([getsOf(calm), getsOf(adx)]).toEqual([1, 0]);
    const [decision] = await services.state.listDecisions(calm, 1);
    expect(decision?.decision).toMatchObject({ action: 'none', from: 3, to: 3 });
  });
});
