/**
 * Azure Monitor autoscale (custom autoscale), as documented in
 * - "Understand autoscale settings" (learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-understanding-settings):
 *   the engine runs every 30 to 60 seconds; a rule averages its metric over `timeWindow` (1-minute grains here);
 *   "If one or more scale-out rules are triggered, autoscale ... scales to the highest specified capacity";
 *   "Autoscale only scales in if all the scale-in rules are triggered" and then "scales in by as little as
 *   possible"; after any scale action it "waits for a cooldown period before it scales again in either
 *   direction. The cooldown that applies is the one on the rule that most recently fired"; when metrics cannot be
 *   read and capacity is below `default`, it scales out to the default;
 * - "Flapping in autoscale" (.../autoscale/autoscale-flapping): before a scale-in it estimates each metric at the
 *   smaller count (the same load over fewer instances) and "may scale by less than the specified number of
 *   resource instances", or skips the scale-in when no count between the target and the current one is safe;
 *   no such check is made for scale-out.
 *
 * The typical rule pair: out when average CPU > 75 % over 10 minutes by 1, in when < 25 % over 10
 * minutes by 1, cooldown 5 minutes (the portal's defaults for duration and cooldown). Azure Monitor autoscale
 * cannot target an elastic cluster at all; for that kind this baseline shows what its rule semantics would do
 * there, without the in-rule (Azure offers no scale-in).
 *
 * Profiles ("Autoscale with multiple profiles", .../autoscale/autoscale-multiprofile): each run picks one
 * profile, a running fixed date before the recurrence that started last before the default, with the product's
 * own schedule code (shared/policy/schedule.ts), so both read a config's profiles alike. "If the instance count is
 * less than 3, autoscale scales to the new minimum of three": a count outside the profile's limits moves to the
 * nearest limit; a profile without rules holds its count (min = max).
 *
 * Simulation choices: the engine runs once per minute (samples are per minute); a scale action refused by ARM
 * because an update runs is not a scale action, so it starts no cooldown and is retried on the next run; moving
 * into a new profile's limits waits for the cooldown like any other scale action.
 */
import { type TargetKind } from '../../../shared/vocabulary/kinds.js';
import type { TargetConfig } from '../../../shared/config/schema/schema.js';
import { activeProfile } from '../../../shared/policy/schedule.js';
import { MINUTE_MS } from '../trace.js';
import type { ChangeResult } from '../model/cluster-model.js';
import type { MetricFeed } from '../metric-feed.js';
import { clamp, type Controller } from '../policy-runner.js';
import { simulationOf } from '../kinds/registry.js';
import { kindDefinition } from '../../../shared/kinds/registry.js';

export type RuleOperator = 'GreaterThan' | 'GreaterThanOrEqual' | 'LessThan' | 'LessThanOrEqual';

export interface AutoscaleRule {
  metric: string;
  operator: RuleOperator;
  threshold: number;
  /** `timeWindow`: minutes of 1-minute averages that are averaged. */
  windowMinutes: number;
  direction: 'out' | 'in';
  /** `ChangeCount`: instances added or removed. */
  changeCount: number;
  cooldownMinutes: number;
}

export interface AutoscaleProfile {
  rules: AutoscaleRule[];
  capacity: { min: number; max: number; default: number };
  /** False for an elastic cluster: a count above the maximum stays (Azure cannot remove nodes). */
  canScaleIn?: boolean;
}

type Bounds = AutoscaleProfile['capacity'];

/**
 * The profile in force at each minute of a run: the target's scheduled profiles with their own limits (narrowed
 * like the default's) and the typical rule pair, or no rules for a fixed instance count or manual mode.
 */
export function scheduledProfiles(
  target: TargetConfig,
  startMs: number,
  narrow: (limits: Bounds) => Bounds,
): (minute: number) => AutoscaleProfile {
  const canScaleIn = kindDefinition(target.kind).facts.canScaleIn;
  const rules = typicalRulePair(target.kind);
  const byName = new Map<string, AutoscaleProfile>();
  if (target.profiles.length === 0) {
    const only: AutoscaleProfile = { rules, capacity: narrow(target.limits), canScaleIn };
    return () => only;
  }
  return (minute) => {
    const active = activeProfile(target, startMs + minute * MINUTE_MS);
    let profile = byName.get(active.name);
    if (!profile) {
      const { settings, kind } = active;
      const holds = settings.instanceCount !== undefined || (kind !== 'default' && settings.mode === 'manual');
      profile = { rules: holds ? [] : rules, capacity: narrow(settings.limits), canScaleIn };
      byName.set(active.name, profile);
    }
    return profile;
  };
}

export function typicalRulePair(kind: TargetKind): AutoscaleRule[] {
  const metric = simulationOf(kind).baselines.cpuMetric;
  const out: AutoscaleRule = {
    metric,
    operator: 'GreaterThan',
    threshold: 75,
    windowMinutes: 10,
    direction: 'out',
    changeCount: 1,
    cooldownMinutes: 5,
  };
  const scaleIn: AutoscaleRule = {
    metric,
    operator: 'LessThan',
    threshold: 25,
    windowMinutes: 10,
    direction: 'in',
    changeCount: 1,
    cooldownMinutes: 5,
  };
  return kindDefinition(kind).facts.canScaleIn ? [out, scaleIn] : [out];
}

export interface AutoscaleDecision {
  to: number;
  /** Why, in the words of the autoscale run history. */
  reason:
    | 'cooldown'
    | 'profile-limits'
    | 'scale-out'
    | 'scale-in'
    | 'scale-in-reduced'
    | 'flapping-avoided'
    | 'default-capacity'
    | 'no-rule-fired';
}

export interface AutoscaleState {
  /** Minute of the last scale action and the cooldown of the rule that fired it. */
  lastAction?: { minute: number; cooldownMinutes: number } | undefined;
}

/** One run of the autoscale engine on the metric values it read (null: no data in the window). */
export function evaluateAutoscale(
  profile: AutoscaleProfile,
  current: number,
  values: ReadonlyArray<number | null>,
  minute: number,
  state: AutoscaleState,
): AutoscaleDecision & { rule?: AutoscaleRule } {
  const { rules, capacity } = profile;
  if (state.lastAction && minute < state.lastAction.minute + state.lastAction.cooldownMinutes)
    return { to: current, reason: 'cooldown' };
  const bounded = clamp(current, capacity);
  if (bounded > current || (bounded < current && profile.canScaleIn !== false))
    return { to: bounded, reason: 'profile-limits' };
  if (rules.length > 0 && values.every((value) => value === null)) {
    return current < capacity.default
      ? { to: capacity.default, reason: 'default-capacity' }
      : { to: current, reason: 'no-rule-fired' };
  }
  const fired = rules
    .map((rule, index) => ({ rule, value: values[index] ?? null }))
    .filter(({ rule, value }) => value !== null && compare(value, rule));
  const outs = fired.filter(({ rule }) => rule.direction === 'out');
  if (outs.length > 0) {
    const best = outs.reduce((winner, candidate) =>
      candidate.rule.changeCount > winner.rule.changeCount ? candidate : winner,
    );
    const to = clamp(current + best.rule.changeCount, capacity);
    if (to > current) return { to, reason: 'scale-out', rule: best.rule };
  }
  const ins = rules
    .map((rule, index) => ({ rule, value: values[index] ?? null }))
    .filter(({ rule }) => rule.direction === 'in');
  if (ins.length === 0 || ins.length !== fired.filter(({ rule }) => rule.direction === 'in').length)
    return { to: current, reason: 'no-rule-fired' };
  const smallest = ins.reduce((winner, candidate) =>
    candidate.rule.changeCount < winner.rule.changeCount ? candidate : winner,
  );
  const target = clamp(current - smallest.rule.changeCount, capacity);
  if (target >= current) return { to: current, reason: 'no-rule-fired' };
  return projectScaleIn(rules, values, current, target, smallest.rule);
}

/** The flapping check: the smallest count between `target` and `current` at which no out-rule would fire. */
function projectScaleIn(
  rules: AutoscaleRule[],
  values: ReadonlyArray<number | null>,
  current: number,
  target: number,
  rule: AutoscaleRule,
): AutoscaleDecision & { rule?: AutoscaleRule } {
  for (let candidate = target; candidate < current; candidate += 1) {
    const wouldFire = rules.some((other, index) => {
      const value = values[index] ?? null;
      return other.direction === 'out' && value !== null && compare((value * current) / candidate, other);
    });
    if (!wouldFire) return { to: candidate, reason: candidate === target ? 'scale-in' : 'scale-in-reduced', rule };
  }
  return { to: current, reason: 'flapping-avoided' };
}

function compare(value: number, rule: AutoscaleRule): boolean {
  switch (rule.operator) {
    case 'GreaterThan':
      return value > rule.threshold;
    case 'GreaterThanOrEqual':
      return value >= rule.threshold;
    case 'LessThan':
      return value < rule.threshold;
    case 'LessThanOrEqual':
      return value <= rule.threshold;
  }
}

/** Average of the readable 1-minute samples in the rule's window, or null when there are none. */
export function windowAverage(feed: MetricFeed, metric: string, minute: number, windowMinutes: number): number | null {
  const samples = feed.window(metric, minute, windowMinutes);
  if (samples.length === 0) return null;
  let sum = 0;
  for (const value of samples) sum += value;
  return sum / samples.length;
}

/** No rule fired a move into a new profile's limits, so the portal's default cooldown follows it. */
const PROFILE_CHANGE_COOLDOWN_MINUTES = 5;

export class AzureMonitorAutoscale implements Controller {
  readonly policy = 'azure-monitor-autoscale' as const;
  private readonly state: AutoscaleState = {};
  private pending: { minute: number; cooldownMinutes: number } | undefined;
  private lastReason = '';

  private readonly profileAt: (minute: number) => AutoscaleProfile;

  /** `profile`: one profile for the whole run, or the one in force at each minute (see scheduledProfiles). */
  constructor(
    profile: AutoscaleProfile | ((minute: number) => AutoscaleProfile),
    private readonly feed: MetricFeed,
    private readonly current: () => number,
  ) {
    this.profileAt = typeof profile === 'function' ? profile : () => profile;
  }

  decide(minute: number): number | undefined {
    const profile = this.profileAt(minute);
    const values = profile.rules.map((rule) => windowAverage(this.feed, rule.metric, minute, rule.windowMinutes));
    const decision = evaluateAutoscale(profile, this.current(), values, minute, this.state);
    const cooldownMinutes =
      decision.rule?.cooldownMinutes ??
      (decision.reason === 'profile-limits' ? PROFILE_CHANGE_COOLDOWN_MINUTES : undefined);
    this.pending = cooldownMinutes === undefined ? undefined : { minute, cooldownMinutes };
    this.lastReason = decision.rule ? `${decision.reason} (${describeRule(decision.rule)})` : decision.reason;
    return decision.to;
  }

  reason(): string {
    return this.lastReason;
  }

  onResult(_minute: number, _wanted: number, result: ChangeResult): void {
    if (result.accepted && this.pending) this.state.lastAction = this.pending;
  }
}

function describeRule(rule: AutoscaleRule): string {
  const sign = rule.direction === 'out' ? '+' : '-';
  return `${rule.metric} ${rule.operator} ${rule.threshold} over ${rule.windowMinutes} min: ${sign}${rule.changeCount}`;
}
