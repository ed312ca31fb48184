/**
 * The options every connection to a Citus coordinator gets, in one place, so the follow-up's activities and
 * `scaler rebalance` cannot differ: a connect timeout, a server-side statement timeout, a client-side query timeout
 * a little longer than it (a silent peer - a half-open TCP connection, a dropped VPN - answers nothing, not even the
 * server's own cancel), and TCP keep-alive so a dead peer is noticed between statements too.
 */
import type pg from 'pg';

export interface CitusTimeouts {
  connectTimeoutMs: number;
  /** Sent as `statement_timeout`: the server cancels a statement that runs longer. */
  statementTimeoutMs: number;
  /** The client gives up waiting for an answer; always longer than the statement timeout. */
  queryTimeoutMs: number;
  keepAliveInitialDelayMs: number;
}

export const DEFAULT_CITUS_TIMEOUTS: Readonly<CitusTimeouts> = {
  connectTimeoutMs: 15_000,
  statementTimeoutMs: 120_000,
  queryTimeoutMs: 130_000,
  keepAliveInitialDelayMs: 10_000,
};

/** The server gets this long to cancel a statement itself before the client stops waiting. */
const CANCEL_GRACE_MS = 10_000;

export const APPLICATION_NAME = 'elastic-scaler';

export type TimeoutOverrides = { [K in keyof CitusTimeouts]?: number | undefined };

/** `base` (where and as whom) plus the timeouts and keep-alive; unset timeouts take the defaults. */
export function citusClientConfig(base: pg.ClientConfig, overrides: TimeoutOverrides = {}): pg.ClientConfig {
  const timeouts = resolveTimeouts(overrides);
  return {
    ...base,
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    statement_timeout: timeouts.statementTimeoutMs,
    query_timeout: timeouts.queryTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: timeouts.keepAliveInitialDelayMs,
  };
}

export function resolveTimeouts(overrides: TimeoutOverrides = {}): CitusTimeouts {
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<CitusTimeouts>;
  const timeouts = { ...DEFAULT_CITUS_TIMEOUTS, ...defined };
  return {
    ...timeouts,
    queryTimeoutMs: Math.max(timeouts.queryTimeoutMs, timeouts.statementTimeoutMs + CANCEL_GRACE_MS),
  };
}
