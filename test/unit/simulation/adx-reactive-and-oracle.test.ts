import { describe, expect, it } from 'vitest';
import { AdxOptimizedReactive } from '../../../tools/simulation/baselines/adx-optimized-reactive.js';
import { oracleLeadMinutes, orderCurve, planOracle } from '../../../tools/simulation/baselines/oracle.js';
import { staticPeakCapacity } from '../../../tools/simulation/baselines/static-peak.js';
import { runPolicy } from '../../../tools/simulation/run.js';
import { generateScenario } from '../../../tools/simulation/scenarios.js';
import {
  config,
  EXACT_METRICS,
  feedReading,
  kustoTarget,
  parameters,
  pgTarget,
  step,
  targetOf,
  trace,
} from './builders.js';

describe('AdxOptimizedReactive', () => {
  const limits = { min: 2, max: 20 };

  it('scales out by one instance only when CPU stayed high for a whole hour', () => {
    // 59 hot minutes, then a 60th.
    const feed = feedReading('kusto-cluster', [...Array(100).fill(40), ...Array(60).fill(90)]);
    const adx = new AdxOptimizedReactive('kusto-cluster', feed, limits, () => 4);
    expect(adx.decide(159)).toBeUndefined();
    expect(adx.decide(160)).toBe(5);
  });

  it('lets one cool minute restart the hour', () => {
    const values = [...Array(100).fill(40), ...Array(60).fill(90)];
    values[130] = 70;
    const adx = new AdxOptimizedReactive('kusto-cluster', feedReading('kusto-cluster', values), limits, () => 4);
    expect(adx.decide(160)).toBeUndefined();
  });

  it('only counts evidence gathered after the last operation finished', () => {
    const feed = feedReading('kusto-cluster', Array(300).fill(90));
    const adx = new AdxOptimizedReactive('kusto-cluster', feed, limits, () => 4);
    adx.onSettled(150);
    expect(adx.decide(200)).toBeUndefined();
    expect(adx.decide(210)).toBe(5);
  });

  it('scales in by one instance, on the hour, after a quiet day at the current size', () => {
    const feed = feedReading('kusto-cluster', Array(3000).fill(20));
    const adx = new AdxOptimizedReactive('kusto-cluster', feed, limits, () => 6, undefined, 0);
    expect(adx.decide(1440)).toBe(5);
    expect(adx.decide(1441)).toBeUndefined();
    adx.onSettled(1450);
    expect(adx.decide(2880)).toBeUndefined();
    expect(adx.decide(2940)).toBe(5);
  });

  it('does not scale in when one hour of the day was busy', () => {
    const values = Array(1500).fill(20);
    for (let minute = 600; minute < 660; minute += 1) values[minute] = 60;
    const adx = new AdxOptimizedReactive(
      'kusto-cluster',
      feedReading('kusto-cluster', values),
      limits,
      () => 6,
      undefined,
      0,
    );
    expect(adx.decide(1440)).toBeUndefined();
  });

  it('never scales an elastic cluster in', () => {
    const adx = new AdxOptimizedReactive(
      'postgres-elastic-cluster',
      feedReading('postgres-elastic-cluster', Array(3000).fill(10)),
      limits,
      () => 6,
      undefined,
      0,
    );
    expect(adx.decide(1440)).toBeUndefined();
  });
});

describe('static-peak', () => {
  it('is sized for the highest load of the trace, within the limits', () => {
    expect(staticPeakCapacity(Float64Array.of(2, 7.2, 3), { min: 2, max: 20 })).toBe(8);
    expect(staticPeakCapacity(Float64Array.of(2, 27, 3), { min: 2, max: 20 })).toBe(20);
    expect(staticPeakCapacity(Float64Array.of(1, 1), { min: 3, max: 20 })).toBe(3);
  });
});

describe('oracle', () => {
  const noCost = parameters({ kusto: { reorganizationCostPerInstance: 0 }, metrics: EXACT_METRICS });
  const kusto = targetOf(config([kustoTarget()]));

  it('orders capacity exactly its lead time (provisioning + warm-up) before the load needs it', () => {
    expect(oracleLeadMinutes('kusto-cluster', noCost, { min: 2, max: 20 })).toBe(75);
    const load = trace(step(600, 300, 2, 6));
    const plan = planOracle({
      kind: 'kusto-cluster',
      trace: load,
      parameters: noCost,
      limits: { min: 2, max: 20 },
      initialCapacity: 2,
    });
    expect(plan.orders[224]).toBe(2);
    expect(plan.orders[225]).toBe(6);
    expect(plan.repairs).toBe(0);
  });

  it('serves that step without an overloaded minute, and one minute later would not', async () => {
    const load = trace(step(600, 300, 2, 6));
    const run = await runPolicy({
      kind: 'kusto-cluster',
      trace: load,
      policy: 'oracle',
      config: config([kustoTarget()]),
      target: kusto,
      parameters: noCost,
    });
    expect(run.outcomes.overloadMinutes).toBe(0);
    expect(run.outcomes.operations).toBe(1);
    const late = trace(step(600, 299, 2, 6));
    const lateRun = await runPolicy({
      kind: 'kusto-cluster',
      trace: late,
      policy: 'oracle',
      config: config([kustoTarget()]),
      target: kusto,
      parameters: noCost,
    });
    expect(lateRun.outcomes.nodeHours).toBeGreaterThan(run.outcomes.nodeHours);
  });

  it('orders earlier or more when the reorganization itself costs capacity, until nothing overloads', () => {
    // With 0.3 node of slack, adding two instances at once (0.4 of reorganization load) would overload.
    const load = trace(step(600, 300, 3.7, 6));
    const plan = planOracle({
      kind: 'kusto-cluster',
      trace: load,
      parameters: parameters({ metrics: EXACT_METRICS }),
      limits: { min: 2, max: 20 },
      initialCapacity: 4,
    });
    expect(plan.repairs).toBeGreaterThan(0);
    expect(plan.unavoidableOverloadMinutes).toBe(0);
  });

  it("never lowers an elastic cluster's order", () => {
    const orders = orderCurve(Int32Array.of(2, 5, 2, 2, 3), Int32Array.of(1, 1, 1, 1, 1), 'postgres-elastic-cluster');
    expect([...orders]).toEqual([5, 5, 5, 5, 5]);
    expect([...orderCurve(Int32Array.of(2, 5, 2, 2, 3), Int32Array.of(1, 1, 1, 1, 1), 'kusto-cluster')]).toEqual([
      5, 5, 2, 3, 3,
    ]);
  });

  it.each([
    { kind: 'kusto-cluster' as const, scenario: 'flash-spikes' as const },
    { kind: 'kusto-cluster' as const, scenario: 'noisy-flat' as const },
    { kind: 'postgres-elastic-cluster' as const, scenario: 'daily' as const },
    { kind: 'postgres-elastic-cluster' as const, scenario: 'step-change' as const },
  ])('leaves no avoidable overloaded minute in $scenario on a $kind', async ({ kind, scenario }) => {
    const load = generateScenario(scenario, { days: 6 });
    const scalerConfig = config([kind === 'kusto-cluster' ? kustoTarget() : pgTarget()]);
    const run = await runPolicy({
      kind,
      trace: load,
      policy: 'oracle',
      config: scalerConfig,
      target: targetOf(scalerConfig),
      parameters: parameters(),
    });
    const unavoidable = Number(/(\d+) overloaded minute/.exec(run.notes.notes?.join(' ') ?? '')?.[1] ?? 0);
    expect(run.outcomes.overloadMinutes).toBe(unavoidable);
    // The only unavoidable minutes are those above the 20-unit maximum.
    let aboveMax = 0;
    for (const value of load.demand) if (value > 20) aboveMax += 1;
    expect(unavoidable).toBeLessThanOrEqual(aboveMax);
  });
});
