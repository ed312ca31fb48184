/**
 * How long `scaler --help` takes from process start to exit (median of a few runs): commands load on demand, so
 * this stays small however much the simulator or the SDKs grow.
 */
import { spawn } from 'node:child_process';

export interface CliStartupResult extends Record<string, number | string> {
  bench: 'cli-startup';
  command: string;
  runs: number;
  medianMs: number;
  maxMs: number;
}

const RUNS = 5;

export async function cliStartupBenchmark(): Promise<CliStartupResult> {
  const durations: number[] = [];
  for (let run = 0; run < RUNS; run += 1) durations.push(await timeRun(['bin/scaler.mjs', '--help']));
  durations.sort((a, b) => a - b);
  return {
    bench: 'cli-startup',
    command: 'scaler --help',
    runs: RUNS,
    medianMs: durations[Math.floor(RUNS / 2)] ?? 0,
    maxMs: durations.at(-1) ?? 0,
  };
}

function timeRun(args: string[]): Promise<number> {
  const startedMs = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(Math.round(performance.now() - startedMs))
        : reject(new Error(`scaler --help exited ${code}`)),
    );
  });
}

export function describeCliStartup(result: CliStartupResult): string {
  return `cli start-up: scaler --help took ${result.medianMs} ms (median of ${result.runs}, slowest ${result.maxMs} ms)`;
}
