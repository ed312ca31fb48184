import { describe, expect, it } from 'vitest';
import { alterSystemSet, startRebalance } from '../../../shared/citus/sql.js';
import {
  isConnectionFailure,
  NotCoordinatorError,
  RebalanceNotRunningError,
  runningJobIdIn,
  SettingsNotAllowedError,
  toCitusError,
} from '../../../shared/citus/errors.js';
import { citusClientConfig } from '../../../shared/citus/connection-options.js';
import { ProviderError, TransientError } from '../../../shared/vocabulary/errors.js';

const pgError = (message: string, code?: string) =>
  Object.assign(new Error(message), code === undefined ? {} : { code });

describe('citus_rebalance_start arguments', () => {
  it('sends only what is asked, so a sequential start works on Citus versions without the parallel flags', () => {
    expect(
      startRebalance({
        transferMode: 'auto',
        parallelTransferColocatedShards: false,
        parallelTransferReferenceTables: false,
      }),
    ).toEqual({
      text: 'SELECT pg_catalog.citus_rebalance_start(shard_transfer_mode => $1::citus.shard_transfer_mode) AS job_id',
      values: ['auto'],
    });
    expect(
      startRebalance({
        strategy: 'by_shard_count',
        transferMode: 'block_writes',
        parallelTransferColocatedShards: true,
        parallelTransferReferenceTables: true,
      }),
    ).toEqual({
      text: 'SELECT pg_catalog.citus_rebalance_start(rebalance_strategy => $1::name, shard_transfer_mode => $2::citus.shard_transfer_mode, parallel_transfer_reference_tables => $3::boolean, parallel_transfer_colocated_shards => $4::boolean) AS job_id',
      values: ['by_shard_count', 'block_writes', true, true],
    });
  });

  it('builds ALTER SYSTEM only from a setting name and a whole number', () => {
    expect(alterSystemSet('citus.max_background_task_executors', 4)).toBe(
      'ALTER SYSTEM SET citus.max_background_task_executors = 4',
    );
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
    {
      name: 'a refused connection',
      error: pgError('connect ECONNREFUSED 10.0.0.4:5432', 'ECONNREFUSED'),
      type: TransientError,
      message: /could not be reached \(ECONNREFUSED: connect ECONNREFUSED 10\.0\.0\.4:5432\)$/,
    },
    {
      name: 'an administrator shutdown',
      error: pgError('terminating connection due to administrator command', '57P01'),
      type: TransientError,
      message: /: terminating connection due to administrator command \(SQLSTATE 57P01\)$/,
    },
    {
      name: 'an unreachable worker',
      error: pgError(
        'connection to the remote node postgres@w1:5432 failed with the following error: Connection refused',
        '08006',
      ),
      type: TransientError,
      message: /Connection refused \(SQLSTATE 08006\)$/,
    },
    {
      name: 'a socket closed under a query',
      error: pgError('Connection terminated unexpectedly'),
      type: TransientError,
      message: /the connection to the server was lost \(Connection terminated unexpectedly\)$/,
    },
    {
      name: 'a silent server',
      error: pgError('Query read timeout'),
      type: TransientError,
      message: /did not answer in time \(Query read timeout\); check the network path/,
    },
    {
      name: 'a self-signed certificate',
      error: pgError('self-signed certificate', 'DEPTH_ZERO_SELF_SIGNED_CERT'),
      type: ProviderError,
      message:
        /TLS certificate was not accepted \(Node\.js DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate\); .*sslmode=no-verify/,
    },
    {
      name: 'a database without Citus',
      error: pgError('function pg_catalog.citus_is_coordinator() does not exist', '42883'),
      type: NotCoordinatorError,
      message:
        /this database has no Citus \(function pg_catalog\.citus_is_coordinator\(\) does not exist\); connect to the database where the citus extension is installed/,
    },
    {
      name: 'a refused login',
      error: pgError('password authentication failed for user "scaler"', '28P01'),
      type: ProviderError,
      message: /check database.user/,
    },
    {
      name: 'ALTER SYSTEM not allowed',
      error: pgError('must be superuser to execute ALTER SYSTEM command', '42501'),
      type: SettingsNotAllowedError,
      message: /permission denied/,
    },
    {
      name: 'the rebalance lock',
      error: pgError('could not acquire the lock required to rebalance public.events', 'XX000'),
      type: TransientError,
      message: /holds the lock/,
    },
    {
      name: 'nothing to stop',
      error: pgError('no ongoing rebalance that can be stopped', 'XX000'),
      type: RebalanceNotRunningError,
      message: /no ongoing rebalance/,
    },
    {
      name: 'a missing replica identity',
      error: pgError(
        "cannot use logical replication to transfer shards of the relation items since it doesn't have a REPLICA IDENTITY or PRIMARY KEY",
        '0A000',
      ),
      type: ProviderError,
      message: /or use shard_transfer_mode force_logical or block_writes/,
    },
    {
      name: 'an unknown strategy',
      error: pgError('could not find rebalance strategy with name fastest', 'XX000'),
      type: ProviderError,
      message: /rebalance.strategy must name a row of pg_dist_rebalance_strategy/,
    },
    {
      name: 'anything else',
      error: pgError('relation "x" does not exist', '42P01'),
      type: ProviderError,
      message: /\(SQLSTATE 42P01\)$/,
    },
  ])('maps $name', ({ error, type, message }) => {
    const mapped = toCitusError(error, 'starting the rebalance', 'coordinator:5432/postgres');
    expect(mapped).toBeInstanceOf(type);
    // Nothing retries inside toCitusError: a message must not promise it, and only SQLSTATEs are called that.
    expect(mapped.message).not.toMatch(/tried again|SQLSTATE [A-Z_]{6,}/);
    expect(mapped.message).toMatch(/^starting the rebalance on coordinator:5432\/postgres failed: /);
    expect(mapped.message).toMatch(message);
  });
});

describe('connection failures', () => {
  it.each([
    { name: 'a lost socket', error: pgError('Connection terminated unexpectedly'), lost: true },
    {
      name: 'a worker unreachable from the coordinator',
      error: pgError('connection to the remote node postgres@w1:5432 failed', '08006'),
      lost: true,
    },
    { name: 'a restart', error: pgError('terminating connection due to administrator command', '57P01'), lost: true },
    {
      name: 'a mapped transient error',
      error: toCitusError(pgError('timeout expired'), 'connecting', 'c:5432/db'),
      lost: true,
    },
    {
      name: 'the rebalance lock',
      error: toCitusError(
        pgError('could not acquire the lock required to rebalance t', 'XX000'),
        'starting',
        'c:5432/db',
      ),
      lost: false,
    },
    { name: 'a refused login', error: pgError('password authentication failed', '28P01'), lost: false },
  ])('tells $name apart: a new connection may help = $lost', ({ error, lost }) => {
    expect(isConnectionFailure(error)).toBe(lost);
  });
});

describe('pg connection options', () => {
  it('gives every connection a connect timeout, a statement timeout, a longer client-side query timeout and TCP keep-alive', () => {
    expect(citusClientConfig({ host: 'c', port: 5432 })).toEqual({
      host: 'c',
      port: 5432,
      application_name: 'elastic-scaler',
      connectionTimeoutMillis: 15_000,
      statement_timeout: 120_000,
      query_timeout: 130_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    expect(citusClientConfig({}, { statementTimeoutMs: 600_000, queryTimeoutMs: 1_000 })).toMatchObject({
      statement_timeout: 600_000,
      query_timeout: 610_000,
    });
  });
});
