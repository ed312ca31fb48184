import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const run = promisify(execFile);

/** Runs the real `scaler` bin the way `npx scaler` does, and returns its exit code and output. */
async function scaler(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/scaler.mjs', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('scaler validate-config', () => {
  it('exits 0 with a summary of a valid config', async () => {
    const result = await scaler('validate-config', 'examples/scaler.config.json');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('examples/scaler.config.json: valid, 2 target(s)');
    expect(result.stdout).toContain('orders-pg: postgres-elastic-cluster, custom mode, 2 rule(s), 2..8 nodes (default 4)');
  });

  it('exits 1 and lists every problem of a broken config', async () => {
    const result = await scaler('validate-config', 'examples/broken.config.json');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('12 error(s), 2 warning(s)');
    expect(result.stderr).toContain('warning: targets[0].database.user: not set, so the rebalance after a scale-out cannot log in');
    expect(result.stderr).toContain('error: targets[0].rules[0].metric: "cpu_percnt" is not a metric of Microsoft.DBforPostgreSQL/flexibleServers; did you mean "cpu_percent"?');
    expect(result.stderr.match(/^ {2}error: /gm)).toHaveLength(12);
  });

  it('exits 1 for a file that does not exist', async () => {
    const result = await scaler('validate-config', 'missing.json');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read missing.json: ENOENT');
  });

  it('exits 1 naming the field of a config nested a million levels deep, instead of crashing', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'scaler-config-')), 'deep.json');
    await writeFile(file, `{"version": 1, "targets": ${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`);

    const result = await scaler('validate-config', file);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: targets(\[0\])+: nested deeper than 32 levels \(line 1, column \d+\)/);
    expect(result.stderr).not.toMatch(/RangeError|Maximum call stack/);
  });

  it('explains its usage for an unknown command', async () => {
    const result = await scaler('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toContain('scaler validate-config <file>');
  });
});
