import { describe, expect, it } from 'vitest';
import { firingsBetween, parseSchedule } from '../../../tools/sandbox/schedule.js';

const at = (iso: string) => new Date(iso);

describe('parseSchedule', () => {
  it.each([
    {
      name: 'every minute',
      expression: '0 */1 * * * *',
      fires: ['2026-01-05T09:01:00Z', '2026-01-05T23:59:00Z'],
      quiet: ['2026-01-05T09:01:30Z'],
    },
    {
      name: 'every third minute',
      expression: '0 */3 * * * *',
      fires: ['2026-01-05T09:03:00Z', '2026-01-05T09:00:00Z'],
      quiet: ['2026-01-05T09:01:00Z', '2026-01-05T09:04:00Z'],
    },
    {
      name: 'the daily purge',
      expression: '0 30 3 * * *',
      fires: ['2026-01-06T03:30:00Z'],
      quiet: ['2026-01-06T03:31:00Z', '2026-01-06T04:30:00Z'],
    },
    {
      name: 'weekdays in a range with a list',
      expression: '0 0,30 8-17 * * 1-5',
      fires: ['2026-01-05T08:30:00Z', '2026-01-09T17:00:00Z'],
      quiet: ['2026-01-10T09:00:00Z', '2026-01-05T18:00:00Z'],
    },
  ])('fires $name at the times it names and no others', ({ expression, fires, quiet }) => {
    const schedule = parseSchedule(expression);
    for (const time of fires) expect(schedule(at(time)), time).toBe(true);
    for (const time of quiet) expect(schedule(at(time)), time).toBe(false);
  });

  it.each([
    { name: 'five fields', expression: '*/5 * * * *', message: "timer schedule '*/5 * * * *': has 5 fields, not 6" },
    { name: 'an hour out of range', expression: '0 0 25 * * *', message: "the hour field '25' is outside 0-23" },
    {
      name: 'a month name',
      expression: '0 0 0 1 JAN *',
      message: "the month field 'JAN' is not a number, range, list or step",
    },
  ])('refuses $name and says why', ({ expression, message }) => {
    expect(() => parseSchedule(expression)).toThrow(message);
  });
});

describe('firingsBetween', () => {
  it('lists each firing after the start up to and including the end', () => {
    const schedule = parseSchedule('0 */1 * * * *');
    const firings = firingsBetween(schedule, Date.parse('2026-01-05T09:00:00Z'), Date.parse('2026-01-05T09:03:00Z'));
    expect(firings.map((time) => time.toISOString())).toEqual([
      '2026-01-05T09:01:00.000Z',
      '2026-01-05T09:02:00.000Z',
      '2026-01-05T09:03:00.000Z',
    ]);
  });
});
