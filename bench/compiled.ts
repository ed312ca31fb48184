/**
 * Runs a benchmark the way the Function App runs the scaler: compiled JavaScript in a plain `node`, not the
 * TypeScript sources through the tsx loader, which alone holds about 40 MB of resident memory and keeps every
 * transpiled source besides. The entry is bundled with esbuild into .tmp/ (the packages stay external and load
 * from node_modules, as dist/ loads them), run in a child process, and the JSON line it prints is read back.
 *
 * The bundle is one module where `npm run build` writes one file per source file; both run the same JavaScript
 * without a loader.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Bundles `entry` (a .ts file), runs it with `args` in a plain `node`, and returns the last JSON line it printed. */
export async function runCompiled(entry: string, args: readonly string[]): Promise<Record<string, number | string>> {
  await mkdir(join(ROOT, '.tmp'), { recursive: true });
  const directory = await mkdtemp(join(ROOT, '.tmp', 'bench-'));
  try {
    const outfile = join(directory, `${basename(entry, '.ts')}.mjs`);
    await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: `node${process.versions.node.split('.')[0]}`,
      packages: 'external',
      logLevel: 'warning',
    });
    return lastJsonLine(await runNode(outfile, args));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The parent's node flags (`--cpu-prof`, `--heap-prof`, `--expose-gc`...), less those that load tsx. */
function forwardedNodeFlags(): string[] {
  const flags: string[] = [];
  for (let index = 0; index < process.execArgv.length; index += 1) {
    const flag = process.execArgv[index] as string;
    const value = process.execArgv[index + 1];
    if ((flag === '--require' || flag === '--import') && value?.includes('tsx')) index += 1;
    else if (!flag.includes('tsx')) flags.push(flag);
  }
  return flags;
}

function runNode(script: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...forwardedNodeFlags(), script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      stdout += text;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`the compiled benchmark ${basename(script)} exited with code ${code}:\n${stdout}`));
    });
  });
}

function lastJsonLine(stdout: string): Record<string, number | string> {
  const line = stdout
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith('{'));
  if (!line) throw new Error(`the compiled benchmark printed no JSON line:\n${stdout}`);
  return JSON.parse(line) as Record<string, number | string>;
}
