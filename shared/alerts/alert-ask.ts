/**
 * What an alert asks the scaler to do. The alert rule's custom properties say it (`scaler.direction`: out | in,
 * optional `scaler.step`), or, when the rule has none, the target's config maps the rule's name to an action.
 * A resolved alert asks for the opposite, and only when the target's config opts in (`alerts.actOnResolved`).
 */
import type { TargetConfig } from '../config/schema/schema.js';
import type { Direction } from '../policy/decision.js';
import type { ScaleRequest } from '../policy/input.js';
import { InvalidInputError } from '../vocabulary/errors.js';
import type { CommonAlert } from './common-alert-schema.js';
import { normalizeResourceId } from '../vocabulary/resource-id.js';

export const DIRECTION_PROPERTY = 'scaler.direction';
export const STEP_PROPERTY = 'scaler.step';
const KNOWN_PROPERTIES = [DIRECTION_PROPERTY, STEP_PROPERTY];
const MAX_STEP = 100;

export interface AlertAsk {
  direction: Direction;
  step: number;
  /** Where the ask came from, for the decision's message. */
  source: 'custom properties' | 'config';
}

/** Why a matched alert does not become a request. */
export type AlertSkipReason = 'AlertRuleNotAllowed' | 'NoScaleAction' | 'ResolvedNotActedOn';

export type AlertRequest = { request: ScaleRequest; ask: AlertAsk } | { skip: AlertSkipReason; message: string };

/**
 * The ask spelled in the alert rule's custom properties, or undefined when it spells none. Keys compare in any
 * case. Throws `InvalidInputError` for a value the scaler cannot use, or a `scaler.*` key it does not know.
 */
export function askFromCustomProperties(properties: Readonly<Record<string, unknown>>): AlertAsk | undefined {
  const scalerKeys = Object.keys(properties).filter((key) => key.toLowerCase().startsWith('scaler.'));
  const unknown = scalerKeys.filter((key) => !KNOWN_PROPERTIES.includes(key.toLowerCase()));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `alert custom property ${quote(unknown[0] ?? '')}: not one the scaler reads (${KNOWN_PROPERTIES.join(', ')}); fix the alert rule's custom properties`,
    );
  }
  const direction = valueOf(properties, DIRECTION_PROPERTY);
  const step = valueOf(properties, STEP_PROPERTY);
  if (direction === undefined) {
    if (step !== undefined)
      throw new InvalidInputError(
        `alert custom property ${STEP_PROPERTY}: set without ${DIRECTION_PROPERTY}; add ${DIRECTION_PROPERTY} (out or in) to the alert rule`,
      );
    return undefined;
  }
  return {
    direction: parseDirection(direction),
    step: step === undefined ? 1 : parseStep(step),
    source: 'custom properties',
  };
}

/** The target's config entry for this alert rule (names compare in any case), or undefined. */
export function askFromConfig(target: TargetConfig, alertRule: string): AlertAsk | undefined {
  const wanted = alertRule.toLowerCase();
  const entry = Object.entries(target.alerts.rules).find(([rule]) => rule.toLowerCase() === wanted);
  return entry ? { direction: entry[1].direction, step: entry[1].step, source: 'config' } : undefined;
}

/**
 * Whether the target opted in to alerts of this rule: its name or id is in `alerts.allowRules`, or its name is
 * mapped in `alerts.rules`. Names and ids compare in any case, as ARM compares them.
 */
export function ruleAllowed(target: TargetConfig, alert: Pick<CommonAlert, 'alertRule' | 'alertRuleId'>): boolean {
  const name = alert.alertRule.toLowerCase();
  const id = alert.alertRuleId === undefined ? undefined : normalizeResourceId(alert.alertRuleId);
  const listed = target.alerts.allowRules.some((entry) =>
    entry.startsWith('/') ? normalizeResourceId(entry) === id : entry.toLowerCase() === name,
  );
  return listed || Object.keys(target.alerts.rules).some((rule) => rule.toLowerCase() === name);
}

/** Turns an alert for one target into a scale request, or says why it does not become one. */
export function alertRequest(
  alert: CommonAlert,
  target: TargetConfig,
  fromProperties: AlertAsk | undefined,
): AlertRequest {
  const rule = quote(alert.alertRule);
  if (!ruleAllowed(target, alert)) {
    return {
      skip: 'AlertRuleNotAllowed',
      message: `alert rule ${rule} may not scale target '${target.name}': the target has not opted in to it; recorded and refused. To let it scale the target, add the rule's name or id to the target's alerts.allowRules`,
    };
  }
  const ask = fromProperties ?? askFromConfig(target, alert.alertRule);
  if (!ask) {
    return {
      skip: 'NoScaleAction',
      message: `alert rule ${rule} says nothing to do: it has no ${DIRECTION_PROPERTY} custom property and target '${target.name}' has no alerts.rules entry for it; add one of them`,
    };
  }
  if (alert.monitorCondition === 'Fired') {
    const delta = ask.direction === 'out' ? ask.step : -ask.step;
    return {
      ask,
      request: {
        source: 'alert',
        delta,
        reason: `alert rule ${rule} fired (${alert.severity}, ${alert.signalType}); ${ask.source} ask for scale-${ask.direction} by ${ask.step}`,
      },
    };
  }
  if (!target.alerts.actOnResolved) {
    return {
      skip: 'ResolvedNotActedOn',
      message: `alert rule ${rule} resolved; recorded only, as target '${target.name}' does not act on resolved alerts (alerts.actOnResolved is false)`,
    };
  }
  const undo: Direction = ask.direction === 'out' ? 'in' : 'out';
  const delta = undo === 'out' ? ask.step : -ask.step;
  return {
    ask,
    request: {
      source: 'alert',
      delta,
      reason: `alert rule ${rule} resolved; undoing its scale-${ask.direction} by ${ask.step} (alerts.actOnResolved)`,
    },
  };
}

function valueOf(properties: Readonly<Record<string, unknown>>, name: string): unknown {
  const key = Object.keys(properties).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : properties[key];
}

function parseDirection(value: unknown): Direction {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (text === 'out' || text === 'in') return text;
  throw new InvalidInputError(
    `alert custom property ${DIRECTION_PROPERTY}: ${show(value)} is not out or in; set it to out (add capacity) or in (remove capacity)`,
  );
}

function parseStep(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const step = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (step >= 1 && step <= MAX_STEP) return step;
  throw new InvalidInputError(
    `alert custom property ${STEP_PROPERTY}: ${show(value)} is not a whole number from 1 to ${MAX_STEP}; set it to the units to add or remove`,
  );
}

function quote(text: string): string {
  return `'${text.length > 120 ? `${text.slice(0, 117)}...` : text}'`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
