import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { traceToCsv } from '../../../tools/simulation/trace.js';
import { simulateCommand } from '../../../cli/simulate.js';
import { step, trace } from './builders.js';

const run = promisify(execFile);

/** Runs the real `scaler` bin the way `npx scaler` does. */
async function scaler(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/scaler.mjs', ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The command in this process, with its output captured: for the cases that never reach a worker. */
async function simulateHere(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await simulateCommand(args, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const CONFIG = 'examples/simulation.config.json';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scaler-simulate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scaler simulate', () => {
  it('compares all six policies on a scenario on worker threads and writes the offline report', async () => {
    const report = join(dir, 'report.html');
    const result = await scaler(
      'simulate',
      '--scenario',
      'flash-spikes',
      '--days',
      '1',
      '--kind',
      'kusto-cluster',
      '--config',
      CONFIG,
      '--report',
      report,
      '--workers',
      '2',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Simulating kusto-cluster target telemetry-adx (custom mode, 2 rule(s), 2..20 instances) on 1 scenario(s) x 1 days',
    );
    for (const policy of [
      'elastic-scaler',
      'static-peak',
      'azure-monitor-autoscale',
      'adx-optimized-reactive',
      'hpa',
      'oracle',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^flash-spikes\\s+${policy}\\s+\\d+\\s+\\d+\\.\\d\\dx`, 'm'));
    }
    expect(result.stdout).toContain(`Report written to ${report}`);
    const html = await readFile(report, 'utf8');
    expect(html).toContain('<h3>flash-spikes</h3>');
    expect(html).not.toMatch(/<script|src=/);
  }, 60_000);

  it('gives the same numbers on one thread as on two', async () => {
    const args = [
      'simulate',
      '--scenario',
      'step-change',
      '--days',
      '1',
      '--kind',
      'postgres-elastic-cluster',
      '--config',
      CONFIG,
      '--json',
      '--policies',
      'elastic-scaler,hpa,oracle',
    ];
    const [one, two] = await Promise.all([scaler(...args, '--workers', '1'), scaler(...args, '--workers', '2')]);
    expect(one.code).toBe(0);
    const lines = one.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      kind: 'postgres-elastic-cluster',
      scenario: 'step-change',
      policy: 'elastic-scaler',
    });
    expect(two.stdout).toBe(one.stdout);
  }, 60_000);

  it('draws a fresh suite with --seed-offset: the suite seed plus the offset', async () => {
    const args = [
      'simulate',
      '--scenario',
      'flash-spikes',
      '--days',
      '1',
      '--kind',
      'kusto-cluster',
      '--config',
      CONFIG,
    ];
    const common = [...args, '--json', '--policies', 'static-peak', '--workers', '1'];
    const [standard, offset, explicit] = await Promise.all([
      scaler(...common),
      scaler(...common, '--seed-offset', '1'),
      scaler(...common, '--seed', '20260106'),
    ]);
    expect(offset.code).toBe(0);
    expect(offset.stdout).toBe(explicit.stdout);
    expect(offset.stdout).not.toBe(standard.stdout);
  }, 60_000);

  it('replays a CSV trace and says which metrics of the config it cannot produce', async () => {
    const file = join(dir, 'step.csv');
    await writeFile(file, traceToCsv(trace(step(240, 60, 3, 6))));
    const result = await simulateHere(
      '--trace',
      file,
      '--kind',
      'postgres-elastic-cluster',
      '--config',
      'examples/scaler.config.json',
      '--policies',
      'elastic-scaler,oracle',
      '--workers',
      '1',
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'note: orders-pg reads memory_percent, which the simulator does not produce; its policy sees no data for them',
    );
    expect(result.stdout).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+oracle\\s+\\d+\\s+1\\.00x`, 'm'),
    );
  }, 60_000);

  it('lists the bad rows of a trace with their line numbers and exits 1', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(
      file,
      'timestamp,demand\n2026-01-05T00:00:00Z,3\n2026-01-05T00:01:00Z,three\n2026-01-05T00:05:00Z,3\n',
    );
    const result = await simulateHere('--trace', file, '--kind', 'kusto-cluster', '--config', CONFIG);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: 2 problem(s) in the trace:`);
    expect(result.stderr).toContain('line 3: demand "three" is not a non-negative number');
    expect(result.stderr).toContain('line 4: timestamp "2026-01-05T00:05:00Z" leaves a gap');
  }, 30_000);

  it.each([
    { name: 'no kind', args: ['--suite', '--config', CONFIG], message: '--kind is required' },
    {
      name: 'two sources',
      args: ['--suite', '--scenario', 'daily', '--kind', 'kusto-cluster', '--config', CONFIG],
      message: 'give exactly one of --trace, --scenario or --suite',
    },
    {
      name: 'an unknown scenario',
      args: ['--scenario', 'holiday', '--kind', 'kusto-cluster', '--config', CONFIG],
      message:
        '--scenario "holiday" is not a scenario; use one of daily, weekly, growth, flash-spikes, step-change, noisy-flat',
    },
    {
      name: 'an unknown policy',
      args: ['--suite', '--kind', 'kusto-cluster', '--config', CONFIG, '--policies', 'hpa,magic'],
      message: '--policies "hpa,magic": unknown policy magic',
    },
    {
      name: 'both a seed and a seed offset',
      args: ['--suite', '--kind', 'kusto-cluster', '--config', CONFIG, '--seed', '3', '--seed-offset', '1'],
      message: 'give --seed or --seed-offset, not both',
    },
    {
      name: 'a negative seed offset',
      args: ['--suite', '--kind', 'kusto-cluster', '--config', CONFIG, '--seed-offset', 'two'],
      message: '--seed-offset "two" is not a whole number',
    },
    {
      name: 'an unknown option',
      args: ['--suite', '--kind', 'kusto-cluster', '--config', CONFIG, '--fast'],
      message: "Unknown option '--fast'",
    },
  ])(
    'explains its usage and exits 2 for $name',
    async ({ args, message }) => {
      const result = await simulateHere(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('Usage: scaler simulate');
    },
    30_000,
  );

  it('rejects a model file with bad constants, naming each', async () => {
    const file = join(dir, 'model.json');
    await writeFile(file, JSON.stringify({ kusto: { cacheWarmupMinutes: -5 }, elastic: { shards: 3 } }));
    const result = await simulateHere(
      '--scenario',
      'daily',
      '--kind',
      'kusto-cluster',
      '--config',
      CONFIG,
      '--model',
      file,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: 2 problem(s) in the model parameters`);
    expect(result.stderr).toMatch(/kusto\.cacheWarmupMinutes: /);
    expect(result.stderr).toContain('shards');
  }, 30_000);
});
