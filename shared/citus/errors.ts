/**
 * PostgreSQL and Citus failures in the scaler's error family. Citus raises almost everything with SQLSTATE XX000,
 * so errors are told apart by message text as well as code (docs/citus-rebalancer.md).
 */
import { ProviderError, ScalerError, TransientError, type ScalerErrorOptions } from '../errors.js';

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

interface PgErrorLike {
  code?: unknown;
  message: string;
  detail?: unknown;
  hint?: unknown;
}

const ALREADY_RUNNING = /A rebalance is already running as job (\d+)/;
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH']);

/** The job id in "A rebalance is already running as job N", if that is what the error says. */
export function runningJobIdIn(error: unknown): number | undefined {
  const match = error instanceof Error ? ALREADY_RUNNING.exec(error.message) : null;
  return match ? Number(match[1]) : undefined;
}

export function sqlStateOf(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as unknown as PgErrorLike).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** `<action> on <where> failed: <why>[; <fix>]`, in the right category. */
export function toCitusError(error: unknown, action: string, where: string): ScalerError {
  if (error instanceof ScalerError) return error;
  const base = error instanceof Error ? error : new Error(String(error));
  const code = sqlStateOf(base);
  const pg = base as unknown as PgErrorLike;
  const hint = typeof pg.hint === 'string' && pg.hint !== '' ? ` (hint: ${pg.hint})` : '';
  const prefix = `${action} on ${where} failed`;
  const options = { cause: error, details: { sqlState: code } };
  if (code !== undefined && CONNECTION_CODES.has(code)) return new TransientError(`${prefix}: the server could not be reached (${code}); it is tried again`, options);
  if (code?.startsWith('08') || code === '57P01' || code === '57P03' || code === '53300') return new TransientError(`${prefix}: ${base.message} (${code}); it is tried again`, options);
  if (code === '28P01' || code === '28000') {
    return new ProviderError(`${prefix}: the server refused the login (${code}: ${base.message}); check database.user (the PostgreSQL role of the scaler's identity) and that Microsoft Entra authentication is enabled on the cluster`, options);
  }
  if (code === '42501') return new SettingsNotAllowedError(`${prefix}: permission denied (${base.message})`, options);
  if (/could not acquire the lock required to (rebalance|move)/.test(base.message)) {
    return new TransientError(`${prefix}: ${base.message}; a shard move or a foreground rebalance (rebalance_table_shards) holds the lock, so this is tried again once it ends`, options);
  }
  if (/no ongoing rebalance that can be stopped/.test(base.message)) return new RebalanceNotRunningError(`${prefix}: ${base.message}`, options);
  if (code === '0A000' && /cannot use logical replication/.test(base.message)) {
    return new ProviderError(`${prefix}: ${base.message}${hint}; add a primary key or REPLICA IDENTITY FULL, or use shard_transfer_mode force_logical or block_writes`, options);
  }
  if (/Could not find rebalance strategy|could not find rebalance strategy/i.test(base.message)) {
    return new ProviderError(`${prefix}: ${base.message}; rebalance.strategy must name a row of pg_dist_rebalance_strategy`, options);
  }
  return new ProviderError(`${prefix}: ${base.message}${code ? ` (SQLSTATE ${code})` : ''}${hint}`, options);
}
