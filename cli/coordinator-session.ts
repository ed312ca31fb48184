/**
 * One connection to the coordinator that outlives it: when a statement fails because the connection was lost (a
 * coordinator restart, a worker unreachable from this session, a silent network), the session closes it, waits with
 * backoff, opens a new one and runs the statement again, until `giveUpAfterMs` of failures in a row. Only for reads
 * and other statements that are safe to repeat. Time passes through the injected clock and sleeper, so tests run
 * in virtual time.
 */
import type { CitusClient } from '../shared/citus/citus-client.js';
import { isConnectionFailure } from '../shared/citus/errors.js';
import { describeError } from '../shared/vocabulary/errors.js';

export interface ReconnectPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Failures in a row for this long end the session with the first failure's error. */
  giveUpAfterMs: number;
}

export const DEFAULT_RECONNECT: Readonly<ReconnectPolicy> = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  giveUpAfterMs: 15 * 60_000,
};

export interface ConnectionLost {
  /** The failure, first line only. */
  reason: string;
  attempt: number;
  retryInMs: number;
}

export interface SessionDependencies {
  connect: () => Promise<CitusClient>;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  onConnectionLost?: (lost: ConnectionLost) => void;
  onReconnected?: (afterAttempts: number, afterMs: number) => void;
  reconnect?: Partial<ReconnectPolicy> | undefined;
}

export class CoordinatorSession {
  private current: CitusClient | undefined;
  private readonly policy: ReconnectPolicy;

  constructor(
    private readonly deps: SessionDependencies,
    first?: CitusClient,
  ) {
    this.current = first;
    this.policy = { ...DEFAULT_RECONNECT, ...deps.reconnect };
  }

  /** The open connection (opened on first use); for statements that must not be repeated. */
  async client(): Promise<CitusClient> {
    this.current ??= await this.deps.connect();
    return this.current;
  }

  /** Runs `work`, again on a new connection after a lost one. */
  async retrying<T>(work: (sql: CitusClient) => Promise<T>): Promise<T> {
    let firstFailure: { error: unknown; at: number } | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await work(await this.client());
        if (firstFailure) this.deps.onReconnected?.(attempt - 1, this.deps.clock().getTime() - firstFailure.at);
        return result;
      } catch (error) {
        if (!isConnectionFailure(error)) throw error;
        firstFailure ??= { error, at: this.deps.clock().getTime() };
        await this.drop();
        if (this.deps.clock().getTime() - firstFailure.at >= this.policy.giveUpAfterMs) throw firstFailure.error;
        const retryInMs = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (attempt - 1));
        this.deps.onConnectionLost?.({ reason: firstLine(describeError(error)), attempt, retryInMs });
        await this.deps.sleep(retryInMs);
      }
    }
  }

  /** Runs `work` on a connection opened for it (closing the old one), retrying like `retrying`. */
  async fresh<T>(work: (sql: CitusClient) => Promise<T>): Promise<T> {
    await this.drop();
    return this.retrying(work);
  }

  async close(): Promise<void> {
    await this.drop();
  }

  private async drop(): Promise<void> {
    const client = this.current;
    this.current = undefined;
    await client?.close();
  }
}

export function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? '';
}
