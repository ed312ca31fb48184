import { describe, expect, it } from 'vitest';
import { alterSystemSet, startRebalance } from '../../../shared/citus/sql.js';
import { RebalanceNotRunningError, runningJobIdIn, SettingsNotAllowedError, toCitusError } from '../../../shared/citus/errors.js';
import { ProviderError, TransientError } from '../../../shared/errors.js';

const pgError = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });

describe('citus_rebalance_start arguments', () => {
  it('sends only what is asked, so a sequential start works on Citus versions without the parallel flags', () => {
    expect(startRebalance({ transferMode: 'auto', parallelTransferColocatedShards: false, parallelTransferReferenceTables: false })).toEqual({
      text: 'SELECT pg_catalog.citus_rebalance_start(shard_transfer_mode => $1::citus.shard_transfer_mode) AS job_id', values: ['auto'],
    });
    expect(startRebalance({ strategy: 'by_shard_count', transferMode: 'block_writes', parallelTransferColocatedShards: true, parallelTransferReferenceTables: true })).toEqual({
      text: 'SELECT pg_catalog.citus_rebalance_start(rebalance_strategy => $1::name, shard_transfer_mode => $2::citus.shard_transfer_mode, parallel_transfer_reference_tables => $3::boolean, parallel_transfer_colocated_shards => $4::boolean) AS job_id',
      values: ['by_shard_count', 'block_writes', true, true],
    });
  });

  it('builds ALTER SYSTEM only from a setting name and a whole number', () => {
    expect(alterSystemSet('citus.max_background_task_executors', 4)).toBe('ALTER SYSTEM SET citus.max_background_task_executors = 4');
    expect(() => alterSystemSet('citus.x; DROP TABLE t', 4)).toThrow(/refusing/);
    expect(() => alterSystemSet('citus.max_background_task_executors', 1.5)).toThrow(/refusing/);
  });
});

describe('Citus errors', () => {
  it('finds the job to adopt in "A rebalance is already running as job N"', () => {
    expect(runningJobIdIn(pgError('A rebalance is already running as job 42', 'XX000'))).toBe(42);
    expect(runningJobIdIn(pgError('something else', 'XX000'))).toBeUndefined();
  });

  it.each([
    { name: 'a refused connection', error: pgError('connect ECONNREFUSED', 'ECONNREFUSED'), type: TransientError, message: /could not be reached \(ECONNREFUSED\)/ },
    { name: 'an administrator shutdown', error: pgError('terminating connection due to administrator command', '57P01'), type: TransientError, message: /tried again/ },
    { name: 'a refused login', error: pgError('password authentication failed for user "scaler"', '28P01'), type: ProviderError, message: /check database.user/ },
    { name: 'ALTER SYSTEM not allowed', error: pgError('must be superuser to execute ALTER SYSTEM command', '42501'), type: SettingsNotAllowedError, message: /permission denied/ },
    { name: 'the rebalance lock', error: pgError('could not acquire the lock required to rebalance public.events', 'XX000'), type: TransientError, message: /holds the lock/ },
    { name: 'nothing to stop', error: pgError('no ongoing rebalance that can be stopped', 'XX000'), type: RebalanceNotRunningError, message: /no ongoing rebalance/ },
    { name: 'a missing replica identity', error: pgError("cannot use logical replication to transfer shards of the relation items since it doesn't have a REPLICA IDENTITY or PRIMARY KEY", '0A000'), type: ProviderError, message: /or use shard_transfer_mode force_logical or block_writes/ },
    { name: 'an unknown strategy', error: pgError('could not find rebalance strategy with name fastest', 'XX000'), type: ProviderError, message: /rebalance.strategy must name a row of pg_dist_rebalance_strategy/ },
    { name: 'anything else', error: pgError('relation "x" does not exist', '42P01'), type: ProviderError, message: /\(SQLSTATE 42P01\)$/ },
  ])('maps $name', ({ error, type, message }) => {
    const mapped = toCitusError(error, 'starting the rebalance', 'coordinator:5432/postgres');
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.message).toMatch(/^starting the rebalance on coordinator:5432\/postgres failed: /);
    expect(mapped.message).toMatch(message);
  });
});
