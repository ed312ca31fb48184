/**
 * `scaler init [file]`: writes a starter config (one elastic cluster, one ADX cluster, the settings most people
 * change) with a `$schema` path that editors resolve, so completion and checks work while it is edited. It never
 * overwrites a file unless told to.
 */
import { access, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const INIT_USAGE = `Usage: scaler init [<file>] [--force]
  Writes a starter config to <file> (default scaler.config.json) to edit: replace the resource ids with your
  clusters', then check it with "scaler validate-config <file>".
  --force   overwrite <file> if it exists`;

const SCHEMA_FILE = fileURLToPath(new URL('../config.schema.json', import.meta.url));
const PLACEHOLDER_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

export function starterConfig(schemaPath: string): Record<string, unknown> {
  const provider = (type: string, name: string) =>
    `/subscriptions/${PLACEHOLDER_SUBSCRIPTION}/resourceGroups/rg-data/providers/${type}/${name}`;
  return {
    $schema: schemaPath,
    version: 1,
    targets: [
      {
        name: 'orders-pg',
        kind: 'postgres-elastic-cluster',
        resourceId: provider('Microsoft.DBforPostgreSQL/flexibleServers', 'orders-cluster'),
        mode: 'custom',
        dryRun: true,
        limits: { min: 2, max: 8 },
        cooldowns: { scaleOutMinutes: 30 },
        rules: [
          {
            name: 'cpu-high',
            metric: 'cpu_percent',
            operator: 'GreaterThan',
            threshold: 75,
            direction: 'out',
            windowMinutes: 15,
          },
        ],
        database: { user: 'id-elastic-scaler' },
      },
      {
        name: 'telemetry-adx',
        kind: 'kusto-cluster',
        resourceId: provider('Microsoft.Kusto/clusters', 'telemetryadx'),
        mode: 'optimized',
        dryRun: true,
        limits: { min: 2, max: 12 },
      },
    ],
  };
}

export async function initCommand(args: string[]): Promise<number> {
  let parsed: { file: string; force: boolean };
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { force: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > 1) throw new Error(`give one file, not ${positionals.length}`);
    parsed = { file: positionals[0] ?? 'scaler.config.json', force: values.force };
  } catch (error) {
    console.error(`scaler init: ${error instanceof Error ? error.message : String(error)}\n\n${INIT_USAGE}`);
    return 2;
  }
  const file = resolve(parsed.file);
  if (!parsed.force && (await exists(file))) {
    console.error(
      `scaler init: ${parsed.file} already exists; edit it, choose another file name, or pass --force to overwrite it`,
    );
    return 1;
  }
  if (!(await exists(dirname(file)))) {
    console.error(
      `scaler init: the folder ${dirname(parsed.file)} does not exist; create it first or choose another path`,
    );
    return 1;
  }
  const schemaPath = schemaPathFrom(dirname(file));
  await writeFile(file, `${JSON.stringify(starterConfig(schemaPath), null, 2)}\n`, 'utf8');
  console.log(`Wrote ${parsed.file}: two targets in dry-run (they decide and record, never change a cluster).`);
  console.log("Next: put your clusters' resource ids in it, then run");
  console.log(`  npx scaler validate-config ${parsed.file}`);
  return 0;
}

/** The schema, relative to the config's folder and with forward slashes, as `$schema` wants it. */
function schemaPathFrom(folder: string): string {
  const path = relative(folder, SCHEMA_FILE).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
