import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../shared/config/validate.js';
import type { ConfigProblem } from '../../../shared/config/fields/problems.js';

const PG_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders';
const KUSTO_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Kusto/clusters/telemetry';

const kusto = (profiles: unknown[], overrides: Record<string, unknown> = {}) => ({
  version: 1,
  targets: [
    {
      name: 'telemetry',
      kind: 'kusto-cluster',
      resourceId: KUSTO_ID,
      mode: 'optimized',
      limits: { min: 2, max: 12 },
      profiles,
      ...overrides,
    },
  ],
});
const pg = (profiles: unknown[], overrides: Record<string, unknown> = {}) => ({
  version: 1,
  targets: [
    {
      name: 'orders',
      kind: 'postgres-elastic-cluster',
      resourceId: PG_ID,
      mode: 'optimized',
      limits: { min: 2, max: 8 },
      database: { user: 'scaler' },
      profiles,
      ...overrides,
    },
  ],
});
const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const recurring = (overrides: Record<string, unknown> = {}, recurrence: Record<string, unknown> = {}) => ({
  name: 'business-hours',
  recurrence: { days: weekdays, start: '08:00', end: '18:00', timeZone: 'Europe/Berlin', ...recurrence },
  limits: { min: 4, max: 12 },
  ...overrides,
});
const fixed = (overrides: Record<string, unknown> = {}, fixedDate: Record<string, unknown> = {}) => ({
  name: 'sale',
  fixedDate: { start: '2026-11-27T06:00', end: '2026-11-28T02:00', timeZone: 'America/New_York', ...fixedDate },
  instanceCount: 10,
  ...overrides,
});
const cpuOut = { metric: 'CPU', operator: 'GreaterThan', threshold: 75, direction: 'out' };

function problemsOf(raw: unknown): { errors: ConfigProblem[]; warnings: ConfigProblem[] } {
  const result = validateConfig(raw);
  return result.ok ? { errors: [], warnings: result.warnings } : { errors: result.errors, warnings: result.warnings };
}

describe('validateConfig: schedule profiles', () => {
  it('accepts recurrence and fixed-date profiles and keeps them as written', () => {
    const result = validateConfig(
      kusto([
        recurring(),
        fixed(),
        {
          name: 'night',
          recurrence: { days: ['Saturday'], start: '22:00', end: '02:00', timeZone: 'UTC' },
          mode: 'custom',
          rules: [cpuOut],
          limits: { min: 2, max: 4 },
        },
      ]),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    const [target] = result.config.targets;
    expect(target?.profiles).toHaveLength(3);
    expect(target?.profiles[0]).toMatchObject({ name: 'business-hours', limits: { min: 4, max: 12, default: 4 } });
    expect(target?.profiles[2]?.rules?.[0]).toMatchObject({
      metric: 'CPU',
      windowMinutes: 10,
      change: { type: 'count', value: 1 },
    });
  });

  it('defaults to no profiles', () => {
    const result = validateConfig(kusto([]));
    expect(result.ok && result.config.targets[0]?.profiles).toEqual([]);
  });

  it.each([
    {
      name: 'a misspelled day',
      profiles: [recurring({}, { days: ['Monday', 'Tusday'] })],
      path: 'targets[0].profiles[0].recurrence.days[1]',
      message: /did you mean "Tuesday"\? \(got "Tusday"\)/,
    },
    {
      name: 'a day listed twice',
      profiles: [recurring({}, { days: ['Monday', 'Monday'] })],
      path: 'targets[0].profiles[0].recurrence.days[1]',
      message: /"Monday" is listed twice/,
    },
    {
      name: 'no day',
      profiles: [recurring({}, { days: [] })],
      path: 'targets[0].profiles[0].recurrence.days',
      message: /at least one day/,
    },
    {
      name: 'a start that is not a time of day',
      profiles: [recurring({}, { start: '8am' })],
      path: 'targets[0].profiles[0].recurrence.start',
      message: /24-hour time of day "HH:MM".*\(got "8am"\)/,
    },
    {
      name: 'an hour past 23',
      profiles: [recurring({}, { end: '24:00' })],
      path: 'targets[0].profiles[0].recurrence.end',
      message: /"HH:MM"/,
    },
    {
      name: 'an end equal to the start',
      profiles: [recurring({}, { end: '08:00' })],
      path: 'targets[0].profiles[0].recurrence.end',
      message: /equals start.*remove end/,
    },
    {
      name: 'a Windows time-zone name',
      profiles: [recurring({}, { timeZone: 'W. Europe Standard Time' })],
      path: 'targets[0].profiles[0].recurrence.timeZone',
      message: /Windows time-zone name.*use the IANA name "Europe\/Berlin"/,
    },
    {
      name: 'a misspelled zone',
      profiles: [recurring({}, { timeZone: 'Europe/Berln' })],
      path: 'targets[0].profiles[0].recurrence.timeZone',
      message: /not an IANA time zone; did you mean "Europe\/Berlin"\?/,
    },
    {
      name: 'a date with an offset',
      profiles: [fixed({}, { start: '2026-11-27T06:00Z' })],
      path: 'targets[0].profiles[0].fixedDate.start',
      message: /without an offset/,
    },
    {
      name: 'a day that is not on the calendar',
      profiles: [fixed({}, { end: '2026-02-30T00:00' })],
      path: 'targets[0].profiles[0].fixedDate.end',
      message: /"2026-02-30T00:00" is not a date on the calendar/,
    },
    {
      name: 'an end before the start',
      profiles: [fixed({}, { end: '2026-11-27T05:00' })],
      path: 'targets[0].profiles[0].fixedDate.end',
      message: /is not after start "2026-11-27T06:00" in America\/New_York/,
    },
    {
      name: 'neither recurrence nor fixed date',
      profiles: [{ name: 'peak', instanceCount: 6 }],
      path: 'targets[0].profiles[0]',
      message: /neither when it applies: add recurrence/,
    },
    {
      name: 'both recurrence and fixed date',
      profiles: [{ ...recurring(), fixedDate: fixed().fixedDate }],
      path: 'targets[0].profiles[0].fixedDate',
      message: /not both; split it/,
    },
    {
      name: 'the reserved name',
      profiles: [recurring({ name: 'Default' })],
      path: 'targets[0].profiles[0].name',
      message: /reserved for the target's own/,
    },
    {
      name: 'a duplicate name',
      profiles: [recurring(), fixed({ name: 'Business-Hours' })],
      path: 'targets[0].profiles[1].name',
      message: /already used by profiles\[0\]/,
    },
    {
      name: 'an instance count with limits',
      profiles: [fixed({ limits: { min: 2, max: 4 } })],
      path: 'targets[0].profiles[0].limits',
      message: /cannot be combined with instanceCount/,
    },
    {
      name: 'an instance count below the service minimum',
      profiles: [fixed({ instanceCount: 1 })],
      path: 'targets[0].profiles[0].instanceCount',
      message: /below the service minimum of 2 instances/,
    },
    {
      name: "a profile's min above its max",
      profiles: [recurring({ limits: { min: 8, max: 4 } })],
      path: 'targets[0].profiles[0].limits',
      message: /min 8 is greater than max 4/,
    },
    {
      name: 'custom mode without rules to inherit',
      profiles: [recurring({ mode: 'custom' })],
      path: 'targets[0].profiles[0].rules',
      message: /custom mode needs at least one rule/,
    },
    {
      name: 'a rule on a metric of the other kind',
      profiles: [recurring({ mode: 'custom', rules: [{ ...cpuOut, metric: 'cpu_percent' }] })],
      path: 'targets[0].profiles[0].rules[0].metric',
      message: /not a metric of Microsoft.Kusto\/clusters/,
    },
    {
      name: 'more than 10 rules',
      profiles: [recurring({ mode: 'custom', rules: Array.from({ length: 11 }, () => cpuOut) })],
      path: 'targets[0].profiles[0].rules',
      message: /10/,
    },
    {
      name: 'overlapping fixed dates',
      profiles: [fixed(), fixed({ name: 'clearance' }, { start: '2026-11-28T01:00', end: '2026-11-29T00:00' })],
      path: 'targets[0].profiles[1].fixedDate',
      message: /overlaps fixed-date profile "sale" \(profiles\[0\]/,
    },
    {
      name: 'two recurrences starting together',
      profiles: [recurring(), recurring({ name: 'reports' }, { days: ['Friday'] })],
      path: 'targets[0].profiles[1].recurrence.start',
      message: /starts on Friday at 08:00 Europe\/Berlin, as profiles\[0\]/,
    },
  ])('refuses $name with its path and a fix', ({ profiles, path, message }) => {
    const { errors } = problemsOf(kusto(profiles));
    const found = errors.find((problem) => problem.path === path);
    expect(found, JSON.stringify(errors)).toBeDefined();
    expect(found?.message).toMatch(message);
  });

  it('refuses a scale-in rule in an elastic cluster profile', () => {
    const { errors } = problemsOf(
      pg([
        recurring({
          mode: 'custom',
          limits: { min: 2, max: 8 },
          rules: [{ metric: 'cpu_percent', operator: 'LessThan', threshold: 20, direction: 'in' }],
        }),
      ]),
    );
    expect(errors).toContainEqual(
      expect.objectContaining({
        path: 'targets[0].profiles[0].rules[0].direction',
        message: expect.stringMatching(/Azure does not offer scale-in for elastic clusters/),
      }),
    );
  });

  it('refuses more than 19 profiles (20 with the default, as Azure Monitor allows)', () => {
    const many = Array.from({ length: 20 }, (_, index) =>
      fixed(
        { name: `day-${index}` },
        {
          start: `2026-12-${String(index + 1).padStart(2, '0')}T00:00`,
          end: `2026-12-${String(index + 1).padStart(2, '0')}T12:00`,
        },
      ),
    );
    expect(problemsOf(kusto(many)).errors.map((problem) => problem.path)).toContain('targets[0].profiles');
  });

  it('warns that the default never applies again when no recurrence has an end', () => {
    const { errors, warnings } = problemsOf(kusto([recurring({}, { end: undefined })]));
    expect(errors).toEqual([]);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        path: 'targets[0].profiles',
        message: expect.stringMatching(/default profile .* never applies again/),
      }),
    );
  });

  it('warns when an elastic cluster profile could only ask for fewer nodes than another keeps', () => {
    const { errors, warnings } = problemsOf(
      pg([
        recurring({ limits: { min: 6, max: 8 } }),
        {
          name: 'night',
          recurrence: { days: weekdays, start: '20:00', timeZone: 'Europe/Berlin' },
          limits: { min: 2, max: 4 },
        },
      ]),
    );
    expect(errors).toEqual([]);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        path: 'targets[0].profiles[1]',
        message: expect.stringMatching(
          /at most 4 nodes, below the 6 that profile "business-hours" keeps at least: elastic clusters cannot scale in/,
        ),
      }),
    );
  });

  it('warns about a profile that changes nothing', () => {
    const { warnings } = problemsOf(
      kusto([{ name: 'same', recurrence: { days: ['Monday'], start: '09:00', end: '10:00', timeZone: 'UTC' } }]),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        path: 'targets[0].profiles[0]',
        message: expect.stringMatching(/decides exactly as the default profile/),
      }),
    );
  });
});
