/**
 * Simulation benchmark (issue 7): for each kind, the standard suite (6 scenarios x 14 days) x 6 policies with
 * the targets of examples/simulation.config.json, on one worker thread per core. Prints each kind's outcome
 * table, one JSON line per kind, scenario and policy, and the wall time per kind (target: under 10 s on 2 cores).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { validateConfigFile } from '../shared/config/load.js';
import { TARGET_KINDS } from '../shared/config/kinds.js';
import { DEFAULT_SIMULATION_PARAMETERS } from '../tools/simulation/model/parameters.js';
import { outcomeTable, runWarnings, totalsByPolicy } from '../tools/simulation/report/table.js';
import { generateScenario, SCENARIOS, SUITE_DEFAULTS } from '../tools/simulation/scenarios.js';
import { runSuites, selectTarget, type SuiteResult } from '../tools/simulation/suite.js';

const CONFIG = fileURLToPath(new URL('../examples/simulation.config.json', import.meta.url));

export interface SimulationBenchmark {
  suites: SuiteResult[];
  /** Wall time of each kind's suite, ms. */
  elapsedMs: Record<string, number>;
  workers: number;
}

export async function simulationBenchmark(workers = availableParallelism()): Promise<SimulationBenchmark> {
  const loaded = await validateConfigFile(CONFIG);
  if (!loaded.ok) throw new Error(`${CONFIG}: ${loaded.errors.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`);
  const suites: SuiteResult[] = [];
  const elapsedMs: Record<string, number> = {};
  for (const kind of TARGET_KINDS) {
    const traces = SCENARIOS.map((name) => generateScenario(name));
    const target = selectTarget(loaded.config, kind);
    const [suite] = await runSuites([{ kind, config: loaded.config, target, traces, parameters: DEFAULT_SIMULATION_PARAMETERS }], workers);
    if (!suite) throw new Error(`the ${kind} suite returned nothing`);
    suites.push(suite);
    elapsedMs[kind] = suite.elapsedMs;
  }
  return { suites, elapsedMs, workers };
}

export function printSimulationBenchmark(result: SimulationBenchmark): void {
  for (const suite of result.suites) {
    console.log(`\nsimulation: ${suite.kind} (target ${suite.target}), ${SCENARIOS.length} scenarios x ${SUITE_DEFAULTS.days} days x ${new Set(suite.runs.map((run) => run.policy)).size} policies`);
    console.log(outcomeTable(suite.runs));
    console.log('\nall scenarios together:');
    console.log(outcomeTable(totalsByPolicy(suite)));
    for (const warning of runWarnings(suite.runs)) console.log(`warning: ${warning}`);
  }
  for (const suite of result.suites) {
    for (const run of suite.runs) {
      const { outcomes } = run;
      console.log(JSON.stringify({
        bench: 'sim', kind: run.kind, scenario: run.scenario, policy: run.policy,
        nodeHours: Math.round(outcomes.nodeHours * 10) / 10, overloadMinutes: outcomes.overloadMinutes,
        unservedNodeMinutes: Math.round(outcomes.unservedNodeMinutes * 10) / 10, ops: outcomes.operations, reversals: outcomes.reversals,
      }));
    }
  }
  const times = Object.entries(result.elapsedMs).map(([kind, ms]) => `${kind} ${(ms / 1000).toFixed(1)} s`).join(', ');
  console.log(`simulation: ${SCENARIOS.length} scenarios x ${SUITE_DEFAULTS.days} days x 6 policies per kind on ${result.workers} worker thread(s): ${times}`);
  console.log(JSON.stringify({ bench: 'sim-timing', workers: result.workers, ...Object.fromEntries(Object.entries(result.elapsedMs).map(([kind, ms]) => [`${kind}Ms`, ms])) }));
}

if (import.meta.url === `file://${process.argv[1]}`) printSimulationBenchmark(await simulationBenchmark());
