import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A real Azurite Table service in a child process, one per caller, on a free port, in memory only.
 * Several test files may each start their own instance at the same time.
 */
export interface AzuriteInstance {
  connectionString: string;
  /** Account URL of the Table service, e.g. http://127.0.0.1:51234/devstoreaccount1 */
  tableEndpoint: string;
  accountName: string;
  accountKey: string;
  stop(): Promise<void>;
}

/** Azurite's documented, public development account (not a secret). */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const HOST = '127.0.0.1';
const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 60_000;
const READY_LINE = 'successfully started';

/**
 * Runs Azurite's own `azurite-table` entry point, but exits as soon as its stdin closes: stdin is a pipe from
 * this process, so the emulator dies with the test worker even when the worker is killed without cleanup.
 */
const WATCHDOG_SCRIPT = [
  "process.stdin.on('end', () => process.exit(0));",
  "process.stdin.on('error', () => process.exit(0));",
  'process.stdin.resume();',
  'const entry = process.argv[1];',
  'process.argv = [process.argv[0], entry, ...process.argv.slice(2)];',
  'require(entry);',
].join('\n');

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export async function startAzurite(): Promise<AzuriteInstance> {
  installExitHook();
  const entry = await azuriteTableEntry();
  const workDir = await mkdtemp(join(tmpdir(), 'azurite-'));
  let lastFailure = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
    const port = await findFreePort();
    const started = await startOnPort(entry, port, workDir);
    if (started.ok) return instanceFor(port, started.child, workDir);
    lastFailure = started.output;
    if (!started.portTaken) break;
  }
  await rm(workDir, { recursive: true, force: true });
  throw new Error(
    `Starting Azurite failed: ${lastFailure.trim() || 'no output'}; check that the azurite package is installed`,
  );
}

function instanceFor(port: number, child: ChildProcess, workDir: string): AzuriteInstance {
  const tableEndpoint = `http://${HOST}:${port}/${AZURITE_ACCOUNT_NAME}`;
  return {
    tableEndpoint,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};` +
      `AccountKey=${AZURITE_ACCOUNT_KEY};TableEndpoint=${tableEndpoint};`,
    stop: async () => {
      await stopChild(child);
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

type StartResult = { ok: true; child: ChildProcess } | { ok: false; output: string; portTaken: boolean };

function startOnPort(entry: string, port: number, workDir: string): Promise<StartResult> {
  const args = [
    '-e',
    WATCHDOG_SCRIPT,
    entry,
    '--tableHost',
    HOST,
    '--tablePort',
    String(port),
    '--inMemoryPersistence',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
  ];
  // cwd is a private temp dir: Azurite treats it as its workspace, so nothing lands in the repository.
  const child = spawn(process.execPath, args, { cwd: workDir, stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  return new Promise((resolve) => {
    let output = '';
    const finish = (result: StartResult): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onOutput);
      child.off('exit', onExit);
      if (!result.ok) running.delete(child);
      resolve(result);
    };
    const onOutput = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes(READY_LINE)) finish({ ok: true, child });
    };
    const onExit = (): void => {
      finish({ ok: false, output, portTaken: output.includes('EADDRINUSE') });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ ok: false, output: `not ready after ${READY_TIMEOUT_MS} ms. ${output}`, portTaken: false });
    }, READY_TIMEOUT_MS);
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    child.on('exit', onExit);
    // Keep draining both pipes so a chatty emulator never blocks on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  running.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

async function azuriteTableEntry(): Promise<string> {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve('azurite/package.json');
  const packageJson: unknown = JSON.parse(await readFile(packageJsonPath, 'utf8'));
  const bin = isRecord(packageJson) && isRecord(packageJson['bin']) ? packageJson['bin']['azurite-table'] : undefined;
  if (typeof bin !== 'string')
    throw new Error('Locating azurite-table failed: the azurite package declares no such bin; reinstall azurite');
  return join(dirname(packageJsonPath), bin);
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() =>
        port > 0 ? resolve(port) : reject(new Error('Finding a free port failed: no port assigned')),
      );
    });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
