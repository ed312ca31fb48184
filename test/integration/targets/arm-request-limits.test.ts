/**
 * The ARM clients against the emulator: every answer's `x-ms-ratelimit-remaining-subscription-*` header is read,
 * requests to a subscription whose budget is nearly spent are paced, a 429's Retry-After holds back the others,
 * and no more ARM requests are in flight than the limiter allows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzureEmulator, StaticTokenCredential, type AzureEmulator } from '../../../tools/emulator/index.js';
import { ArmClients } from '../../../shared/targets/azure-clients.js';
import { Limiter } from '../../../shared/concurrency.js';
import { ArmRateLimits } from '../../../shared/request-limits.js';
import { FAST_RETRY, SUBSCRIPTION } from '../../support/scaler-harness.js';

let emulator: AzureEmulator;

beforeAll(async () => {
  emulator = await startAzureEmulator({ subscriptionId: SUBSCRIPTION });
  for (let index = 0; index < 6; index += 1)
    emulator.postgres.addCluster({ resourceGroup: 'rg', name: `pg${index}`, clusterSize: 2 });
});
afterAll(async () => emulator?.close());

function clients(options: { limit?: number } = {}) {
  const waits: number[] = [];
  const rateLimits = new ArmRateLimits({
    reserve: 100,
    pacingMs: 200,
    wait: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  const limiter = new Limiter(options.limit ?? 16);
  const arm = new ArmClients({
    credential: new StaticTokenCredential(),
    endpoint: emulator.endpoint,
    tlsCa: emulator.caPem,
    retry: FAST_RETRY,
    limiter,
    rateLimits,
  });
  return { arm, rateLimits, waits, limiter };
}

describe('ARM request limits', () => {
  it('reads the remaining budget from each answer and paces once it falls below the reserve', async () => {
    const { arm, rateLimits, waits } = clients();
    const servers = arm.postgres(SUBSCRIPTION).servers;

    await servers.get('rg', 'pg0');
    const plenty = rateLimits.remainingOf(SUBSCRIPTION, 'reads');
    emulator.rateLimits.set(SUBSCRIPTION, 'reads', 51);
    await servers.get('rg', 'pg1');
    await servers.get('rg', 'pg2');

    expect(plenty).toBe(11_999);
    expect(rateLimits.remainingOf(SUBSCRIPTION, 'reads')).toBe(49);
    expect(waits).toEqual([100]);
  });

  it('keeps the requests in flight within the limiter, however many are asked for at once', async () => {
    emulator.rateLimits.set(SUBSCRIPTION, 'reads', 10_000);
    emulator.faults.delay({ ms: 20, path: '/flexibleServers/' });
    const { arm, limiter } = clients({ limit: 2 });
    const servers = arm.postgres(SUBSCRIPTION).servers;
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, limiter.inFlight)), 1);

    await Promise.all([0, 1, 2, 3, 4, 5].map((index) => servers.get('rg', `pg${index}`)));
    clearInterval(watch);
    emulator.faults.clear();

    expect(most).toBeLessThanOrEqual(2);
    expect(limiter.inFlight).toBe(0);
  });
});
