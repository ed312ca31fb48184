export { decide, effectiveBounds, GUARDS } from './decide.js';
export { REASON_CODES, actionFor } from './decision.js';
export type { Decision, DecisionEvidence, Direction, GuardNote, ReasonCode, ScaleAction, SignalEvidence, Trigger } from './decision.js';
export type { DecideInput, MetricsSnapshot, ObservedTarget, OperationSummary, RuntimePauses, ScaleHistory, ScaleRequest } from './input.js';
