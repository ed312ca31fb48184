/**
 * Scriptable metric load: a function from the start of a minute (ms since epoch, a multiple of 60 000) to that
 * minute's value. `null` means the service has no data point for that minute. A plain number is one sample
 * (average = minimum = maximum = total = the number, count = 1); a `MinuteSample` sets the statistics it names
 * (`{ count: 90 }` for an event-count metric such as Kusto's QueryResult) and derives the others where it can.
 */
export interface MinuteSample {
  average?: number;
  minimum?: number;
  maximum?: number;
  total?: number;
  count?: number;
}

export type MinuteValue = number | MinuteSample | null;
export type MetricLoad = (minuteStartMs: number) => MinuteValue;

export const MINUTE_MS = 60_000;

export function constant(value: MinuteValue): MetricLoad {
  return () => value;
}

export interface PlateauOptions {
  from: Date;
  minutes: number;
  value: MinuteValue;
  /** Value outside the plateau. */
  otherwise: MinuteValue;
}

/** "CPU 92 % from t0 for 70 minutes, otherwise 30 %": `plateau({ from: t0, minutes: 70, value: 92, otherwise: 30 })`. */
export function plateau({ from, minutes, value, otherwise }: PlateauOptions): MetricLoad {
  const startMs = from.getTime();
  const endMs = startMs + minutes * MINUTE_MS;
  return (minuteStartMs) => (minuteStartMs >= startMs && minuteStartMs < endMs ? value : otherwise);
}

export interface Step {
  at: Date;
  value: MinuteValue;
}

/** Piecewise constant: `initial` until the first step, then each step's value from its `at` on. */
export function steps(initial: MinuteValue, changes: readonly Step[]): MetricLoad {
  const ordered = [...changes].sort((a, b) => a.at.getTime() - b.at.getTime());
  return (minuteStartMs) => {
    let current = initial;
    for (const change of ordered) {
      if (change.at.getTime() > minuteStartMs) break;
      current = change.value;
    }
    return current;
  };
}

/** Explicit values, one per minute from `from`; `otherwise` before and after them. */
export function perMinute(from: Date, values: readonly MinuteValue[], otherwise: MinuteValue = null): MetricLoad {
  const startMs = from.getTime();
  return (minuteStartMs) => {
    const index = Math.floor((minuteStartMs - startMs) / MINUTE_MS);
    return index >= 0 && index < values.length ? (values[index] ?? null) : otherwise;
  };
}

export interface RampOptions {
  from: Date;
  minutes: number;
  startValue: number;
  endValue: number;
}

/** Linear ramp over `minutes`; holds `startValue` before it and `endValue` after it. */
export function ramp({ from, minutes, startValue, endValue }: RampOptions): MetricLoad {
  const startMs = from.getTime();
  const spanMs = minutes * MINUTE_MS;
  return (minuteStartMs) => {
    const progress = Math.min(1, Math.max(0, (minuteStartMs - startMs) / spanMs));
    return startValue + (endValue - startValue) * progress;
  };
}

/** The same load with no data at all for `minutes` from `from` (an ingestion gap). */
export function withGap(load: MetricLoad, gap: { from: Date; minutes: number }): MetricLoad {
  const gapStartMs = gap.from.getTime();
  const gapEndMs = gapStartMs + gap.minutes * MINUTE_MS;
  return (minuteStartMs) => (minuteStartMs >= gapStartMs && minuteStartMs < gapEndMs ? null : load(minuteStartMs));
}
