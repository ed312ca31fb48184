import { describe, expect, it } from 'vitest';
import { decide } from '../../../shared/policy/decide.js';
import { cpuIn, cpuOut, flat, input, kustoTarget, pgTarget, snapshot, steadyForecast } from './builders.js';

const kustoRules = [cpuOut({ metric: 'CPU', threshold: 80 }), cpuIn()];
const kusto = (mode: 'off' | 'forecast-only' | 'act') =>
  kustoTarget({ rules: kustoRules, forecast: { mode }, maxStep: { out: 10, in: 10 } });
const cpu = (value: number) => snapshot(flat('CPU', value, 10));

describe('decide with a forecast', () => {
  it('puts the forecast into the evidence of every decision, even with forecasting off', () => {
    const decision = decide(input({ target: kusto('off'), capacity: 4, metrics: cpu(50) }));
    expect(decision.evidence.forecast).toEqual({
      mode: 'off',
      status: 'off',
      applied: false,
      message: 'forecasting is off; the reactive logic decides',
    });
  });

  it('says so when no history could be read, and lets the reactive logic decide', () => {
    const decision = decide(input({ target: kusto('act'), capacity: 4, metrics: cpu(95) }));
    expect(decision.reason).toBe('ScaleOutRuleFired');
    expect(decision.evidence.forecast).toMatchObject({ status: 'unavailable', applied: false });
  });

  it('leaves a forecast without high confidence out of the decision', () => {
    const decision = decide(
      input({
        target: kusto('act'),
        capacity: 4,
        metrics: cpu(50),
        forecast: steadyForecast(9, { status: 'low-confidence' }),
      }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'WithinThresholds' });
    expect(decision.evidence.forecast).toMatchObject({ status: 'low-confidence', applied: false });
  });

  it('scales out ahead of the forecast even though no rule fires yet, and shows the schedule', () => {
    const decision = decide(
      input({ target: kusto('act'), capacity: 4, metrics: cpu(50), forecast: steadyForecast(6) }),
    );
    // 6 node-equivalents at 85 %: 8 instances.
    expect(decision).toMatchObject({ action: 'scale-out', to: 8, reason: 'ForecastScaleOut' });
    expect(decision.evidence.forecast).toMatchObject({
      applied: true,
      capacityNow: 8,
      leadMinutes: 60,
      schedule: [{ to: 8 }],
    });
    expect(decision.evidence.forecast?.hourly).toHaveLength(24);
  });

  it('falls back to the reactive logic for a spike the forecast did not foresee', () => {
    // The forecast expects 2 node-equivalents; 4 instances at 95 % carry 3.8.
    const decision = decide(
      input({ target: kusto('act'), capacity: 4, metrics: cpu(95), forecast: steadyForecast(2) }),
    );
    expect(decision).toMatchObject({ action: 'scale-out', to: 5, reason: 'ScaleOutRuleFired' });
    expect(decision.message).toMatch(/a spike the forecast did not foresee/);
    expect(decision.evidence.forecast).toMatchObject({ spike: true, applied: true });
  });

  it('holds against a firing rule when the load is what the forecast foresaw', () => {
    const decision = decide(
      input({ target: kusto('act'), capacity: 6, metrics: cpu(83), forecast: steadyForecast(5) }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'WithinForecast' });
  });

  it('in forecast-only mode records what it would do and never acts', () => {
    const decision = decide(
      input({ target: kusto('forecast-only'), capacity: 4, metrics: cpu(50), forecast: steadyForecast(6) }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'WithinThresholds' });
    expect(decision.evidence.forecast).toMatchObject({
      applied: false,
      wouldDo: { to: 8, reason: 'ForecastScaleOut' },
    });
  });

  it('never overrides an operator request', () => {
    const decision = decide(
      input({
        target: kusto('act'),
        capacity: 4,
        metrics: cpu(50),
        forecast: steadyForecast(6),
        request: { source: 'manual', capacity: 5, reason: 'test' },
      }),
    );
    expect(decision).toMatchObject({ to: 5, reason: 'ManualRequest' });
    expect(decision.evidence.forecast?.message).toMatch(/an explicit request decides/);
  });

  it('keeps the guards: a forecast scale-out waits out the cooldown like any other', () => {
    const history = {
      lastScaleOut: {
        direction: 'out' as const,
        from: 3,
        to: 4,
        startedAt: new Date(Date.UTC(2026, 10, 22, 11, 40)),
        completedAt: new Date(Date.UTC(2026, 10, 22, 11, 55)),
      },
    };
    const decision = decide(
      input({ target: kusto('act'), capacity: 4, metrics: cpu(50), forecast: steadyForecast(6), history }),
    );
    expect(decision.reason).toBe('CooldownActive');
    expect(decision.evidence.proposal.reason).toBe('ForecastScaleOut');
  });

  it('never scales an elastic cluster in, whatever the forecast', () => {
    const target = pgTarget({ forecast: { mode: 'act' }, rules: [cpuOut()] });
    const decision = decide(
      input({ target, capacity: 8, metrics: snapshot(flat('cpu_percent', 20, 10)), forecast: steadyForecast(2) }),
    );
    expect(decision).toMatchObject({ action: 'none', reason: 'WithinForecast' });
  });

  it('scales an elastic cluster out ahead of a sustained forecast need', () => {
    const target = pgTarget({ forecast: { mode: 'act' }, rules: [cpuOut()], maxStep: { out: 5 } });
    const decision = decide(
      input({ target, capacity: 4, metrics: snapshot(flat('cpu_percent', 50, 10)), forecast: steadyForecast(5) }),
    );
    expect(decision).toMatchObject({ action: 'scale-out', to: 6, reason: 'ForecastScaleOut' });
  });
});
