/**
 * The six-field NCRONTAB expressions Azure Functions timers use (`{second} {minute} {hour} {day} {month}
 * {day-of-week}`), enough of them to run the app's timers on the sandbox's clock: `*`, numbers, ranges `a-b`,
 * lists `a,b` and steps `* /n` or `a-b/n`. Names of months and days are not supported.
 */
const FIELD_BOUNDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day-of-week', min: 0, max: 6 },
] as const;

export type Schedule = (time: Date) => boolean;

export function parseSchedule(expression: string): Schedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== FIELD_BOUNDS.length) {
    throw new Error(
      `timer schedule '${expression}': has ${fields.length} fields, not 6; write it as '{second} {minute} {hour} {day} {month} {day-of-week}', e.g. '0 */1 * * * *'`,
    );
  }
  const matchers = fields.map((field, index) =>
    fieldMatcher(field, FIELD_BOUNDS[index] ?? FIELD_BOUNDS[0], expression),
  );
  return (time) => {
    const parts = [
      time.getUTCSeconds(),
      time.getUTCMinutes(),
      time.getUTCHours(),
      time.getUTCDate(),
      time.getUTCMonth() + 1,
      time.getUTCDay(),
    ];
    return matchers.every((matches, index) => matches(parts[index] ?? -1));
  };
}

/** The whole seconds in (fromMs, toMs] at which `schedule` fires. */
export function firingsBetween(schedule: Schedule, fromMs: number, toMs: number): Date[] {
  const firings: Date[] = [];
  for (let second = Math.floor(fromMs / 1000) + 1; second * 1000 <= toMs; second += 1) {
    const time = new Date(second * 1000);
    if (schedule(time)) firings.push(time);
  }
  return firings;
}

function fieldMatcher(
  field: string,
  bounds: (typeof FIELD_BOUNDS)[number],
  expression: string,
): (value: number) => boolean {
  const allowed = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!match)
      throw new Error(
        `timer schedule '${expression}': the ${bounds.name} field '${field}' is not a number, range, list or step`,
      );
    const [from, to] = match[1] === '*' ? [bounds.min, bounds.max] : rangeOf(match[1] ?? '');
    const step = match[2] === undefined ? 1 : Number(match[2]);
    if (from < bounds.min || to > bounds.max || from > to || step < 1) {
      throw new Error(
        `timer schedule '${expression}': the ${bounds.name} field '${field}' is outside ${bounds.min}-${bounds.max}`,
      );
    }
    for (let value = from; value <= to; value += step) allowed.add(value);
  }
  return (value) => allowed.has(value);
}

function rangeOf(text: string): [number, number] {
  const [from, to] = text.split('-').map(Number);
  return [from ?? 0, to ?? from ?? 0];
}
