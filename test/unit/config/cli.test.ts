import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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
    expect(result.stdout).toContain(
      'orders-pg: postgres-elastic-cluster, custom mode, 2 rule(s), 2..8 nodes (default 4)',
    );
  });

  it('exits 1 and lists every problem of a broken config', async () => {
    const result = await scaler('validate-config', 'examples/broken.config.json');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('12 error(s), 2 warning(s)');
    expect(result.stderr).toContain(
      'warning: targets[0].database.user: not set, so the rebalance after a scale-out cannot log in',
    );
    expect(result.stderr).toContain(
      'error: targets[0].rules[0].metric: "cpu_percnt" is not a metric of Microsoft.DBforPostgreSQL/flexibleServers; did you mean "cpu_percent"?',
    );
    expect(result.stderr.match(/^ {2}error: /gm)).toHaveLength(12);
  });

  it('exits 1 for a file that does not exist, saying so in words', async () => {
    const result = await scaler('validate-config', 'missing.json');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read missing.json: there is no such file; check the path');
    expect(result.stderr).not.toContain('ENOENT');
  });

  it('says that an empty file is empty', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'scaler-cli-'));
    await writeFile(join(folder, 'empty.json'), '\n');
    const result = await scaler('validate-config', join(folder, 'empty.json'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${join(folder, 'empty.json')} is empty; write the config in it (scaler init writes a starter config to edit)`,
    );
    await rm(folder, { recursive: true, force: true });
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
    expect(result.stderr).toContain('Usage: scaler <command> [options]');
    expect(result.stderr).toMatch(/^ {2}validate-config +check a config file/m);
  });
});

describe('scaler, as a command line', () => {
  it.each(['init', 'validate-config', 'simulate', 'backtest', 'forecast', 'rebalance'])(
    'prints the usage of %s for --help and -h, exit 0',
    async (command) => {
      for (const flag of ['--help', '-h']) {
        const result = await scaler(command, flag);
        expect(result.code, `${command} ${flag}`).toBe(0);
        expect(result.stdout).toContain(`Usage: scaler ${command}`);
      }
    },
    120_000,
  );

  it('prints its version', async () => {
    const manifest = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    const result = await scaler('--version');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`scaler ${manifest.version}`);
  });

  it('lines up the commands in its usage', async () => {
    const result = await scaler('--help');
    expect(result.code).toBe(0);
    const columns = result.stdout
      .split('\n')
      .filter((line) => /^ {2}[a-z]/.test(line))
      .map((line) => /^ {2}\S+ +/.exec(line)?.[0].length);
    expect(columns.length).toBeGreaterThanOrEqual(5);
    expect(new Set(columns).size).toBe(1);
  });

  it('suggests the command meant by a misspelt one', async () => {
    const result = await scaler('simulat');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "simulat"; did you mean "simulate"?');
  });

  it('suggests the option meant by a misspelt one, before doing anything', async () => {
    const result = await scaler(
      'simulate',
      '--scenaro',
      'daily',
      '--kind',
      'kusto-cluster',
      '--config',
      'examples/simulation.config.json',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'scaler simulate: --scenaro is not an option of this command; did you mean --scenario?',
    );
    expect(result.stdout).toBe('');
  });

  it('refuses --report into a folder that does not exist before the simulation runs', async () => {
    const result = await scaler(
      'simulate',
      '--trace',
      'examples/trace.sample.csv',
      '--kind',
      'kusto-cluster',
      '--config',
      'examples/simulation.config.json',
      '--report',
      'no-such-folder/report.html',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--report: the folder no-such-folder does not exist; create it first or write the report elsewhere',
    );
    expect(result.stdout).not.toContain('Simulating');
  });
});

describe('scaler init', () => {
  it('writes a starter config whose $schema resolves, that validate-config accepts, and never overwrites it', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'scaler-init-'));
    const file = join(folder, 'scaler.config.json');
    const written = await scaler('init', file);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(`npx scaler validate-config ${file}`);
    const config = JSON.parse(await readFile(file, 'utf8')) as { $schema: string; targets: unknown[] };
    const schema = JSON.parse(await readFile(resolve(folder, config.$schema), 'utf8')) as { $schema?: string };
    expect(schema.$schema).toMatch(/json-schema\.org/);
    const validated = await scaler('validate-config', file);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('valid, 2 target(s)');

    const again = await scaler('init', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'already exists; edit it, choose another file name, or pass --force to overwrite it',
    );
    await rm(folder, { recursive: true, force: true });
  }, 120_000);
});
