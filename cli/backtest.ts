/**
 * `scaler backtest`: what the config would have done to a real target over its last n days. Reads the target
 * from ARM and its metric history from Azure Monitor with the scaler's own adapters, reconstructs the load
 * (tools/simulation/backtest.ts) and replays it against every policy.
 *
 * Credentials and endpoints come from the same settings as the Function App: DefaultAzureCredential (with
 * AZURE_CLIENT_ID when set), SCALER_ARM_ENDPOINT, SCALER_METRICS_ENDPOINT_TEMPLATE, and, to read the operation
 * history, SCALER_STATE_TABLE_ENDPOINT or SCALER_STATE_CONNECTION_STRING (+ SCALER_STATE_TABLE_PREFIX).
 */
import { parseArgs } from 'node:util';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import { describeError, ScalerError } from '../shared/vocabulary/errors.js';
import { AzureMonitorMetrics } from '../shared/metrics/azure-monitor-metrics.js';
import {
  backtestTarget,
  MAX_BACKTEST_DAYS,
  reconstructHistory,
  type BacktestSources,
} from '../tools/simulation/backtest.js';
import { runSuites } from '../tools/simulation/suite.js';
import type { StateStore } from '../shared/state/state-store.port.js';
import { TableStateStore } from '../shared/state/table-state-store.js';
import { ArmClients } from '../shared/targets/azure-clients.js';
import { buildScaleTargets } from '../shared/targets/build.js';
import type { ScalerConfig, TargetConfig } from '../shared/config/schema/schema.js';
import {
  CONSOLE,
  defaultWorkers,
  describeTarget,
  loadConfig,
  loadParameters,
  raisedMaximums,
  parseCount,
  parsePolicies,
  printSuites,
  UsageError,
  checkReportPath,
  writeReport,
  type Output,
} from './simulation-common.js';

export const BACKTEST_USAGE = `Usage: scaler backtest --target <name> --days <n> --config <file>
                       [--report <out.html>] [--model <params.json>] [--policies <a,b,...>] [--workers <n>] [--json]
  Reads the target's last <n> days (1..${MAX_BACKTEST_DAYS}) of metrics from Azure Monitor, reconstructs the load as
  utilization x capacity, and replays it against the config's policy and the baselines.`;

/** Where the backtest reads from; the defaults come from the environment, tests point them at local stand-ins. */
export interface BacktestEnvironment {
  credential: TokenCredential;
  armEndpoint?: string | undefined;
  metricsEndpointFor?: ((region: string) => string) | undefined;
  tlsCa?: string | undefined;
  retry?: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number } | undefined;
  state?: StateStore | undefined;
  clock: () => Date;
}

export function environmentFromSettings(env: Record<string, string | undefined>): BacktestEnvironment {
  const credential = new DefaultAzureCredential(
    env.AZURE_CLIENT_ID ? { managedIdentityClientId: env.AZURE_CLIENT_ID } : {},
  );
  const template = env.SCALER_METRICS_ENDPOINT_TEMPLATE;
  const options = { tablePrefix: env.SCALER_STATE_TABLE_PREFIX ?? 'scaler' };
  const state = env.SCALER_STATE_TABLE_ENDPOINT
    ? TableStateStore.fromEndpoint(env.SCALER_STATE_TABLE_ENDPOINT, credential, options)
    : env.SCALER_STATE_CONNECTION_STRING
      ? TableStateStore.fromConnectionString(env.SCALER_STATE_CONNECTION_STRING, options)
      : undefined;
  return {
    credential,
    armEndpoint: env.SCALER_ARM_ENDPOINT,
    metricsEndpointFor: template ? (region) => template.replace('{region}', region) : undefined,
    state,
    clock: () => new Date(),
  };
}

export async function backtestCommand(
  args: string[],
  output: Output = CONSOLE,
  environment: () => BacktestEnvironment = () => environmentFromSettings(process.env),
): Promise<number> {
  try {
    return await backtest(args, output, environment);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`scaler backtest: ${error.message}\n\n${BACKTEST_USAGE}`);
      return 2;
    }
    output.err(`scaler backtest: ${describeError(error)}`);
    return error instanceof ScalerError && error.category === 'invalid-input' ? 2 : 1;
  }
}

async function backtest(args: string[], output: Output, environment: () => BacktestEnvironment): Promise<number> {
  const { values } = parseOptions(args);
  if (values.target === undefined) throw new UsageError('--target is required: the name of a target in the config');
  if (values.config === undefined)
    throw new UsageError('--config is required: the scaler config whose target is backtested');
  const days = parseCount('--days', values.days, 14, { min: 1, max: MAX_BACKTEST_DAYS });
  const policies = parsePolicies(values.policies);
  const workers = parseCount('--workers', values.workers, defaultWorkers(), { min: 1, max: 64 });
  await checkReportPath(values.report);
  const maximums = raisedMaximums(output);
  if (!maximums) return 1;
  const config = await loadConfig(values.config, output, maximums);
  const parameters = await loadParameters(values.model, output, maximums);
  if (!config || !parameters) return 1;
  const target = backtestTarget(config, values.target);

  const env = environment();
  const now = env.clock();
  const history = await reconstructHistory(target, days, now, sourcesFor(config, target, env));
  const window = `${new Date(history.trace.startMs).toISOString()} to ${now.toISOString()}`;
  if (!values.json) {
    output.out(`Backtesting ${describeTarget(target)} over the last ${days} day(s), ${window}`);
    output.out(
      `Capacity from ${history.capacitySource}; actually billed ${Math.round(history.actualNodeHours).toLocaleString('en-US')} node-hours, starting at ${history.capacityAtStart}.`,
    );
    for (const note of history.notes) output.out(`note: ${note}`);
    output.out('');
  }
  const [suite] = await runSuites(
    [
      {
        kind: target.kind,
        config,
        target,
        traces: [history.trace],
        parameters,
        policies,
        initialCapacity: history.capacityAtStart,
      },
    ],
    workers,
  );
  if (!suite) return 1;
  printSuites([suite], output, values.json === true);
  if (values.report !== undefined) {
    const subtitle = `${describeTarget(target)}; last ${days} day(s), ${window}; capacity from ${history.capacitySource}; actually billed ${Math.round(history.actualNodeHours)} node-hours`;
    await writeReport(
      values.report,
      { title: `Backtest: ${target.name}`, subtitle, suites: [suite], parameters, notes: history.notes },
      output,
    );
  }
  return suite.runs.some((run) => (run.notes.errors?.length ?? 0) > 0) ? 1 : 0;
}

/** The target's live resource and its Azure Monitor history, through the real SDK clients (also `scaler forecast`'s). */
export function sourcesFor(config: ScalerConfig, target: TargetConfig, env: BacktestEnvironment): BacktestSources {
  const clients = new ArmClients({
    credential: env.credential,
    endpoint: env.armEndpoint,
    tlsCa: env.tlsCa,
    retry: env.retry,
  });
  const scaleTarget = buildScaleTargets({ ...config, targets: [target] }, clients).get(target.name);
  if (!scaleTarget) throw new ScalerError('internal', `no scale target was built for target "${target.name}"`);
  const metrics = new AzureMonitorMetrics({
    credential: env.credential,
    endpointFor: env.metricsEndpointFor,
    tlsCa: env.tlsCa,
    retry: env.retry,
  });
  return { scaleTarget, metrics, state: env.state };
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        days: { type: 'string' },
        config: { type: 'string' },
        report: { type: 'string' },
        model: { type: 'string' },
        policies: { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError(describeError(error));
  }
}
