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
] as const;

/** Reasons the executor adds around the policy (shared/scaler.ts), never produced by decide() itself. */
export const EXECUTOR_REASON_CODES = [
  'LeaseHeld', // another evaluation holds the target's lease and is acting on it
  'OutsideLimits', // an operator asked for a capacity outside the limits: refused rather than clamped
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

export interface DecisionEvidence {
  mode: 'manual' | 'custom' | 'optimized';
  trigger: Trigger;
  now: string;
  limits: { min: number; max: number; default: number };
  signals: SignalEvidence[];
  /** What the rules or request proposed before the guards ran. */
  proposal: { action: ScaleAction; to: number; reason: ReasonCode; message: string };
  guards: GuardNote[];
  /** The horizon a scale-out was sized for (elastic clusters: one rebalance for the need over it). */
  horizon?: { loadUnits: number; horizonMinutes: number; source: 'trend' | 'forecast'; detail: string; targetPercent: number; units: number };
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
