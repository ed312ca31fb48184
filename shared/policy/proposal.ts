/**
 * The value that flows through the pipeline: what the signals asked for, then what each guard made of it.
 * Stages are small pure functions `(proposal, context) => proposal`.
 */
import type { MetricsSnapshot } from '../vocabulary/metric-series.js';
import type { TargetConfig } from '../config/schema/schema.js';
import type { ForecastEvidence, GuardNote, ReasonCode, SignalEvidence, Trigger } from './decision.js';
import type { ActiveProfile } from './schedule.js';
import type {
  ExecutorFacts,
  FailureHistory,
  ForecastInput,
  HorizonNeed,
  ObservedTarget,
  ScaleHistory,
  ScaleRequest,
  RuntimePauses,
} from './input.js';
import { kindOf } from '../kinds/registry.js';

/** A scale-out signal's value, kept so the flapping projection can re-check it at a smaller capacity. */
export interface ProjectableSignal {
  name: string;
  metric: string;
  value: number;
  threshold: number;
  /** True when the signal fires at or above the threshold; false for strictly above. */
  inclusive: boolean;
}

/** What produced the proposal: drives which guards apply (e.g. maxStep does not cap an operator's request). */
export type ProposalOrigin = 'signals' | 'request' | 'limits' | 'metrics-unavailable' | 'forecast' | 'schedule';

export interface Proposal {
  from: number;
  to: number;
  reason: ReasonCode;
  message: string;
  origin: ProposalOrigin;
  signals: SignalEvidence[];
  projectable: ProjectableSignal[];
  guards: GuardNote[];
  /** True when no signal could be trusted: capacity may rise to the default but never falls. */
  metricsUnavailable: boolean;
  /** Set by the forecast stage. */
  forecast?: ForecastEvidence | undefined;
  /** The horizon a scale-out was sized for (elastic clusters), when it was. */
  horizon?: HorizonEvidence | undefined;
}

export interface HorizonEvidence extends HorizonNeed {
  /** Utilization the step was sized for, percent. */
  targetPercent: number;
  /** Capacity that serves the horizon's load at that utilization. */
  units: number;
}

export interface PolicyContext {
  nowMs: number;
  target: TargetConfig;
  observed: ObservedTarget;
  metrics: MetricsSnapshot | undefined;
  history: ScaleHistory;
  failures: FailureHistory;
  request: ScaleRequest | undefined;
  paused: RuntimePauses;
  executor: ExecutorFacts;
  trigger: Trigger;
  /** limits.min/max narrowed by the service bounds the scale target reported. */
  bounds: { min: number; max: number; default: number };
  /** The forecast and learned lead time, when forecasting is on and history could be read. */
  forecast: ForecastInput | undefined;
  /** The schedule profile in force; `target` already carries its mode, limits and rules. */
  profile: ActiveProfile;
  horizonNeed?: HorizonNeed | undefined;
}

export type Stage = (proposal: Proposal, context: PolicyContext) => Proposal;

export function unitsOf(target: TargetConfig, count: number): string {
  const noun = kindOf(target).words.unitSingular;
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Records a guard's verdict; a guard that changes `to` also takes over reason and message. */
export function noteGuard(
  proposal: Proposal,
  guard: string,
  change?: { to: number; reason: ReasonCode; message: string; detail?: string },
): Proposal {
  if (!change)
    return { ...proposal, guards: [...proposal.guards, { guard, verdict: 'passed', detail: 'no objection' }] };
  const verdict = change.to === proposal.from && proposal.to !== proposal.from ? 'blocked' : 'changed';
  const note: GuardNote = { guard, verdict, reason: change.reason, detail: change.detail ?? change.message };
  return {
    ...proposal,
    to: change.to,
    reason: change.reason,
    message: change.message,
    guards: [...proposal.guards, note],
  };
}

export function formatValue(value: number | null): string {
  if (value === null) return 'no data';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
