/**
 * Which profile applies at a moment, with Azure Monitor autoscale's precedence (docs/schedules.md):
 * a running fixed-date profile, else the recurrence profile that started last, else the default (the target's own
 * mode, limits and rules). A recurrence has no end of its own: it runs until the next profile starts, or until its
 * optional `end`, when the default takes over again (the profile the Azure portal adds for an "end" time), unless
 * another profile has started meanwhile. Times are wall-clock times in each profile's IANA zone.
 *
 * Pure: `nowMs` is an argument. The timeline around it is computed once and reused for the following days.
 */
import type { LimitsConfig, ProfileConfig, RuleConfig, ScaleMode, TargetConfig } from '../config/schema/schema.js';
import {
  addDays,
  DAY_MS,
  localAt,
  parseLocalDateTime,
  parseTimeOfDay,
  zonedToUtc,
  type DayOfWeek,
} from '../vocabulary/zoned-time.js';

export const DEFAULT_PROFILE = 'default';

export type ProfileKind = 'default' | 'recurrence' | 'fixed-date';

/** What a profile decides with while it runs. */
export interface ProfileSettings {
  mode: ScaleMode;
  limits: LimitsConfig;
  rules: RuleConfig[];
  /** Set for "scale to a specific instance count": capacity goes to this and stays. */
  instanceCount?: number | undefined;
}

export interface ActiveProfile {
  name: string;
  kind: ProfileKind;
  /** Why this profile applies now, for an operator. */
  why: string;
  /** When it took over; undefined when that lies before the part of the schedule examined (over a week ago). */
  sinceMs: number | undefined;
  /** The next transition: when another profile takes over, and which; undefined when none is scheduled. */
  next: { atMs: number; name: string } | undefined;
  settings: ProfileSettings;
}

type Scheduled = Pick<TargetConfig, 'profiles' | 'mode' | 'limits' | 'rules'>;

export function profileSettings(target: Scheduled, profile?: ProfileConfig): ProfileSettings {
  if (!profile) return { mode: target.mode, limits: target.limits, rules: target.rules };
  if (profile.instanceCount !== undefined) {
    const count = profile.instanceCount;
    return { mode: 'manual', limits: { min: count, max: count, default: count }, rules: [], instanceCount: count };
  }
  return {
    mode: profile.mode ?? target.mode,
    limits: profile.limits ?? target.limits,
    rules: profile.rules ?? target.rules,
  };
}

/** The profile that applies at `nowMs`. */
export function activeProfile(target: Scheduled, nowMs: number): ActiveProfile {
  const profiles = target.profiles;
  if (profiles.length === 0) {
    return {
      name: DEFAULT_PROFILE,
      kind: 'default',
      why: 'the target has no scheduled profiles',
      sinceMs: undefined,
      next: undefined,
      settings: profileSettings(target),
    };
  }
  const { fromMs, toMs, segments } = timelineAround(profiles, nowMs);
  const index = segments.findIndex((segment) => segment.startMs <= nowMs && nowMs < segment.endMs);
  const segment = segments[index] ?? { startMs: fromMs, endMs: toMs, profile: -1, why: NO_PROFILE_APPLIES };
  const following = segments[index + 1];
  const nameOf = (profile: number) => profiles[profile]?.name ?? DEFAULT_PROFILE;
  const next = following
    ? { atMs: segment.endMs, name: nameOf(following.profile) }
    : fixedDateAfter(profiles, toMs, segment.profile);
  return {
    name: nameOf(segment.profile),
    kind: kindOf(profiles[segment.profile]),
    why: segment.why,
    sinceMs: segment.startMs > fromMs ? segment.startMs : undefined,
    next,
    settings: profileSettings(target, profiles[segment.profile]),
  };
}

/** The target as it decides at `nowMs`: the active profile's mode, limits and rules in place of its own. */
export function targetUnderProfile<T extends TargetConfig>(target: T, profile: ActiveProfile): T {
  const { mode, limits, rules } = profile.settings;
  return { ...target, mode, limits, rules };
}

/** One stretch of time during which one profile applies. `profile` indexes `profiles`; -1 is the default. */
export interface ScheduleSegment {
  startMs: number;
  endMs: number;
  profile: number;
  why: string;
}

const NO_PROFILE_APPLIES = 'no fixed-date or recurrence profile applies now';
/** Enough history for every weekly recurrence to have started at least once before the window. */
const LOOKBACK_MS = 8 * DAY_MS;
/** How far ahead the next transition is looked for (a fixed date further away is found separately). */
const LOOKAHEAD_MS = 28 * DAY_MS;
/** A computed window serves this long before it is computed again. */
const REUSE_MS = 8 * DAY_MS;

interface Timeline {
  fromMs: number;
  toMs: number;
  segments: ScheduleSegment[];
}

const timelines = new WeakMap<readonly ProfileConfig[], Timeline>();

function timelineAround(profiles: readonly ProfileConfig[], nowMs: number): Timeline {
  const cached = timelines.get(profiles);
  if (cached && nowMs >= cached.fromMs + LOOKBACK_MS && nowMs < cached.toMs - LOOKAHEAD_MS) return cached;
  const fromMs = nowMs - LOOKBACK_MS;
  const toMs = nowMs + LOOKAHEAD_MS + REUSE_MS;
  const timeline = { fromMs, toMs, segments: scheduleTimeline(profiles, fromMs, toMs) };
  timelines.set(profiles, timeline);
  return timeline;
}

/** Every change of profile between `fromMs` and `toMs`, as consecutive segments covering the whole span. */
export function scheduleTimeline(profiles: readonly ProfileConfig[], fromMs: number, toMs: number): ScheduleSegment[] {
  const recurring = recurrenceSegments(profiles, fromMs, toMs);
  const fixed = fixedDatePeriods(profiles);
  const cuts = new Set<number>([fromMs, toMs, ...recurring.map((segment) => segment.startMs)]);
  for (const period of fixed) {
    for (const at of [period.startMs, period.endMs]) if (at > fromMs && at < toMs) cuts.add(at);
  }
  const bounds = [...cuts].sort((a, b) => a - b);
  const segments: ScheduleSegment[] = [];
  for (let index = 0; index + 1 < bounds.length; index += 1) {
    const startMs = bounds[index] ?? fromMs;
    const endMs = bounds[index + 1] ?? toMs;
    const piece = pieceAt(startMs, endMs, recurring, fixed, profiles);
    const last = segments.at(-1);
    if (last && last.profile === piece.profile) last.endMs = endMs;
    else segments.push(piece);
  }
  return segments;
}

function pieceAt(
  startMs: number,
  endMs: number,
  recurring: ScheduleSegment[],
  fixed: FixedPeriod[],
  profiles: readonly ProfileConfig[],
): ScheduleSegment {
  const period = fixed.find((candidate) => candidate.startMs <= startMs && startMs < candidate.endMs);
  if (period) return { startMs, endMs, profile: period.profile, why: period.why };
  const underneath = recurring.find((segment) => segment.startMs <= startMs && startMs < segment.endMs);
  const why = underneath?.why ?? NO_PROFILE_APPLIES;
  const ended = fixed.find((candidate) => candidate.endMs === startMs);
  const prefix = ended
    ? `fixed-date profile "${profiles[ended.profile]?.name ?? ''}" ended at ${new Date(ended.endMs).toISOString()}; `
    : '';
  return { startMs, endMs, profile: underneath?.profile ?? -1, why: `${prefix}${why}` };
}

interface FixedPeriod {
  profile: number;
  startMs: number;
  endMs: number;
  why: string;
}

function fixedDatePeriods(profiles: readonly ProfileConfig[]): FixedPeriod[] {
  return profiles.flatMap((profile, index) => {
    const fixed = profile.fixedDate;
    if (!fixed) return [];
    const start = parseLocalDateTime(fixed.start);
    const end = parseLocalDateTime(fixed.end);
    if (!start || !end) return [];
    const startMs = zonedToUtc(start, fixed.timeZone);
    const endMs = zonedToUtc(end, fixed.timeZone);
    if (endMs <= startMs) return [];
    const why = `fixed-date profile "${profile.name}" runs from ${fixed.start} to ${fixed.end} ${fixed.timeZone}; a fixed date beats every recurrence`;
    return [{ profile: index, startMs, endMs, why }];
  });
}

/** The first fixed-date start after `afterMs`, for a transition beyond the computed window. */
function fixedDateAfter(profiles: readonly ProfileConfig[], afterMs: number, current: number): ActiveProfile['next'] {
  const upcoming = fixedDatePeriods(profiles)
    .filter((period) => period.startMs >= afterMs && period.profile !== current)
    .sort((a, b) => a.startMs - b.startMs)[0];
  return upcoming ? { atMs: upcoming.startMs, name: profiles[upcoming.profile]?.name ?? DEFAULT_PROFILE } : undefined;
}

interface RecurrenceEvent {
  atMs: number;
  profile: number;
  type: 'start' | 'end';
  why: string;
}

/** The recurrence layer alone (no fixed dates): who started last, and whether its end has passed. */
function recurrenceSegments(profiles: readonly ProfileConfig[], fromMs: number, toMs: number): ScheduleSegment[] {
  const events = recurrenceEvents(profiles, fromMs - LOOKBACK_MS, toMs);
  const segments: ScheduleSegment[] = [{ startMs: -Infinity, endMs: Infinity, profile: -1, why: NO_PROFILE_APPLIES }];
  for (let index = 0; index < events.length;) {
    const atMs = events[index]?.atMs ?? 0;
    const group: RecurrenceEvent[] = [];
    while (index < events.length && events[index]?.atMs === atMs) group.push(events[index++] as RecurrenceEvent);
    const current = segments.at(-1) as ScheduleSegment;
    const next = afterEvents(group, current.profile);
    if (!next || next.profile === current.profile) continue;
    current.endMs = atMs;
    segments.push({ startMs: atMs, endMs: Infinity, profile: next.profile, why: next.why });
  }
  return segments
    .filter((segment) => segment.endMs > fromMs && segment.startMs < toMs)
    .map((segment) => ({
      ...segment,
      startMs: Math.max(segment.startMs, fromMs),
      endMs: Math.min(segment.endMs, toMs),
    }));
}

/** Starts at one instant beat ends at it; among starts, the profile listed first wins. */
function afterEvents(group: RecurrenceEvent[], current: number): { profile: number; why: string } | undefined {
  const start = group.filter((event) => event.type === 'start').sort((a, b) => a.profile - b.profile)[0];
  if (start) return { profile: start.profile, why: start.why };
  const end = group.find((event) => event.type === 'end' && event.profile === current);
  return end ? { profile: -1, why: end.why } : undefined;
}

function recurrenceEvents(profiles: readonly ProfileConfig[], fromMs: number, toMs: number): RecurrenceEvent[] {
  const events: RecurrenceEvent[] = [];
  profiles.forEach((profile, index) => {
    const recurrence = profile.recurrence;
    const start = recurrence && parseTimeOfDay(recurrence.start);
    if (!recurrence || !start) return;
    const end = recurrence.end === undefined ? undefined : parseTimeOfDay(recurrence.end);
    const endsNextDay = end !== undefined && end.hour * 60 + end.minute <= start.hour * 60 + start.minute;
    const days = new Set<DayOfWeek>(recurrence.days);
    const first = localAt(fromMs, recurrence.timeZone);
    const dayCount = Math.ceil((toMs - fromMs) / DAY_MS) + 2;
    for (let offset = -1; offset <= dayCount; offset += 1) {
      const date = addDays(first, offset);
      if (!days.has(date.dayOfWeek)) continue;
      const startMs = zonedToUtc({ ...date, ...start }, recurrence.timeZone);
      events.push({
        atMs: startMs,
        profile: index,
        type: 'start',
        why: `recurrence profile "${profile.name}" started ${date.dayOfWeek} ${recurrence.start} ${recurrence.timeZone} (${new Date(startMs).toISOString()})`,
      });
      if (!end || !recurrence.end) continue;
      const endMs = zonedToUtc({ ...(endsNextDay ? addDays(date, 1) : date), ...end }, recurrence.timeZone);
      events.push({
        atMs: endMs,
        profile: index,
        type: 'end',
        why: `recurrence profile "${profile.name}" ended at ${recurrence.end} ${recurrence.timeZone} (${new Date(endMs).toISOString()}); the default profile applies until the next profile starts`,
      });
    }
  });
  return events.filter((event) => event.atMs >= fromMs && event.atMs < toMs).sort((a, b) => a.atMs - b.atMs);
}

function kindOf(profile: ProfileConfig | undefined): ProfileKind {
  if (!profile) return 'default';
  return profile.fixedDate ? 'fixed-date' : 'recurrence';
}
