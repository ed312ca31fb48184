/**
 * Custom mode, with Azure Monitor autoscale semantics: scale out if ANY out-rule fires (the largest result
 * wins); scale in only if ALL in-rules fire (the smallest reduction wins). A rule without enough complete
 * grains in its window does not fire.
 */
import type { RuleConfig } from '../config/schema/schema.js';
import type { SignalEvidence } from './decision.js';
import { OPERATOR_SYMBOL } from './compare.js';
import { evaluateSignal, hasData } from './signal.js';
import { describeMissing, metricsUnavailableProposal } from './metrics-unavailable.js';
import { type PolicyContext, type ProjectableSignal, type Proposal, formatValue, unitsOf } from './proposal.js';

export function ruleName(rule: RuleConfig, index: number): string {
  return rule.name ?? `${rule.direction}-${rule.metric}-${index}`;
}

export function proposeFromRules(context: PolicyContext): Proposal {
  const from = context.observed.capacity;
  const evaluated = context.target.rules.map((rule, index) => ({
    rule,
    signal: evaluateSignal({ ...rule, name: ruleName(rule, index) }, context),
  }));
  const signals = evaluated.map(({ signal }) => signal);
  const projectable = evaluated
    .filter(({ rule, signal }) => rule.direction === 'out' && hasData(signal))
    .flatMap(({ rule, signal }) => projectableFrom(rule, signal));
  const base = { from, origin: 'signals' as const, signals, projectable, guards: [], metricsUnavailable: false };

  const outs = evaluated.filter(({ rule, signal }) => rule.direction === 'out' && signal.fired);
  const bestOut = maxBy(
    outs.map(({ rule, signal }) => ({ signal, to: applyChange(rule, from, 'out') })),
    (candidate) => candidate.to,
  );
  if (bestOut && bestOut.to > from) {
    return {
      ...base,
      to: bestOut.to,
      reason: 'ScaleOutRuleFired',
      message: `${describe(bestOut.signal)}; scaling out from ${from} to ${unitsOf(context.target, bestOut.to)}`,
    };
  }

  const ins = evaluated.filter(({ rule }) => rule.direction === 'in');
  if (ins.length > 0 && ins.every(({ signal }) => signal.fired)) {
    const smallestReduction = Math.max(...ins.map(({ rule }) => applyChange(rule, from, 'in')));
    if (smallestReduction < from) {
      const why = ins.map(({ signal }) => describe(signal)).join('; ');
      return {
        ...base,
        to: smallestReduction,
        reason: 'ScaleInRulesFired',
        message: `${why}; scaling in from ${from} to ${unitsOf(context.target, smallestReduction)}`,
      };
    }
  }

  if (signals.some((signal) => !hasData(signal))) {
    return { ...metricsUnavailableProposal(context, signals, describeMissing(signals)), projectable };
  }
  return {
    ...base,
    to: from,
    reason: 'WithinThresholds',
    message: `all ${signals.length} rule(s) within thresholds; holding ${unitsOf(context.target, from)}`,
  };
}

/** The capacity a firing rule asks for. Percent changes move at least one unit. */
export function applyChange(rule: RuleConfig, from: number, direction: 'out' | 'in'): number {
  const { change } = rule;
  if (change.type === 'exact') return direction === 'out' ? Math.max(from, change.value) : Math.min(from, change.value);
  const units = change.type === 'count' ? change.value : percentUnits(from, change.value, direction);
  return direction === 'out' ? from + units : Math.max(0, from - units);
}

function percentUnits(from: number, percent: number, direction: 'out' | 'in'): number {
  const exact = (from * percent) / 100;
  // Round towards more capacity: up when adding, down when removing.
  return Math.max(1, direction === 'out' ? Math.ceil(exact) : Math.floor(exact));
}

function projectableFrom(rule: RuleConfig, signal: SignalEvidence): ProjectableSignal[] {
  if (signal.value === null) return [];
  if (rule.operator !== 'GreaterThan' && rule.operator !== 'GreaterThanOrEqual') return [];
  return [
    {
      name: signal.name,
      metric: rule.metric,
      value: signal.value,
      threshold: rule.threshold,
      inclusive: rule.operator === 'GreaterThanOrEqual',
    },
  ];
}

function describe(signal: SignalEvidence): string {
  const symbol = OPERATOR_SYMBOL[signal.operator as keyof typeof OPERATOR_SYMBOL];
  return `${signal.name} fired: ${signal.timeAggregation} of ${signal.statistic} ${signal.metric} over ${signal.windowMinutes} min was ${formatValue(signal.value)} (${symbol} ${signal.threshold})`;
}

function maxBy<T>(items: T[], key: (item: T) => number): T | undefined {
  return items.reduce<T | undefined>(
    (best, item) => (best === undefined || key(item) > key(best) ? item : best),
    undefined,
  );
}
