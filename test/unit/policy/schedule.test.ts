import { describe, expect, it } from 'vitest';
import { activeProfile, scheduleTimeline } from '../../../shared/policy/schedule.js';
import { zonedToUtc } from '../../../shared/vocabulary/zoned-time.js';
import { kustoTarget } from './builders.js';

const at = (iso: string) => Date.parse(iso);
const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const businessHours = (overrides: Record<string, unknown> = {}) => ({
  name: 'business-hours',
  recurrence: { days: weekdays, start: '08:00', end: '18:00', timeZone: 'Europe/Berlin' },
  limits: { min: 6, max: 12 },
  ...overrides,
});
const sale = (overrides: Record<string, unknown> = {}) => ({
  name: 'sale',
  fixedDate: { start: '2026-11-27T06:00', end: '2026-11-28T02:00', timeZone: 'America/New_York' },
  instanceCount: 14,
  ...overrides,
});
const target = (...profiles: unknown[]) => kustoTarget({ profiles });
const nameAt = (profiles: unknown[], iso: string) => activeProfile(target(...profiles), at(iso)).name;

describe('activeProfile', () => {
  it('uses the default profile when the target has none', () => {
    const profile = activeProfile(kustoTarget(), at('2026-11-25T10:00:00Z'));
    expect(profile).toMatchObject({
      name: 'default',
      kind: 'default',
      next: undefined,
      settings: { mode: 'custom', limits: { min: 2, max: 10 } },
    });
  });

  it.each([
    {
      name: 'before the start, in the zone (07:59 Berlin = 06:59 UTC in winter)',
      iso: '2026-11-25T06:59:00Z',
      expected: 'default',
    },
    { name: 'at the start', iso: '2026-11-25T07:00:00Z', expected: 'business-hours' },
    { name: 'just before the end', iso: '2026-11-25T16:59:00Z', expected: 'business-hours' },
    { name: 'at the end', iso: '2026-11-25T17:00:00Z', expected: 'default' },
    { name: 'on a Saturday', iso: '2026-11-28T10:00:00Z', expected: 'default' },
  ])('follows the recurrence in its own zone: $name', ({ iso, expected }) => {
    expect(nameAt([businessHours()], iso)).toBe(expected);
  });

  it('moves with daylight-saving time: 08:00 Berlin is 07:00 UTC in winter and 06:00 UTC in summer', () => {
    expect(nameAt([businessHours()], '2026-07-01T06:00:00Z')).toBe('business-hours');
    expect(nameAt([businessHours()], '2026-07-01T05:59:00Z')).toBe('default');
    expect(nameAt([businessHours()], '2026-07-01T16:00:00Z')).toBe('default');
  });

  it('starts a profile whose start falls in the skipped hour right after the gap, and once on the repeated hour', () => {
    const night = {
      name: 'night',
      recurrence: { days: ['Sunday'], start: '02:30', end: '04:00', timeZone: 'Europe/Berlin' },
      instanceCount: 3,
    };
    // 2026-03-29: clocks go from 02:00 to 03:00 CET -> CEST; 02:30 does not exist and becomes 03:30 CEST (01:30 UTC).
    expect(zonedToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin')).toBe(
      at('2026-03-29T01:30:00Z'),
    );
    expect(nameAt([night], '2026-03-29T01:29:00Z')).toBe('default');
    expect(nameAt([night], '2026-03-29T01:30:00Z')).toBe('night');
    // 2026-10-25: 02:30 happens twice (CEST, then CET); the profile starts at the first.
    expect(zonedToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin')).toBe(
      at('2026-10-25T00:30:00Z'),
    );
    expect(nameAt([night], '2026-10-25T00:30:00Z')).toBe('night');
    expect(nameAt([night], '2026-10-25T02:59:00Z')).toBe('night');
    expect(nameAt([night], '2026-10-25T03:00:00Z')).toBe('default');
  });

  it('wraps past midnight when the end is not after the start, and ends on the next day', () => {
    const lateShift = {
      name: 'late-shift',
      recurrence: { days: ['Friday'], start: '22:00', end: '02:00', timeZone: 'UTC' },
      instanceCount: 8,
    };
    expect(nameAt([lateShift], '2026-11-27T21:59:00Z')).toBe('default');
    expect(nameAt([lateShift], '2026-11-27T23:30:00Z')).toBe('late-shift');
    expect(nameAt([lateShift], '2026-11-28T01:59:00Z')).toBe('late-shift');
    expect(nameAt([lateShift], '2026-11-28T02:00:00Z')).toBe('default');
    // Thursday night is not Friday night.
    expect(nameAt([lateShift], '2026-11-27T01:00:00Z')).toBe('default');
  });

  it('runs a recurrence without an end until the next profile starts, even across the weekend', () => {
    const day = {
      name: 'day',
      recurrence: { days: weekdays, start: '08:00', timeZone: 'UTC' },
      limits: { min: 6, max: 10 },
    };
    const night = {
      name: 'night',
      recurrence: { days: weekdays, start: '20:00', timeZone: 'UTC' },
      limits: { min: 2, max: 4 },
    };
    expect(nameAt([day, night], '2026-11-25T12:00:00Z')).toBe('day');
    expect(nameAt([day, night], '2026-11-25T23:00:00Z')).toBe('night');
    // Friday 20:00 to Monday 08:00 is still "night": nothing else starts on the weekend.
    const weekend = activeProfile(target(day, night), at('2026-11-29T12:00:00Z'));
    expect(weekend).toMatchObject({
      name: 'night',
      sinceMs: at('2026-11-27T20:00:00Z'),
      next: { atMs: at('2026-11-30T08:00:00Z'), name: 'day' },
    });
  });

  it('lets a profile that started meanwhile keep running past the end of an earlier one', () => {
    const launch = {
      name: 'launch',
      recurrence: { days: ['Wednesday'], start: '12:00', timeZone: 'Europe/Berlin' },
      instanceCount: 9,
    };
    expect(nameAt([businessHours(), launch], '2026-11-25T16:00:00Z')).toBe('launch');
    expect(nameAt([businessHours(), launch], '2026-11-25T18:00:00Z')).toBe('launch');
    expect(nameAt([businessHours(), launch], '2026-11-26T08:00:00Z')).toBe('business-hours');
  });

  it('gives a fixed date precedence over a recurrence, and hands back to the recurrence at its end', () => {
    const profiles = [businessHours(), sale()];
    // 2026-11-27 06:00 New York (EST) = 11:00 UTC, a Friday within business hours in Berlin.
    expect(nameAt(profiles, '2026-11-27T10:59:00Z')).toBe('business-hours');
    const during = activeProfile(target(...profiles), at('2026-11-27T11:00:00Z'));
    expect(during).toMatchObject({
      name: 'sale',
      kind: 'fixed-date',
      sinceMs: at('2026-11-27T11:00:00Z'),
      next: { atMs: at('2026-11-28T07:00:00Z'), name: 'default' },
      settings: { instanceCount: 14, limits: { min: 14, max: 14 } },
    });
    expect(during.why).toMatch(
      /fixed-date profile "sale" runs from 2026-11-27T06:00 to 2026-11-28T02:00 America\/New_York/,
    );
    // It ends at 02:00 New York = 07:00 UTC on Saturday: no business hours then, so the default applies.
    expect(nameAt(profiles, '2026-11-28T07:00:00Z')).toBe('default');
    const mondayProfiles = [
      businessHours(),
      sale({ fixedDate: { start: '2026-11-30T09:00', end: '2026-11-30T10:00', timeZone: 'Europe/Berlin' } }),
    ];
    const after = activeProfile(target(...mondayProfiles), at('2026-11-30T09:00:00Z'));
    expect(after.name).toBe('business-hours');
    expect(after.why).toMatch(
      /^fixed-date profile "sale" ended at 2026-11-30T09:00:00.000Z; recurrence profile "business-hours" started Monday 08:00/,
    );
  });

  it('reports the next transition and when the active profile started', () => {
    const profile = activeProfile(target(businessHours()), at('2026-11-25T12:00:00Z'));
    expect(profile).toMatchObject({
      name: 'business-hours',
      kind: 'recurrence',
      sinceMs: at('2026-11-25T07:00:00Z'),
      next: { atMs: at('2026-11-25T17:00:00Z'), name: 'default' },
    });
    expect(profile.why).toBe(
      'recurrence profile "business-hours" started Wednesday 08:00 Europe/Berlin (2026-11-25T07:00:00.000Z)',
    );
  });

  it('finds a fixed date far beyond the weeks it examines as the next transition', () => {
    const profile = activeProfile(
      target(sale({ fixedDate: { start: '2027-06-01T00:00', end: '2027-06-02T00:00', timeZone: 'UTC' } })),
      at('2026-11-25T12:00:00Z'),
    );
    expect(profile).toMatchObject({ name: 'default', next: { atMs: at('2027-06-01T00:00:00Z'), name: 'sale' } });
  });

  it('lets the first of two profiles starting at the same instant win', () => {
    const first = {
      name: 'first',
      recurrence: { days: ['Monday'], start: '09:00', timeZone: 'UTC' },
      instanceCount: 4,
    };
    const second = {
      name: 'second',
      recurrence: { days: ['Monday'], start: '10:00', timeZone: 'Europe/Berlin' },
      instanceCount: 5,
    };
    expect(nameAt([first, second], '2026-11-30T09:30:00Z')).toBe('first');
    expect(nameAt([second, first], '2026-11-30T09:30:00Z')).toBe('second');
  });

  it('gives the same answer from a fresh computation as from one reused across days', () => {
    const profiles = [
      businessHours(),
      sale(),
      {
        name: 'night',
        recurrence: { days: ['Saturday', 'Sunday'], start: '23:00', end: '05:00', timeZone: 'Asia/Kolkata' },
        limits: { min: 2, max: 3 },
      },
    ];
    const shared = target(...profiles);
    const start = at('2026-11-20T00:00:00Z');
    for (let minute = 0; minute < 14 * 1440; minute += 37) {
      const nowMs = start + minute * 60_000;
      const reused = activeProfile(shared, nowMs);
      const fresh = activeProfile(target(...profiles), nowMs);
      expect({ name: reused.name, next: reused.next }).toEqual({ name: fresh.name, next: fresh.next });
    }
  });
});

describe('scheduleTimeline', () => {
  it('covers the span with consecutive segments and merges a profile that restarts while it runs', () => {
    const day = { name: 'day', recurrence: { days: weekdays, start: '08:00', timeZone: 'UTC' }, instanceCount: 6 };
    const segments = scheduleTimeline(target(day).profiles, at('2026-11-23T00:00:00Z'), at('2026-11-30T00:00:00Z'));
    // Before Monday 08:00 the "day" profile still runs from the previous Friday; it never stops all week.
    expect(segments.map((segment) => segment.profile)).toEqual([0]);
    expect(segments[0]).toMatchObject({ startMs: at('2026-11-23T00:00:00Z'), endMs: at('2026-11-30T00:00:00Z') });
  });
});
