/** The PostgreSQL test harness the Citus stand-in runs on: real servers, side by side, cleaned up. */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from '../support/postgres.js';

describe('startPostgres', () => {
  it('starts independent servers side by side on free ports and removes their data on stop', async () => {
    const [first, second] = await Promise.all([
      startPostgres(),
      startPostgres({ config: { 'citus.max_client_connections': -1 } }),
    ]);
    try {
      expect(first.port).not.toBe(second.port);
      expect(first.directory.startsWith(tmpdir())).toBe(true);
      expect(first.directory.startsWith(process.cwd())).toBe(false);

      const database = await second.createDatabase();
      const client = new pg.Client({ connectionString: database });
      await client.connect();
      const row = await client.query<{ user: string; setting: string }>(
        "SELECT current_user AS user, current_setting('citus.max_client_connections') AS setting",
      );
      await client.end();
      expect(row.rows).toEqual([{ user: 'postgres', setting: '-1' }]);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }

    expect(existsSync(first.directory)).toBe(false);
    expect(existsSync(second.directory)).toBe(false);
    await expect(first.stop()).resolves.toBeUndefined();
    const refused = new pg.Client({ connectionString: first.connectionString, connectionTimeoutMillis: 2000 });
    await expect(refused.connect()).rejects.toThrow();
  });
});
