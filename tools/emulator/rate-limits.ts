/**
 * ARM's subscription throttling: every request to a subscription-scoped path spends one read (GET) or one write
 * (anything else) of that subscription's budget, reported after it in `x-ms-ratelimit-remaining-subscription-reads`
 * or `-writes`. An empty budget answers 429 `SubscriptionRequestsThrottled` with `Retry-After`. Budgets refill
 * evenly over an hour of the emulator clock (the hourly limits ARM documents: 12,000 reads, 1,200 writes).
 */
import { armError } from './arm.js';
import type { EmulatorClock } from './clock.js';
import type { EmulatorResponse } from './http.js';
import { EMULATOR_PRINCIPAL_ID, isMetricsPath } from './faults.js';

export interface ArmRateLimitOptions {
  reads: number;
  writes: number;
}

export const DEFAULT_ARM_RATE_LIMITS: ArmRateLimitOptions = { reads: 12_000, writes: 1_200 };

const HOUR_MS = 3_600_000;
type Budget = 'reads' | 'writes';

interface Bucket {
  tokens: number;
  atMs: number;
}

export interface SpentBudget {
  headers: Record<string, string>;
  /** The 429 to answer instead of carrying the request out. */
  throttled?: EmulatorResponse;
}

export class ArmRateLimits {
  readonly #limits: ArmRateLimitOptions;
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: EmulatorClock,
    limits: Partial<ArmRateLimitOptions> = {},
  ) {
    this.#limits = { ...DEFAULT_ARM_RATE_LIMITS, ...limits };
  }

  /** Remaining reads or writes of a subscription now. */
  remaining(subscriptionId: string, budget: Budget): number {
    return Math.floor(this.#bucket(subscriptionId, budget).tokens);
  }

  /** Sets what is left of a budget (e.g. nearly spent, to test that the scaler slows down). */
  set(subscriptionId: string, budget: Budget, remaining: number): void {
    this.#buckets.set(key(subscriptionId, budget), { tokens: remaining, atMs: this.clock.nowMs() });
  }

  /** Spends one request of the path's subscription; undefined for paths outside a subscription (or metrics). */
  take(method: string, path: string): SpentBudget | undefined {
    const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(path)?.[1];
    if (subscriptionId === undefined || isMetricsPath(path)) return undefined;
    const budget: Budget = method === 'GET' ? 'reads' : 'writes';
    const bucket = this.#bucket(subscriptionId, budget);
    const header = `x-ms-ratelimit-remaining-subscription-${budget}`;
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil(((1 - bucket.tokens) * HOUR_MS) / this.#limits[budget] / 1000));
      const error = armError(
        429,
        'SubscriptionRequestsThrottled',
        `Number of '${budget === 'reads' ? 'read' : 'write'}' requests for subscription '${subscriptionId}' actor '${EMULATOR_PRINCIPAL_ID}' exceeded. ` +
          `Please try again after '${retryAfter}' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling`,
        { 'Retry-After': String(retryAfter), [header]: '0' },
      );
      return { headers: {}, throttled: error.toResponse() };
    }
    bucket.tokens -= 1;
    return { headers: { [header]: String(Math.floor(bucket.tokens)) } };
  }

  #bucket(subscriptionId: string, budget: Budget): Bucket {
    const limit = this.#limits[budget];
    const now = this.clock.nowMs();
    const bucket = this.#buckets.get(key(subscriptionId, budget)) ?? { tokens: limit, atMs: now };
    bucket.tokens = Math.min(limit, bucket.tokens + ((now - bucket.atMs) * limit) / HOUR_MS);
    bucket.atMs = now;
    this.#buckets.set(key(subscriptionId, budget), bucket);
    return bucket;
  }
}

function key(subscriptionId: string, budget: Budget): string {
  return `${subscriptionId.toLowerCase()}/${budget}`;
}
