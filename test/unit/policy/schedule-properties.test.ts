import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { activeProfile } from '../../../shared/policy/schedule.js';
import { kustoTarget } from './builders.js';

const MINUTE = 60_000;
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'America/Sao_Paulo'];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const two = (value: number) => String(value).padStart(2, '0');
/** Minutes on a 15-minute raster, so DST gaps (02:00-03:00) and midnight are hit often. */
const time = fc
  .integer({ min: 0, max: 95 })
  .map((quarter) => `${two(Math.floor(quarter / 4))}:${two((quarter % 4) * 15)}`);
const FROM = Date.UTC(2026, 2, 20); // spans the March DST changes in Europe and the US, and April in Sydney
const SPAN_DAYS = 30;

const recurrence = fc.record({
  days: fc.uniqueArray(fc.constantFrom(...DAYS), { minLength: 1, maxLength: 7 }),
  start: time,
  end: fc.option(time, { nil: undefined }),
  timeZone: fc.constantFrom(...ZONES),
});
const fixedDate = fc.record({
  startHour: fc.integer({ min: 0, max: SPAN_DAYS * 24 }),
  hours: fc.integer({ min: 1, max: 72 }),
  timeZone: fc.constantFrom(...ZONES),
});
const localIso = (ms: number) => new Date(ms).toISOString().slice(0, 16);

const profiles = fc
  .tuple(fc.array(recurrence, { maxLength: 4 }), fc.option(fixedDate, { nil: undefined }))
  .map(([recurrences, fixed]) => [
    ...recurrences.map((entry, index) => ({
      name: `r${index}`,
      recurrence: entry.end === entry.start ? { ...entry, end: undefined } : entry,
      instanceCount: 2 + index,
    })),
    ...(fixed
      ? [
          {
            name: 'f',
            fixedDate: {
              start: localIso(FROM + fixed.startHour * 3600_000),
              end: localIso(FROM + (fixed.startHour + fixed.hours) * 3600_000),
              timeZone: fixed.timeZone,
            },
            instanceCount: 9,
          },
        ]
      : []),
  ]);

describe('activeProfile, on any schedule', () => {
  it('agrees with itself at every transition it reports: the next profile applies from the instant given, and not a minute before', () => {
    fc.assert(
      fc.property(profiles, fc.integer({ min: 0, max: SPAN_DAYS * 1440 }), (drawn, minute) => {
        const target = kustoTarget({ profiles: drawn });
        const nowMs = FROM + minute * MINUTE;
        const now = activeProfile(target, nowMs);
        if (now.next) {
          expect(now.next.atMs).toBeGreaterThan(nowMs);
          expect(now.next.name).not.toBe(now.name);
          expect(activeProfile(target, now.next.atMs).name).toBe(now.next.name);
          expect(activeProfile(target, now.next.atMs - MINUTE).name).toBe(now.name);
        }
        if (now.sinceMs !== undefined) {
          expect(now.sinceMs).toBeLessThanOrEqual(nowMs);
          expect(activeProfile(target, now.sinceMs).name).toBe(now.name);
          expect(activeProfile(target, now.sinceMs - MINUTE).name).not.toBe(now.name);
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it('applies a fixed date for exactly its period, whatever the recurrences say', () => {
    fc.assert(
      fc.property(profiles, fc.integer({ min: 0, max: SPAN_DAYS * 1440 }), (drawn, minute) => {
        const fixed = drawn.find((profile) => profile.name === 'f');
        fc.pre(fixed !== undefined);
        const target = kustoTarget({ profiles: drawn });
        const nowMs = FROM + minute * MINUTE;
        const inside = activeProfile(target, nowMs).name === 'f';
        const period = target.profiles.find((profile) => profile.name === 'f')?.fixedDate;
        const start = activeProfile(
          kustoTarget({ profiles: [{ name: 'f', fixedDate: period, instanceCount: 9 }] }),
          nowMs,
        );
        expect(inside).toBe(start.name === 'f');
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});
