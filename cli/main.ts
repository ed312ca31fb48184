/** The `scaler` command line: a thin adapter, like functions/, over the use cases in shared/. */
import { validateConfigCommand } from './validate-config.js';
import { simulateCommand } from './simulate.js';
import { backtestCommand } from './backtest.js';
import { rebalanceCommand } from './rebalance.js';

interface Command {
  summary: string;
  usage: string;
  run: (args: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  'validate-config': {
    summary: 'check a config file and list every problem',
    usage: 'scaler validate-config <file>',
    run: validateConfigCommand,
  },
  simulate: {
    summary: 'compare the target\'s policy with baselines on a trace or the scenario suite',
    usage: 'scaler simulate (--trace <csv>|--scenario <name>|--suite) --kind <kind> --config <file> [--report out.html]',
    run: (args) => simulateCommand(args),
  },
  backtest: {
    summary: 'replay a target\'s last n days of Azure Monitor history against its config and the baselines',
    usage: 'scaler backtest --target <name> --days <n> --config <file> [--report out.html]',
    run: (args) => backtestCommand(args),
  },
  rebalance: {
    summary: 'plan, start and watch the Citus shard rebalance of a cluster',
    usage: 'scaler rebalance --connection <url> [--watch]',
    run: (args) => rebalanceCommand(args),
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`scaler: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(args);
}

function usage(): string {
  const lines = Object.values(COMMANDS).map((command) => `  ${command.usage.padEnd(36)} ${command.summary}`);
  return ['Usage: scaler <command> [options]', '', 'Commands:', ...lines].join('\n');
}
