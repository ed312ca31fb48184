/**
 * The load a forecast is made of: per hour, what the cluster had to serve in node-equivalents, i.e. utilization x
 * capacity. Utilization alone would not do: it halves when capacity doubles, though the load did not change.
 * Capacity per hour comes from the target's own succeeded operations (capacity changes when one completes),
 * counted back from the capacity ARM reports now. Pure.
 */

const HOUR_MS = 3_600_000;

export interface HourlyLoad {
  /** Start of the first hour, epoch ms, on an hour boundary. */
  startMs: number;
  /** One value per hour; null where no metric had data. */
  values: (number | null)[];
}

/** Hourly averages of one utilization metric (percent), as read from Azure Monitor with a PT1H interval. */
export interface HourlyUtilization {
  metric: string;
  /** Hour start (epoch ms) -> average percent. */
  values: ReadonlyMap<number, number>;
}

/**
 * Load per hour over [startMs, endMs): the largest utilization x capacity of the metrics, where capacity is the
 * hour's time-weighted capacity from the operations. `operations` may come in any order; only succeeded ones
 * with a completion count.
 */
export function loadHistory(
  utilization: readonly HourlyUtilization[],
  operations: readonly CompletedChange[],
  currentCapacity: number,
  startMs: number,
  endMs: number,
): HourlyLoad {
  const hours = Math.max(0, Math.round((endMs - startMs) / HOUR_MS));
  const capacityAt = capacityTimeline(operations, currentCapacity);
  const values: (number | null)[] = [];
  for (let hour = 0; hour < hours; hour += 1) {
    const hourStart = startMs + hour * HOUR_MS;
    const capacity = meanCapacity(capacityAt, hourStart, hourStart + HOUR_MS);
    let load: number | null = null;
    for (const series of utilization) {
      const percent = series.values.get(hourStart);
      if (percent === undefined || !Number.isFinite(percent)) continue;
      load = Math.max(load ?? 0, (Math.max(0, percent) / 100) * capacity);
    }
    values.push(load);
  }
  return { startMs, values };
}

/** A change of capacity, as the load history needs it (an operation record fits). */
export interface CompletedChange {
  direction: 'out' | 'in';
  from: number;
  to: number;
  status: string;
  startedAt: Date;
  completedAt?: Date | undefined;
}

interface CapacityStep {
  atMs: number;
  capacity: number;
}

/** Capacity from each succeeded completion on, newest last; before the first: the first operation's `from`. */
function capacityTimeline(
  operations: readonly CompletedChange[],
  currentCapacity: number,
): { initial: number; steps: CapacityStep[] } {
  const done = operations
    .filter((operation) => operation.status === 'succeeded' && operation.completedAt !== undefined)
    .sort((a, b) => (a.completedAt as Date).getTime() - (b.completedAt as Date).getTime());
  if (done.length === 0) return { initial: currentCapacity, steps: [] };
  return {
    initial: (done[0] as CompletedChange).from,
    steps: done.map((operation) => ({ atMs: (operation.completedAt as Date).getTime(), capacity: operation.to })),
  };
}

function meanCapacity(timeline: { initial: number; steps: CapacityStep[] }, fromMs: number, toMs: number): number {
  let capacity = timeline.initial;
  let cursor = fromMs;
  let weighted = 0;
  for (const step of timeline.steps) {
    if (step.atMs <= fromMs) {
      capacity = step.capacity;
      continue;
    }
    if (step.atMs >= toMs) break;
    weighted += capacity * (step.atMs - cursor);
    cursor = step.atMs;
    capacity = step.capacity;
  }
  weighted += capacity * (toMs - cursor);
  return weighted / (toMs - fromMs);
}
