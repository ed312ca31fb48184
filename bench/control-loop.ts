/**
 * Control-loop benchmark: timer ticks over 500 and over 5,000 targets (half elastic clusters, half ADX clusters,
 * 5 regions, 2 subscriptions) against the ARM / Resource Graph / Monitor emulator and Azurite, with the same
 * injected latency on every request: the emulator delays its own answers, and a pipeline policy on the Table
 * client delays each Table request before it is sent (Azurite has no latency of its own). Table requests are
 * counted by a pipeline policy, per attempt, i.e. what reaches Azurite.
 *
 * Two ticks, a minute apart, on one instance. The first (`coldTickMs`) is an instance's first: every target calm,
 * and the forecasts' 21 days of hourly history read from Azure Monitor and cached (an instance does this once,
 * then reads one new hour an hour). Then every tenth target runs hot, and the second tick is measured: the steady
 * state of the control loop, where 10 % of the fleet scales out (lease, re-read, PATCH). Requests are counted
 * for the second tick; `peakRssMb` is the process's peak resident memory (getrusage) over its whole run: setup
 * and both ticks.
 *
 * Targets (issue 14): tick / latency <= 30 (500) and <= 120 (5,000); ARM requests <= 2 per acting target +
 * ceil(targets / 1000); Monitor requests <= ceil(targets / 50) per metric set; peak RSS <= 250 / 400 MB (emulator
 * in process, Azurite in its own); tick(5,000) / tick(500) <= 4.
 *
 * `npx tsx bench/control-loop.ts [targets]` runs one size; without an argument both. Each size runs as the Function
 * App runs the scaler, as compiled JavaScript in a plain `node` of its own (bench/compiled.ts): the tsx loader
 * this command starts from is not in the process measured. Node flags given to it (`--cpu-prof`...) are passed on.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { RESOURCE_GRAPH_PATH, startAzureEmulator, type AzureEmulator } from '../tools/emulator/index.js';
import { servicesFor, tick } from '../test/support/scaler-harness.js';
import { startAzurite } from '../tools/local-services/azurite.js';
import { TableStateStore } from '../shared/state/table-state-store.js';
import { Limiter } from '../shared/concurrency.js';
import type { ConfigInput } from '../shared/config/schema/schema.js';
import { printResult, processPeakRssMb } from './report.js';
import { runCompiled } from './compiled.js';

export const CONTROL_LOOP_SIZES = [500, 5000] as const;
const REGIONS = ['westeurope', 'northeurope', 'eastus', 'westus2', 'swedencentral'];
const SUBSCRIPTIONS = ['10000000-0000-0000-0000-000000000001', '20000000-0000-0000-0000-000000000002'];
const LATENCY_MS = 50;
/** Table requests in flight at once: the default of SCALER_TABLE_CONCURRENCY. */
const TABLE_CONCURRENCY = 128;

export async function controlLoopBenchmark(targetCount: number): Promise<Record<string, number | string>> {
  const [emulator, azurite] = await Promise.all([startAzureEmulator(), startAzurite()]);
  try {
    const load = { hot: false };
    const targets = Array.from({ length: targetCount }, (_, index) => addTarget(emulator, index, load));
    const config = { version: 1, targets } as ConfigInput;
    const table = tableProbe();
    const state = TableStateStore.fromConnectionString(azurite.connectionString, {
      tablePrefix: `b${randomUUID().replace(/-/g, '').slice(0, 12)}`,
      limiter: new Limiter(TABLE_CONCURRENCY),
      policies: [table.policy],
    });
    const services = await servicesFor(emulator, azurite, config, {}, { state });
    emulator.faults.delay({ ms: LATENCY_MS });
    table.inject();

    const coldStarted = performance.now();
    await tick(services);
    const coldTickMs = performance.now() - coldStarted;

    load.hot = true;
    emulator.clock.advance(60_000);
    emulator.requests.clear();
    table.count();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await tick(services);
    const tickMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const tickCpuMs = Math.round((cpu.user + cpu.system) / 1000);
    const peakRssMb = processPeakRssMb();
    const tableRequests = table.stop();

    const all = emulator.requests.all();
    const monitorRequests = all.filter((request) => request.path.includes('metrics:getBatch')).length;
    const patches = all.filter((request) => request.method === 'PATCH').length;
    return {
      bench: 'control-loop',
      targets: targetCount,
      tickMs: Math.round(tickMs),
      latencyMs: LATENCY_MS,
      tickOverLatency: Math.round((tickMs / LATENCY_MS) * 10) / 10,
      armRequests: all.length - monitorRequests,
      armBudget: 2 * patches + Math.ceil(targetCount / 1000),
      resourceGraphRequests: all.filter((request) => request.path === RESOURCE_GRAPH_PATH).length,
      patches,
      monitorRequests,
      monitorBudget: Math.ceil(targetCount / 50) * METRIC_SETS,
      tableRequests,
      tableLatencyMs: LATENCY_MS,
      coldTickMs: Math.round(coldTickMs),
      tickCpuMs,
      peakRssMb,
    };
  } finally {
    await Promise.all([emulator.close(), azurite.stop()]);
  }
}

/** Delays Table requests by the injected latency once `inject()`ed, and counts them from `count()` to `stop()`. */
function tableProbe(): { policy: PipelinePolicy; inject(): void; count(): void; stop(): number } {
  let delaying = false;
  let counting = false;
  let count = 0;
  return {
    policy: {
      name: 'benchTableProbe',
      sendRequest: async (request, next) => {
        if (counting) count += 1;
        if (delaying) await sleep(LATENCY_MS);
        return next(request);
      },
    },
    inject: () => {
      delaying = true;
    },
    count: () => {
      counting = true;
    },
    stop: () => {
      counting = false;
      delaying = false;
      return count;
    },
  };
}

/** The metric sets the second tick asks for: `cpu_percent` of the elastic clusters and `CPU` of the ADX clusters. */
const METRIC_SETS = 2;

function groupOf(index: number): [string, string, string] {
  const subscriptionId = SUBSCRIPTIONS[Math.floor(index / 2) % 2] as string;
  const location = REGIONS[Math.floor(index / 4) % REGIONS.length] as string;
  return [subscriptionId, location, index % 2 === 0 ? 'pg' : 'adx'];
}

/** Once `load.hot`, every tenth target runs hot and scales out: the tick exercises the lease / re-read / PATCH path. */
function addTarget(emulator: AzureEmulator, index: number, load: { hot: boolean }) {
  const [subscriptionId, location] = groupOf(index);
  const cpu = () => (load.hot && index % 10 === 0 ? 92 : 45);
  const base = { resourceGroup: `rg-${index % 7}`, subscriptionId, location };
  if (index % 2 === 0) {
    const name = `pg-${index}`;
    const { id } = emulator.postgres.addCluster({ ...base, name, clusterSize: 4 });
    emulator.metrics.set(id, 'cpu_percent', cpu);
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
  emulator.metrics.set(id, 'CPU', cpu);
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

export function describeControlLoop(result: Record<string, number | string>): string {
  return `control loop: a tick over ${result.targets} targets took ${result.tickMs} ms (the instance's first, with the forecasts' history, ${result.coldTickMs} ms); ${result.tickOverLatency} x the ${result.latencyMs} ms injected latency, on ARM, Monitor and Table requests alike; ARM ${result.armRequests} requests (budget ${result.armBudget}: ${result.patches} PATCH, ${result.resourceGraphRequests} Resource Graph), Monitor ${result.monitorRequests}, Table ${result.tableRequests}, peak RSS ${result.peakRssMb} MB`;
}

/** The benchmark of one size, compiled, in a `node` process of its own. */
export function compiledControlLoopBenchmark(targetCount: number): Promise<Record<string, number | string>> {
  return runCompiled(fileURLToPath(import.meta.url), [String(targetCount)]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = process.argv[2] ? [Number(process.argv[2])] : CONTROL_LOOP_SIZES;
  const fromSources = import.meta.url.endsWith('.ts');
  for (const size of sizes) {
    const result = fromSources ? await compiledControlLoopBenchmark(size) : await controlLoopBenchmark(size);
    printResult(result, describeControlLoop(result));
  }
}
