/**
 * One timer tick with predictive scaling, end to end: the app's own composition root, the ARM/Monitor emulator
 * (weeks of a daily CPU cycle) and Azurite. The forecast and its schedule are in the decision's evidence; in
 * `act` mode the schedule scales out ahead of the coming peak, in `forecast-only` mode it only says what it would do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../tools/emulator/index.js';
import { acceptedPatches, kustoResourceId, startHarness, tick, type Harness } from '../support/scaler-harness.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';
import type { Services } from '../../functions/composition-root.js';

const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.stop());

/** A daily CPU cycle at 4 instances whose peak (95 %) comes in an hour; 35 % at its low. */
function dailyCpuPeakingSoon(resourceId: string) {
  const peakMs = harness.emulator.clock.nowMs() + HOUR_MS;
  harness.emulator.metrics.set(
    resourceId,
    'CPU',
    (minuteMs) => 65 + 30 * Math.cos((2 * Math.PI * (minuteMs - peakMs)) / DAY_MS),
  );
}

function kustoTarget(name: string, mode: 'act' | 'forecast-only') {
  return {
    name,
    kind: 'kusto-cluster',
    resourceId: kustoResourceId(name),
    mode: 'custom',
    limits: { min: 2, max: 10 },
    rules: [
      { name: 'cpu-high', metric: 'CPU', operator: 'GreaterThan', threshold: 75, direction: 'out', windowMinutes: 10 },
    ],
    forecast: { mode, historyDays: 14 },
  };
}

async function lastDecision(services: Services, target: string) {
  const [record] = await services.state.listDecisions(target, 1);
  return record?.decision;
}

describe('a timer tick with predictive scaling', () => {
  it('scales out ahead of the forecast peak and records the forecast and its schedule', async () => {
    const { id } = harness.emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'fc-act', capacity: 4 });
    dailyCpuPeakingSoon(id);
    const services = await harness.services({ version: 1, targets: [kustoTarget('fc-act', 'act')] } as ConfigInput);

    await tick(services);

    const decision = await lastDecision(services, 'fc-act');
    expect(decision).toMatchObject({ action: 'scale-out', from: 4, reason: 'ForecastScaleOut' });
    const forecast = decision?.evidence.forecast;
    expect(forecast).toMatchObject({
      mode: 'act',
      status: 'confident',
      applied: true,
      model: 'daily',
      historyDays: 14,
      leadSource: 'default',
      leadMinutes: 75,
    });
    expect(forecast?.confidence).toBeGreaterThan(0.9);
    expect(forecast?.schedule?.[0]).toMatchObject({ to: decision?.to });
    expect(forecast?.hourly).toHaveLength(24);
    expect(acceptedPatches(harness.emulator, 'fc-act')).toHaveLength(1);

    // The next tick, a minute later, reads no history: the hour is not over, and the composition root's reader remembers it.
    harness.emulator.clock.advance(MINUTE_MS);
    await tick(services);
    expect(services.forecasts.historyRequests).toBe(1);
    expect((await lastDecision(services, 'fc-act'))?.evidence.forecast?.status).toBe('confident');
  });

  it('in forecast-only mode records what the forecast would do and lets the reactive rules decide', async () => {
    const { id } = harness.emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'fc-only', capacity: 4 });
    dailyCpuPeakingSoon(id);
    const services = await harness.services({
      version: 1,
      targets: [kustoTarget('fc-only', 'forecast-only')],
    } as ConfigInput);

    await tick(services);

    const decision = await lastDecision(services, 'fc-only');
    expect(decision?.reason).toBe('ScaleOutRuleFired');
    expect(decision?.evidence.forecast).toMatchObject({
      mode: 'forecast-only',
      status: 'confident',
      applied: false,
      wouldDo: { reason: 'ForecastScaleOut' },
    });
    expect(decision?.evidence.forecast?.message).toMatch(/forecast-only mode: would go to \d+ instances/);
  });
});
