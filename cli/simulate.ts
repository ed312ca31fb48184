/**
 * `scaler simulate`: runs the configured target's real policy and the baselines on a trace, a standard scenario or
 * the whole suite, prints the outcomes and optionally writes the HTML report.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { TargetKind } from '../shared/vocabulary/kinds.js';
import { describeError } from '../shared/vocabulary/errors.js';
import { simulatedMetricNames } from '../tools/simulation/metric-feed.js';
import {
  generateScenario,
  isScenarioName,
  SCENARIO_DESCRIPTIONS,
  SCENARIOS,
  SUITE_DEFAULTS,
} from '../tools/simulation/scenarios.js';
import { runSuites, selectTarget } from '../tools/simulation/suite.js';
import { parseTraceCsv, TraceError, type Trace } from '../tools/simulation/trace.js';
import {
  CONSOLE,
  defaultWorkers,
  describeTarget,
  loadConfig,
  loadParameters,
  raisedMaximums,
  parseCount,
  parseKind,
  parsePolicies,
  printSuites,
  unsimulatedMetrics,
  UsageError,
  checkReportPath,
  writeReport,
  type Output,
} from './simulation-common.js';

export const SIMULATE_USAGE = `Usage: scaler simulate (--trace <csv> | --scenario <name> | --suite) --kind <kind> --config <file>
                       [--target <name>] [--report <out.html>] [--days <n>] [--seed <n> | --seed-offset <n>]
                       [--model <params.json>]
                       [--policies <a,b,...>] [--workers <n>] [--json] [--exact]
  --trace      a CSV with timestamp,demand[,cacheDemand][,ingestionDemand], one row per minute
  --scenario   one of ${SCENARIOS.join(', ')}
  --suite      all ${SCENARIOS.length} scenarios
  --kind       postgres-elastic-cluster or kusto-cluster; the config's first target of that kind is simulated
  --target     simulate this target of the config instead
  --days       length of generated scenarios (default ${SUITE_DEFAULTS.days}); --seed draws another suite
  --seed-offset  draw the suite from its seed plus this number: fresh workloads of the same shapes
  --model      JSON overriding model constants, e.g. {"kusto": {"cacheWarmupMinutes": 90}}
  --workers    worker threads (default: one per core); --json prints one JSON line per run
  --exact      run elastic-scaler's full timer tick every minute (slower; the same results as the default fast path)`;

export async function simulateCommand(args: string[], output: Output = CONSOLE): Promise<number> {
  try {
    return await simulate(args, output);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`scaler simulate: ${error.message}\n\n${SIMULATE_USAGE}`);
      return 2;
    }
    if (error instanceof TraceError) {
      output.err(error.message);
      return 1;
    }
    output.err(`scaler simulate: ${describeError(error)}`);
    return 1;
  }
}

async function simulate(args: string[], output: Output): Promise<number> {
  const { values } = parseOptions(args);
  const kind = parseKind(values.kind);
  if (values.config === undefined)
    throw new UsageError('--config is required: the scaler config whose target is simulated');
  const sources = [values.trace !== undefined, values.scenario !== undefined, values.suite === true].filter(
    Boolean,
  ).length;
  if (sources !== 1) throw new UsageError('give exactly one of --trace, --scenario or --suite');
  const policies = parsePolicies(values.policies);
  const days = parseCount('--days', values.days, SUITE_DEFAULTS.days, { min: 1, max: 93 });
  if (values.seed !== undefined && values['seed-offset'] !== undefined)
    throw new UsageError('give --seed or --seed-offset, not both');
  const offset = parseCount('--seed-offset', values['seed-offset'], 0, { min: 0, max: 2 ** 30 });
  const seed = parseCount('--seed', values.seed, SUITE_DEFAULTS.seed + offset, { min: 0, max: 2 ** 31 - 1 });
  const workers = parseCount('--workers', values.workers, defaultWorkers(), { min: 1, max: 64 });
  await checkReportPath(values.report);

  const maximums = raisedMaximums(output);
  if (!maximums) return 1;
  const config = await loadConfig(values.config, output, maximums);
  const parameters = await loadParameters(values.model, output, maximums);
  if (!config || !parameters) return 1;
  const target = selectTarget(config, kind, values.target);
  const traces = await tracesFrom(values, days, seed);
  warnAboutUnsimulatedMetrics(kind, target, traces, output);

  const what =
    values.trace !== undefined
      ? `trace ${values.trace} (${traces[0]?.demand.length ?? 0} minutes)`
      : `${traces.length} scenario(s) x ${days} days (seed ${seed})`;
  if (!values.json)
    output.out(
      `Simulating ${describeTarget(target)} on ${what}, ${policies.length} policies, ${Math.min(workers, traces.length * policies.length)} worker(s)\n`,
    );
  const [suite] = await runSuites(
    [{ kind, config, target, traces, parameters, policies, exactTicks: values.exact === true }],
    workers,
  );
  if (!suite) return 1;
  printSuites([suite], output, values.json === true);
  if (values.report !== undefined) {
    await writeReport(
      values.report,
      {
        title: `Simulation: ${target.name}`,
        subtitle: `${describeTarget(target)}; ${what}; ${policies.join(', ')}`,
        suites: [suite],
        parameters,
        descriptions: SCENARIO_DESCRIPTIONS,
      },
      output,
    );
  }
  if (!values.json) output.out(`Finished in ${(suite.elapsedMs / 1000).toFixed(1)} s`);
  return suite.runs.some((run) => (run.notes.errors?.length ?? 0) > 0) ? 1 : 0;
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        trace: { type: 'string' },
        scenario: { type: 'string' },
        suite: { type: 'boolean' },
        kind: { type: 'string' },
        config: { type: 'string' },
        target: { type: 'string' },
        report: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        'seed-offset': { type: 'string' },
        model: { type: 'string' },
        policies: { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
        exact: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(describeError(error));
  }
}

async function tracesFrom(
  values: { trace?: string | undefined; scenario?: string | undefined },
  days: number,
  seed: number,
): Promise<Trace[]> {
  if (values.trace !== undefined) {
    let text: string;
    try {
      text = await readFile(values.trace, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--trace ${values.trace}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? describeError(error)}); check the path`,
      );
    }
    return [parseTraceCsv(text, values.trace)];
  }
  if (values.scenario !== undefined) {
    if (!isScenarioName(values.scenario))
      throw new UsageError(`--scenario "${values.scenario}" is not a scenario; use one of ${SCENARIOS.join(', ')}`);
    return [generateScenario(values.scenario, { days, seed })];
  }
  return SCENARIOS.map((name) => generateScenario(name, { days, seed }));
}

function warnAboutUnsimulatedMetrics(
  kind: TargetKind,
  target: Parameters<typeof unsimulatedMetrics>[0],
  traces: readonly Trace[],
  output: Output,
): void {
  const has = {
    cache: traces.every((trace) => trace.cacheDemand !== undefined),
    ingestion: traces.every((trace) => trace.ingestionDemand !== undefined),
  };
  const missing = unsimulatedMetrics(target, simulatedMetricNames(kind, has));
  if (missing.length > 0) {
    output.err(
      `note: ${target.name} reads ${missing.join(', ')}, which the simulator does not produce; its policy sees no data for them, as for a metric the cluster does not emit`,
    );
  }
}
