/**
 * How good a target's forecast would have been: rolling-origin, day-ahead. For each of the last days, the
 * forecaster gets only the hours before that day and forecasts it; the day's actual load scores it. Pure.
 */
import { forecastLoad, HOUR_MS, type ForecastSettings } from '../../shared/policy/forecast.js';
import type { HourlyLoad } from '../../shared/policy/load-history.js';

export interface DayScore {
  /** Start of the scored day, ISO 8601. */
  day: string;
  status: string;
  confidence: number;
  /** Share of the day's variation the forecast explained (R^2); null when it made none. */
  r2: number | null;
  /** Mean absolute error over the mean load, percent; null when it made none. */
  meanAbsolutePercentError: number | null;
  /** Share of hours whose load stayed at or under forecast + margin, percent; null when it made none. */
  coveredPercent: number | null;
}

export interface ForecastBacktest {
  days: DayScore[];
  /** Means over the days the forecast was confident. */
  confidentDays: number;
  meanR2: number | null;
  meanAbsolutePercentError: number | null;
  coveredPercent: number | null;
}

const HOURS_PER_DAY = 24;

export function backtestForecast(
  load: HourlyLoad,
  settings: Omit<ForecastSettings, 'horizonHours'>,
  days: number,
): ForecastBacktest {
  const scores: DayScore[] = [];
  for (let back = days; back >= 1; back -= 1) {
    const end = load.values.length - back * HOURS_PER_DAY;
    if (end < HOURS_PER_DAY) continue;
    const forecast = forecastLoad(
      { startMs: load.startMs, values: load.values.slice(0, end) },
      { ...settings, horizonHours: HOURS_PER_DAY },
    );
    const actual = load.values.slice(end, end + HOURS_PER_DAY);
    scores.push(
      scoreDay(
        load.startMs + end * HOUR_MS,
        forecast.status,
        forecast.confidence,
        actual,
        forecast.points.map((point) => point.load),
        forecast.marginLoad,
      ),
    );
  }
  const confident = scores.filter((score) => score.status === 'confident' && score.r2 !== null);
  const mean = (pick: (score: DayScore) => number | null) =>
    confident.length === 0
      ? null
      : round(confident.reduce((sum, score) => sum + (pick(score) ?? 0), 0) / confident.length);
  return {
    days: scores,
    confidentDays: confident.length,
    meanR2: mean((score) => score.r2),
    meanAbsolutePercentError: mean((score) => score.meanAbsolutePercentError),
    coveredPercent: mean((score) => score.coveredPercent),
  };
}

function scoreDay(
  startMs: number,
  status: string,
  confidence: number,
  actual: (number | null)[],
  predicted: number[],
  marginLoad: number,
): DayScore {
  const base = { day: new Date(startMs).toISOString(), status, confidence: round(confidence) };
  const pairs = actual.flatMap((value, hour) =>
    value === null || predicted[hour] === undefined ? [] : [[value, predicted[hour] as number] as const],
  );
  if (pairs.length === 0) return { ...base, r2: null, meanAbsolutePercentError: null, coveredPercent: null };
  const mean = pairs.reduce((sum, [value]) => sum + value, 0) / pairs.length;
  const total = pairs.reduce((sum, [value]) => sum + (value - mean) ** 2, 0);
  const residual = pairs.reduce((sum, [value, forecast]) => sum + (value - forecast) ** 2, 0);
  const absolute = pairs.reduce((sum, [value, forecast]) => sum + Math.abs(value - forecast), 0) / pairs.length;
  const covered = pairs.filter(([value, forecast]) => value <= forecast + marginLoad).length / pairs.length;
  return {
    ...base,
    r2: total === 0 ? null : round(1 - residual / total),
    meanAbsolutePercentError: mean === 0 ? null : round((100 * absolute) / mean),
    coveredPercent: round(100 * covered),
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
