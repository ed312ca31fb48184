import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateScenario, SCENARIOS, type ScenarioName } from '../../../tools/simulation/scenarios.js';
import type { Trace } from '../../../tools/simulation/trace.js';

function digest(trace: Trace): string {
  const hash = createHash('sha256');
  for (const values of [trace.demand, trace.cacheDemand, trace.ingestionDemand]) {
    if (values) hash.update(Buffer.from(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}

function mean(values: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let minute = from; minute < to; minute += 1) sum += values[minute] ?? 0;
  return sum / (to - from);
}

/** SHA-256 of each scenario's three Float64 columns with the default seed: the suite, bit for bit. */
const PINNED: Record<ScenarioName, string> = {
  daily: '0a7745bb8eca84a1e979ccfcecfcb2984f93487800838e8f8e1203a4b5db48f0',
  weekly: '50bbd1e79e182dc7c185097d114c8feceb5013130fa8a55863c5602fd8a6b2fd',
  growth: '553f068d296c82ac168958fe4abc35e97ee56f738170195529fae9972933f774',
  'flash-spikes': '9fba039e896663dc6ff12343dabf7e30f760cf2c27a58d13304a0429ab6a161d',
  'step-change': '1935557843319fef8153741920beba1132fe3ba4063a895060ab7a82751eb8df',
  'noisy-flat': 'd7e3d609d2c662e7df8c5a2f148e11992b3b4875f553f4bf6ece30d36401b256',
  'business-hours': '174939d88f1d64e99d7510ddfd18637ae6d1e94f7d8b06a3d6e22a784f1b2d15',
  'nightly-batch': 'ebdbb903a4f242067172178f7bbe463dfdc9327bc554591079a9390d96eeed7a',
  'launch-event': '7a3ba2a7f7164c7cd6971a9783069ccf3cd6562323a05e4c0e01fafd70bf3616',
  'organic-growth': '708ef86c1e35eef5f82e15c5f5a7a34062d740dca785dc9128dec029f6021396',
};

describe('generateScenario', () => {
  it.each(SCENARIOS.map((name) => ({ name })))('reproduces $name bit for bit', ({ name }) => {
    const first = generateScenario(name);
    expect(first.demand).toHaveLength(14 * 1440);
    expect(digest(first)).toBe(PINNED[name]);
    expect(digest(generateScenario(name))).toBe(digest(first));
  });

  it('draws a different suite from another seed', () => {
    expect(digest(generateScenario('noisy-flat', { seed: 1 }))).not.toBe(
      digest(generateScenario('noisy-flat', { seed: 2 })),
    );
  });

  it.each(SCENARIOS.map((name) => ({ name })))(
    'keeps cache and ingestion demand below 90 % of CPU demand in $name',
    ({ name }) => {
      const trace = generateScenario(name);
      let worst = 0;
      trace.demand.forEach((demand, minute) => {
        worst = Math.max(
          worst,
          (trace.cacheDemand?.[minute] ?? 0) / demand,
          (trace.ingestionDemand?.[minute] ?? 0) / demand,
        );
      });
      expect(worst).toBeLessThan(0.9);
    },
  );

  it('gives weekly quiet weekends (days 5 and 6 of each week)', () => {
    const { demand } = generateScenario('weekly');
    expect(mean(demand, 5 * 1440, 7 * 1440)).toBeLessThan(0.7 * mean(demand, 0, 5 * 1440));
  });

  it('steps the step-change scenario up from 4 to 10 nodes on day 5 at 10:00', () => {
    const { demand } = generateScenario('step-change');
    const stepAt = 5 * 1440 + 600;
    expect(mean(demand, stepAt - 600, stepAt)).toBeCloseTo(4, 0);
    expect(mean(demand, stepAt, stepAt + 600)).toBeCloseTo(10, 0);
  });

  it('ends the growth scenario about 80 % above where it started', () => {
    const { demand } = generateScenario('growth');
    const ratio = mean(demand, 13 * 1440, 14 * 1440) / mean(demand, 0, 1440);
    expect(ratio).toBeGreaterThan(1.65);
    expect(ratio).toBeLessThan(1.85);
  });

  it('adds about three spikes a day (42 in 14 days, some overlapping) to flash-spikes', () => {
    const { demand } = generateScenario('flash-spikes');
    // The scenario's base: 3 nodes at night to 6 at 14:00 UTC; a spike adds 4 to 9 nodes on top.
    const base = (minute: number) => 3 + 1.5 * (1 + Math.cos((2 * Math.PI * ((minute % 1440) / 60 - 14)) / 24));
    const spiking = (minute: number) => (demand[minute] ?? 0) - base(minute) > 2.5;
    let spikes = 0;
    for (let minute = 1; minute < demand.length; minute += 1) if (spiking(minute) && !spiking(minute - 1)) spikes += 1;
    expect(spikes).toBeGreaterThan(30);
    expect(spikes).toBeLessThanOrEqual(42);
  });

  it('starts every scenario on the suite start, a Monday at 00:00 UTC', () => {
    expect(new Date(generateScenario('daily').startMs).toISOString()).toBe('2026-01-05T00:00:00.000Z');
    expect(new Date(generateScenario('daily').startMs).getUTCDay()).toBe(1);
  });
});
