/**
 * A comparison: every policy on every trace, each run from a fresh cluster, then each policy's cost divided by
 * the oracle's on the same trace. Runs are independent, so they can go to worker threads; the results are the
 * same either way (each run is deterministic).
 */
import type { TargetKind } from '../../shared/vocabulary/kinds.js';
import type { ScalerConfig, TargetConfig } from '../../shared/config/schema/schema.js';
import { NotFoundError } from '../../shared/vocabulary/errors.js';
import type { SimulationParameters } from './model/parameters.js';
import { POLICIES, type PolicyName } from './policy-runner.js';
import { runPolicy, type RunResult, type RunSpec } from './run.js';
import type { Trace } from './trace.js';
import { runInWorkers } from './worker-pool.js';

export interface SuiteInput {
  kind: TargetKind;
  config: ScalerConfig;
  target: TargetConfig;
  traces: readonly Trace[];
  parameters: SimulationParameters;
  policies?: readonly PolicyName[] | undefined;
  /** Worker threads; 1 (the default) runs everything on this thread. */
  workers?: number | undefined;
  /** Every dynamic policy starts from this capacity instead of the common default. */
  initialCapacity?: number | undefined;
  /** elastic-scaler: the full timer tick every minute (see ElasticScalerRunner). */
  exactTicks?: boolean | undefined;
}

export interface SuiteResult {
  kind: TargetKind;
  target: string;
  runs: RunResult[];
  /** Wall time of the whole batch this comparison ran in. */
  elapsedMs: number;
  workers: number;
}

export async function runSuite(input: SuiteInput): Promise<SuiteResult> {
  const [result] = await runSuites([input], input.workers);
  return result as SuiteResult;
}

/** Several comparisons (e.g. both kinds) in one pool of workers: they start once and share the load. */
export async function runSuites(inputs: readonly SuiteInput[], workerCount = 1): Promise<SuiteResult[]> {
  const started = performance.now();
  const specsPerSuite = inputs.map((input) =>
    input.traces.flatMap((trace) =>
      (input.policies ?? POLICIES).map((policy): RunSpec => ({
        kind: input.kind,
        trace,
        policy,
        config: input.config,
        target: input.target,
        parameters: input.parameters,
        initialCapacity: input.initialCapacity,
        exactTicks: input.exactTicks,
      })),
    ),
  );
  const specs = specsPerSuite.flat();
  const workers = Math.max(1, Math.min(workerCount, specs.length));
  const runs = workers > 1 ? await runInWorkers(specs, workers) : await runInline(specs);
  const elapsedMs = Math.round(performance.now() - started);
  let offset = 0;
  return inputs.map((input, index) => {
    const count = specsPerSuite[index]?.length ?? 0;
    const own = runs.slice(offset, offset + count);
    offset += count;
    return { kind: input.kind, target: input.target.name, runs: withCostVsOracle(own), elapsedMs, workers };
  });
}

async function runInline(specs: readonly RunSpec[]): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  for (const spec of specs) runs.push(await runPolicy(spec));
  return runs;
}

function withCostVsOracle(runs: RunResult[]): RunResult[] {
  const oracleHours = new Map(
    runs.filter((run) => run.policy === 'oracle').map((run) => [run.scenario, run.outcomes.nodeHours]),
  );
  return runs.map((run) => {
    const oracle = oracleHours.get(run.scenario);
    return oracle ? { ...run, costVsOracle: run.outcomes.nodeHours / oracle } : run;
  });
}

/** The target a simulation runs: the named one, or the config's first target of the kind. */
export function selectTarget(config: ScalerConfig, kind: TargetKind, name?: string): TargetConfig {
  if (name !== undefined) {
    const named = config.targets.find((target) => target.name === name);
    if (!named)
      throw new NotFoundError(
        `target "${name}" is not in the config; its targets are ${config.targets.map((target) => target.name).join(', ')}`,
      );
    if (named.kind !== kind)
      throw new NotFoundError(
        `target "${name}" is a ${named.kind}, not a ${kind}; pass --kind ${named.kind} or another target`,
      );
    return named;
  }
  const first = config.targets.find((target) => target.kind === kind);
  if (!first)
    throw new NotFoundError(
      `the config has no ${kind} target; add one, or pass --kind ${config.targets[0]?.kind ?? 'kusto-cluster'}`,
    );
  return first;
}
