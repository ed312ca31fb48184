/**
 * Pipeline policies shared by the Azure SDK clients: a bound on requests in flight per service, and ARM's
 * subscription budgets (`x-ms-ratelimit-remaining-subscription-reads` / `-writes`) read from every answer so the
 * scaler slows down before ARM throttles it. A 429's `Retry-After` is honoured by the SDK's own retry policy for
 * the request that got it; `ArmRateLimits` makes every other request to that subscription wait as long.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Limiter } from './concurrency.js';

/** One request of each attempt (retries included) holds a slot only while it is on the wire. */
export function concurrencyPolicy(name: string, limiter: Limiter): PipelinePolicy {
  return { name: `${name}ConcurrencyLimit`, sendRequest: (request, next) => limiter.run(() => next(request)) };
}

export interface ArmRateLimitSettings {
  /** Below this many remaining reads (or writes), requests to that subscription are paced. */
  reserve: number;
  /** The pause before each paced request. */
  pacingMs: number;
  /** Clock and sleep, injectable for tests. */
  now?: () => number;
  wait?: (ms: number) => Promise<void>;
}

export const DEFAULT_ARM_RATE_LIMIT_SETTINGS = { reserve: 100, pacingMs: 250 } as const;

type Budget = 'reads' | 'writes';

/** What ARM last said of each subscription's budgets, and how long a 429 asked everyone to wait. */
export class ArmRateLimits {
  private readonly remaining = new Map<string, number>();
  private readonly blockedUntil = new Map<string, number>();
  /** The last paced request's turn per subscription budget: paced requests go one after the other. */
  private readonly queue = new Map<string, Promise<void>>();
  /** Requests that waited before being sent, for logs and the bench. */
  paced = 0;
  private readonly now: () => number;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(private readonly settings: ArmRateLimitSettings = DEFAULT_ARM_RATE_LIMIT_SETTINGS) {
    this.now = settings.now ?? (() => Date.now());
    this.wait = settings.wait ?? ((ms) => sleep(ms));
  }

  /**
   * Waits as long as the subscription's budget asks: a 429's Retry-After for everyone, and near the reserve one
   * request after the other, each after a pause that grows as the budget shrinks.
   */
  async before(subscriptionId: string, budget: Budget): Promise<void> {
    const key = keyOf(subscriptionId, budget);
    const blockedMs = (this.blockedUntil.get(key) ?? 0) - this.now();
    if (blockedMs > 0) {
      this.paced += 1;
      await this.wait(blockedMs);
    }
    const remaining = this.remaining.get(key);
    if (remaining === undefined || remaining >= this.settings.reserve) return;
    this.paced += 1;
    const pauseMs = this.settings.pacingMs * (1 - remaining / this.settings.reserve);
    const turn = (this.queue.get(key) ?? Promise.resolve()).then(() => this.wait(pauseMs));
    this.queue.set(key, turn);
    await turn;
  }

  observe(
    subscriptionId: string,
    budget: Budget,
    answer: { status: number; remaining?: number; retryAfterSeconds?: number },
  ) {
    const key = keyOf(subscriptionId, budget);
    if (answer.remaining !== undefined) this.remaining.set(key, answer.remaining);
    if (answer.status === 429 && answer.retryAfterSeconds !== undefined)
      this.blockedUntil.set(key, this.now() + answer.retryAfterSeconds * 1000);
  }

  /** What ARM last reported as left, or undefined before the first answer. */
  remainingOf(subscriptionId: string, budget: Budget): number | undefined {
    return this.remaining.get(keyOf(subscriptionId, budget));
  }

  policy(): PipelinePolicy {
    return {
      name: 'armRateLimits',
      sendRequest: async (request, next) => {
        const subscriptionId = /\/subscriptions\/([^/?]+)/i.exec(new URL(request.url).pathname)?.[1];
        if (!subscriptionId) return next(request);
        const budget: Budget = request.method === 'GET' ? 'reads' : 'writes';
        await this.before(subscriptionId, budget);
        const response = await next(request);
        const remaining = numericHeader(response.headers, `x-ms-ratelimit-remaining-subscription-${budget}`);
        const retryAfterSeconds = numericHeader(response.headers, 'retry-after');
        this.observe(subscriptionId, budget, {
          status: response.status,
          ...(remaining !== undefined ? { remaining } : {}),
          ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
        });
        return response;
      },
    };
  }
}

/** A header's numeric value; undefined when it is absent or not a number (`Number(null)` would be 0). */
export function numericHeader(headers: { get(name: string): string | undefined }, name: string): number | undefined {
  const value = headers.get(name);
  const number = value === undefined ? Number.NaN : Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function keyOf(subscriptionId: string, budget: Budget): string {
  return `${subscriptionId.toLowerCase()}/${budget}`;
}
