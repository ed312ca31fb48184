import { describe, expect, it } from 'vitest';
import { desiredReplicas, Hpa } from '../../../tools/simulation/baselines/hpa.js';
import { feedReading } from './builders.js';

describe('desiredReplicas (replica_calculator.go)', () => {
  it.each([
    { name: '76 % on a 70 % target is within the 0.1 tolerance', utilization: 76, expected: 10 },
    { name: '76.9 % is still within it', utilization: 76.9, expected: 10 },
    { name: '78 % is outside: ceil(10 x 78 / 70)', utilization: 78, expected: 12 },
    { name: '64 % is within the tolerance downwards', utilization: 64, expected: 10 },
    { name: '60 % is outside: ceil(10 x 60 / 70)', utilization: 60, expected: 9 },
    { name: '140 % doubles', utilization: 140, expected: 20 },
  ])('$name', ({ utilization, expected }) => {
    expect(desiredReplicas({ currentReplicas: 10, readyReplicas: 10, utilizationPercent: utilization })).toBe(expected);
  });

  it('counts units still provisioning as idle when scaling up, which damps or cancels the step', () => {
    // 8 ready at 100 %, 2 provisioning: 8 x 100 / 10 = 80 % over all units, ratio 1.14: ceil(1.14 x 10) = 12.
    expect(desiredReplicas({ currentReplicas: 10, readyReplicas: 8, utilizationPercent: 100 })).toBe(12);
    // 8 ready at 84 %: 67 % over all units is within the tolerance: no change.
    expect(desiredReplicas({ currentReplicas: 10, readyReplicas: 8, utilizationPercent: 84 })).toBe(10);
  });
});

describe('Hpa', () => {
  const limits = { min: 2, max: 20 };

  it('scales down only to the highest recommendation of the last 5 minutes', () => {
    // 90 % for a while, then a dip to 30 % from minute 10 on.
    const feed = feedReading('kusto-cluster', [...Array(10).fill(70), ...Array(10).fill(30)]);
    const hpa = new Hpa('kusto-cluster', feed, limits, () => ({ current: 10, ready: 10 }));
    const asked = [10, 11, 12, 13, 14, 15, 16].map((minute) => hpa.decide(minute));
    // Minutes 11..14 still see a recommendation of 10 within the window; minute 15's window holds only dips.
    expect(asked).toEqual([undefined, undefined, undefined, undefined, undefined, 5, 5]);
  });

  it('scales up at once, at most by max(100 %, 4 units) per step', () => {
    const feed = feedReading('kusto-cluster', Array(5).fill(100));
    const hpa = new Hpa('kusto-cluster', feed, { min: 2, max: 50 }, () => ({ current: 2, ready: 2 }));
    // ceil(2 x 100 / 70) = 3.
    expect(hpa.decide(3)).toBe(3);
    const big = new Hpa(
      'kusto-cluster',
      feedReading('kusto-cluster', Array(5).fill(100)),
      { min: 2, max: 50 },
      () => ({ current: 2, ready: 2 }),
      {
        targetUtilizationPercent: 10,
        tolerance: 0.1,
        downscaleStabilizationMinutes: 5,
        scaleUpLimit: { percent: 100, units: 4 },
      },
    );
    // ceil(2 x 100 / 10) = 20, limited to 2 + max(2, 4) = 6.
    expect(big.decide(3)).toBe(6);
  });

  it('skips scaling while no sample can be read yet', () => {
    const feed = feedReading('kusto-cluster', Array(5).fill(100), { lag: 10 });
    expect(new Hpa('kusto-cluster', feed, limits, () => ({ current: 4, ready: 4 })).decide(-PREFILL)).toBeUndefined();
  });

  it('never asks an elastic cluster to shrink', () => {
    const feed = feedReading('postgres-elastic-cluster', Array(20).fill(10));
    const hpa = new Hpa('postgres-elastic-cluster', feed, limits, () => ({ current: 10, ready: 10 }));
    expect([6, 12, 19].map((minute) => hpa.decide(minute))).toEqual([undefined, undefined, undefined]);
  });
});

const PREFILL = 26 * 60;
