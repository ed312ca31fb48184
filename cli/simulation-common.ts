/** What `scaler simulate` and `scaler backtest` share: config and model files, and printing a comparison. */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { validateConfigFile } from '../shared/config/load.js';
import { formatProblem } from '../shared/config/fields/problems.js';
import type { ScalerConfig, TargetConfig } from '../shared/config/schema/schema.js';
import { TARGET_KINDS, type TargetKind } from '../shared/vocabulary/kinds.js';
import { requiredMetrics } from '../shared/policy/required-metrics.js';
import {
  DEFAULT_SIMULATION_PARAMETERS,
  simulationParameters,
  type SimulationParameters,
} from '../tools/simulation/model/parameters.js';
import { isPolicyName, POLICIES, type PolicyName } from '../tools/simulation/policy-runner.js';
import { htmlReport, type ReportInput } from '../tools/simulation/report/html.js';
import { outcomeTable, runWarnings, totalsByPolicy } from '../tools/simulation/report/table.js';
import type { SuiteResult } from '../tools/simulation/suite.js';
import { kindOf } from '../shared/kinds/registry.js';
import { serviceMaximumsFrom, type ServiceMaximums } from '../shared/config/service-maximums.js';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const CONSOLE: Output = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** A usage mistake: the command prints it with the usage and exits 2. */
export class UsageError extends Error {}

/** Fails before any work when the report could not be written at the end: its folder must exist. */
export async function checkReportPath(file: string | undefined): Promise<void> {
  if (file === undefined) return;
  const folder = dirname(resolve(file));
  const folderStat = await stat(folder).catch(() => undefined);
  if (!folderStat)
    throw new UsageError(
      `--report: the folder ${dirname(file)} does not exist; create it first or write the report elsewhere`,
    );
  if (!folderStat.isDirectory())
    throw new UsageError(`--report: ${dirname(file)} is a file, not a folder; write the report elsewhere`);
}

/**
 * The service maximums raised by app settings in the environment (SCALER_ELASTIC_CLUSTER_MAX_NODES), as the scaler
 * reads them; a bad value is reported and ends the command.
 */
export function raisedMaximums(output: Output, env = process.env): ServiceMaximums | undefined {
  const { maximums, problems } = serviceMaximumsFrom(env);
  for (const problem of problems) output.err(problem);
  return problems.length > 0 ? undefined : maximums;
}

export async function loadConfig(
  file: string,
  output: Output,
  serviceMaximums: ServiceMaximums = {},
): Promise<ScalerConfig | undefined> {
  const result = await validateConfigFile(file, { serviceMaximums });
  if (result.ok) return result.config;
  output.err(`${file}: ${result.errors.length} error(s) in the config`);
  for (const problem of result.errors) output.err(`  ${formatProblem(problem)}`);
  return undefined;
}

export async function loadParameters(
  file: string | undefined,
  output: Output,
  serviceMaximums: ServiceMaximums = {},
): Promise<SimulationParameters | undefined> {
  if (file === undefined) {
    const raised = simulationParameters({}, serviceMaximums);
    return 'problems' in raised ? DEFAULT_SIMULATION_PARAMETERS : raised;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    output.err(
      `${file}: cannot read the model parameters: ${error instanceof Error ? error.message : String(error)}; give a JSON file like {"kusto": {"cacheWarmupMinutes": 90}}`,
    );
    return undefined;
  }
  const parameters = simulationParameters(raw, serviceMaximums);
  if ('problems' in parameters) {
    output.err(`${file}: ${parameters.problems.length} problem(s) in the model parameters`);
    for (const problem of parameters.problems) output.err(`  ${problem}`);
    return undefined;
  }
  return parameters;
}

export function parseKind(value: string | undefined): TargetKind {
  if (value === undefined) throw new UsageError(`--kind is required: one of ${TARGET_KINDS.join(', ')}`);
  if (!(TARGET_KINDS as readonly string[]).includes(value))
    throw new UsageError(`--kind "${value}" is not a target kind; use one of ${TARGET_KINDS.join(', ')}`);
  return value as TargetKind;
}

export function parsePolicies(value: string | undefined): PolicyName[] {
  if (value === undefined) return [...POLICIES];
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !isPolicyName(name));
  if (unknown.length > 0 || names.length === 0)
    throw new UsageError(
      `--policies "${value}": unknown policy ${unknown.join(', ') || '(none given)'}; use a comma-separated list of ${POLICIES.join(', ')}`,
    );
  return names as PolicyName[];
}

export function parseCount(
  option: string,
  value: string | undefined,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!Number.isInteger(count) || count < bounds.min || count > bounds.max)
    throw new UsageError(`${option} "${value}" is not a whole number from ${bounds.min} to ${bounds.max}`);
  return count;
}

export function defaultWorkers(): number {
  return availableParallelism();
}

/** Metrics the target's policy reads that the simulator does not produce: the policy sees no data for them. */
export function unsimulatedMetrics(target: TargetConfig, simulated: readonly string[]): string[] {
  return requiredMetrics(target)
    .needs.map((need) => need.metric)
    .filter((metric) => !simulated.includes(metric));
}

export function describeTarget(target: TargetConfig): string {
  const { unit } = kindOf(target).facts;
  const rules = `${target.mode === 'custom' ? `, ${target.rules.length} rule(s)` : ''}${target.profiles.length > 0 ? `, ${target.profiles.length} scheduled profile(s)` : ''}`;
  return `${target.kind} target ${target.name} (${target.mode} mode${rules}, ${target.limits.min}..${target.limits.max} ${unit})`;
}

export function printSuites(suites: readonly SuiteResult[], output: Output, json: boolean): void {
  for (const suite of suites) {
    if (json) {
      for (const run of suite.runs) output.out(JSON.stringify(runLine(run)));
      continue;
    }
    output.out(outcomeTable(suite.runs));
    if (new Set(suite.runs.map((run) => run.scenario)).size > 1) {
      output.out('');
      output.out('All traces together:');
      output.out(outcomeTable(totalsByPolicy(suite)));
    }
    for (const warning of runWarnings(suite.runs)) output.err(`warning: ${warning}`);
  }
}

export function runLine(run: SuiteResult['runs'][number]): Record<string, string | number> {
  return {
    kind: run.kind,
    scenario: run.scenario,
    policy: run.policy,
    nodeHours: round(run.outcomes.nodeHours, 1),
    costVsOracle: run.costVsOracle === undefined ? -1 : round(run.costVsOracle, 3),
    overloadMinutes: run.outcomes.overloadMinutes,
    unservedNodeMinutes: round(run.outcomes.unservedNodeMinutes, 1),
    hotMinutes: run.outcomes.hotMinutes,
    ops: run.outcomes.operations,
    reversals: run.outcomes.reversals,
  };
}

export async function writeReport(file: string, input: ReportInput, output: Output): Promise<void> {
  await writeFile(file, htmlReport(input), 'utf8');
  output.out(`Report written to ${file}`);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
