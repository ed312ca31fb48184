/**
 * Checks that span several fields or need knowledge of the target kind. Each returns problems; none throws.
 */
import type { LimitsConfig, RuleConfig, TargetConfig } from './schema/schema.js';
import { checkProfiles } from './schedule-checks.js';
import { parseResourceId } from '../vocabulary/resource-id.js';
import { type ConfigProblem, showValue, suggest } from './fields/problems.js';
import { findMetric, metricNames } from '../metrics/catalog.js';
import { kindDefinition, kindOf } from '../kinds/registry.js';
import { aboveMaximumFix, serviceMaximum, type ServiceMaximums } from './service-maximums.js';

/** What the checks read beside the target: the config's settings and the service maximums in force. */
export interface CheckSettings {
  minThresholdGapPercent: number;
  serviceMaximums: ServiceMaximums;
}

type Check = (target: TargetConfig, path: string, settings: CheckSettings) => ConfigProblem[];

const error = (path: string, message: string): ConfigProblem => ({ severity: 'error', path, message });
const warning = (path: string, message: string): ConfigProblem => ({ severity: 'warning', path, message });

const checkResourceId: Check = (target, path) => {
  const expected = kindDefinition(target.kind).facts.resourceType;
  const parsed = parseResourceId(target.resourceId);
  const at = `${path}.resourceId`;
  if (!parsed) {
    return [
      error(
        at,
        `${showValue(target.resourceId)} is not an ARM resource id; expected /subscriptions/<subscription-guid>/resourceGroups/<group>/providers/${expected}/<name>`,
      ),
    ];
  }
  if (parsed.resourceType.toLowerCase() !== expected.toLowerCase()) {
    return [
      error(
        at,
        `${showValue(target.resourceId)} is a ${parsed.resourceType} id, but kind ${target.kind} needs a ${expected} id; fix the id or the kind`,
      ),
    ];
  }
  return [];
};

const checkLimits: Check = (target, path, settings) =>
  checkLimitValues(target.kind, target.limits, `${path}.limits`, settings.serviceMaximums);

function checkLimitValues(
  kind: TargetConfig['kind'],
  limits: LimitsConfig,
  at: string,
  maximums: ServiceMaximums,
): ConfigProblem[] {
  const { min, max, default: fallback } = limits;
  const facts = kindDefinition(kind).facts;
  const problems: ConfigProblem[] = [];
  const noun = kindDefinition(kind).words.aCluster;
  if (min < facts.serviceMin) {
    problems.push(
      error(
        `${at}.min`,
        `${min} is below the service minimum of ${facts.serviceMin} ${facts.unit} for ${noun}; set it to ${facts.serviceMin} or more`,
      ),
    );
  }
  const serviceMax = serviceMaximum(kind, maximums);
  if (serviceMax !== undefined && max > serviceMax) {
    problems.push(
      error(
        `${at}.max`,
        `${max} is above the service maximum of ${serviceMax} ${facts.unit} for ${noun}; ${aboveMaximumFix(kind, serviceMax)}`,
      ),
    );
  }
  if (min > max) {
    problems.push(error(at, `min ${min} is greater than max ${max}; swap them or widen the range`));
  } else if (fallback < min || fallback > max) {
    problems.push(
      error(`${at}.default`, `${fallback} lies outside min ${min}..max ${max}; choose a default within the limits`),
    );
  }
  return problems;
}

const checkModeAndRules: Check = (target, path) => {
  const problems: ConfigProblem[] = [];
  if (target.mode === 'custom' && target.rules.length === 0) {
    problems.push(
      error(`${path}.rules`, 'custom mode needs at least one rule; add a rule or choose mode "optimized" or "manual"'),
    );
  }
  if (target.mode !== 'custom' && target.rules.length > 0) {
    problems.push(
      warning(
        `${path}.rules`,
        `${target.rules.length} rule(s) are ignored in ${target.mode} mode; set mode to "custom" to use them`,
      ),
    );
  }
  if (target.mode === 'custom' && target.rules.length > 0 && !target.rules.some((rule) => rule.direction === 'out')) {
    problems.push(warning(`${path}.rules`, 'no rule scales out, so this target can only shrink; add an "out" rule'));
  }
  const names = new Map<string, number>();
  target.rules.forEach((rule, index) => {
    problems.push(...checkRule(target, rule, `${path}.rules[${index}]`));
    if (rule.name !== undefined) {
      const first = names.get(rule.name);
      if (first !== undefined)
        problems.push(
          error(
            `${path}.rules[${index}].name`,
            `${showValue(rule.name)} is already used by rules[${first}]; rule names must be unique`,
          ),
        );
      else names.set(rule.name, index);
    }
  });
  return problems;
};

function checkRule(target: TargetConfig, rule: RuleConfig, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (rule.direction === 'in' && !kindDefinition(target.kind).facts.canScaleIn) {
    problems.push(
      error(
        `${path}.direction`,
        '"in" is not possible: Azure does not offer scale-in for elastic clusters (nodes can only be added); remove this rule',
      ),
    );
  }
  const metric = findMetric(target.kind, rule.metric);
  if (!metric) {
    const hint = suggest(rule.metric, metricNames(target.kind));
    problems.push(
      error(
        `${path}.metric`,
        `${showValue(rule.metric)} is not a metric of ${kindDefinition(target.kind).facts.resourceType}${hint ? `; did you mean "${hint}"?` : '; see the metric list in the README'}`,
      ),
    );
  } else if (!metric.aggregations.includes(rule.statistic)) {
    problems.push(
      error(
        `${path}.statistic`,
        `${showValue(rule.statistic)} is not offered for ${rule.metric}; use one of ${metric.aggregations.join(', ')}`,
      ),
    );
  }
  if (rule.windowMinutes < rule.timeGrainMinutes || rule.windowMinutes % rule.timeGrainMinutes !== 0) {
    problems.push(
      error(
        `${path}.windowMinutes`,
        `${rule.windowMinutes} is not a whole number of ${rule.timeGrainMinutes}-minute grains; use a multiple of timeGrainMinutes`,
      ),
    );
  }
  if (
    rule.change.type === 'exact' &&
    (rule.change.value < target.limits.min || rule.change.value > target.limits.max)
  ) {
    problems.push(
      warning(
        `${path}.change.value`,
        `exact capacity ${rule.change.value} lies outside limits ${target.limits.min}..${target.limits.max} and will be clamped`,
      ),
    );
  }
  return problems;
}

const ABOVE = new Set(['GreaterThan', 'GreaterThanOrEqual']);
const BELOW = new Set(['LessThan', 'LessThanOrEqual']);

/** Azure's guidance: leave a margin between scale-out and scale-in thresholds, or the two chase each other. */
const checkThresholdGaps: Check = (target, path, settings) => {
  const pairs: Array<{ metric: string; out: number; in: number; where: string; versus?: string }> = [];
  target.rules.forEach((outRule, outIndex) => {
    if (outRule.direction !== 'out' || !ABOVE.has(outRule.operator)) return;
    target.rules.forEach((inRule, inIndex) => {
      if (inRule.direction === 'in' && BELOW.has(inRule.operator) && inRule.metric === outRule.metric) {
        pairs.push({
          metric: outRule.metric,
          out: outRule.threshold,
          in: inRule.threshold,
          where: `${path}.rules[${inIndex}].threshold`,
          versus: `rules[${outIndex}]`,
        });
      }
    });
  });
  if (target.mode === 'optimized') pairs.push(...kindOf(target).optimized.thresholdPairs(target, path));
  return pairs.flatMap((pair) => {
    const gap = pair.out - pair.in;
    const wanted = (Math.abs(pair.out) * settings.minThresholdGapPercent) / 100;
    if (gap >= wanted) return [];
    return [
      warning(
        pair.where,
        `scale-in threshold ${pair.in} is within ${settings.minThresholdGapPercent} % of the scale-out threshold ${pair.out} on ${pair.metric}${pair.versus ? ` (${pair.versus})` : ''}: capacity may flap; widen the gap to at least ${formatNumber(wanted)}`,
      ),
    ];
  });
};

const checkOptimizedWindows: Check = (target, path) => {
  const windows: Array<readonly [string, number, number]> = [
    ['scaleOutWindowMinutes', target.optimized.scaleOutWindowMinutes, target.optimized.scaleOutGrainMinutes],
    ...kindOf(target).optimized.extraWindows(target),
  ];
  return windows
    .filter(([, window, grain]) => window % grain !== 0 || window < grain)
    .map(([field, window, grain]) =>
      error(
        `${path}.optimized.${field}`,
        `${window} is not a whole number of ${grain}-minute grains; use a multiple of the grain`,
      ),
    );
};

/** Alert rule names compare case-insensitively, as Azure resource names do; elastic clusters only grow. */
const checkAlerts: Check = (target, path) => {
  const problems: ConfigProblem[] = [];
  const canScaleIn = kindDefinition(target.kind).facts.canScaleIn;
  const seen = new Map<string, string>();
  for (const [rule, action] of Object.entries(target.alerts.rules)) {
    const at = `${path}.alerts.rules.${rule}`;
    const first = seen.get(rule.toLowerCase());
    if (first !== undefined)
      problems.push(
        error(at, `is the same alert rule as ${JSON.stringify(first)} (names compare in any case); keep one`),
      );
    seen.set(rule.toLowerCase(), rule);
    if (action.direction === 'in' && !canScaleIn) {
      problems.push(
        error(
          `${at}.direction`,
          '"in" is not possible: Azure does not offer scale-in for elastic clusters (nodes can only be added); use "out" or remove this entry',
        ),
      );
    }
  }
  problems.push(...checkAllowRules(target.alerts.allowRules, `${path}.alerts.allowRules`));
  if (target.alerts.actOnResolved && !canScaleIn) {
    problems.push(
      warning(
        `${path}.alerts.actOnResolved`,
        'a resolved alert asks for the opposite of its fired alert, a scale-in, which elastic clusters do not offer: resolved alerts will be recorded and refused',
      ),
    );
  }
  return problems;
};

/** Resource types of Azure Monitor alert rules, whose ids an alert carries as essentials.alertRuleId. */
const ALERT_RULE_PROVIDERS = ['microsoft.insights/', 'microsoft.alertsmanagement/'];

function checkAllowRules(entries: readonly string[], path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const at = `${path}[${index}]`;
    if (seen.has(entry.toLowerCase()))
      problems.push(warning(at, `${showValue(entry)} is listed twice (entries compare in any case); keep one`));
    seen.add(entry.toLowerCase());
    if (!entry.startsWith('/')) return;
    const type = parseResourceId(entry)?.resourceType.toLowerCase();
    if (type === undefined || !ALERT_RULE_PROVIDERS.some((provider) => type.startsWith(provider))) {
      problems.push(
        error(
          at,
          `${showValue(entry)} is not the ARM id of an alert rule, so no alert's essentials.alertRuleId can equal it; use /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Insights/metricAlerts/<rule> (or scheduledQueryRules, activityLogAlerts), or the rule's name`,
        ),
      );
    }
  });
  return problems;
}

/** The checks only the target's kind has (shared/kinds/<kind>/definition.ts). */
const checkKindSpecific: Check = (target, path) => kindOf(target).checks(target, path);

const checkSchedule: Check = (target, path, settings) =>
  checkProfiles(target, path, {
    limits: (kind, limits, at) => checkLimitValues(kind, limits, at, settings.serviceMaximums),
    serviceMax: (kind) => serviceMaximum(kind, settings.serviceMaximums),
    modeAndRules: (asTarget, at) => [
      ...checkModeAndRules(asTarget, at, settings),
      ...checkThresholdGaps(asTarget, at, settings).filter((problem) => problem.path.startsWith(`${at}.rules`)),
    ],
  });

const CHECKS: Check[] = [
  checkResourceId,
  checkLimits,
  checkModeAndRules,
  checkThresholdGaps,
  checkOptimizedWindows,
  checkKindSpecific,
  checkAlerts,
  checkSchedule,
];

export function checkTarget(target: TargetConfig, path: string, settings: CheckSettings): ConfigProblem[] {
  return CHECKS.flatMap((check) => check(target, path, settings));
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
