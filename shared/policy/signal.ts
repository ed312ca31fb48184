/** Builds the evidence for one evaluated signal (a custom rule or an optimized-mode check). */
import type { Operator } from '../config/schema/schema.js';
import type { Direction, SignalEvidence } from './decision.js';
import { compare } from './compare.js';
import { evaluateWindow, type WindowSpec } from './windows.js';
import type { PolicyContext } from './proposal.js';

export interface SignalSpec extends WindowSpec {
  name: string;
  direction: Direction;
  operator: Operator;
  threshold: number;
}

export function evaluateSignal(spec: SignalSpec, context: PolicyContext): SignalEvidence {
  const window = evaluateWindow(context.metrics, spec, context.target.dataQuality);
  const fired = window.status === 'ok' && window.value !== null && compare(window.value, spec.operator, spec.threshold);
  return {
    name: spec.name,
    direction: spec.direction,
    metric: spec.metric,
    statistic: spec.statistic,
    timeAggregation: spec.timeAggregation,
    operator: spec.operator,
    threshold: spec.threshold,
    timeGrainMinutes: spec.timeGrainMinutes,
    windowMinutes: spec.windowMinutes,
    windowStart: window.windowStartMs === null ? null : new Date(window.windowStartMs).toISOString(),
    windowEnd: window.windowEndMs === null ? null : new Date(window.windowEndMs).toISOString(),
    grainsUsed: window.grainsUsed,
    grainsExpected: window.grainsExpected,
    value: window.value,
    status: window.status,
    fired,
  };
}

export function hasData(signal: SignalEvidence): boolean {
  return signal.status === 'ok' && signal.value !== null;
}
