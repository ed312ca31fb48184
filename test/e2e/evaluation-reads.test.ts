/**
 * What one evaluation reads from Table Storage (real Azurite, real ARM emulator): the state it decides on is read
 * once, an operation the executor itself ends is folded into that state rather than read back, and a lease held
 * by another evaluation is answered from what the evaluation already knows.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS, RESOURCE_GRAPH_PATH, plateau } from '../../tools/emulator/index.js';
import {
  acceptedPatches,
  pgResourceId,
  servicesFor,
  startHarness,
  tick,
  type Harness,
} from '../support/scaler-harness.js';
import { TableStateStore } from '../../shared/state/table-state-store.js';
import type { StateStore } from '../../shared/state/state-store.port.js';
import { LEDGER_PARTITIONS } from '../../shared/state/keys.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

/** The real Table Storage store, counting the calls made to it by name and the requests sent to each table. */
function countingStore(): { store: StateStore; calls: Map<string, number>; requests: string[] } {
  const calls = new Map<string, number>();
  const requests: string[] = [];
  const real = TableStateStore.fromConnectionString(harness.azurite.connectionString, {
    tablePrefix: `t${randomUUID().replace(/-/g, '').slice(0, 12)}`,
    policies: [
      {
        name: 'requestLog',
        sendRequest: (request, next) => {
          requests.push(`${request.method} ${new URL(request.url).pathname}`);
          return next(request);
        },
      },
    ],
  });
  const store = new Proxy(real, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(property, (calls.get(property) ?? 0) + 1);
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls, requests };
}

function hotCluster(name: string): void {
  const id = harness.emulator.postgres.addCluster({
    resourceGroup: 'rg-data',
    name,
    location: 'westeurope',
    clusterSize: 3,
  }).id;
  harness.emulator.metrics.set(
    id,
    'cpu_percent',
    plateau({
      from: new Date(harness.emulator.clock.nowMs() - 70 * MINUTE_MS),
      minutes: 100_000,
      value: 92,
      otherwise: 30,
    }),
  );
}

const config = (name: string): ConfigInput =>
  ({
    version: 1,
    targets: [
      {
        name,
        kind: 'postgres-elastic-cluster',
        resourceId: pgResourceId(name),
        mode: 'custom',
        limits: { min: 2, max: 10 },
        cooldowns: { scaleOutMinutes: 30 },
        maxStep: { out: 1 },
        rules: [
          {
            name: 'cpu-high',
            metric: 'cpu_percent',
            operator: 'GreaterThan',
            threshold: 80,
            direction: 'out',
            windowMinutes: 10,
          },
        ],
      },
    ],
  }) as ConfigInput;

describe('the reads of one evaluation', () => {
  it('ends a finished operation and decides on that end without reading the operation back', async () => {
    hotCluster('fold-in');
    const { store, calls } = countingStore();
    const services = await servicesFor(harness.emulator, harness.azurite, config('fold-in'), {}, { state: store });
    await tick(services);
    expect(acceptedPatches(harness.emulator, 'fold-in')).toHaveLength(1);

    harness.emulator.clock.advance(6 * MINUTE_MS); // the emulator's update takes 5 minutes
    calls.clear();
    await tick(services);
    const read = {
      operations: calls.get('listOperations'),
      history: calls.get('getScaleHistory') ?? 0,
      failures: calls.get('getFailureHistory') ?? 0,
      controls: calls.get('listTargetControls'),
      summaries: calls.get('listTargetSummaries'),
      pauses: calls.get('getPauses') ?? 0,
      ended: calls.get('updateOperationStatus'),
    };

    const [decision] = await services.state.listDecisions('fold-in', 1);
    expect(decision?.decision).toMatchObject({ action: 'none', reason: 'CooldownActive' });
    expect((await services.state.getScaleHistory('fold-in')).lastScaleOut?.completedAt).toEqual(
      harness.emulator.clock.now(),
    );
    // History and failures from the fleet's summaries and the controls from the fleet's controls, one query each;
    // the one query of its operations is the forecast's, rebuilt because an operation ended (its lead time).
    expect(read).toEqual({ operations: 1, history: 0, failures: 0, controls: 1, summaries: 1, pauses: 0, ended: 1 });
  });

  it("reads a calm target's operations from the fleet's summaries: from its second tick on, no query of its own", async () => {
    const id = harness.emulator.postgres.addCluster({
      resourceGroup: 'rg-data',
      name: 'calm',
      location: 'westeurope',
      clusterSize: 3,
    }).id;
    harness.emulator.metrics.set(id, 'cpu_percent', () => 40);
    const { store, calls } = countingStore();
    const services = await servicesFor(harness.emulator, harness.azurite, config('calm'), {}, { state: store });
    await tick(services);
    expect(calls.get('ensureTargetSummary')).toBe(1);

    harness.emulator.clock.advance(MINUTE_MS);
    calls.clear();
    await tick(services);
    const read = {
      summaries: calls.get('listTargetSummaries'),
      written: calls.get('ensureTargetSummary') ?? 0,
      operations: calls.get('listOperations') ?? 0,
      history: calls.get('getScaleHistory') ?? 0,
      failures: calls.get('getFailureHistory') ?? 0,
    };

    const [decision] = await services.state.listDecisions('calm', 1);
    expect(decision?.decision).toMatchObject({ action: 'none' });
    expect(read).toEqual({ summaries: 1, written: 0, operations: 0, history: 0, failures: 0 });
  });

  it("writes the calm targets' ledger rows in a few batch transactions, not one request per target", async () => {
    const names = Array.from({ length: 40 }, (_, index) => `calm-fleet-${index}`);
    for (const name of names) {
      const { id } = harness.emulator.postgres.addCluster({
        resourceGroup: 'rg-data',
        name,
        location: 'westeurope',
        clusterSize: 3,
      });
      harness.emulator.metrics.set(id, 'cpu_percent', () => 40);
    }
    const fleet = { version: 1, targets: names.flatMap((name) => config(name).targets) } as ConfigInput;
    const { store, calls, requests } = countingStore();
    const services = await servicesFor(harness.emulator, harness.azurite, fleet, {}, { state: store });
    await tick(services);

    harness.emulator.clock.advance(MINUTE_MS);
    requests.length = 0;
    calls.clear();
    await tick(services);

    const ledgerRequests = requests.filter((request) => request.includes('Decisions') || request.endsWith('$batch'));
    expect(calls.get('appendDecisions')).toBe(1);
    expect(calls.get('appendDecision') ?? 0).toBe(0);
    expect(ledgerRequests.length).toBeGreaterThan(0);
    expect(ledgerRequests.length).toBeLessThanOrEqual(LEDGER_PARTITIONS);
    for (const name of names) {
      const [decision] = await services.state.listDecisions(name, 1);
      expect(decision).toMatchObject({
        target: name,
        decidedAt: harness.emulator.clock.now(),
        decision: { action: 'none' },
      });
    }
  });

  it('answers LeaseHeld from what it already read when another evaluation holds the lease', async () => {
    hotCluster('held');
    const { store, calls } = countingStore();
    const services = await servicesFor(harness.emulator, harness.azurite, config('held'), {}, { state: store });
    await services.state.acquireLease('held', 'another-instance', harness.emulator.clock.now(), 120);
    calls.clear();
    await tick(services);
    const read = { operations: calls.get('listOperations'), history: calls.get('getScaleHistory') ?? 0 };

    const [decision] = await services.state.listDecisions('held', 1);
    expect(decision?.decision).toMatchObject({ action: 'none', from: 3, to: 3, reason: 'LeaseHeld' });
    expect(acceptedPatches(harness.emulator, 'held')).toHaveLength(0);
    expect(read).toEqual({ operations: 1, history: 0 });
  });

  it('reads the target again under the lease before it acts (the tick itself read it through Resource Graph)', async () => {
    hotCluster('fresh');
    const { store, calls } = countingStore();
    const services = await servicesFor(harness.emulator, harness.azurite, config('fresh'), {}, { state: store });
    const reads = () =>
      harness.emulator.requests.filter({ method: 'GET' }).filter((request) => request.path.endsWith('/fresh')).length;
    const graphQueries = () => harness.emulator.requests.filter({ method: 'POST', path: RESOURCE_GRAPH_PATH }).length;
    const [before, queriesBefore] = [reads(), graphQueries()];
    await tick(services);

    expect(acceptedPatches(harness.emulator, 'fresh')).toHaveLength(1);
    expect([reads() - before, graphQueries() - queriesBefore]).toEqual([1, 1]);
    // Its operations once for the tick and once more under the lease.
    expect(calls.get('listOperations')).toBe(2);
  });
});
