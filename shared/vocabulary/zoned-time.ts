/**
 * Wall-clock time in IANA time zones, from the platform's own time-zone data (`Intl.DateTimeFormat`). Pure: it
 * never reads the clock; both the config checks and the policy's schedule use it (docs/schedules.md).
 *
 * A local time that does not exist (the hour skipped when daylight-saving time starts) resolves to the same
 * wall-clock distance after the gap (02:30 becomes 03:30); a local time that happens twice (the hour repeated
 * when it ends) resolves to the first of the two. Those are the rules of JavaScript's Temporal ("compatible").
 */

export interface LocalDateTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export const DAYS_OF_WEEK = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the platform knows the zone (an IANA name such as Europe/Berlin, or UTC). */
export function isTimeZone(timeZone: string): boolean {
  if (timeZone.trim() === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zones the platform lists, for "did you mean" hints. */
export function knownTimeZones(): readonly string[] {
  return [...Intl.supportedValuesOf('timeZone'), 'UTC'];
}

/** The wall-clock time at `ms` in the zone. */
export function localAt(ms: number, timeZone: string): LocalDateTime & { second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at `ms`, in ms (positive east of Greenwich). */
export function offsetAt(ms: number, timeZone: string): number {
  const local = localAt(ms, timeZone);
  const wholeSecondMs = Math.floor(ms / 1000) * 1000;
  return Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second) - wholeSecondMs;
}

/** The instant a wall-clock time happens in the zone (see the file comment for skipped and repeated hours). */
export function zonedToUtc(local: LocalDateTime, timeZone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  // No zone changes its offset twice within 36 hours, so the offsets either side cover every case.
  const before = offsetAt(wall - 36 * HOUR_MS, timeZone);
  const after = offsetAt(wall + 36 * HOUR_MS, timeZone);
  const valid = [wall - before, wall - after].filter((candidate) => candidate + offsetAt(candidate, timeZone) === wall);
  if (valid.length > 0) return Math.min(...valid);
  return wall - before;
}

/** The local calendar date `days` after the given one (negative: before), with its day of the week. */
export function addDays(
  date: Pick<LocalDateTime, 'year' | 'month' | 'day'>,
  days: number,
): { year: number; month: number; day: number; dayOfWeek: DayOfWeek } {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    dayOfWeek: DAYS_OF_WEEK[shifted.getUTCDay()] ?? 'Sunday',
  };
}

/** "HH:MM" (24-hour) into hours and minutes; undefined when it is not a time of day. */
export function parseTimeOfDay(text: string): { hour: number; minute: number } | undefined {
  const match = /^(\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

/** "YYYY-MM-DDTHH:MM" (a wall-clock date and time, no offset); undefined when it is not a real one. */
export function parseLocalDateTime(text: string): LocalDateTime | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = parseTimeOfDay(match[4] ?? '');
  const check = new Date(Date.UTC(year, month - 1, day));
  if (!time || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    return undefined;
  return { year, month, day, ...time };
}

/**
 * Common Windows time-zone names (the ones Azure Monitor autoscale uses) and their IANA names, so a setting copied
 * from Azure gets a precise fix. Not exhaustive: any other name gets a "did you mean" from the IANA list.
 */
export const WINDOWS_TIME_ZONES: Readonly<Record<string, string>> = {
  UTC: 'UTC',
  'Coordinated Universal Time': 'UTC',
  'GMT Standard Time': 'Europe/London',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'FLE Standard Time': 'Europe/Kiev',
  'Russian Standard Time': 'Europe/Moscow',
  'India Standard Time': 'Asia/Kolkata',
  'China Standard Time': 'Asia/Shanghai',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Singapore Standard Time': 'Asia/Singapore',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'Pacific Standard Time': 'America/Los_Angeles',
  'E. South America Standard Time': 'America/Sao_Paulo',
};
