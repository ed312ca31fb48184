/**
 * Checks on a target's schedule profiles (docs/schedules.md): what each profile is (a recurrence or a fixed date),
 * its time zone and times, profiles that collide, and what a profile cannot do to an elastic cluster. Each returns
 * problems; none throws.
 */
import type { LimitsConfig, ProfileConfig, TargetConfig } from './schema/schema.js';
import { kindOf, kindDefinition } from '../kinds/registry.js';
import { aboveMaximumFix } from './service-maximums.js';
import { type ConfigProblem, showValue, suggest } from './fields/problems.js';
import {
  isTimeZone,
  knownTimeZones,
  parseLocalDateTime,
  WINDOWS_TIME_ZONES,
  zonedToUtc,
} from '../vocabulary/zoned-time.js';

export type TargetCheck = (target: TargetConfig, path: string) => ConfigProblem[];

const error = (path: string, message: string): ConfigProblem => ({ severity: 'error', path, message });
const warning = (path: string, message: string): ConfigProblem => ({ severity: 'warning', path, message });

/**
 * The checks the target's own mode, limits and rules get, run again on a profile's. `checkTarget` passes them in,
 * so a profile's rules are held to exactly the same standard as the target's.
 */
export interface ProfileRuleChecks {
  limits: (kind: TargetConfig['kind'], limits: LimitsConfig, path: string) => ConfigProblem[];
  /** The kind's service maximum in force (its fact, or raised by its app setting). */
  serviceMax: (kind: TargetConfig['kind']) => number | undefined;
  modeAndRules: TargetCheck;
}

export function checkProfiles(target: TargetConfig, path: string, checks: ProfileRuleChecks): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Map<string, number>();
  target.profiles.forEach((profile, index) => {
    const at = `${path}.profiles[${index}]`;
    const key = profile.name.toLowerCase();
    if (key === 'default')
      problems.push(
        error(
          `${at}.name`,
          `${showValue(profile.name)} is reserved for the target's own mode, limits and rules (the default profile); choose another name`,
        ),
      );
    const first = names.get(key);
    if (first !== undefined)
      problems.push(
        error(
          `${at}.name`,
          `${showValue(profile.name)} is already used by profiles[${first}] (names compare in any case); profile names must be unique`,
        ),
      );
    else names.set(key, index);
    problems.push(...checkWhen(profile, at), ...checkScale(target, profile, at, checks));
  });
  problems.push(
    ...checkFixedDateOverlaps(target.profiles, path),
    ...checkSameStart(target.profiles, path),
    ...checkDefaultReachable(target.profiles, path),
    ...checkOneWayProfiles(target, path),
  );
  return problems;
}

function checkWhen(profile: ProfileConfig, at: string): ConfigProblem[] {
  const { recurrence, fixedDate } = profile;
  if (recurrence && fixedDate)
    return [
      error(
        `${at}.fixedDate`,
        'a profile has either a recurrence or a fixed date, not both; split it into two profiles',
      ),
    ];
  if (!recurrence && !fixedDate) {
    return [
      error(
        at,
        'says neither when it applies: add recurrence ({ "days": [...], "start": "HH:MM", "timeZone": ... }) or fixedDate ({ "start", "end", "timeZone" }); the default profile is the target\'s own mode, limits and rules',
      ),
    ];
  }
  if (recurrence) {
    const problems = checkTimeZone(recurrence.timeZone, `${at}.recurrence.timeZone`);
    const seen = new Set<string>();
    recurrence.days.forEach((day, index) => {
      if (seen.has(day))
        problems.push(
          error(`${at}.recurrence.days[${index}]`, `${showValue(day)} is listed twice; list each day once`),
        );
      seen.add(day);
    });
    if (recurrence.end !== undefined && recurrence.end === recurrence.start) {
      problems.push(
        error(
          `${at}.recurrence.end`,
          `${showValue(recurrence.end)} equals start, so the profile would end as it starts; remove end to run until the next profile starts, or choose another time`,
        ),
      );
    }
    return problems;
  }
  const fixed = fixedDate as NonNullable<typeof fixedDate>;
  const problems = checkTimeZone(fixed.timeZone, `${at}.fixedDate.timeZone`);
  const start = parseLocalDateTime(fixed.start);
  const end = parseLocalDateTime(fixed.end);
  if (!start)
    problems.push(
      error(
        `${at}.fixedDate.start`,
        `${showValue(fixed.start)} is not a date on the calendar; check the month and day`,
      ),
    );
  if (!end)
    problems.push(
      error(`${at}.fixedDate.end`, `${showValue(fixed.end)} is not a date on the calendar; check the month and day`),
    );
  if (start && end && problems.length === 0 && zonedToUtc(end, fixed.timeZone) <= zonedToUtc(start, fixed.timeZone)) {
    problems.push(
      error(
        `${at}.fixedDate.end`,
        `${showValue(fixed.end)} is not after start ${showValue(fixed.start)} in ${fixed.timeZone}; the end must come after the start`,
      ),
    );
  }
  return problems;
}

function checkTimeZone(zone: string, at: string): ConfigProblem[] {
  if (isTimeZone(zone)) return [];
  const windows = WINDOWS_TIME_ZONES[zone];
  if (windows)
    return [
      error(
        at,
        `${showValue(zone)} is a Windows time-zone name (as Azure Monitor uses); use the IANA name "${windows}"`,
      ),
    ];
  const hint = suggest(zone, knownTimeZones());
  return [
    error(
      at,
      `${showValue(zone)} is not an IANA time zone${hint ? `; did you mean "${hint}"?` : '; use a name such as "Europe/Berlin", "America/New_York" or "UTC"'}`,
    ),
  ];
}

function checkScale(
  target: TargetConfig,
  profile: ProfileConfig,
  at: string,
  checks: ProfileRuleChecks,
): ConfigProblem[] {
  if (profile.instanceCount !== undefined) {
    const extra = (['mode', 'limits', 'rules'] as const).filter((field) => profile[field] !== undefined);
    const problems = extra.map((field) =>
      error(
        `${at}.${field}`,
        `cannot be combined with instanceCount, which fixes the capacity; remove ${field}, or remove instanceCount to scale by ${field === 'limits' ? 'mode and rules within these limits' : 'rules'}`,
      ),
    );
    const facts = kindDefinition(target.kind).facts;
    const noun = kindOf(target).words.aCluster;
    if (profile.instanceCount < facts.serviceMin)
      problems.push(
        error(
          `${at}.instanceCount`,
          `${profile.instanceCount} is below the service minimum of ${facts.serviceMin} ${facts.unit} for ${noun}; set it to ${facts.serviceMin} or more`,
        ),
      );
    const serviceMax = checks.serviceMax(target.kind);
    if (serviceMax !== undefined && profile.instanceCount > serviceMax)
      problems.push(
        error(
          `${at}.instanceCount`,
          `${profile.instanceCount} is above the service maximum of ${serviceMax} ${facts.unit} for ${noun}; ${aboveMaximumFix(target.kind, serviceMax)}`,
        ),
      );
    return problems;
  }
  const problems = profile.limits ? checks.limits(target.kind, profile.limits, `${at}.limits`) : [];
  if (profile.mode === undefined && profile.rules === undefined && profile.limits === undefined) {
    problems.push(
      warning(
        at,
        'sets neither mode, limits, rules nor instanceCount, so it decides exactly as the default profile; give it what should differ while it runs',
      ),
    );
  }
  const mode = profile.mode ?? target.mode;
  const rules = profile.rules ?? target.rules;
  if (profile.rules !== undefined || (profile.mode !== undefined && profile.mode !== target.mode)) {
    const ownRules = profile.rules !== undefined;
    const asTarget = { ...target, mode, rules, limits: profile.limits ?? target.limits };
    // Inherited rules were checked on the target already; only say what changes with this profile's mode.
    const found = checks.modeAndRules(asTarget, at);
    problems.push(
      ...(ownRules ? found : found.filter((problem) => problem.path === `${at}.rules` && problem.severity === 'error')),
    );
  }
  return problems;
}

interface Period {
  index: number;
  startMs: number;
  endMs: number;
}

function fixedPeriods(profiles: readonly ProfileConfig[]): Period[] {
  return profiles.flatMap((profile, index) => {
    const fixed = profile.fixedDate;
    if (!fixed || profile.recurrence || !isTimeZone(fixed.timeZone)) return [];
    const start = parseLocalDateTime(fixed.start);
    const end = parseLocalDateTime(fixed.end);
    if (!start || !end) return [];
    const startMs = zonedToUtc(start, fixed.timeZone);
    const endMs = zonedToUtc(end, fixed.timeZone);
    return endMs > startMs ? [{ index, startMs, endMs }] : [];
  });
}

/** Two fixed dates at once leave the choice to list order; Azure Monitor has no rule for it either, so refuse. */
function checkFixedDateOverlaps(profiles: readonly ProfileConfig[], path: string): ConfigProblem[] {
  const periods = fixedPeriods(profiles);
  return periods.flatMap((period) => {
    const earlier = periods.find(
      (other) => other.index < period.index && other.startMs < period.endMs && period.startMs < other.endMs,
    );
    if (!earlier) return [];
    const other = profiles[earlier.index];
    return [
      error(
        `${path}.profiles[${period.index}].fixedDate`,
        `overlaps fixed-date profile ${showValue(other?.name)} (profiles[${earlier.index}], ${other?.fixedDate?.start} to ${other?.fixedDate?.end} ${other?.fixedDate?.timeZone}); only one fixed date can apply at a time: make them end before the other starts, or merge them`,
      ),
    ];
  });
}

/** Two recurrences that start on the same day at the same local time in the same zone: one of them never applies. */
function checkSameStart(profiles: readonly ProfileConfig[], path: string): ConfigProblem[] {
  const seen = new Map<string, number>();
  const problems: ConfigProblem[] = [];
  profiles.forEach((profile, index) => {
    const recurrence = profile.recurrence;
    if (!recurrence || profile.fixedDate) return;
    for (const day of new Set(recurrence.days)) {
      const key = `${day} ${recurrence.start} ${recurrence.timeZone}`;
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, index);
        continue;
      }
      problems.push(
        error(
          `${path}.profiles[${index}].recurrence.start`,
          `starts on ${day} at ${recurrence.start} ${recurrence.timeZone}, as profiles[${first}] (${showValue(profiles[first]?.name)}) does, so it never applies then; move one of the starts or drop ${day} from one of them`,
        ),
      );
      break;
    }
  });
  return problems;
}

function checkDefaultReachable(profiles: readonly ProfileConfig[], path: string): ConfigProblem[] {
  const recurring = profiles.filter((profile) => profile.recurrence && !profile.fixedDate);
  if (recurring.length === 0 || recurring.some((profile) => profile.recurrence?.end !== undefined)) return [];
  return [
    warning(
      `${path}.profiles`,
      "no recurrence profile has an end, so once one has started the default profile (the target's own mode, limits and rules) never applies again: a recurrence runs until the next profile starts; give recurrence.end to hand back to the default, or ignore this if that is what you want",
    ),
  ];
}

/**
 * An elastic cluster never scales in, so a profile whose most is below another profile's least changes nothing
 * after that one: the cluster keeps the nodes it has.
 */
function checkOneWayProfiles(target: TargetConfig, path: string): ConfigProblem[] {
  if (kindDefinition(target.kind).facts.canScaleIn || target.profiles.length === 0) return [];
  const bounds = [
    { name: 'default', at: path, min: target.limits.min, max: target.limits.max },
    ...target.profiles.map((profile, index) => ({
      name: profile.name,
      at: `${path}.profiles[${index}]`,
      min: profile.instanceCount ?? profile.limits?.min ?? target.limits.min,
      max: profile.instanceCount ?? profile.limits?.max ?? target.limits.max,
    })),
  ];
  const largest = bounds.reduce((best, candidate) => (candidate.min > best.min ? candidate : best));
  return bounds
    .filter((profile) => profile !== largest && profile.at !== path && profile.max < largest.min)
    .map((profile) =>
      warning(
        profile.at,
        `allows at most ${profile.max} nodes, below the ${largest.min} that profile ${showValue(largest.name)} keeps at least: elastic clusters cannot scale in, so when this profile follows that one the cluster keeps its nodes and this profile's limits only bound further scale-outs`,
      ),
    );
}
