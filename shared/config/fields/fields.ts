/**
 * The building blocks of the config document (zod): field helpers with messages in the user's terms, the
 * sections every kind's targets share (limits, cooldowns, rules, profiles, alerts, forecasts) and `targetBase`.
 * Each kind's own sections and target schema are in its folder (shared/kinds/<kind>/config/schema.ts); the
 * document (schema/schema.ts) puts them together. Rules that need more than one field live in the semantic checks.
 */
import { z } from 'zod';
import { DEFAULTS } from './defaults.js';
import { STATISTICS } from '../../vocabulary/metric-series.js';
import { KIND_FACTS } from '../../vocabulary/kinds.js';
import { DAYS_OF_WEEK } from '../../vocabulary/zoned-time.js';
import { suggest } from './problems.js';

export const TARGET_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Messages in the user's terms, for the `.max()` callers add too (the validator appends the value it got). */
export const count = (min: number, tooSmall = `must be ${min} or more`) =>
  z
    .number({
      // zod types this hook for the schema's own issue only, but the checks below report through it too.
      error: (raised) => {
        const issue = raised as { code: string; maximum?: unknown; input?: unknown };
        if (issue.code === 'too_big') return `must be ${String(issue.maximum)} or less`;
        if (issue.code === 'too_small') return tooSmall;
        return issue.input === undefined
          ? `is required: a whole number of at least ${min}`
          : `must be a whole number of at least ${min}`;
      },
    })
    .int()
    .min(min);

/** The optimized-mode fields every kind shares: how a scale-out signal is judged, and the utilization it scales to. */
export const optimizedScaleOutFields = {
  scaleOutWindowMinutes: count(5)
    .max(1440)
    .default(DEFAULTS.optimized.scaleOutWindowMinutes)
    .describe('A scale-out signal must stay above its threshold this long.'),
  scaleOutGrainMinutes: count(1)
    .max(60)
    .default(DEFAULTS.optimized.scaleOutGrainMinutes)
    .describe('Grain of the scale-out window: every grain average must be above the threshold.'),
  targetUtilizationPercent: z
    .number()
    .gt(0)
    .max(100)
    .default(DEFAULTS.optimized.targetUtilizationPercent)
    .describe('Scale to the capacity that brings the hottest signal to this utilization.'),
};

/** The services' own smallest sizes, for a negative limits.min (the semantic checks name the kind's own for 0 and 1). */
export const SERVICE_MINIMUMS = Object.values(KIND_FACTS)
  .map((facts) => `${facts.serviceMin} ${facts.unit}`)
  .join(' or ');
export const SMALLEST_SERVICE_MIN = Math.min(...Object.values(KIND_FACTS).map((facts) => facts.serviceMin));

/**
 * Upper bounds on every number, so a typo (an extra zero, 1e15) is refused with its path instead of accepted.
 * Capacity: the HTTP API's own ceiling, above any Kusto SKU's instance count and any elastic cluster's node count.
 */
export const MAX_UNITS = 1000;
/** A cooldown or lag longer than 30 days is a typo. */
export const MAX_WAIT_MINUTES = 43_200;
/** PostgreSQL's own ceiling for max_connections. */
export const MAX_CONNECTIONS = 262_143;
export const MAX_THRESHOLD = 1e15;
export const units = (min: number) => count(min).max(MAX_UNITS);
export const minutes = () => count(0).max(MAX_WAIT_MINUTES);
export const connectionCount = (min: number) => count(min).max(MAX_CONNECTIONS);

export const limits = z
  .strictObject({
    min: count(0, `is below the service minimum (${SERVICE_MINIMUMS}); set it to ${SMALLEST_SERVICE_MIN} or more`)
      .max(MAX_UNITS)
      .describe('Fewest units the scaler will ever leave the target with.'),
    max: units(1).describe('Most units the scaler will ever scale the target to.'),
    default: units(0)
      .optional()
      .describe('Capacity to hold when metrics cannot be read: raised to if below, never lowered to. Defaults to min.'),
  })
  .transform((bounds) => ({ ...bounds, default: bounds.default ?? bounds.min }))
  .describe('Capacity bounds, in nodes (elastic cluster) or instances (Kusto).');

export const cooldowns = z
  .strictObject({
    scaleOutMinutes: minutes()
      .default(DEFAULTS.cooldowns.scaleOutMinutes)
      .describe('Wait after the last operation completed before scaling out again.'),
    scaleInMinutes: minutes()
      .default(DEFAULTS.cooldowns.scaleInMinutes)
      .describe('Wait after the last operation completed before scaling in.'),
  })
  .prefault({})
  .describe('Per-direction cooldowns, measured from the completion of the last operation of either direction.');

export const failureBackoff = z
  .strictObject({
    baseMinutes: count(5)
      .max(1440)
      .default(DEFAULTS.failureBackoff.baseMinutes)
      .describe(
        'Wait after a failed operation before trying the same change again; doubled for each further failure in a row.',
      ),
    maxMinutes: count(5)
      .max(10080)
      .default(DEFAULTS.failureBackoff.maxMinutes)
      .describe('Longest wait between two attempts of a change that keeps failing.'),
    maxConsecutiveFailures: count(1)
      .max(20)
      .default(DEFAULTS.failureBackoff.maxConsecutiveFailures)
      .describe(
        'Failures in a row after which the scaler stops trying the change and alerts, until an operator resets them.',
      ),
  })
  .refine((backoff) => backoff.maxMinutes >= backoff.baseMinutes, {
    path: ['maxMinutes'],
    message: 'must be at least baseMinutes; raise maxMinutes or lower baseMinutes',
  })
  .prefault({})
  .describe('How a change that keeps failing is retried: exponential backoff, then a stop with an alert.');

export const maxStep = z
  .strictObject({
    out: units(1).default(DEFAULTS.maxStep.out).describe('Most units added by one operation.'),
    in: units(1).default(DEFAULTS.maxStep.in).describe('Most units removed by one operation.'),
  })
  .prefault({})
  .describe('Largest change one operation may make.');

export const paused = z
  .strictObject({
    scaleOut: z.boolean().default(DEFAULTS.paused.scaleOut).describe('Never add capacity.'),
    scaleIn: z.boolean().default(DEFAULTS.paused.scaleIn).describe('Never remove capacity.'),
  })
  .prefault({})
  .describe('Stop one or both directions without removing the target.');

export const dataQuality = z
  .strictObject({
    minWindowCoveragePercent: z
      .number()
      .gt(0)
      .max(100)
      .default(DEFAULTS.dataQuality.minWindowCoveragePercent)
      .describe('Share of grains in a window that must have data for the window to count.'),
    maxLagMinutes: minutes()
      .default(DEFAULTS.dataQuality.maxLagMinutes)
      .describe('How far the newest data may trail now before the signal counts as missing.'),
  })
  .prefault({})
  .describe('When metric data is complete enough to act on.');

export const OPERATORS = [
  'GreaterThan',
  'GreaterThanOrEqual',
  'LessThan',
  'LessThanOrEqual',
  'Equals',
  'NotEquals',
] as const;
export const TIME_AGGREGATIONS = ['Average', 'Minimum', 'Maximum', 'Total', 'Count', 'Last'] as const;

export const change = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('count'), value: units(1).describe('Units to add or remove.') }),
    z.strictObject({
      type: z.literal('percent'),
      value: z.number().gt(0).max(1000).describe('Percent of current capacity, at least 1 unit.'),
    }),
    z.strictObject({ type: z.literal('exact'), value: units(1).describe('Capacity to go to.') }),
  ])
  .default({ ...DEFAULTS.rule.change })
  .describe('How much a firing rule changes capacity (Azure Monitor ChangeCount / PercentChangeCount / ExactCount).');

export const ruleSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(80)
      .optional()
      .describe('Shown in decisions and the ledger. Defaults to "<direction>-<metric>-<index>".'),
    metric: z.string().min(1).describe('Azure Monitor metric name, exactly as published (e.g. cpu_percent, CPU).'),
    statistic: z
      .enum(STATISTICS)
      .default(DEFAULTS.rule.statistic)
      .describe('How samples within one time grain combine (also the aggregation requested from Azure Monitor).'),
    timeGrainMinutes: count(1)
      .max(60)
      .default(DEFAULTS.rule.timeGrainMinutes)
      .describe('Length of one grain; samples within it combine with the statistic.'),
    windowMinutes: count(1)
      .max(1440)
      .default(DEFAULTS.rule.windowMinutes)
      .describe('How far back the rule looks; a multiple of timeGrainMinutes.'),
    timeAggregation: z
      .enum(TIME_AGGREGATIONS)
      .default(DEFAULTS.rule.timeAggregation)
      .describe('How the grains of the window combine into one value.'),
    operator: z.enum(OPERATORS).describe('How the window value compares with the threshold.'),
    threshold: z
      .number()
      .min(-MAX_THRESHOLD)
      .max(MAX_THRESHOLD)
      .describe("The value the rule compares against, in the metric's unit."),
    direction: z.enum(['out', 'in']).describe('out adds capacity, in removes it (not offered for elastic clusters).'),
    change,
  })
  .describe('A custom-mode rule with Azure Monitor autoscale semantics.');

/** The longest alert rule name or id the allow-list holds (ARM ids of alert rules are far shorter). */
export const MAX_RULE_REFERENCE_CHARS = 1024;

export const alertAction = z
  .strictObject({
    direction: z.enum(['out', 'in']).describe('out adds capacity, in removes it (not offered for elastic clusters).'),
    step: count(1)
      .max(100)
      .default(DEFAULTS.alerts.step)
      .describe('Units a fired alert asks to add or remove; maxStep and the limits still apply.'),
  })
  .describe('What a fired alert of this rule asks for.');

export const alerts = z
  .strictObject({
    rules: z
      .record(z.string().min(1).max(260), alertAction)
      .default({})
      .describe(
        'Alert rule name (essentials.alertRule, any case) -> { "direction": "out" | "in", "step": 1..100 (default 1) }: what its fired alerts ask for when the rule has no scaler.direction custom property.',
      ),
    allowRules: z
      .array(z.string().trim().min(1).max(MAX_RULE_REFERENCE_CHARS))
      .max(100)
      .default([])
      .describe(
        'Alert rules whose alerts may scale this target, each by name (essentials.alertRule) or ARM id (essentials.alertRuleId, "/subscriptions/..."), in any case. Rules named in rules may too. Any other alert about the target is recorded and refused; with neither list, no alert scales it.',
      ),
    actOnResolved: z
      .boolean()
      .default(DEFAULTS.alerts.actOnResolved)
      .describe(
        'Act on resolved alerts too: a resolved alert asks for the opposite of what the fired one asked, by the same step.',
      ),
  })
  .prefault({})
  .describe('How Azure Monitor alerts (POST /api/alerts) for this target become scale requests.');

export const FORECAST_MODES = ['off', 'forecast-only', 'act'] as const;

export type ForecastKindDefaults = {
  mode: (typeof FORECAST_MODES)[number];
  minConfidence: number;
  minHistoryDays: number;
  defaultLeadMinutes: number;
};

/** Predictive scaling; the defaults that differ per kind are passed in (an irreversible change needs stronger evidence). */
export function forecastShape(defaults: ForecastKindDefaults) {
  const shared = DEFAULTS.forecast;
  return {
    mode: z
      .enum(FORECAST_MODES)
      .default(defaults.mode)
      .describe(
        "off: reactive only; forecast-only: the forecast and its schedule go into every decision's evidence but never act; act: scale ahead of the forecast when seasonality is found with high confidence.",
      ),
    historyDays: count(3)
      .max(30)
      .default(shared.historyDays)
      .describe(
        'Days of hourly history the forecast reads (cached in Table Storage, so a tick reads only the newest hours).',
      ),
    horizonHours: count(24)
      .max(168)
      .default(shared.horizonHours)
      .describe('Hours ahead the forecast and its schedule cover.'),
    minConfidence: z
      .number()
      .min(0)
      .max(1)
      .default(defaults.minConfidence)
      .describe('Held-out R^2 (0..1) below which the forecast is not trusted and the reactive logic decides alone.'),
    minHistoryDays: count(2)
      .max(30)
      .default(defaults.minHistoryDays)
      .describe('Whole days of history needed before any forecast.'),
    targetUtilizationPercent: z
      .number()
      .gt(0)
      .max(100)
      .default(shared.targetUtilizationPercent)
      .describe('Plan capacity so that the forecast load plus its margin runs at this utilization.'),
    spikeTolerancePercent: z
      .number()
      .min(0)
      .max(1000)
      .default(shared.spikeTolerancePercent)
      .describe(
        'Load this far above the forecast (plus margin) is a spike the forecast did not foresee: the reactive logic may add capacity on top.',
      ),
    defaultLeadMinutes: count(1)
      .max(1440)
      .default(defaults.defaultLeadMinutes)
      .describe('Lead time until the target has completed scale-outs to learn it from.'),
  };
}

export const FORECAST_DESCRIPTION =
  'Predictive scaling: forecast the load from its daily and weekly pattern and scale ahead of it (docs/forecasting.md).';
/** Azure Monitor autoscale allows 20 profiles per setting, the default included, and 10 rules per profile. */
export const MAX_PROFILES = 19;
export const MAX_RULES_PER_PROFILE = 10;

export const timeOfDay = (what: string) =>
  z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time of day "HH:MM", e.g. "08:00" or "18:30"')
    .describe(what);
export const localDateTime = (what: string) =>
  z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/,
      'must be a wall-clock date and time "YYYY-MM-DDTHH:MM" without an offset (the zone is timeZone), e.g. "2026-11-27T06:00"',
    )
    .describe(what);
export const timeZone = z
  .string()
  .min(1)
  .max(64)
  .describe(
    'IANA time zone, e.g. "Europe/Berlin", "America/New_York" or "UTC"; daylight-saving time follows the zone.',
  );

export const dayOfWeek = z
  .enum(DAYS_OF_WEEK, {
    error: (issue) => {
      const input = typeof issue.input === 'string' ? issue.input : undefined;
      const abbreviated =
        input && input.length >= 2
          ? DAYS_OF_WEEK.find((day) => day.toLowerCase().startsWith(input.toLowerCase()))
          : undefined;
      const hint = input === undefined ? undefined : (abbreviated ?? suggest(input, DAYS_OF_WEEK));
      return `must be a day of the week spelled out in English, "Monday" to "Sunday"${hint ? `; did you mean "${hint}"?` : ''}`;
    },
  })
  .describe('A day of the week, in English.');

export const recurrence = z
  .strictObject({
    days: z
      .array(dayOfWeek)
      .min(1, 'list at least one day of the week')
      .describe(
        'Days of the week on which the profile starts, e.g. ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"].',
      ),
    start: timeOfDay('Local time at which the profile starts on each of those days.'),
    end: timeOfDay(
      'Optional local time at which the default profile takes over again (on the next day when it is not after start). Without it the profile runs until the next profile starts, as in Azure Monitor.',
    ).optional(),
    timeZone,
  })
  .describe('A weekly schedule (Azure Monitor recurrence).');

export const fixedDate = z
  .strictObject({
    start: localDateTime('Local date and time at which the profile starts.'),
    end: localDateTime('Local date and time at which it ends (exclusive).'),
    timeZone,
  })
  .describe('One period, e.g. a sale day (Azure Monitor fixedDate). Beats every recurrence profile while it runs.');

export const profileSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(80)
      .describe('Shown in decisions, the ledger and the status view; "default" is the target itself.'),
    recurrence: recurrence.optional(),
    fixedDate: fixedDate.optional(),
    mode: z
      .enum(['manual', 'custom', 'optimized'])
      .optional()
      .describe("How capacity is decided while the profile runs. Defaults to the target's mode."),
    limits: limits.optional().describe("Capacity bounds while the profile runs. Defaults to the target's limits."),
    rules: z
      .array(ruleSchema)
      .max(MAX_RULES_PER_PROFILE)
      .optional()
      .describe(
        "Custom-mode rules while the profile runs; they replace the target's rules (no merging). Defaults to the target's rules.",
      ),
    instanceCount: units(1)
      .optional()
      .describe(
        'Scale to this many units and hold them while the profile runs, instead of mode, limits and rules (the portal\'s "scale to a specific instance count").',
      ),
  })
  .describe(
    'A scheduled profile: a recurrence or a fixed date, with its own limits and rules or a fixed instance count.',
  );

export const targetBase = {
  name: z
    .string()
    .regex(
      TARGET_NAME,
      'must be lowercase letters, digits and hyphens, starting and ending with a letter or digit, at most 63 characters',
    )
    .describe('Unique, URL-safe name used in the HTTP API.'),
  resourceId: z.string().max(1024).describe('ARM resource id of the cluster.'),
  mode: z
    .enum(['manual', 'custom', 'optimized'])
    .describe('manual: obey requests only; custom: rules; optimized: built-in reactive logic.'),
  limits,
  cooldowns,
  failureBackoff,
  maxStep,
  rules: z.array(ruleSchema).default([]).describe('Custom-mode rules.'),
  profiles: z
    .array(profileSchema)
    .max(MAX_PROFILES)
    .default([])
    .describe(
      "Schedules (Azure Monitor autoscale profiles). The target's own mode, limits and rules are the default profile; a running fixed-date profile beats a recurrence profile, which beats the default. See docs/schedules.md.",
    ),
  dryRun: z.boolean().default(DEFAULTS.dryRun).describe('Decide and record, but never change the cluster.'),
  paused,
  dataQuality,
  alerts,
};

/** What every kind's target config has, whatever its kind adds. */
export type TargetBaseConfig = z.output<z.ZodObject<typeof targetBase>>;
