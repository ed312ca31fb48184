import { describe, expect, it } from 'vitest';
import { forecastLoad, type ForecastSettings } from '../../../shared/policy/forecast.js';
import { forecastLoadAt, planCapacity, type PlanSettings } from '../../../shared/policy/forecast-plan.js';
import { learnLeadTime } from '../../../shared/policy/lead-time.js';
import { loadHistory, type CompletedChange } from '../../../shared/policy/load-history.js';
import type { HourlyLoad } from '../../../shared/policy/load-history.js';
import { SeededRandom } from '../../../tools/simulation/prng.js';

const HOUR = 3_600_000;
/** Monday 2026-01-05 00:00 UTC. */
const START = Date.UTC(2026, 0, 5);
const SETTINGS: ForecastSettings = { horizonHours: 36, minHistoryDays: 3, minConfidence: 0.8 };

/** 0 at 02:00, 1 at 14:00 UTC. */
const daytime = (hour: number) => (1 + Math.cos((2 * Math.PI * ((hour % 24) - 14)) / 24)) / 2;
const isWeekend = (hour: number) => Math.floor(hour / 24) % 7 >= 5;

function hourly(days: number, at: (hour: number, random: SeededRandom) => number, seed = 11): HourlyLoad {
  const random = new SeededRandom(seed);
  return { startMs: START, values: Array.from({ length: days * 24 }, (_, hour) => at(hour, random)) };
}

const daily = (hour: number, random: SeededRandom) => (3 + 7 * daytime(hour)) * (1 + 0.03 * random.normal());

describe('forecastLoad', () => {
  it('finds daily seasonality with high confidence and forecasts the next peak', () => {
    const forecast = forecastLoad(hourly(7, daily), SETTINGS);
    expect(forecast.status).toBe('confident');
    expect(forecast.model).toBe('daily');
    expect(forecast.confidence).toBeGreaterThan(0.9);
    const peak = forecast.points.find((point) => new Date(point.startMs).getUTCHours() === 14);
    expect(peak?.load).toBeGreaterThan(9);
    expect(peak?.load).toBeLessThan(11);
    const night = forecast.points.find((point) => new Date(point.startMs).getUTCHours() === 2);
    expect(night?.load).toBeLessThan(4);
  });

  it('follows a trend: a load growing every day is forecast above yesterday', () => {
    const growing = (hour: number, random: SeededRandom) => daily(hour, random) * (1 + (0.8 * hour) / (14 * 24));
    const forecast = forecastLoad(hourly(10, growing), SETTINGS);
    expect(forecast.status).toBe('confident');
    expect(forecast.trendPerDay).toBeGreaterThan(0.2);
    // Yesterday's 14:00 without the noise.
    const yesterdayPeak = 10 * (1 + (0.8 * (9 * 24 + 14)) / (14 * 24));
    const peak = forecast.points.find((point) => new Date(point.startMs).getUTCHours() === 14)?.load ?? 0;
    expect(peak).toBeGreaterThan(yesterdayPeak);
  });

  it('learns the weekly pattern once there are weeks of history, so weekends are forecast quiet', () => {
    const weekly = (hour: number, random: SeededRandom) =>
      (isWeekend(hour) ? 2.5 + 2 * daytime(hour) : 3 + 7 * daytime(hour)) * (1 + 0.03 * random.normal());
    // 26 days from a Monday end on a Friday night: the next day is a Saturday.
    const forecast = forecastLoad(hourly(26, weekly), SETTINGS);
    expect(forecast.model).toBe('weekly');
    expect(forecast.status).toBe('confident');
    const saturdayPeak = forecast.points.find((point) => new Date(point.startMs).getUTCHours() === 14)?.load ?? 0;
    expect(saturdayPeak).toBeLessThan(5.5);
  });

  it.each([
    { name: 'a constant load', at: () => 1.86 },
    { name: 'white noise', at: (_hour: number, random: SeededRandom) => 7 + random.normal() },
    {
      name: 'a random walk',
      at: (() => {
        let level = 7;
        return (_hour: number, random: SeededRandom) => (level = Math.max(1, level + 0.5 * random.normal()));
      })(),
    },
  ])('has low confidence on $name, so the reactive logic decides', ({ at }) => {
    const forecast = forecastLoad(hourly(10, at, 5), SETTINGS);
    expect(forecast.status).not.toBe('confident');
    expect(forecast.confidence).toBeLessThan(0.5);
  });

  it('does not forecast from fewer days than asked', () => {
    const forecast = forecastLoad(hourly(2, daily), SETTINGS);
    expect(forecast.status).toBe('insufficient-history');
    expect(forecast.points).toEqual([]);
    expect(forecast.message).toMatch(/2 day\(s\) of history; the forecast needs 3/);
  });

  it('is diverged when the last hours stray from the pattern', () => {
    const history = hourly(8, daily);
    const values = history.values.map((value, hour) =>
      hour >= history.values.length - 3 ? (value ?? 0) * 0.3 : value,
    );
    const forecast = forecastLoad({ ...history, values }, SETTINGS);
    expect(forecast.status).toBe('diverged');
  });

  it('is deterministic: the same history gives the same forecast', () => {
    expect(forecastLoad(hourly(9, daily), SETTINGS)).toEqual(forecastLoad(hourly(9, daily), SETTINGS));
  });

  it('tolerates hours without data', () => {
    const history = hourly(8, daily);
    const values = history.values.map((value, hour) => (hour % 17 === 0 ? null : value));
    expect(forecastLoad({ ...history, values }, SETTINGS).status).toBe('confident');
  });
});

describe('planCapacity', () => {
  const forecast = forecastLoad(hourly(7, daily), SETTINGS);
  const plan = (overrides: Partial<PlanSettings>) =>
    planCapacity(forecast, {
      nowMs: forecast.fromMs + 10 * 60_000,
      leadMinutes: 75,
      bounds: { min: 2, max: 20 },
      targetUtilizationPercent: 85,
      maxStepOut: 20,
      cooldownOutMinutes: 15,
      canScaleIn: true,
      ...overrides,
    });

  it('asks for the peak capacity a lead time before the peak', () => {
    const result = plan({});
    const peakLoad = Math.max(...forecast.points.slice(0, 24).map((point) => point.load)) + forecast.marginLoad;
    expect(result.peakCapacity).toBe(Math.ceil(peakLoad / 0.85));
    const firstAtPeak = result.schedule.find((change) => change.to === result.peakCapacity);
    const needed = forecast.points.find(
      (point) => forecastLoadAt(forecast, point.startMs) + forecast.marginLoad > (result.peakCapacity - 1) * 0.85,
    );
    expect(firstAtPeak && needed).toBeTruthy();
    // Started at least the lead time before the load needs that capacity.
    expect(Date.parse(firstAtPeak?.at ?? '')).toBeLessThanOrEqual((needed?.startMs ?? 0) + 30 * 60_000 - 75 * 60_000);
  });

  it('scales in after the peak only where the coming lead time allows', () => {
    const result = plan({});
    expect(
      result.schedule.some((change, index) => index > 0 && change.to < (result.schedule[index - 1]?.to ?? 0)),
    ).toBe(true);
  });

  it('never lowers capacity for a target that cannot scale in', () => {
    const result = plan({ canScaleIn: false });
    result.schedule
      .slice(1)
      .forEach((change, index) => expect(change.to).toBeGreaterThanOrEqual(result.schedule[index]?.to ?? 0));
  });

  it('starts a climb bigger than one step earlier, one operation cycle per step', () => {
    const unlimited = plan({});
    const stepped = plan({ maxStepOut: 1 });
    const firstAt = (result: typeof unlimited, to: number) =>
      Date.parse(result.schedule.find((change) => change.to >= to)?.at ?? '');
    expect(firstAt(stepped, unlimited.peakCapacity - 2)).toBeLessThan(firstAt(unlimited, unlimited.peakCapacity - 2));
  });

  it('ignores a forecast peak shorter than the lead time on a one-way target', () => {
    const spiky = {
      ...forecast,
      marginLoad: 0,
      points: forecast.points.map((point, index) => ({ ...point, load: index === 10 ? 15 : 4 })),
    };
    const oneWay = planCapacity(spiky, {
      nowMs: spiky.fromMs,
      leadMinutes: 180,
      bounds: { min: 2, max: 20 },
      targetUtilizationPercent: 100,
      maxStepOut: 20,
      cooldownOutMinutes: 15,
      canScaleIn: false,
    });
    expect(oneWay.peakCapacity).toBeLessThan(15);
    const reversible = planCapacity(spiky, {
      nowMs: spiky.fromMs,
      leadMinutes: 180,
      bounds: { min: 2, max: 20 },
      targetUtilizationPercent: 100,
      maxStepOut: 20,
      cooldownOutMinutes: 15,
      canScaleIn: true,
    });
    expect(reversible.peakCapacity).toBeGreaterThanOrEqual(10);
  });
});

describe('learnLeadTime', () => {
  const op = (
    startedMinutes: number,
    durationMinutes: number,
    overrides: Partial<CompletedChange> = {},
  ): CompletedChange => ({
    direction: 'out',
    from: 2,
    to: 3,
    status: 'succeeded',
    startedAt: new Date(START + startedMinutes * 60_000),
    completedAt: new Date(START + (startedMinutes + durationMinutes) * 60_000),
    ...overrides,
  });

  it('uses the default until a scale-out has completed', () => {
    expect(
      learnLeadTime([op(0, 5, { status: 'failed' }), op(100, 5, { direction: 'in', from: 3, to: 2 })], {
        defaultMinutes: 60,
        warmupMinutes: 0,
      }),
    ).toMatchObject({ minutes: 60, source: 'default', samples: 0 });
  });

  it('learns from the completed scale-outs: a high quantile of their durations, plus the warm-up', () => {
    const operations = [op(0, 40), op(500, 50), op(1000, 45), op(1500, 90), op(2000, 42)];
    expect(learnLeadTime(operations, { defaultMinutes: 60, warmupMinutes: 0 })).toMatchObject({
      minutes: 90,
      source: 'learned',
      samples: 5,
    });
    expect(learnLeadTime(operations.slice(0, 3), { defaultMinutes: 60, warmupMinutes: 60 })).toMatchObject({
      minutes: 110,
      source: 'learned',
      samples: 3,
    });
  });

  it('follows the most recent scale-outs only', () => {
    const old = Array.from({ length: 10 }, (_, index) => op(index * 100, 200));
    const recent = Array.from({ length: 10 }, (_, index) => op(10_000 + index * 100, 20));
    expect(learnLeadTime([...old, ...recent], { defaultMinutes: 60, warmupMinutes: 0 }).minutes).toBe(20);
  });
});

describe('loadHistory', () => {
  it('turns utilization into load with the capacity each hour had', () => {
    const hours = [0, 1, 2, 3].map((hour) => START + hour * HOUR);
    const cpu = { metric: 'CPU', values: new Map(hours.map((at) => [at, 50])) };
    // 4 -> 8 instances completed at 02:00.
    const operations: CompletedChange[] = [
      {
        direction: 'out',
        from: 4,
        to: 8,
        status: 'succeeded',
        startedAt: new Date(START + HOUR),
        completedAt: new Date(START + 2 * HOUR),
      },
    ];
    expect(loadHistory([cpu], operations, 8, START, START + 4 * HOUR).values).toEqual([2, 2, 4, 4]);
  });

  it('takes the largest of the metrics, and null where none has data', () => {
    const cpu = { metric: 'CPU', values: new Map([[START, 50]]) };
    const cache = { metric: 'CacheUtilizationFactor', values: new Map([[START, 75]]) };
    expect(loadHistory([cpu, cache], [], 4, START, START + 2 * HOUR).values).toEqual([3, null]);
  });
});
