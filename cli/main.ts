/**
 * The `scaler` command line: a thin adapter, like functions/, over the use cases in shared/. Commands load on
 * demand, so `scaler --help` (or a typo) answers without loading the simulator, the Azure SDKs or pg.
 */
import { readFile } from 'node:fs/promises';
import { suggest } from '../shared/config/fields/problems.js';

type Run = (args: string[]) => Promise<number>;

interface Command {
  summary: string;
  /** The command's full usage; every `--option` it names is one the command accepts. */
  usage: () => Promise<string>;
  load: () => Promise<Run>;
}

const COMMANDS: Record<string, Command> = {
  init: {
    summary: 'write a starter config file to edit',
    usage: async () => (await import('./init.js')).INIT_USAGE,
    load: async () => (await import('./init.js')).initCommand,
  },
  'validate-config': {
    summary: 'check a config file and list every problem',
    usage: async () => (await import('./validate-config.js')).VALIDATE_USAGE,
    load: async () => (await import('./validate-config.js')).validateConfigCommand,
  },
  simulate: {
    summary: "compare a target's policy with baselines on a trace or the scenario suite",
    usage: async () => (await import('./simulate.js')).SIMULATE_USAGE,
    load: async () => {
      const { simulateCommand } = await import('./simulate.js');
      return (args) => simulateCommand(args);
    },
  },
  backtest: {
    summary: "replay a target's last n days of Azure Monitor history against its config",
    usage: async () => (await import('./backtest.js')).BACKTEST_USAGE,
    load: async () => {
      const { backtestCommand } = await import('./backtest.js');
      return (args) => backtestCommand(args);
    },
  },
  forecast: {
    summary: "show a target's load forecast, its planned schedule and its backtest score on the target's history",
    usage: async () => (await import('./forecast.js')).FORECAST_USAGE,
    load: async () => {
      const { forecastCommand } = await import('./forecast.js');
      return (args) => forecastCommand(args);
    },
  },
  rebalance: {
    summary: 'plan, start and watch the Citus shard rebalance of a cluster',
    usage: async () => (await import('./rebalance.js')).REBALANCE_USAGE,
    load: async () => {
      const { rebalanceCommand } = await import('./rebalance.js');
      return (args) => rebalanceCommand(args);
    },
  },
};

const HELP_FLAGS = new Set(['--help', '-h']);

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || HELP_FLAGS.has(name) || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(`scaler ${await packageVersion()}`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    const suggestion = suggest(name, Object.keys(COMMANDS));
    console.error(
      `scaler: unknown command "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}\n\n${usage()}`,
    );
    return 2;
  }
  if (args.some((arg) => HELP_FLAGS.has(arg))) {
    console.log(await command.usage());
    return 0;
  }
  const misspelt = await unknownOption(args, await command.usage());
  if (misspelt) {
    console.error(`scaler ${name}: ${misspelt}\n\n${await command.usage()}`);
    return 2;
  }
  return (await command.load())(args);
}

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}   ${command.summary}`);
  return [
    'Usage: scaler <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    `  ${'-h, --help'.padEnd(width)}   this help; "scaler <command> --help" shows a command's options`,
    `  ${'-V, --version'.padEnd(width)}   the version`,
  ].join('\n');
}

/** An `--option` the command's usage does not name, with the nearest one it does. */
async function unknownOption(args: string[], commandUsage: string): Promise<string | undefined> {
  const known = [...new Set(commandUsage.match(/--[a-z][a-z-]*/g) ?? [])];
  for (const arg of args) {
    if (arg === '--') break;
    const option = /^--[^=]+/.exec(arg)?.[0];
    if (!option || known.includes(option)) continue;
    const suggestion = suggest(option, known);
    return `${option} is not an option of this command${suggestion ? `; did you mean ${suggestion}?` : ''}`;
  }
  return undefined;
}

async function packageVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
}
