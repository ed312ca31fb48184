/**
 * PostgreSQL and Citus failures in the scaler's error family. Citus raises almost everything with SQLSTATE XX000,
 * so errors are told apart by message text as well as code (docs/citus-rebalance.md). A connection that was lost
 * (a restart, an unreachable worker, a silent peer) is a TransientError with `details.connectionLost`: a new
 * connection may succeed where it failed.
 */
import { ProviderError, ScalerError, TransientError, type ScalerErrorOptions } from '../vocabulary/errors.js';

/** `citus_rebalance_stop()` found no job to stop, or a pause/resume found nothing to act on. */
export class RebalanceNotRunningError extends ScalerError {
  constructor(message: string, options?: ScalerErrorOptions) {
    super('conflict', message, options);
  }
}

/** The role may not change server settings with ALTER SYSTEM (Azure: use the server parameters API instead). */
export class SettingsNotAllowedError extends ScalerError {
  constructor(message: string, options?: ScalerErrorOptions) {
    super('forbidden', message, options);
  }
}

/** The login reached a PostgreSQL database that is not a Citus coordinator: no Citus, or a worker node. */
export class NotCoordinatorError extends ScalerError {
  constructor(message: string, options?: ScalerErrorOptions) {
    super('configuration', message, options);
  }
}

interface PgErrorLike {
  code?: unknown;
  message: string;
  detail?: unknown;
  hint?: unknown;
}

const ALREADY_RUNNING = /A rebalance is already running as job (\d+)/;
/** Node.js socket and DNS codes: the server was not reached at all. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);
/** SQLSTATEs after which the same statement may succeed on a new connection. */
const TRANSIENT_SQLSTATES = /^(08...|57P0[123]|53300|53400)$/;
const SQLSTATE = /^[0-9A-Z]{5}$/;
/** What node-postgres says, without a code, when the connection is gone or an answer never came. */
const LOST_CONNECTION =
  /^(Connection terminated( unexpectedly)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable)$/;
const TIMED_OUT = /^(timeout expired|Query read timeout|Connection terminated due to connection timeout)$/;
const CITUS_OBJECT = /\b(citus_\w+|pg_dist_\w+|get_rebalance_\w+)\b/;

/** The job id in "A rebalance is already running as job N", if that is what the error says. */
export function runningJobIdIn(error: unknown): number | undefined {
  const match = error instanceof Error ? ALREADY_RUNNING.exec(error.message) : null;
  return match ? Number(match[1]) : undefined;
}

/** The error's code: a SQLSTATE from the server, or a Node.js code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, ...). */
export function sqlStateOf(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as unknown as PgErrorLike).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Whether a new connection may succeed where this one failed (a restart, an unreachable node, a lost socket). */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof ScalerError) return error.category === 'transient' && error.details.connectionLost === true;
  const code = sqlStateOf(error);
  const message = error instanceof Error ? error.message : '';
  return (
    (code !== undefined && (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.test(code))) ||
    LOST_CONNECTION.test(message) ||
    TIMED_OUT.test(message)
  );
}

/** `<action> on <where> failed: <why>[; <fix>]`, in the right category. Says nothing about retrying: callers do. */
export function toCitusError(error: unknown, action: string, where: string): ScalerError {
  if (error instanceof ScalerError) return error;
  const base = error instanceof Error ? error : new Error(String(error));
  const code = sqlStateOf(base);
  const prefix = `${action} on ${where} failed`;
  return connectionError(base, code, prefix, error) ?? serverError(base, code, prefix, error);
}

function connectionError(
  base: Error,
  code: string | undefined,
  prefix: string,
  cause: unknown,
): ScalerError | undefined {
  const lost = { cause, details: { sqlState: code, connectionLost: true } };
  if (code !== undefined && NETWORK_CODES.has(code))
    return new TransientError(`${prefix}: the server could not be reached (${code}: ${base.message})`, lost);
  if (code !== undefined && SQLSTATE.test(code) && TRANSIENT_SQLSTATES.test(code))
    return new TransientError(`${prefix}: ${base.message} (SQLSTATE ${code})`, lost);
  if (LOST_CONNECTION.test(base.message))
    return new TransientError(`${prefix}: the connection to the server was lost (${base.message})`, lost);
  if (TIMED_OUT.test(base.message))
    return new TransientError(
      `${prefix}: the server did not answer in time (${base.message}); check the network path to it`,
      lost,
    );
  if (code !== undefined && !SQLSTATE.test(code) && /CERT|TLS|SSL/.test(code)) {
    return new ProviderError(
      `${prefix}: the server's TLS certificate was not accepted (Node.js ${code}: ${base.message}); connect with the host name the certificate names, or, for a server with a self-signed certificate on a trusted network, sslmode=no-verify in the URL (database.ssl require in the config)`,
      { cause, details: { nodeCode: code } },
    );
  }
  if (/does not support SSL/i.test(base.message)) {
    return new ProviderError(
      `${prefix}: the server does not accept TLS (${base.message}); for a local server use sslmode=disable in the URL (database.ssl disable in the config)`,
      { cause },
    );
  }
  return undefined;
}

function serverError(base: Error, code: string | undefined, prefix: string, cause: unknown): ScalerError {
  const pg = base as unknown as PgErrorLike;
  const hint = typeof pg.hint === 'string' && pg.hint !== '' ? ` (hint: ${pg.hint})` : '';
  const options = { cause, details: { sqlState: code } };
  if (code === '28P01' || code === '28000') {
    return new ProviderError(
      `${prefix}: the server refused the login (${code}: ${base.message}); check database.user (the PostgreSQL role of the scaler's identity) and that Microsoft Entra authentication is enabled on the cluster`,
      options,
    );
  }
  if (code === '42501') return new SettingsNotAllowedError(`${prefix}: permission denied (${base.message})`, options);
  if ((code === '42883' || code === '42P01') && CITUS_OBJECT.test(base.message))
    return noCitusError(prefix, base.message, options);
  if (/could not acquire the lock required to (rebalance|move)/.test(base.message)) {
    return new TransientError(
      `${prefix}: ${base.message}; a shard move or a foreground rebalance (rebalance_table_shards) holds the lock until it ends`,
      options,
    );
  }
  if (/no ongoing rebalance that can be stopped/.test(base.message))
    return new RebalanceNotRunningError(`${prefix}: ${base.message}`, options);
  if (code === '0A000' && /cannot use logical replication/.test(base.message)) {
    return new ProviderError(
      `${prefix}: ${base.message}${hint}; add a primary key or REPLICA IDENTITY FULL, or use shard_transfer_mode force_logical or block_writes`,
      options,
    );
  }
  if (/could not find rebalance strategy/i.test(base.message)) {
    return new ProviderError(
      `${prefix}: ${base.message}; rebalance.strategy must name a row of pg_dist_rebalance_strategy`,
      options,
    );
  }
  return new ProviderError(
    `${prefix}: ${base.message}${code && SQLSTATE.test(code) ? ` (SQLSTATE ${code})` : code ? ` (${code})` : ''}${hint}`,
    options,
  );
}

function noCitusError(prefix: string, message: string, options: ScalerErrorOptions): NotCoordinatorError {
  return new NotCoordinatorError(
    `${prefix}: this database has no Citus (${message}); connect to the database where the citus extension is installed (SELECT * FROM pg_extension WHERE extname = 'citus'), on the coordinator (port 5432)`,
    options,
  );
}
