/**
 * The standard scenarios: ten 14-day workloads that exercise different weaknesses of an autoscaler. They are
 * generated, not recorded, from one seed each, and are reproducible bit for bit. Levels are in node-equivalents
 * and sized for a cluster of 2..20 units; none is tuned to any policy (the shapes and numbers below were fixed
 * before any policy was run against them).
 *
 * Cache and ingestion demand (used for Azure Data Explorer) stay below 90 % of the CPU demand at every minute of
 * every scenario, so CPU is the binding resource and a baseline that reads CPU alone is not put at a disadvantage.
 */
import { hashSeed, SeededRandom } from './prng.js';
import type { Trace } from './trace.js';

export const SCENARIOS = [
  'daily',
  'weekly',
  'growth',
  'flash-spikes',
  'step-change',
  'noisy-flat',
  'business-hours',
  'nightly-batch',
  'launch-event',
  'organic-growth',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const SCENARIO_DESCRIPTIONS: Record<ScenarioName, string> = {
  daily: 'daily seasonality: 3 nodes at night, 10 at the 14:00 UTC peak',
  weekly: 'the daily pattern on weekdays, quiet weekends (2.5 to 4.5 nodes)',
  growth: 'the daily pattern growing steadily by 80 % over the two weeks',
  'flash-spikes': 'a modest daily pattern with about three sudden spikes a day (+4 to +9 nodes for 10 to 45 min)',
  'step-change': 'flat at 4 nodes, then a permanent step to 10 nodes on day 5 at 10:00 UTC',
  'noisy-flat': 'flat at 7 nodes with strong autocorrelated noise (standard deviation about 1 node)',
  'business-hours':
    'office hours on weekdays: 2 nodes at night, a 30-minute ramp at 08:00 to 9, a lunch dip, down at 18:00; weekends at 2',
  'nightly-batch':
    'a light day (3 to 5 nodes) and a nightly ETL batch of 12 nodes from 01:00 for 90 minutes, a little longer each day',
  'launch-event':
    'the daily pattern, 3 to 7 nodes, then a launch on day 8 at 09:00: 2.5 times the load for 8 hours, settling 30 % above the old level',
  'organic-growth':
    'a well-sized cluster at 6 nodes that grows by 35 % over the two weeks, starting right at its capacity',
};

export const SUITE_DEFAULTS = {
  days: 14,
  /** Any fixed number works; this one is the suite's identity. Change it to draw another suite. */
  seed: 20_260_105,
  /** Monday 2026-01-05 00:00 UTC, so weekday 0 is a Monday and the weekend falls on days 5-6 and 12-13. */
  startMs: Date.UTC(2026, 0, 5),
} as const;

/** Minute-to-minute multiplicative noise on every scenario's demand (3 %: a busy cluster is never perfectly smooth). */
const WHITE_NOISE = 0.03;
/** Hot-cache demand: this share of the trailing 24-hour mean of CPU demand (hot data follows the day's volume). */
const CACHE_SHARE_OF_DAILY_MEAN = 0.3;
/** Ingestion demand: this share of CPU demand (ingestion rises and falls with the load). */
const INGESTION_SHARE = 0.3;
/** Demand never falls below this: an idle cluster still runs its background work. */
const FLOOR = 0.1;

export interface ScenarioOptions {
  days?: number;
  seed?: number;
  startMs?: number;
}

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIOS as readonly string[]).includes(name);
}

export function generateScenario(name: ScenarioName, options: ScenarioOptions = {}): Trace {
  const days = options.days ?? SUITE_DEFAULTS.days;
  const startMs = options.startMs ?? SUITE_DEFAULTS.startMs;
  const random = new SeededRandom(hashSeed(options.seed ?? SUITE_DEFAULTS.seed, name));
  const minutes = Math.round(days * 1440);
  const base = SHAPES[name](minutes, random);
  const demand = new Float64Array(minutes);
  for (let minute = 0; minute < minutes; minute += 1) {
    demand[minute] = Math.max(FLOOR, (base[minute] ?? 0) * (1 + WHITE_NOISE * random.normal()));
  }
  return {
    name,
    startMs,
    demand,
    cacheDemand: cacheFrom(demand),
    ingestionDemand: demand.map((value) => value * INGESTION_SHARE),
  };
}

type Shape = (minutes: number, random: SeededRandom) => Float64Array;

/** 0 at 02:00 UTC, 1 at 14:00 UTC, a smooth daily cycle. */
function daytime(minute: number): number {
  const hour = (minute % 1440) / 60;
  return (1 + Math.cos((2 * Math.PI * (hour - 14)) / 24)) / 2;
}

/** 0 outside 08:00-18:00 UTC; a 30-minute ramp up at 08:00, a 20 % dip over lunch, a 30-minute ramp down at 17:30. */
function officeHours(minute: number): number {
  const hour = (minute % 1440) / 60;
  if (hour < 8 || hour >= 18) return 0;
  const ramp = Math.min(1, (hour - 8) / 0.5, (18 - hour) / 0.5);
  const lunch = hour >= 12 && hour < 13 ? 0.8 : 1;
  return ramp * lunch;
}

function isWeekend(minute: number): boolean {
  const day = Math.floor(minute / 1440) % 7;
  return day === 5 || day === 6;
}

const fill = (minutes: number, at: (minute: number) => number) =>
  Float64Array.from({ length: minutes }, (_, minute) => at(minute));

const SHAPES: Record<ScenarioName, Shape> = {
  daily: (minutes) => fill(minutes, (minute) => 3 + 7 * daytime(minute)),
  weekly: (minutes) =>
    fill(minutes, (minute) => (isWeekend(minute) ? 2.5 + 2 * daytime(minute) : 3 + 7 * daytime(minute))),
  growth: (minutes) => fill(minutes, (minute) => (3 + 7 * daytime(minute)) * (1 + (0.8 * minute) / minutes)),
  'flash-spikes': (minutes, random) => {
    const shape = fill(minutes, (minute) => 3 + 3 * daytime(minute));
    addSpikes(shape, random);
    return shape;
  },
  'step-change': (minutes) => fill(minutes, (minute) => (minute < 5 * 1440 + 10 * 60 ? 4 : 10)),
  'business-hours': (minutes) => fill(minutes, (minute) => (isWeekend(minute) ? 2 : 2 + 7 * officeHours(minute))),
  'nightly-batch': (minutes) =>
    fill(minutes, (minute) => {
      const day = Math.floor(minute / 1440);
      const sinceOne = (minute % 1440) - 60;
      const batch = sinceOne >= 0 && sinceOne < 90 + 5 * day ? 12 : 0;
      return Math.max(3 + 2 * daytime(minute), batch);
    }),
  'launch-event': (minutes) =>
    fill(minutes, (minute) => {
      const base = 3 + 4 * daytime(minute);
      const launch = 8 * 1440 + 9 * 60;
      if (minute < launch) return base;
      if (minute < launch + 8 * 60) return 2.5 * base;
      return 1.3 * base;
    }),
  'organic-growth': (minutes) => fill(minutes, (minute) => 5.95 * (1 + (0.35 * minute) / minutes)),
  'noisy-flat': (minutes, random) => {
    // AR(1) with phi 0.95 and innovation sd 0.31: stationary sd about 1 node, correlated over ~20 minutes.
    const shape = new Float64Array(minutes);
    let deviation = 0;
    for (let minute = 0; minute < minutes; minute += 1) {
      deviation = 0.95 * deviation + 0.31 * random.normal();
      shape[minute] = 7 + deviation;
    }
    return shape;
  },
};

/** About three spikes a day at random minutes: +4..+9 nodes, reached in 2 minutes, held 10..45, gone in 10. */
function addSpikes(shape: Float64Array, random: SeededRandom): void {
  const days = shape.length / 1440;
  const count = Math.round(3 * days);
  for (let spike = 0; spike < count; spike += 1) {
    const start = random.integer(0, shape.length - 1);
    const height = random.between(4, 9);
    const hold = random.integer(10, 45);
    const profile = (offset: number) =>
      offset < 2 ? (offset + 1) / 3 : offset < 2 + hold ? 1 : Math.max(0, 1 - (offset - 2 - hold) / 10);
    for (let offset = 0; offset < 2 + hold + 10 && start + offset < shape.length; offset += 1) {
      shape[start + offset] = (shape[start + offset] ?? 0) + height * profile(offset);
    }
  }
}

/** Trailing 24-hour mean of demand (the mean so far during the first day), times the cache share. */
function cacheFrom(demand: Float64Array): Float64Array {
  const cache = new Float64Array(demand.length);
  let sum = 0;
  for (let minute = 0; minute < demand.length; minute += 1) {
    sum += demand[minute] ?? 0;
    if (minute >= 1440) sum -= demand[minute - 1440] ?? 0;
    cache[minute] = (CACHE_SHARE_OF_DAILY_MEAN * sum) / Math.min(minute + 1, 1440);
  }
  return cache;
}
