/**
 * The scaling use cases, built together from one set of dependencies: the acting path (`executor`: evaluate,
 * act, complete) and the operator side (`queries` for status and operations, `administration` for changes by hand).
 */
import type { ScalerConfig } from '../config/schema/schema.js';
import type { ScaleTarget } from '../targets/scale-target.port.js';
import { DEFAULT_SCALING_OPTIONS, type ScalingDependencies, type ScalingOptions } from './dependencies.js';
import { ScaleExecutor } from './scale-executor.js';
import { TargetAdministration } from './target-administration.js';
import { TargetDirectory } from '../targets/target-directory.js';
import { TargetQueries } from './target-status.js';
import { ForecastInputs } from '../forecasting.js';

export interface ScalingSetup extends Omit<ScalingDependencies, 'targets' | 'options' | 'forecasts'> {
  config: ScalerConfig;
  /** The adapter built for every configured target, by target name. */
  scaleTargets: ReadonlyMap<string, ScaleTarget>;
  options?: Partial<ScalingOptions> | undefined;
  /** Built from `metrics` and `state` when absent. */
  forecasts?: ForecastInputs | undefined;
}

export interface Scaling {
  targets: TargetDirectory;
  executor: ScaleExecutor;
  queries: TargetQueries;
  administration: TargetAdministration;
  /** The forecasts' history reader and cache. */
  forecasts: ForecastInputs;
}

export function createScaling({ scaleTargets, options, forecasts, ...setup }: ScalingSetup): Scaling {
  const targets = new TargetDirectory(setup.config, scaleTargets);
  const deps: ScalingDependencies = {
    ...setup,
    targets,
    options: { ...DEFAULT_SCALING_OPTIONS, ...options },
    forecasts: forecasts ?? new ForecastInputs({ metrics: setup.metrics, state: setup.state, log: setup.log }),
  };
  return {
    targets,
    executor: new ScaleExecutor(deps),
    queries: new TargetQueries(deps),
    administration: new TargetAdministration(deps),
    forecasts: deps.forecasts,
  };
}

export type { ScalingOptions } from './dependencies.js';
export type { EvaluationContext } from './evaluation.js';
export type { TargetOutcome, TickReport } from './outcome.js';
export type { OperationLookup, TargetPauses, TargetStatus } from './target-status.js';
export type { ScaleExecutor } from './scale-executor.js';
export type { TargetQueries } from './target-status.js';
export type { TargetAdministration } from './target-administration.js';
export type { TargetDirectory } from '../targets/target-directory.js';
