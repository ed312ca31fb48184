/**
 * From a forecast to a schedule of ahead-of-time operations. Pure.
 *
 * Capacity needed at a moment: the forecast load plus its margin at `targetUtilizationPercent`, within the limits.
 * Capacity to have at t: the most needed over [t, t + lead], because a scale-out started at t only carries load
 * from t + lead on. Steps are limited (maxStep.out, one operation at a time, each taking the lead time plus the
 * scale-out cooldown), so a climb bigger than one step starts earlier, one cycle per step.
 * Targets that cannot scale in (elastic clusters) ignore any forecast peak shorter than the lead time: a node
 * added for it would arrive after the peak and stay forever. Their capacity never goes down in the schedule.
 */
import { HOUR_MS, type LoadForecast } from './forecast.js';

const SLOT_MINUTES = 5;
const SLOT_MS = SLOT_MINUTES * 60_000;
/** Schedule entries kept in the evidence. */
const MAX_SCHEDULE_ENTRIES = 24;

export interface PlanSettings {
  nowMs: number;
  leadMinutes: number;
  bounds: { min: number; max: number };
  targetUtilizationPercent: number;
  maxStepOut: number;
  cooldownOutMinutes: number;
  canScaleIn: boolean;
}

export interface ScheduledChange {
  /** When the operation starts, ISO 8601. */
  at: string;
  to: number;
}

export interface CapacityPlan {
  /** Capacity the schedule asks for now. */
  capacityNow: number;
  /** Forecast load now, with its margin (node-equivalents). */
  upperLoadNow: number;
  /** Highest capacity the schedule asks for over the horizon. */
  peakCapacity: number;
  /** The operations the schedule starts, in time order; the first may be the one due now. */
  schedule: ScheduledChange[];
}

/** Forecast load at a moment: each hour's mean sits at the middle of the hour; in between, a straight line. */
export function forecastLoadAt(forecast: LoadForecast, atMs: number): number {
  const { points } = forecast;
  if (points.length === 0) return 0;
  const position = (atMs - forecast.fromMs) / HOUR_MS - 0.5;
  if (position <= 0) return (points[0] as { load: number }).load;
  if (position >= points.length - 1) return (points[points.length - 1] as { load: number }).load;
  const index = Math.floor(position);
  const a = (points[index] as { load: number }).load;
  const b = (points[index + 1] as { load: number }).load;
  return a + (b - a) * (position - index);
}

export function planCapacity(forecast: LoadForecast, settings: PlanSettings): CapacityPlan {
  const endMs = forecast.fromMs + forecast.points.length * HOUR_MS;
  const slots = Math.max(1, Math.floor((endMs - settings.nowMs) / SLOT_MS));
  const need = Array.from({ length: slots }, (_, slot) =>
    unitsFor(forecastLoadAt(forecast, settings.nowMs + slot * SLOT_MS) + forecast.marginLoad, settings),
  );
  const leadSlots = Math.max(1, Math.ceil(settings.leadMinutes / SLOT_MINUTES));
  const sustained = settings.canScaleIn ? need : opening(need, leadSlots);
  const ahead = forwardMax(sustained, leadSlots);
  const stepped = withStepLimit(
    ahead,
    Math.ceil((settings.leadMinutes + settings.cooldownOutMinutes) / SLOT_MINUTES),
    settings.maxStepOut,
  );
  const planned = settings.canScaleIn ? stepped : runningMax(stepped);
  return {
    capacityNow: planned[0] as number,
    upperLoadNow: forecastLoadAt(forecast, settings.nowMs) + forecast.marginLoad,
    peakCapacity: Math.max(...planned),
    schedule: changesOf(planned, settings.nowMs),
  };
}

function unitsFor(load: number, settings: PlanSettings): number {
  const units = Math.ceil((load * 100) / settings.targetUtilizationPercent - 1e-9);
  return Math.min(settings.bounds.max, Math.max(settings.bounds.min, units));
}

/** Max over [i, i + width]: what a change started at i must already cover. */
function forwardMax(values: number[], width: number): number[] {
  return values.map((_, index) => Math.max(...values.slice(index, index + width + 1)));
}

/** Morphological opening (min then max over `width`): removes peaks narrower than `width`, keeps wider ones whole. */
function opening(values: number[], width: number): number[] {
  const eroded = values.map((_, index) => Math.min(...values.slice(index, index + width)));
  return values.map((_, index) => Math.max(...eroded.slice(Math.max(0, index - width + 1), index + 1)));
}

/** To be at c by slot i + cycle, be at c - step by slot i (one operation per cycle). */
function withStepLimit(values: number[], cycleSlots: number, step: number): number[] {
  const result = [...values];
  for (let index = result.length - 1 - cycleSlots; index >= 0; index -= 1) {
    result[index] = Math.max(result[index] as number, (result[index + cycleSlots] as number) - step);
  }
  return result;
}

function runningMax(values: number[]): number[] {
  let highest = -Infinity;
  return values.map((value) => (highest = Math.max(highest, value)));
}

function changesOf(planned: number[], nowMs: number): ScheduledChange[] {
  const changes: ScheduledChange[] = [{ at: new Date(nowMs).toISOString(), to: planned[0] as number }];
  for (let slot = 1; slot < planned.length && changes.length < MAX_SCHEDULE_ENTRIES; slot += 1) {
    if (planned[slot] !== planned[slot - 1])
      changes.push({ at: new Date(nowMs + slot * SLOT_MS).toISOString(), to: planned[slot] as number });
  }
  return changes;
}
