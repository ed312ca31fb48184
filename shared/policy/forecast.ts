/**
 * The forecaster: hourly load (node-equivalents) in, the next hours' load out, with how far to trust it. Pure and
 * deterministic: the same history always gives the same forecast; nothing here reads the clock.
 *
 * Model: trend x seasonal profile. The trend is a Theil-Sen line through the daily means (robust to a day with a
 * spike or an outage); the profile is the median ratio of load to trend per hour of the day (daily model) or per
 * hour of the week (weekly model, once three weeks let it be checked on a whole week). Medians keep one-off spikes
 * out of it.
 *
 * Confidence: the model is refitted without the last day and scored on it, and again without the last two days
 * and scored on the day before the last (R^2 of the held-out day; the lower of the two). A flat noisy load has
 * nothing seasonal to explain, so its R^2 stays near or below 0: low confidence, and the reactive logic decides.
 * The held-out errors also give the margin added above the forecast. When the last hours stray far from what the
 * model explains, the forecast is `diverged` (today does not follow the pattern) and is not trusted either.
 */
import type { HourlyLoad } from './load-history.js';

export const HOUR_MS = 3_600_000;
const HOURS_PER_DAY = 24;
const HOURS_PER_WEEK = 168;

export type ForecastModel = 'daily' | 'weekly';
export type ForecastStatus = 'confident' | 'low-confidence' | 'insufficient-history' | 'diverged';

export interface ForecastSettings {
  /** Hours forecast after the end of the history. */
  horizonHours: number;
  /** Fewer days of history than this: no forecast. */
  minHistoryDays: number;
  /** Lowest held-out R^2 (0..1) that counts as seasonality found with high confidence. */
  minConfidence: number;
}

export interface ForecastPoint {
  /** Start of the hour, epoch ms. */
  startMs: number;
  /** Expected mean load of the hour, node-equivalents. */
  load: number;
}

export interface LoadForecast {
  status: ForecastStatus;
  model: ForecastModel | null;
  /** Held-out R^2, clipped to 0..1; 0 without a model. */
  confidence: number;
  /** Whole days of history the model had. */
  historyDays: number;
  /** Trend of the load, node-equivalents per day. */
  trendPerDay: number;
  /** Load added above the forecast to cover what it got wrong on held-out days (their 95th percentile error). */
  marginLoad: number;
  /** End of the history the forecast starts from, epoch ms. */
  fromMs: number;
  points: ForecastPoint[];
  /** Why the forecast is (not) trusted, for an operator. */
  message: string;
}

const HOLDOUT_HOURS = HOURS_PER_DAY;
/** Days of the profile for the daily model: a week adapts to change and still outvotes a spike. */
const DAILY_PROFILE_DAYS = 7;
const WEEKLY_PROFILE_WEEKS = 4;
/** The last hours compared with the model to see whether today follows the pattern. */
const DIVERGENCE_HOURS = 3;
const DIVERGENCE_SHARE = 0.25;
/** A held-out day whose standard deviation is below this share of its mean has nothing seasonal to explain. */
const MIN_VARIATION_SHARE = 0.01;
/** Held-out days the confidence is the worse of. */
const CONFIDENCE_DAYS = 2;
/** Held-out days the daily and weekly models compete on. */
const WEEKLY_SELECTION_DAYS = 7;
/** The trend line is kept above this, so the profile ratios stay finite (node-equivalents). */
const MIN_TREND_LOAD = 0.05;

interface FittedModel {
  model: ForecastModel;
  trendPerDay: number;
  predict: (index: number) => number;
}

export function forecastLoad(history: HourlyLoad, settings: ForecastSettings): LoadForecast {
  const values = history.values;
  const fromMs = history.startMs + values.length * HOUR_MS;
  const historyDays = Math.floor(countPresent(values) / HOURS_PER_DAY);
  const empty = { model: null, confidence: 0, historyDays, trendPerDay: 0, marginLoad: 0, fromMs, points: [] };
  if (historyDays < Math.max(2, settings.minHistoryDays)) {
    return {
      ...empty,
      status: 'insufficient-history',
      message: `${historyDays} day(s) of history; the forecast needs ${Math.max(2, settings.minHistoryDays)}`,
    };
  }
  const best = chooseModel(history);
  const fitted = fitModel(history, values.length, best.model);
  const confidence = clip01(best.r2);
  const marginLoad = Math.max(0, quantile(best.errors, 0.95));
  const points = Array.from({ length: settings.horizonHours }, (_, hour) => ({
    startMs: fromMs + hour * HOUR_MS,
    load: Math.max(0, fitted.predict(values.length + hour)),
  }));
  const base = {
    model: best.model,
    confidence,
    historyDays,
    trendPerDay: fitted.trendPerDay,
    marginLoad,
    fromMs,
    points,
  };
  const r2 = best.r2.toFixed(2);
  if (confidence < settings.minConfidence) {
    return {
      ...base,
      status: 'low-confidence',
      message: `no seasonality found with high confidence: the ${best.model} model explains ${r2} of a held-out day (needs ${settings.minConfidence})`,
    };
  }
  const divergence = recentDivergence(history, fitted, marginLoad);
  if (divergence)
    return {
      ...base,
      status: 'diverged',
      message: `the last ${DIVERGENCE_HOURS} hours do not follow the ${best.model} pattern (${divergence}); the reactive logic decides until they do`,
    };
  return {
    ...base,
    status: 'confident',
    message: `${best.model} seasonality found with confidence ${r2} over ${historyDays} day(s)`,
  };
}

/**
 * With three weeks or more, daily and weekly models compete on the last week, one held-out day at a time (a
 * weekday-only check would never see what the weekly model is for); the better mean wins. Its confidence is its
 * worse score of the last two days.
 */
function chooseModel(history: HourlyLoad): { model: ForecastModel; r2: number; errors: number[] } {
  const weeklyPossible = history.values.length - WEEKLY_SELECTION_DAYS * HOURS_PER_DAY >= 2 * HOURS_PER_WEEK;
  if (!weeklyPossible) return { model: 'daily', ...summarize(holdoutScores(history, 'daily', CONFIDENCE_DAYS)) };
  const candidates = (['daily', 'weekly'] as const).map((model) => {
    const scores = holdoutScores(history, model, WEEKLY_SELECTION_DAYS);
    const mean = scores.length > 0 ? scores.reduce((sum, score) => sum + score.r2, 0) / scores.length : -Infinity;
    return { model, mean, ...summarize(scores.slice(0, CONFIDENCE_DAYS)) };
  });
  const best = candidates.reduce((a, b) => (b.mean > a.mean ? b : a));
  return { model: best.model, r2: best.r2, errors: best.errors };
}

interface DayScore {
  r2: number;
  errors: number[];
}

function summarize(scores: DayScore[]): { r2: number; errors: number[] } {
  if (scores.length === 0) return { r2: 0, errors: [] };
  return { r2: Math.min(...scores.map((score) => score.r2)), errors: scores.flatMap((score) => score.errors) };
}

/** The last `days` days, newest first, each scored by a model fitted on the hours before it. */
function holdoutScores(history: HourlyLoad, model: ForecastModel, days: number): DayScore[] {
  const scores: DayScore[] = [];
  for (let day = 0; day < days; day += 1) {
    const holdoutEnd = history.values.length - day * HOLDOUT_HOURS;
    const fitEnd = holdoutEnd - HOLDOUT_HOURS;
    if (fitEnd < 2 * HOURS_PER_DAY) break;
    const fitted = fitModel(history, fitEnd, model);
    const actual: number[] = [];
    const predicted: number[] = [];
    for (let index = fitEnd; index < holdoutEnd; index += 1) {
      const value = history.values[index];
      if (value === null || value === undefined) continue;
      actual.push(value);
      predicted.push(fitted.predict(index));
    }
    if (actual.length < HOLDOUT_HOURS / 2) continue;
    scores.push({
      r2: rSquared(actual, predicted),
      errors: actual.map((value, index) => value - (predicted[index] ?? 0)),
    });
  }
  return scores;
}

/**
 * Trend x profile fitted on values[0, end): multiplicative, because load is: a cluster that grows by half grows its
 * peak by half, not by the night's increase.
 */
function fitModel(history: HourlyLoad, end: number, model: ForecastModel): FittedModel {
  const period = model === 'daily' ? HOURS_PER_DAY : HOURS_PER_WEEK;
  const firstHour = Math.floor(history.startMs / HOUR_MS);
  const phaseOf = (index: number) => (((firstHour + index) % period) + period) % period;
  const { intercept, slope } = dailyTrend(history.values, end, firstHour);
  const trendAt = (index: number) => Math.max(MIN_TREND_LOAD, intercept + slope * index);
  const profileStart = Math.max(
    0,
    end - (model === 'daily' ? DAILY_PROFILE_DAYS * HOURS_PER_DAY : WEEKLY_PROFILE_WEEKS * HOURS_PER_WEEK),
  );
  const ratios = ratiosByPhase(history.values, profileStart, end, period, phaseOf, trendAt);
  // An hour of the period without samples takes the median of them all (computed only when one needs it).
  let fallback: number | undefined;
  const profile = Array.from({ length: period }, (_, phase) => {
    const samples = ratios.values.subarray(ratios.offsets[phase], ratios.offsets[phase + 1]);
    return samples.length > 0 ? medianInPlace(samples) : (fallback ??= median(ratios.values));
  });
  return {
    model,
    trendPerDay: slope * HOURS_PER_DAY,
    predict: (index) => trendAt(index) * (profile[phaseOf(index)] ?? 1),
  };
}

/**
 * Load / trend over values[start, end), grouped by phase of the period in one buffer: the ratios of phase p are
 * values[offsets[p], offsets[p + 1]). A forecast fits its model some fifteen times; one buffer per fit, rather than
 * an array per phase and a sorted copy of each, keeps a fleet's forecasts from churning the heap.
 */
function ratiosByPhase(
  values: readonly (number | null)[],
  start: number,
  end: number,
  period: number,
  phaseOf: (index: number) => number,
  trendAt: (index: number) => number,
): { values: Float64Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(period + 1);
  for (let index = start; index < end; index += 1) {
    if (values[index] !== null && values[index] !== undefined) increment(offsets, phaseOf(index) + 1);
  }
  for (let phase = 0; phase < period; phase += 1)
    offsets[phase + 1] = (offsets[phase + 1] as number) + (offsets[phase] as number);
  const ratios = new Float64Array(offsets[period] as number);
  const filled = offsets.slice(0, period);
  for (let index = start; index < end; index += 1) {
    const value = values[index];
    if (value === null || value === undefined) continue;
    const phase = phaseOf(index);
    ratios[filled[phase] as number] = value / trendAt(index);
    increment(filled, phase);
  }
  return { values: ratios, offsets };
}

/** Theil-Sen line through the means of whole UTC days, as load per hour index; flat with fewer than 3 days. */
function dailyTrend(
  values: readonly (number | null)[],
  end: number,
  firstHour: number,
): { intercept: number; slope: number } {
  const firstDay = Math.floor(firstHour / HOURS_PER_DAY);
  const dayCount = end > 0 ? Math.floor((firstHour + end - 1) / HOURS_PER_DAY) - firstDay + 1 : 0;
  const sums = new Float64Array(dayCount);
  const counts = new Uint8Array(dayCount);
  for (let index = 0; index < end; index += 1) {
    const value = values[index];
    if (value === null || value === undefined) continue;
    const day = Math.floor((firstHour + index) / HOURS_PER_DAY) - firstDay;
    sums[day] = (sums[day] as number) + value;
    increment(counts, day);
  }
  // Only whole days: a partial day's mean depends on which hours it has.
  const hours: number[] = [];
  const means: number[] = [];
  for (let day = 0; day < dayCount; day += 1) {
    if (counts[day] !== HOURS_PER_DAY) continue;
    hours.push((firstDay + day) * HOURS_PER_DAY + 11.5 - firstHour);
    means.push((sums[day] as number) / HOURS_PER_DAY);
  }
  if (hours.length < 3) {
    // Summed day by day, as the line's points are.
    const total = sums.reduce((sum, daySum) => sum + daySum, 0);
    const present = counts.reduce((sum, count) => sum + count, 0);
    return { intercept: total / Math.max(1, present), slope: 0 };
  }
  const slopes = new Float64Array((hours.length * (hours.length - 1)) / 2);
  let next = 0;
  for (let i = 0; i < hours.length; i += 1) {
    for (let j = i + 1; j < hours.length; j += 1) {
      slopes[next] = ((means[j] as number) - (means[i] as number)) / ((hours[j] as number) - (hours[i] as number));
      next += 1;
    }
  }
  const slope = medianInPlace(slopes);
  const intercepts = Float64Array.from(means, (mean, index) => mean - slope * (hours[index] as number));
  return { intercept: medianInPlace(intercepts), slope };
}

function recentDivergence(history: HourlyLoad, fitted: FittedModel, marginLoad: number): string | undefined {
  const end = history.values.length;
  let actual = 0;
  let expected = 0;
  let count = 0;
  for (let index = end - DIVERGENCE_HOURS; index < end; index += 1) {
    const value = history.values[index];
    if (value === null || value === undefined) continue;
    actual += value;
    expected += fitted.predict(index);
    count += 1;
  }
  if (count === 0) return undefined;
  const gap = Math.abs(actual - expected) / count;
  if (gap <= Math.max(2 * marginLoad, (DIVERGENCE_SHARE * expected) / count)) return undefined;
  return `mean load ${(actual / count).toFixed(1)} where the model expects ${(expected / count).toFixed(1)}`;
}

/**
 * R^2 of a held-out day. A day that hardly varies (standard deviation under 1 % of its mean) has no pattern to
 * explain: 0, whatever the rounding of a near-perfect fit would say.
 */
function rSquared(actual: number[], predicted: number[]): number {
  const mean = actual.reduce((sum, value) => sum + value, 0) / actual.length;
  let total = 0;
  let residual = 0;
  actual.forEach((value, index) => {
    total += (value - mean) ** 2;
    residual += (value - (predicted[index] ?? 0)) ** 2;
  });
  if (total / actual.length <= (MIN_VARIATION_SHARE * mean) ** 2) return 0;
  return 1 - residual / total;
}

function increment(counts: Uint32Array | Uint8Array, index: number): void {
  counts[index] = (counts[index] as number) + 1;
}

function countPresent(values: readonly (number | null)[]): number {
  return values.reduce<number>((count, value) => count + (value === null ? 0 : 1), 0);
}

/** Sorted copies as typed arrays: sorted natively, without the temporary arrays of a comparator sort. */
function sortedCopy(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export function median(values: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(values));
}

/** The median of `values`, which it sorts in place. */
function medianInPlace(values: Float64Array): number {
  if (values.length === 0) return 0;
  const sorted = values.sort();
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = sortedCopy(values);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

function clip01(value: number): number {
  return Math.min(1, Math.max(0, value));
}
