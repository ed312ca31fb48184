/**
 * The service maximum of each kind: its fact (KIND_FACTS.serviceMax), raised where the kind's app setting
 * (serviceMaxSetting, e.g. SCALER_ELASTIC_CLUSTER_MAX_NODES) says the service now allows more. A target's
 * limits may only lower it.
 */
import { TARGET_KINDS, type TargetKind } from '../vocabulary/kinds.js';
import { MAX_UNITS } from './schema/schema.js';
import { kindDefinition } from '../kinds/registry.js';

/** Maximums raised by app settings, by kind; a kind not listed keeps its fact. */
export type ServiceMaximums = Partial<Record<TargetKind, number>>;

export function serviceMaximum(kind: TargetKind, raised: ServiceMaximums = {}): number | undefined {
  return raised[kind] ?? kindDefinition(kind).facts.serviceMax;
}

/** The fix to name when a value is above the maximum: lower it, or raise the setting where the kind has one. */
export function aboveMaximumFix(kind: TargetKind, maximum: number): string {
  const setting = kindDefinition(kind).facts.serviceMaxSetting;
  return `set it to ${maximum} or less${setting ? `, or set ${setting} higher if the service now allows more` : ''}`;
}

/** Why a raising setting's value is refused, or undefined when it is a valid maximum. */
export function serviceMaximumProblem(kind: TargetKind, text: string): string | undefined {
  const { serviceMax, unit } = kindDefinition(kind).facts;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value))
    return `${JSON.stringify(text)} is not a whole number; set it to the service's maximum in ${unit}, e.g. ${serviceMax}`;
  if (serviceMax !== undefined && value < serviceMax)
    return `${value} is below the service maximum of ${serviceMax} ${unit}; it may only raise it: lower a target's limits.max instead, or remove the setting`;
  if (value > MAX_UNITS)
    return `${value} is above ${MAX_UNITS}, the scaler's own ceiling; set it to ${MAX_UNITS} or less`;
  return undefined;
}

/** Reads the raising settings from the environment; a bad value is a problem naming the setting, value and fix. */
export function serviceMaximumsFrom(env: Record<string, string | undefined>): {
  maximums: ServiceMaximums;
  problems: string[];
} {
  const maximums: ServiceMaximums = {};
  const problems: string[] = [];
  for (const kind of TARGET_KINDS) {
    const setting = kindDefinition(kind).facts.serviceMaxSetting;
    const text = setting === undefined ? undefined : env[setting];
    if (setting === undefined || text === undefined) continue;
    const problem = serviceMaximumProblem(kind, text);
    if (problem) problems.push(`${setting}: ${problem}`);
    else maximums[kind] = Number(text);
  }
  return { maximums, problems };
}
