/**
 * `scaler forecast`: a target's load forecast, the schedule of ahead-of-time operations it plans, and how good it
 * would have been on the target's own history. Reads the target from ARM and its history from Azure Monitor with
 * the scaler's own adapters, and the operation history (for the learned lead time) from the state store when one
 * is configured, with the same settings as `scaler backtest` (cli/backtest.ts).
 *
 * The backtest has two parts: the forecast itself, day-ahead on each of the last days (tools/simulation/
 * forecast-backtest.ts); and a replay of the last `--days` days (tools/simulation/backtest.ts) by elastic-scaler
 * with forecast mode `act` against the same config with forecasting off, beside the oracle.
 */
import { parseArgs } from 'node:util';
import { describeError, ScalerError } from '../shared/vocabulary/errors.js';
import { ForecastInputs } from '../shared/forecasting.js';
import { createLogger } from '../shared/logging.js';
import { effectiveBounds } from '../shared/policy/decide.js';
import { planCapacity, type CapacityPlan } from '../shared/policy/forecast-plan.js';
import type { ForecastInput } from '../shared/policy/forecast-stage.js';
import { MemoryStateStore } from '../tools/memory-state/memory-state-store.js';
import type { ScalerConfig, TargetConfig } from '../shared/config/schema/schema.js';
import { backtestTarget, MAX_BACKTEST_DAYS, reconstructHistory } from '../tools/simulation/backtest.js';
import { backtestForecast, type ForecastBacktest } from '../tools/simulation/forecast-backtest.js';
import { runSuites } from '../tools/simulation/suite.js';
import { environmentFromSettings, sourcesFor, type BacktestEnvironment } from './backtest.js';
import {
  CONSOLE,
  defaultWorkers,
  describeTarget,
  loadConfig,
  loadParameters,
  raisedMaximums,
  parseCount,
  UsageError,
  type Output,
} from './simulation-common.js';
import { kindDefinition } from '../shared/kinds/registry.js';

const SCORED_DAYS = 7;

export const FORECAST_USAGE = `Usage: scaler forecast --target <name> --config <file> [--days <n>] [--model <params.json>] [--no-replay] [--json]
  Shows the target's load forecast, the ahead-of-time operations it plans, its day-ahead accuracy on each of the
  last ${SCORED_DAYS} days, and a replay of the last <n> days (1..${MAX_BACKTEST_DAYS}, default 14) with forecasting on
  (mode act) against off. --no-replay skips the replay.`;

export async function forecastCommand(
  args: string[],
  output: Output = CONSOLE,
  environment: () => BacktestEnvironment = () => environmentFromSettings(process.env),
): Promise<number> {
  try {
    return await forecast(args, output, environment);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`scaler forecast: ${error.message}\n\n${FORECAST_USAGE}`);
      return 2;
    }
    output.err(`scaler forecast: ${describeError(error)}`);
    return error instanceof ScalerError && error.category === 'invalid-input' ? 2 : 1;
  }
}

interface ReplayRow {
  policy: string;
  nodeHours: number;
  overloadMinutes: number;
  xOracle: number | null;
}

async function forecast(args: string[], output: Output, environment: () => BacktestEnvironment): Promise<number> {
  const { values } = parseOptions(args);
  if (values.target === undefined) throw new UsageError('--target is required: the name of a target in the config');
  if (values.config === undefined)
    throw new UsageError('--config is required: the scaler config whose target is forecast');
  const days = parseCount('--days', values.days, 14, { min: 1, max: MAX_BACKTEST_DAYS });
  const maximums = raisedMaximums(output);
  if (!maximums) return 1;
  const config = await loadConfig(values.config, output, maximums);
  const parameters = await loadParameters(values.model, output, maximums);
  if (!config || !parameters) return 1;
  const target = backtestTarget(config, values.target);

  const env = environment();
  const now = env.clock();
  const { scaleTarget, metrics } = sourcesFor(config, target, env);
  const live = await scaleTarget.read();
  const inputs = new ForecastInputs({
    metrics,
    state: env.state ?? new MemoryStateStore(),
    log: createLogger(() => undefined),
    keepLoads: true,
  });
  // Whatever the configured mode, the command shows what the forecast would do.
  const subject = {
    target: withForecastMode(target, 'act'),
    region: live.region,
    capacity: live.capacity,
    history: {},
  };
  const input = (await inputs.prepare([subject], now, { persist: false })).get(target.name);
  const load = inputs.loadOf(target.name);
  if (!input || !load)
    throw new ScalerError(
      'provider',
      `the history of ${target.name} could not be read from Azure Monitor; check the resource id and region, and that the identity has Monitoring Reader on it`,
    );

  const plan = planCapacity(input.forecast, {
    nowMs: now.getTime(),
    leadMinutes: input.leadTime.minutes,
    bounds: effectiveBounds({ target, observed: live }),
    targetUtilizationPercent: target.forecast.targetUtilizationPercent,
    maxStepOut: target.maxStep.out,
    cooldownOutMinutes: target.cooldowns.scaleOutMinutes,
    canScaleIn: kindDefinition(target.kind).facts.canScaleIn,
  });
  const accuracy = backtestForecast(
    load,
    { minHistoryDays: target.forecast.minHistoryDays, minConfidence: target.forecast.minConfidence },
    SCORED_DAYS,
  );
  const replay = values['no-replay']
    ? undefined
    : await replayWithAndWithout(config, target, days, now, env, parameters);

  if (values.json) {
    output.out(
      JSON.stringify({
        target: target.name,
        capacity: live.capacity,
        configuredMode: target.forecast.mode,
        forecast: input.forecast,
        leadTime: input.leadTime,
        plan,
        accuracy,
        replay,
      }),
    );
    return 0;
  }
  printForecast(output, target, live.capacity, input, plan);
  printAccuracy(output, accuracy);
  if (replay) printReplay(output, replay, days);
  return 0;
}

function printForecast(
  output: Output,
  target: TargetConfig,
  capacity: number,
  input: ForecastInput,
  plan: CapacityPlan,
): void {
  const { forecast, leadTime } = input;
  output.out(`Forecast for ${describeTarget(target)}, now at ${capacity}; configured mode ${target.forecast.mode}`);
  output.out(`  ${forecast.status}: ${forecast.message}`);
  output.out(
    `  model ${forecast.model ?? 'none'}, confidence ${forecast.confidence.toFixed(2)} (needs ${target.forecast.minConfidence}), trend ${forecast.trendPerDay.toFixed(2)}/day, margin ${forecast.marginLoad.toFixed(2)} node-equivalents`,
  );
  output.out(`  lead time ${leadTime.minutes} min (${leadTime.source}: ${leadTime.message})`);
  if (forecast.status !== 'confident')
    output.out(
      '  The reactive logic decides alone until seasonality is found with high confidence; the schedule below is what the forecast would do.',
    );
  output.out('');
  output.out('Planned schedule (operations start a lead time before the load needs them):');
  for (const change of plan.schedule) output.out(`  ${change.at}  -> ${change.to}`);
  output.out('');
  output.out('Forecast load per hour (node-equivalents):');
  for (const point of forecast.points.slice(0, 24))
    output.out(`  ${new Date(point.startMs).toISOString()}  ${point.load.toFixed(2)}`);
}

function printAccuracy(output: Output, accuracy: ForecastBacktest): void {
  output.out('');
  output.out('Day-ahead backtest (each day forecast from the hours before it):');
  output.out('  day                       status                confidence  R^2     MAPE %  covered %');
  for (const day of accuracy.days) {
    const cell = (value: number | null, width: number) => (value === null ? '-' : value.toFixed(2)).padEnd(width);
    output.out(
      `  ${day.day}  ${day.status.padEnd(20)}  ${cell(day.confidence, 10)}  ${cell(day.r2, 6)}  ${cell(day.meanAbsolutePercentError, 6)}  ${cell(day.coveredPercent, 6)}`,
    );
  }
  output.out(
    `  over ${accuracy.confidentDays} confident day(s): R^2 ${accuracy.meanR2 ?? '-'}, MAPE ${accuracy.meanAbsolutePercentError ?? '-'} %, load within forecast + margin ${accuracy.coveredPercent ?? '-'} % of hours`,
  );
}

function printReplay(output: Output, replay: ReplayRow[], days: number): void {
  output.out('');
  output.out(`Replay of the last ${days} day(s) (simulated; the forecaster there only sees the replayed days):`);
  output.out('  policy                      node-hours  overloaded min  x oracle');
  for (const row of replay)
    output.out(
      `  ${row.policy.padEnd(26)}  ${String(row.nodeHours).padStart(10)}  ${String(row.overloadMinutes).padStart(14)}  ${row.xOracle === null ? '-' : row.xOracle.toFixed(2)}`,
    );
}

async function replayWithAndWithout(
  config: ScalerConfig,
  target: TargetConfig,
  days: number,
  now: Date,
  env: BacktestEnvironment,
  parameters: Parameters<typeof runSuites>[0][number]['parameters'],
): Promise<ReplayRow[]> {
  const { scaleTarget, metrics } = sourcesFor(config, target, env);
  const history = await reconstructHistory(target, days, now, { scaleTarget, metrics, state: env.state });
  const withMode = (mode: 'act' | 'off') => withForecastMode(target, mode);
  const suites = await runSuites(
    [
      {
        kind: target.kind,
        config,
        target: withMode('act'),
        traces: [history.trace],
        parameters,
        policies: ['elastic-scaler', 'oracle'],
        initialCapacity: history.capacityAtStart,
      },
      {
        kind: target.kind,
        config,
        target: withMode('off'),
        traces: [history.trace],
        parameters,
        policies: ['elastic-scaler'],
        initialCapacity: history.capacityAtStart,
      },
    ],
    defaultWorkers(),
  );
  const [act, off] = suites;
  const oracle = act?.runs.find((run) => run.policy === 'oracle')?.outcomes.nodeHours;
  const row = (
    policy: string,
    run: { outcomes: { nodeHours: number; overloadMinutes: number } } | undefined,
  ): ReplayRow[] =>
    run
      ? [
          {
            policy,
            nodeHours: Math.round(run.outcomes.nodeHours),
            overloadMinutes: run.outcomes.overloadMinutes,
            xOracle: oracle ? Math.round((run.outcomes.nodeHours / oracle) * 100) / 100 : null,
          },
        ]
      : [];
  return [
    ...row(
      'elastic-scaler, forecast act',
      act?.runs.find((run) => run.policy === 'elastic-scaler'),
    ),
    ...row(
      'elastic-scaler, forecast off',
      off?.runs.find((run) => run.policy === 'elastic-scaler'),
    ),
    ...row(
      'oracle',
      act?.runs.find((run) => run.policy === 'oracle'),
    ),
  ];
}

function withForecastMode<T extends TargetConfig>(target: T, mode: 'act' | 'off'): T {
  return { ...target, forecast: { ...target.forecast, mode } };
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        config: { type: 'string' },
        days: { type: 'string' },
        model: { type: 'string' },
        'no-replay': { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(describeError(error));
  }
}
