/**
 * `npm start -- --smoke`, spawned as a user runs it: the whole sandbox (emulator, Azurite, PostgreSQL with the Citus
 * stand-in, the app's functions on the local host, in-process follow-ups) in accelerated time. It must scale both
 * kinds of cluster, finish a rebalance, exit 0 and print its one JSON summary line. Assertions are about counts,
 * never durations: the run takes as long as the machine needs.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runSandbox(args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/sandbox/main.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start -- --smoke', () => {
  it(
    'scales an elastic cluster out and rebalances it, scales an ADX cluster out and in, and prints one JSON summary',
    async () => {
      const run = await runSandbox(['--smoke']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const summary = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
      expect(Object.keys(summary)).toEqual([
        'sandbox',
        'scaleOuts',
        'scaleIns',
        'rebalancesFinished',
        'decisions',
        'wallMs',
      ]);
      expect(summary).toMatchObject({ sandbox: 'smoke' });
      expect(summary['scaleOuts']).toBeGreaterThanOrEqual(2);
      expect(summary['scaleIns']).toBeGreaterThanOrEqual(1);
      expect(summary['rebalancesFinished']).toBeGreaterThanOrEqual(1);
      expect(summary['decisions']).toBeGreaterThan(summary['scaleOuts'] as number);
    },
    20 * 60_000,
  );

  it('refuses an unknown scenario with the list of scenarios and changes nothing', async () => {
    const run = await runSandbox(['--smoke', '--scenario', 'dayly']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("--scenario: 'dayly' is not a scenario; use one of daily, weekly");
  });

  it('prints its usage for --help and exits 0', async () => {
    const run = await runSandbox(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: npm start -- [options]');
    expect(run.stdout).toContain('--smoke');
  });
});
