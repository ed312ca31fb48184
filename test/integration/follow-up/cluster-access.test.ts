/**
 * How the follow-up's activities reach a cluster's coordinator (AzureClusterAccess.sql), against the Citus stand-in
 * on a real PostgreSQL: the connection is refused unless it is the Citus coordinator, with a message that says what
 * the database is instead. The ARM side is not touched: the target names its host and database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '../../support/postgres.js';
import { standinDatabase } from '../../support/follow-up-host.js';
import { pgResourceId } from '../../support/scaler-harness.js';
import { StaticTokenCredential } from '../../../tools/emulator/sdk-options.js';
import { CITUS_SETTING_DEFAULTS } from '../../../tools/citus-standin/index.js';
import { scaledOutCluster } from '../../../tools/citus-standin/testing.js';
import { AzureClusterAccess } from '../../../shared/follow-up/cluster-access.js';
import { ArmClients } from '../../../shared/targets/azure-clients.js';
import { validateConfig } from '../../../shared/config/validate.js';
import type { PostgresTargetConfig } from '../../../shared/config/schema/schema.js';
import { NotCoordinatorError } from '../../../shared/citus/errors.js';

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres({ config: CITUS_SETTING_DEFAULTS });
});

afterAll(async () => {
  await server.stop();
});

function accessTo(connectionString: string): { access: AzureClusterAccess; target: PostgresTargetConfig } {
  const { database, env } = standinDatabase(connectionString);
  const result = validateConfig({
    version: 1,
    targets: [
      {
        name: 'pg',
        kind: 'postgres-elastic-cluster',
        resourceId: pgResourceId('pg'),
        mode: 'manual',
        limits: { min: 2, max: 8 },
        database,
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const credential = new StaticTokenCredential();
  return {
    access: new AzureClusterAccess({ arm: new ArmClients({ credential }), credential, env }),
    target: result.config.targets[0] as PostgresTargetConfig,
  };
}

describe('AzureClusterAccess.sql', () => {
  it('connects to the coordinator', async () => {
    const db = await scaledOutCluster(server, { scaleOut: false });
    try {
      const { access, target } = accessTo(db.connectionString);
      const sql = await access.sql(target);
      expect((await sql.nodes()).length).toBe(2);
      await sql.close();
    } finally {
      await db.close();
    }
  });

  it('refuses a worker node, naming the coordinator as the place to connect', async () => {
    const db = await scaledOutCluster(server, { scaleOut: false });
    try {
      await db.query('SELECT citus_standin.act_as_worker(true)');
      const { access, target } = accessTo(db.connectionString);
      const failure = access.sql(target);
      await expect(failure).rejects.toBeInstanceOf(NotCoordinatorError);
      await expect(failure).rejects.toThrow(
        /: this is not the Citus coordinator \(citus_is_coordinator\(\) is false\); connect to the coordinator, port 5432/,
      );
    } finally {
      await db.close();
    }
  });

  it('refuses a database without Citus with its own message', async () => {
    const { access, target } = accessTo(await server.createDatabase());
    await expect(access.sql(target)).rejects.toThrow(
      /failed: this database has no Citus \(function pg_catalog\.citus_is_coordinator\(\) does not exist\); connect to the database where the citus extension is installed/,
    );
  });
});
