/**
 * What an orchestration instance starts from. Everything the orchestrator decides on is copied here when the
 * follow-up is launched, so replays never depend on a config that changed in between (the orchestrator must be
 * deterministic); activities still read connection details from the live config.
 */
import type { TargetConfig } from '../config/schema/schema.js';
import type { OperationRecord } from '../state/state-store.port.js';
import type { ConnectionPolicy } from '../citus/connection-limits.js';
import type { ShardTransferMode } from '../citus/names.js';
import { resolveParallelism } from '../citus/parallelism.js';
import { kindOf } from '../kinds/registry.js';

export const FOLLOW_UP_INPUT_VERSION = 1;

export interface RebalanceSettings {
  strategy: string;
  shardTransferMode: ShardTransferMode;
  /** Resolved: `auto` is already the number of nodes added. */
  parallelism: number;
  maxAttempts: number;
  minFreeDiskPercent: number;
  stuckScheduledMinutes: number;
  /** `rebalance.timeoutMinutes`; absent: derived from the plan at the pre-flight (see deadline.ts). */
  timeoutMinutes?: number | undefined;
}

export interface FollowUpInput {
  schemaVersion: typeof FOLLOW_UP_INPUT_VERSION;
  target: string;
  kind: TargetConfig['kind'];
  resourceId: string;
  operationId: string;
  direction: OperationRecord['direction'];
  from: number;
  to: number;
  /** ISO time the operation started (ARM accepted the update shortly after). */
  operationStartedAt: string;
  pollIntervalSeconds: number;
  readyTimeoutMinutes: number;
  /** Used instead of readyTimeoutMinutes when the cluster has high availability. */
  haReadyTimeoutMinutes: number;
  /** Absent where the kind's follow-up has no Citus steps, for a scale-in, and when `rebalance.enabled` is false. */
  rebalance?: RebalanceSettings | undefined;
  /** Kinds whose follow-up runs the Citus steps (elastic clusters) only. */
  connections?: ConnectionPolicy | undefined;
}

/** One instance per target: a second launch for the same target finds and adopts the running one. */
export function followUpInstanceId(target: string): string {
  return `follow-up-${target}`;
}

export function followUpInputFor(target: TargetConfig, operation: OperationRecord): FollowUpInput {
  const common = {
    schemaVersion: FOLLOW_UP_INPUT_VERSION,
    target: target.name,
    kind: target.kind,
    resourceId: target.resourceId,
    operationId: operation.id,
    direction: operation.direction,
    from: operation.from,
    to: operation.to,
    operationStartedAt: operation.startedAt.toISOString(),
  } as const;
  const kind = kindOf(target);
  const timed = { ...common, ...kind.followUpTiming(target) };
  const citus = kind.citusTarget(target);
  if (!citus) return timed;
  const { rebalance } = citus;
  const rebalancing = rebalance.enabled && operation.direction === 'out';
  return {
    ...timed,
    connections: citus.connections,
    rebalance: rebalancing
      ? {
          strategy: rebalance.strategy,
          shardTransferMode: rebalance.shardTransferMode,
          parallelism: resolveParallelism(rebalance.parallelism, operation.to - operation.from),
          maxAttempts: rebalance.maxAttempts,
          minFreeDiskPercent: rebalance.minFreeDiskPercent,
          stuckScheduledMinutes: rebalance.stuckScheduledMinutes,
          timeoutMinutes: rebalance.timeoutMinutes,
        }
      : undefined,
  };
}
