/**
 * What the decision pipeline returns. Like the HPA's (replicas, reason, message): a closed union of reason
 * codes that tests and dashboards can rely on, plus a sentence for an operator.
 */
export type ScaleAction = 'none' | 'scale-out' | 'scale-in';
export type Direction = 'out' | 'in';
export type Trigger = 'timer' | 'alert' | 'manual';

export const POLICY_REASON_CODES = [
  // No change was needed or asked for.
  'WithinThresholds', // rules evaluated, none fired
  'NoRequest', // manual mode: nothing to do until an operator or alert asks
  'AlreadyAtRequestedCapacity',
  // Signals that asked for a change.
  'ScaleOutRuleFired', // custom mode: at least one out-rule fired
  'ScaleInRulesFired', // custom mode: every in-rule fired
  'SustainedHighUtilization', // optimized mode: a scale-out signal stayed high for the whole window
  'SustainedLowUtilization', // optimized mode: every scale-in check agreed over the evaluation window
  'ManualRequest',
  'AlertFired',
  // Predictive scaling (forecast mode act, seasonality found with high confidence).
  'ForecastScaleOut', // the forecast's schedule adds capacity ahead of the load
  'ForecastScaleIn', // the forecast's schedule removes capacity the coming lead time does not need
  'WithinForecast', // the forecast's schedule holds the current capacity
  // Schedules (profiles).
  'ScheduledInstanceCount', // the active profile fixes an instance count that differs from the current one
  'AtScheduledInstanceCount', // the active profile fixes an instance count, and the target has it
  // Limits.
  'BelowMinimum', // capacity was below limits.min: pulled up
  'AboveMaximum', // capacity was above limits.max: pulled down (where the target can scale in)
  'ClampedToMax',
  'ClampedToMin',
  'AtMaximum',
  'AtMinimum',
  'StepLimited',
  // Missing data.
  'MetricsUnavailable', // held capacity: no signal can be trusted
  'RaisedToDefault', // no signal could be trusted and capacity was below limits.default
  'EvaluationWindowIncomplete', // optimized scale-in: not yet a full window of data since the last operation
  // Guards that blocked or reduced a change.
  'Paused',
  'OperationInProgress',
  'CooldownActive',
  'BackingOff', // the same change failed recently: waiting out an exponentially growing backoff
  'FailureLimitReached', // the same change failed too often in a row: stopped until an operator resets the failures
  'ScaleInUnsupported',
  'FlappingAvoided',
  'ScaleInReduced', // flapping projection shrank the scale-in step
  'ConflictingAutoscaler',
  'DryRun',
  // Closing guards, on the request and on what the executor found.
  'OutsideLimits', // an operator asked for a capacity outside the limits: refused rather than clamped
  'LeaseHeld', // another evaluation holds the target's lease and is acting on it
] as const;

/** Reasons the use cases record without deciding (shared/scaling/), never produced by decide() itself. */
export const EXECUTOR_REASON_CODES = [
  'OperationAbandoned', // an operator ended an operation by hand (POST /api/operations/{id}/abandon)
] as const;

export const REASON_CODES = [...POLICY_REASON_CODES, ...EXECUTOR_REASON_CODES] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

export type GuardVerdict = 'passed' | 'changed' | 'blocked';

/** What one guard said about the proposal it was handed. */
export interface GuardNote {
  guard: string;
  verdict: GuardVerdict;
  reason?: ReasonCode;
  detail: string;
}

export type SignalStatus = 'ok' | 'no-data' | 'insufficient-data';

/** One evaluated rule or optimized-mode check, with everything needed to audit it. */
export interface SignalEvidence {
  name: string;
  direction: Direction;
  metric: string;
  statistic: string;
  timeAggregation: string;
  operator: string;
  threshold: number;
  timeGrainMinutes: number;
  windowMinutes: number;
  /** ISO 8601 bounds of the window actually used (complete grains only). */
  windowStart: string | null;
  windowEnd: string | null;
  grainsUsed: number;
  grainsExpected: number;
  value: number | null;
  status: SignalStatus;
  fired: boolean;
  /** Scale-in flapping projection: the value expected at the smaller capacity. */
  projectedValue?: number;
  /** The cluster publishes no data for this metric at all (it does not use that feature); it neither fires nor blocks. */
  notReported?: boolean;
}

/** What the forecast said, in every decision (docs/forecasting.md). */
export interface ForecastEvidence {
  mode: 'off' | 'forecast-only' | 'act';
  /** `confident`: seasonality found with high confidence; otherwise why the reactive logic decides alone. */
  status: 'off' | 'unavailable' | 'confident' | 'low-confidence' | 'insufficient-history' | 'diverged';
  /** True when the forecast decided (or raised) the capacity of this decision. */
  applied: boolean;
  message: string;
  confidence?: number;
  model?: 'daily' | 'weekly' | null;
  historyDays?: number;
  trendPerDay?: number;
  /** Load added above the forecast for what it got wrong on held-out days, node-equivalents. */
  marginLoad?: number;
  leadMinutes?: number;
  leadSource?: 'learned' | 'default';
  /** The load now (node-equivalents), from the last minutes' utilization; null without data. */
  currentLoad?: number | null;
  upperLoadNow?: number;
  capacityNow?: number;
  peakCapacity?: number;
  /** True when the load now is above what the forecast foresaw: the reactive logic may add on top. */
  spike?: boolean;
  /** The planned ahead-of-time operations (the first is the capacity the schedule asks for now). */
  schedule?: { at: string; to: number }[];
  /** Forecast mean load per hour (node-equivalents). */
  hourly?: { at: string; load: number }[];
  /** What the forecast decided, applied or not (forecast-only mode). */
  wouldDo?: { to: number; reason: ReasonCode };
}

/** The schedule profile a decision was taken under (docs/schedules.md). */
export interface ProfileEvidence {
  name: string;
  kind: 'default' | 'recurrence' | 'fixed-date';
  /** Why it applies now. */
  why: string;
  /** ISO 8601; null when it took over more than a week before. */
  since: string | null;
  /** The next transition, or null when none is scheduled. */
  next: { at: string; profile: string } | null;
  /** Set when the profile holds a fixed instance count instead of deciding by mode and rules. */
  instanceCount?: number;
}

export interface DecisionEvidence {
  /** The active profile's mode; 'instance-count' when it holds a fixed count. */
  mode: 'manual' | 'custom' | 'optimized' | 'instance-count';
  /** The active schedule profile ('default' when the target has none). Absent only on entries the executor wrote. */
  profile?: ProfileEvidence;
  trigger: Trigger;
  now: string;
  limits: { min: number; max: number; default: number };
  signals: SignalEvidence[];
  /** What the rules or request proposed before the guards ran. */
  proposal: { action: ScaleAction; to: number; reason: ReasonCode; message: string };
  guards: GuardNote[];
  /** The forecast and its planned schedule; absent only in decisions recorded before forecasting existed. */
  forecast?: ForecastEvidence;
  /** The horizon a scale-out was sized for (elastic clusters: one rebalance for the need over it). */
  horizon?: {
    loadUnits: number;
    horizonMinutes: number;
    source: 'trend' | 'forecast';
    detail: string;
    targetPercent: number;
    units: number;
  };
  /** Set when the target is in dry-run: the action that would have been taken. */
  dryRun?: { action: ScaleAction; to: number; reason: ReasonCode };
}

export interface Decision {
  action: ScaleAction;
  from: number;
  to: number;
  reason: ReasonCode;
  message: string;
  evidence: DecisionEvidence;
}

export function actionFor(from: number, to: number): ScaleAction {
  if (to > from) return 'scale-out';
  if (to < from) return 'scale-in';
  return 'none';
}
