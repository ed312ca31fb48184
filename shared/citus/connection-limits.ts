/**
 * Step 3 of the follow-up: the coordinator's `citus.max_client_connections` and `citus.max_shared_pool_size` after
 * the node count changed (docs/citus-rebalance.md, "Connection limits"). Three policies:
 * - `service-default`: Azure sizes both from the node count; change nothing, record where they drifted from it;
 * - `formula`: both = (budget - reserved) / nodes, the budget defaulting to the server's `max_connections`
 *   (Azure's own pattern: 5,000 connections on 4 nodes -> 1,250);
 * - `fixed`: the configured values.
 * A value someone set by hand (ARM `source: user-override` that the scaler did not set itself) is never
 * overwritten: it is kept and reported. Values are compared as Citus applies them: `citus.max_shared_pool_size`
 * 0 means "as many as max_connections", so 0 on a 200-connection coordinator reads as 200. Pure: the ARM reads and
 * writes happen around it.
 */
import { CONNECTION_SETTINGS, MAX_CONNECTIONS, MAX_SHARED_POOL_SIZE, type ConnectionSettingName } from './names.js';

export type ConnectionPolicy =
  | { policy: 'service-default' }
  | { policy: 'formula'; connectionBudget?: number | undefined; reservedConnections: number }
  | { policy: 'fixed'; maxClientConnections: number; maxSharedPoolSize: number };

/** A server parameter as the ARM `configurations` API reports it. */
export interface ServerParameterState {
  name: string;
  value: string;
  defaultValue?: string | undefined;
  /** `system-default` or `user-override`. */
  source?: string | undefined;
  allowedValues?: string | undefined;
  dataType?: string | undefined;
  isReadOnly?: boolean | undefined;
  isConfigPendingRestart?: boolean | undefined;
}

export interface ConnectionPlanInput {
  policy: ConnectionPolicy;
  nodeCount: number;
  parameters: Readonly<Record<string, ServerParameterState>>;
  /** The values the scaler itself set last time, by name: an override equal to one of these is ours to change. */
  lastApplied: Readonly<Partial<Record<string, string>>>;
}

export interface ParameterChange {
  name: string;
  from: string;
  to: string;
}

export interface KeptParameter {
  name: string;
  value: string;
  wanted: string;
  reason: string;
}

export interface ParameterDrift {
  name: string;
  value: string;
  source: string;
  serviceDefault: string;
}

export interface ConnectionPlan {
  policy: ConnectionPolicy['policy'];
  nodeCount: number;
  desired: Partial<Record<ConnectionSettingName, number>>;
  changes: ParameterChange[];
  kept: KeptParameter[];
  drift: ParameterDrift[];
}

export function planConnectionLimits(raw: ConnectionPlanInput): ConnectionPlan {
  const input = { ...raw, parameters: effectiveParameters(raw.parameters) };
  const plan: ConnectionPlan = {
    policy: input.policy.policy,
    nodeCount: input.nodeCount,
    desired: {},
    changes: [],
    kept: [],
    drift: driftOf(input.parameters),
  };
  const desired = desiredLimits(input);
  if (typeof desired === 'string') {
    plan.kept.push(
      ...CONNECTION_SETTINGS.map((name) => ({
        name,
        value: input.parameters[name]?.value ?? 'unknown',
        wanted: 'unknown',
        reason: desired,
      })),
    );
    return plan;
  }
  plan.desired = desired;
  for (const name of CONNECTION_SETTINGS) {
    const wanted = desired[name];
    if (wanted === undefined) continue;
    const verdict = judgeChange(input, name, String(wanted));
    if (verdict === 'unchanged') continue;
    if ('reason' in verdict) plan.kept.push(verdict);
    else plan.changes.push(verdict);
  }
  return plan;
}

/** The values a policy asks for, or why it cannot say. */
export function desiredLimits(
  input: Pick<ConnectionPlanInput, 'policy' | 'nodeCount' | 'parameters'>,
): Partial<Record<ConnectionSettingName, number>> | string {
  const { policy, nodeCount } = input;
  if (policy.policy === 'service-default') return {};
  if (policy.policy === 'fixed')
    return {
      'citus.max_client_connections': policy.maxClientConnections,
      'citus.max_shared_pool_size': policy.maxSharedPoolSize,
    };
  const budget = policy.connectionBudget ?? Number(input.parameters[MAX_CONNECTIONS]?.value);
  if (!Number.isFinite(budget))
    return `the connection budget is unknown: the server reports no ${MAX_CONNECTIONS}; set connections.connectionBudget`;
  const perNode = Math.floor((budget - policy.reservedConnections) / Math.max(1, nodeCount));
  if (perNode < 1)
    return `connections.reservedConnections ${policy.reservedConnections} leaves nothing of the budget ${budget} to share over ${nodeCount} nodes; lower it`;
  return { 'citus.max_client_connections': perNode, 'citus.max_shared_pool_size': perNode };
}

function judgeChange(
  input: ConnectionPlanInput,
  name: ConnectionSettingName,
  wanted: string,
): ParameterChange | KeptParameter | 'unchanged' {
  const current = input.parameters[name];
  if (!current) return { name, value: 'absent', wanted, reason: `the server has no parameter ${name}` };
  if (current.value === wanted) return 'unchanged';
  if (current.isReadOnly) return { name, value: current.value, wanted, reason: `${name} is read-only on this server` };
  const ours = input.lastApplied[name];
  if (current.source === 'user-override' && ours !== current.value) {
    return {
      name,
      value: current.value,
      wanted,
      reason: `${name} was set by hand to ${current.value} (source user-override), so the scaler leaves it; reset it to its default (Azure portal, Server parameters) to let connections.policy ${input.policy.policy} manage it`,
    };
  }
  if (current.allowedValues && !isAllowedNumber(current.allowedValues, wanted)) {
    return {
      name,
      value: current.value,
      wanted,
      reason: `${wanted} is outside the values the server allows for ${name} (${current.allowedValues})`,
    };
  }
  return { name, from: current.value, to: wanted };
}

/** `citus.max_shared_pool_size` 0 (the default) is max_connections to Citus; other values are what they say. */
export function effectiveParameters(
  parameters: Readonly<Record<string, ServerParameterState>>,
): Record<string, ServerParameterState> {
  const pool = parameters[MAX_SHARED_POOL_SIZE];
  const maxConnections = parameters[MAX_CONNECTIONS]?.value;
  if (!pool || maxConnections === undefined || !/^\d+$/.test(maxConnections)) return { ...parameters };
  const effective = (value: string | undefined) =>
    value !== undefined && Number(value) === 0 && value.trim() !== '' ? maxConnections : value;
  return {
    ...parameters,
    [MAX_SHARED_POOL_SIZE]: {
      ...pool,
      value: effective(pool.value) ?? pool.value,
      defaultValue: effective(pool.defaultValue),
    },
  };
}

function driftOf(parameters: Readonly<Record<string, ServerParameterState>>): ParameterDrift[] {
  return CONNECTION_SETTINGS.flatMap((name) => {
    const current = parameters[name];
    if (!current || current.defaultValue === undefined || current.value === current.defaultValue) return [];
    return [{ name, value: current.value, source: current.source ?? 'unknown', serviceDefault: current.defaultValue }];
  });
}

/** ARM `allowedValues` for integers: comma-separated ranges like `-1-1718` or `1-2147483647`. */
export function isAllowedNumber(allowedValues: string, value: string): boolean {
  const number = Number(value);
  if (!Number.isInteger(number)) return false;
  return allowedValues.split(',').some((range) => {
    const bounds = /^\s*(-?\d+)-(-?\d+)\s*$/.exec(range);
    return bounds !== null && number >= Number(bounds[1]) && number <= Number(bounds[2]);
  });
}
