/**
 * Control-loop benchmark: one timer tick over 500 targets (half elastic clusters, half ADX clusters, 5 regions,
 * 2 subscriptions) against the ARM/Monitor emulator with 50 ms injected latency per request, state in Azurite.
 * Targets (issue 3): at most 20 Monitor requests, the tick under 5 s.
 */
import { constant } from '../tools/emulator/index.js';
import { servicesFor, tick } from '../test/support/scaler-harness.js';
import { startAzureEmulator } from '../tools/emulator/index.js';
import { startAzurite } from '../tools/local-services/azurite.js';
import type { ConfigInput } from '../shared/config/schema/schema.js';
import { peakRssSampler, printResult } from './report.js';

const TARGETS = 500;
const REGIONS = ['westeurope', 'northeurope', 'eastus', 'westus2', 'swedencentral'];
const SUBSCRIPTIONS = ['10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000002'];
const LATENCY_MS = 50;

export async function controlLoopBenchmark(): Promise<Record<string, number | string>> {
  const [emulator, azurite] = await Promise.all([startAzureEmulator(), startAzurite()]);
  try {
    const targets = Array.from({ length: TARGETS }, (_, index) => addTarget(emulator, index));
    const config = { version: 1, targets } as ConfigInput;
    const services = await servicesFor(emulator, azurite, config);
    emulator.faults.delay({ ms: LATENCY_MS });
    emulator.requests.clear();

    const sampler = peakRssSampler();
    const started = performance.now();
    await tick(services);
    const tickMs = performance.now() - started;
    const peakRssMb = sampler.stop();

    const all = emulator.requests.all();
    const monitorRequests = all.filter((request) => request.path.includes('metrics:getBatch')).length;
    const decisions = await Promise.all(
      targets.slice(0, 50).map((target) => services.state.listDecisions(target.name, 1)),
    );
    return {
      bench: 'control-loop',
      targets: TARGETS,
      tickMs: Math.round(tickMs),
      monitorRequests,
      armRequests: all.length - monitorRequests,
      patches: all.filter((request) => request.method === 'PATCH').length,
      decided: decisions.filter((records) => records.length === 1).length * (TARGETS / 50),
      peakRssMb,
      latencyMs: LATENCY_MS,
    };
  } finally {
    await Promise.all([emulator.close(), azurite.stop()]);
  }
}

/** Every tenth target runs hot and scales out, so the tick exercises the lease / re-read / PATCH path too. */
function addTarget(emulator: Awaited<ReturnType<typeof startAzureEmulator>>, index: number) {
  const subscriptionId = SUBSCRIPTIONS[Math.floor(index / 2) % 2] as string;
  const location = REGIONS[Math.floor(index / 4) % REGIONS.length] as string;
  const hot = index % 10 === 0;
  const base = { resourceGroup: `rg-${index % 7}`, subscriptionId, location };
  if (index % 2 === 0) {
    const name = `pg-${index}`;
    const { id } = emulator.postgres.addCluster({ ...base, name, clusterSize: 4 });
    emulator.metrics.set(id, 'cpu_percent', constant(hot ? 92 : 45));
    return {
      name,
      kind: 'postgres-elastic-cluster',
      resourceId: id,
      mode: 'custom',
      limits: { min: 2, max: 20 },
      rules: [{ metric: 'cpu_percent', operator: 'GreaterThan', threshold: 80, direction: 'out', windowMinutes: 10 }],
    };
  }
  const name = `adx${index}`;
  const { id } = emulator.kusto.addCluster({ ...base, name, capacity: 4 });
  emulator.metrics.set(id, 'CPU', constant(hot ? 92 : 45));
  return {
    name,
    kind: 'kusto-cluster',
    resourceId: id,
    mode: 'custom',
    limits: { min: 2, max: 20 },
    rules: [
      { metric: 'CPU', operator: 'GreaterThan', threshold: 80, direction: 'out', windowMinutes: 10 },
      { metric: 'CPU', operator: 'LessThan', threshold: 20, direction: 'in', windowMinutes: 30 },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) printResult(await controlLoopBenchmark());
