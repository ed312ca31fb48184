/**
 * `scaler rebalance --connection <postgres url> [--strategy name] [--parallel N] [--watch] [--plan-only] ...`:
 * the follow-up's rebalance steps from a terminal, against any Citus coordinator. A thin adapter over
 * runLocalRebalance (cli/local-rebalance.ts): parse, connect, print.
 */
import { parseArgs } from 'node:util';
import { DefaultAzureCredential } from '@azure/identity';
import { CitusClient, parseConnectionUrl } from '../shared/citus/citus-client.js';
import { AlterSystemSettings } from './alter-system-settings.js';
import { SettingsNotAllowedError } from '../shared/citus/errors.js';
import { EXECUTOR_SETTINGS, SHARD_TRANSFER_MODES, type ShardTransferMode } from '../shared/citus/names.js';
import type { ExecutorSettingsStore } from '../shared/citus/executor-settings.port.js';
import { MAX_PARALLELISM } from '../shared/citus/parallelism.js';
import { runLocalRebalance, type LocalRebalanceOptions, type LocalRebalanceResult } from './local-rebalance.js';
import { POSTGRES_ENTRA_SCOPE } from '../shared/follow-up/cluster-access.js';
import { parseResourceId } from '../shared/vocabulary/resource-id.js';
import { ArmClients } from '../shared/targets/azure-clients.js';
import { ArmExecutorSettings, ServerParameters } from '../shared/targets/postgres-elastic/server-parameters.js';
import { ELASTIC_CLUSTER_CONFIG_DEFAULTS } from '../shared/kinds/postgres-elastic-cluster/config/schema.js';
import { describeError, ScalerError } from '../shared/vocabulary/errors.js';
import { planText, progressLine, summaryText } from './rebalance-output.js';

export const REBALANCE_USAGE = `Usage: scaler rebalance --connection <postgres url> [options]

Plans, starts and (with --watch) follows the Citus shard rebalance of a cluster, like the follow-up does after
a scale-out. Connect to the coordinator (port 5432), not the load-balanced port 7432.

Options:
  --connection <url>      postgres://user[:password]@host:5432/database (without a password: PGPASSWORD, or a
                          Microsoft Entra token for Azure hosts or with --entra)
  --strategy <name>       rebalance strategy (default: the cluster's default strategy)
  --transfer-mode <mode>  auto | force_logical | block_writes (default auto)
  --parallel <N>          shard moves at once, 1..${MAX_PARALLELISM} (default 1); above 1 needs --watch
  --watch                 follow the job to its end with a progress bar, then restore the executor settings
  --plan-only             print the plan and the pre-flight verdict, change nothing
  --resource-id <id>      ARM id of an Azure elastic cluster: set the executor settings as server parameters
  --interval <seconds>    how often --watch polls (default 2)
  --min-free-disk <pct>   refuse when a node would keep less free disk (default ${ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.minFreeDiskPercent}; needs --node-disk-gb)
  --node-disk-gb <GiB>    storage of one node, for the disk headroom check
  --entra                 log in with a Microsoft Entra token (DefaultAzureCredential)`;

interface Output {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Redraws the progress line in place (a terminal) instead of printing one line per change. */
  interactive: boolean;
}

const consoleOutput = (): Output => ({
  out: (text) => console.log(text),
  err: (text) => console.error(text),
  interactive: process.stdout.isTTY === true,
});

export async function rebalanceCommand(args: string[], output: Output = consoleOutput()): Promise<number> {
  let parsed: ParsedArguments;
  try {
    parsed = parseArguments(args);
  } catch (error) {
    output.err(`scaler rebalance: ${describeError(error)}\n\n${REBALANCE_USAGE}`);
    return 2;
  }
  if (parsed.help) {
    output.out(REBALANCE_USAGE);
    return 0;
  }
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  try {
    const password = entraPassword(parsed);
    const result = await runLocalRebalance(parsed.options, {
      connect: () => CitusClient.coordinatorAt(parsed.connection, password),
      settingsFor: executorSettingsFor(parsed),
      clock: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      signal: interrupt.signal,
      ...reporters(output, parsed.options),
    });
    if (output.interactive) process.stdout.write('\n');
    // The plan was printed as soon as it was known.
    if (result.kind !== 'plan') output.out(summaryText(result));
    return exitCodeFor(result);
  } catch (error) {
    if (error instanceof SettingsNotAllowedError) {
      output.err(notAllowedText(parsed.options.parallelism, error));
      return 1;
    }
    output.err(`scaler rebalance: ${describeError(error)}`);
    return error instanceof ScalerError && error.category === 'invalid-input' ? 2 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}

interface ParsedArguments {
  help: boolean;
  connection: string;
  resourceId?: string | undefined;
  entra: boolean;
  options: LocalRebalanceOptions;
}

function parseArguments(args: string[]): ParsedArguments {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      connection: { type: 'string' },
      strategy: { type: 'string' },
      'transfer-mode': { type: 'string', default: 'auto' },
      parallel: { type: 'string', default: '1' },
      watch: { type: 'boolean', default: false },
      'plan-only': { type: 'boolean', default: false },
      'resource-id': { type: 'string' },
      interval: { type: 'string', default: '2' },
      'min-free-disk': {
        type: 'string',
        default: String(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.minFreeDiskPercent),
      },
      'node-disk-gb': { type: 'string' },
      entra: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return { help: true, connection: '', entra: false, options: {} as LocalRebalanceOptions };
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  const connection = values.connection;
  if (!connection)
    throw new Error(
      '--connection is required: the coordinator, e.g. postgres://citus@mycluster.postgres.database.azure.com:5432/postgres',
    );
  parseConnectionUrl(connection);
  const transferMode = values['transfer-mode'];
  if (!(SHARD_TRANSFER_MODES as readonly string[]).includes(transferMode))
    throw new Error(`--transfer-mode: "${transferMode}" is not one of ${SHARD_TRANSFER_MODES.join(', ')}`);
  const resourceId = values['resource-id'];
  if (resourceId !== undefined && !parseResourceId(resourceId))
    throw new Error(
      `--resource-id: "${resourceId}" is not an ARM resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.DBforPostgreSQL/flexibleServers/<name>)`,
    );
  const nodeDiskGb =
    values['node-disk-gb'] === undefined ? undefined : number('--node-disk-gb', values['node-disk-gb'], 1, 1_000_000);
  return {
    help: false,
    connection,
    resourceId,
    entra: values.entra,
    options: {
      strategy: values.strategy,
      transferMode: transferMode as ShardTransferMode,
      parallelism: integer('--parallel', values.parallel, 1, MAX_PARALLELISM),
      minFreeDiskPercent: number('--min-free-disk', values['min-free-disk'], 0, 100),
      nodeDiskBytes: nodeDiskGb === undefined ? undefined : nodeDiskGb * 1024 ** 3,
      planOnly: values['plan-only'],
      watch: values.watch,
      pollIntervalMs: number('--interval', values.interval, 0.05, 3600) * 1000,
      stuckScheduledMinutes: ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.stuckScheduledMinutes,
    },
  };
}

function number(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max)
    throw new Error(`${flag}: "${text}" is not a number from ${min} to ${max}`);
  return value;
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = number(flag, text, min, max);
  if (!Number.isInteger(value)) throw new Error(`${flag}: "${text}" is not a whole number`);
  return value;
}

/** A token for Azure hosts (or --entra) when the URL carries no password. */
function entraPassword(parsed: ParsedArguments): (() => Promise<string>) | undefined {
  const url = new URL(parsed.connection);
  if (url.password || !(parsed.entra || url.hostname.endsWith('.postgres.database.azure.com'))) return undefined;
  const credential = new DefaultAzureCredential();
  return async () => {
    const token = await credential.getToken(POSTGRES_ENTRA_SCOPE);
    if (!token) throw new Error(`no Microsoft Entra token for ${POSTGRES_ENTRA_SCOPE}; sign in with az login`);
    return token.token;
  };
}

/** ALTER SYSTEM over the given connection; or, with --resource-id, ARM's server parameters (built once). */
function executorSettingsFor(parsed: ParsedArguments): (sql: CitusClient) => ExecutorSettingsStore {
  const id = parsed.resourceId === undefined ? undefined : parseResourceId(parsed.resourceId);
  if (!id || !parsed.resourceId) return (sql) => new AlterSystemSettings(sql);
  const arm = new ArmClients({ credential: new DefaultAzureCredential() });
  const settings = new ArmExecutorSettings(
    new ServerParameters(arm.postgres(id.subscriptionId), id, parsed.resourceId, arm.lroPollIntervalMs),
  );
  return () => settings;
}

function reporters(output: Output, options: LocalRebalanceOptions) {
  let last = '';
  return {
    onPlan: (...args: Parameters<typeof planText>) => output.out(planText(...args)),
    onEvent: (message: string) => output.out(message),
    onWarning: (warning: { message: string }) =>
      output.err(`${output.interactive ? '\n' : ''}warning: ${warning.message}`),
    onProgress: (progress: Parameters<typeof progressLine>[0]) => {
      if (!options.watch) return;
      const line = progressLine(progress);
      if (output.interactive) process.stdout.write(`\r\u001b[2K${line}`);
      else if (line !== last) output.out(line);
      last = line;
    },
  };
}

function exitCodeFor(result: LocalRebalanceResult): number {
  switch (result.kind) {
    case 'plan':
      return result.verdict.kind === 'blocked' ? 1 : 0;
    case 'nothing-to-move':
    case 'started':
      return 0;
    case 'blocked':
      return 1;
    case 'interrupted':
      return 130;
    case 'ended':
      return result.progress.state === 'finished' && !result.leftRaised ? 0 : 1;
  }
}

function notAllowedText(parallelism: number, error: SettingsNotAllowedError): string {
  const settings = EXECUTOR_SETTINGS.map((name) => `${name} = ${parallelism}`).join(', ');
  return [
    `scaler rebalance: this server does not let the login change settings with ALTER SYSTEM (${error.message}).`,
    `On Azure Database for PostgreSQL, set the server parameters ${settings} (portal: Server parameters; or az postgres flexible-server parameter set --name <parameter> --value ${parallelism} ...), then run again;`,
    'or pass --resource-id <ARM id of the cluster> to let scaler set them through ARM and put them back afterwards; or run with --parallel 1.',
  ].join('\n');
}
