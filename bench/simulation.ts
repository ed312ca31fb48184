/**
 * Simulation benchmark (issues 7, 12): for each kind, the standard suite (10 scenarios x 14 days) x 6 policies with
 * the targets of examples/simulation.config.json, on one worker thread per core. Prints each kind's outcome
 * table, one JSON line per kind, scenario and policy, and the wall time per kind (target: under 10 s on 2 cores).
 *
 * Standalone: `npx tsx bench/simulation.ts [--seed-offset <n>] [--kind <kind>]`. A seed offset draws the same ten
 * shapes from other random streams (seed + n): workloads the defaults were not tuned on.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { validateConfigFile } from '../shared/config/load.js';
import { TARGET_KINDS, type TargetKind } from '../shared/vocabulary/kinds.js';
import { DEFAULT_SIMULATION_PARAMETERS } from '../tools/simulation/model/parameters.js';
import { outcomeTable, runWarnings, totalsByPolicy } from '../tools/simulation/report/table.js';
import { generateScenario, SCENARIOS, SUITE_DEFAULTS } from '../tools/simulation/scenarios.js';
import { runSuites, selectTarget, type SuiteResult } from '../tools/simulation/suite.js';
import { POLICIES } from '../tools/simulation/policy-runner.js';

const CONFIG = fileURLToPath(new URL('../examples/simulation.config.json', import.meta.url));

export interface SimulationBenchmark {
  suites: SuiteResult[];
  /** Wall time of each kind's suite, ms. */
  elapsedMs: Record<string, number>;
  /** CPU time of each kind's suite over every thread of the process (worker threads included), ms. */
  cpuMs: Record<string, number>;
  workers: number;
  /** The suite's seed (SUITE_DEFAULTS.seed unless an offset was asked for). */
  seed: number;
}

export interface SimulationBenchmarkOptions {
  workers?: number;
  /** Added to the suite's seed: 0 is the standard suite, anything else a fresh one. */
  seedOffset?: number;
  kinds?: readonly TargetKind[];
}

export async function simulationBenchmark(options: SimulationBenchmarkOptions = {}): Promise<SimulationBenchmark> {
  const workers = options.workers ?? availableParallelism();
  const seed = SUITE_DEFAULTS.seed + (options.seedOffset ?? 0);
  const loaded = await validateConfigFile(CONFIG);
  if (!loaded.ok)
    throw new Error(`${CONFIG}: ${loaded.errors.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`);
  const suites: SuiteResult[] = [];
  const elapsedMs: Record<string, number> = {};
  const cpuMs: Record<string, number> = {};
  for (const kind of options.kinds ?? TARGET_KINDS) {
    const cpuBefore = process.cpuUsage();
    const traces = SCENARIOS.map((name) => generateScenario(name, { seed }));
    const target = selectTarget(loaded.config, kind);
    const [suite] = await runSuites(
      [{ kind, config: loaded.config, target, traces, parameters: DEFAULT_SIMULATION_PARAMETERS }],
      workers,
    );
    if (!suite) throw new Error(`the ${kind} suite returned nothing`);
    suites.push(suite);
    elapsedMs[kind] = suite.elapsedMs;
    const cpu = process.cpuUsage(cpuBefore);
    cpuMs[kind] = Math.round((cpu.user + cpu.system) / 1000);
  }
  return { suites, elapsedMs, cpuMs, workers, seed };
}

export function printSimulationBenchmark(result: SimulationBenchmark): void {
  for (const suite of result.suites) {
    console.log(
      `\nsimulation: ${suite.kind} (target ${suite.target}), seed ${result.seed}, ${SCENARIOS.length} scenarios x ${SUITE_DEFAULTS.days} days x ${new Set(suite.runs.map((run) => run.policy)).size} policies`,
    );
    console.log(outcomeTable(suite.runs));
    console.log('\nall scenarios together:');
    console.log(outcomeTable(totalsByPolicy(suite)));
    for (const warning of runWarnings(suite.runs)) console.log(`warning: ${warning}`);
  }
  for (const suite of result.suites) {
    for (const run of suite.runs) {
      const { outcomes } = run;
      console.log(
        JSON.stringify({
          bench: 'sim',
          kind: run.kind,
          scenario: run.scenario,
          policy: run.policy,
          nodeHours: Math.round(outcomes.nodeHours * 10) / 10,
          overloadMinutes: outcomes.overloadMinutes,
          unservedNodeMinutes: Math.round(outcomes.unservedNodeMinutes * 10) / 10,
          ops: outcomes.operations,
          reversals: outcomes.reversals,
        }),
      );
    }
  }
  for (const suite of result.suites) printTotals(suite, result.seed);
  printSpeed(result);
  const times = Object.entries(result.elapsedMs)
    .map(([kind, ms]) => `${kind} ${(ms / 1000).toFixed(1)} s`)
    .join(', ');
  console.log(
    `simulation: ${SCENARIOS.length} scenarios x ${SUITE_DEFAULTS.days} days x ${POLICIES.length} policies per kind on ${result.workers} worker thread(s): ${times}`,
  );
  console.log(
    JSON.stringify({
      bench: 'sim-timing',
      workers: result.workers,
      ...Object.fromEntries(Object.entries(result.elapsedMs).map(([kind, ms]) => [`${kind}Ms`, ms])),
    }),
  );
}

/** One line per kind and policy with the suite's totals, and whether the kind's targets (issue 12) are met. */
function printTotals(suite: SuiteResult, seed: number): void {
  const simulatedMinutes = simulatedMinutesOf(suite, 'oracle');
  const totals = totalsByPolicy(suite);
  for (const run of totals) {
    const { outcomes } = run;
    console.log(
      JSON.stringify({
        bench: 'sim-total',
        kind: suite.kind,
        seed,
        policy: run.policy,
        nodeHours: Math.round(outcomes.nodeHours * 10) / 10,
        xOracle: run.costVsOracle === undefined ? null : Math.round(run.costVsOracle * 1000) / 1000,
        overloadMinutes: outcomes.overloadMinutes,
        overloadShare:
          simulatedMinutes > 0 ? Math.round((outcomes.overloadMinutes / simulatedMinutes) * 1e6) / 1e6 : null,
      }),
    );
  }
  const target = TARGETS[suite.kind];
  const ours = totals.find((run) => run.policy === 'elastic-scaler');
  const staticPeak = totals.find((run) => run.policy === 'static-peak');
  if (!ours || !target) return;
  const share = ours.outcomes.overloadMinutes / simulatedMinutes;
  const dominatedBy = totals
    .filter(
      (run) =>
        run.policy !== 'elastic-scaler' &&
        run.policy !== 'oracle' &&
        run.outcomes.nodeHours < ours.outcomes.nodeHours &&
        run.outcomes.overloadMinutes < ours.outcomes.overloadMinutes,
    )
    .map((run) => run.policy);
  const cheaperThanStatic = staticPeak ? 1 - ours.outcomes.nodeHours / staticPeak.outcomes.nodeHours : null;
  console.log(
    JSON.stringify({
      bench: 'sim-targets',
      kind: suite.kind,
      seed,
      xOracle: Math.round((ours.costVsOracle ?? NaN) * 1000) / 1000,
      xOracleTarget: target.xOracle,
      overloadShare: Math.round(share * 1e6) / 1e6,
      overloadShareTarget: target.overloadShare,
      cheaperThanStaticPeak: cheaperThanStatic === null ? null : Math.round(cheaperThanStatic * 1000) / 1000,
      ...(target.cheaperThanStaticPeak ? { cheaperThanStaticPeakTarget: target.cheaperThanStaticPeak } : {}),
      dominatedBy,
      met:
        (ours.costVsOracle ?? Infinity) <= target.xOracle &&
        share <= target.overloadShare &&
        dominatedBy.length === 0 &&
        (target.cheaperThanStaticPeak === undefined || (cheaperThanStatic ?? 0) >= target.cheaperThanStaticPeak),
    }),
  );
}

/** Issue 12's targets, per kind. */
const TARGETS: Record<string, { xOracle: number; overloadShare: number; cheaperThanStaticPeak?: number }> = {
  'postgres-elastic-cluster': { xOracle: 1.05, overloadShare: 0.0005 },
  'kusto-cluster': { xOracle: 1.2, overloadShare: 0.001, cheaperThanStaticPeak: 0.25 },
};

function simulatedMinutesOf(suite: SuiteResult, policy: string): number {
  return suite.runs
    .filter((run) => run.policy === policy)
    .reduce((total, run) => total + run.timeline.need.length * run.timeline.bucketMinutes, 0);
}

/**
 * Simulation speed: simulated minutes per CPU second for each kind (process CPU over every worker thread), and
 * per policy per second of its runs' own time on their thread (close to CPU time unless the machine is oversubscribed).
 */
function printSpeed(result: SimulationBenchmark): void {
  for (const suite of result.suites) {
    const minutes = suite.runs.reduce((total, run) => total + run.timeline.need.length * run.timeline.bucketMinutes, 0);
    const cpuSeconds = (result.cpuMs[suite.kind] ?? 0) / 1000;
    const perPolicy: Record<string, number> = {};
    for (const policy of new Set(suite.runs.map((run) => run.policy))) {
      const runs = suite.runs.filter((run) => run.policy === policy);
      const seconds = runs.reduce((total, run) => total + run.elapsedMs, 0) / 1000;
      perPolicy[policy] = Math.round(simulatedMinutesOf(suite, policy) / Math.max(seconds, 1e-3));
    }
    console.log(
      `simulation speed: ${suite.kind}: ${Math.round(minutes / Math.max(cpuSeconds, 1e-3)).toLocaleString('en-US')} simulated minutes per CPU second; per policy (per second of its runs): ${Object.entries(
        perPolicy,
      )
        .map(([policy, rate]) => `${policy} ${rate.toLocaleString('en-US')}`)
        .join(', ')}`,
    );
    console.log(
      JSON.stringify({
        bench: 'sim-speed',
        kind: suite.kind,
        simulatedMinutes: minutes,
        cpuMs: result.cpuMs[suite.kind],
        minutesPerCpuSecond: Math.round(minutes / Math.max(cpuSeconds, 1e-3)),
        minutesPerRunSecond: perPolicy,
      }),
    );
  }
}

function optionsFromArgs(args: string[]): SimulationBenchmarkOptions {
  const { values } = parseArgs({ args, options: { 'seed-offset': { type: 'string' }, kind: { type: 'string' } } });
  const offset = values['seed-offset'] === undefined ? 0 : Number(values['seed-offset']);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new Error(`--seed-offset "${values['seed-offset']}" must be a whole number of 0 or more`);
  const kind = values.kind;
  if (kind !== undefined && !(TARGET_KINDS as readonly string[]).includes(kind))
    throw new Error(`--kind "${kind}" must be one of ${TARGET_KINDS.join(', ')}`);
  return { seedOffset: offset, ...(kind === undefined ? {} : { kinds: [kind as TargetKind] }) };
}

if (import.meta.url === `file://${process.argv[1]}`)
  printSimulationBenchmark(await simulationBenchmark(optionsFromArgs(process.argv.slice(2))));
