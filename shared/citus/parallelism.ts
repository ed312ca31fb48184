/**
 * Parallel moves need three things at once (docs/citus-rebalance.md): `citus.max_background_task_executors` and
 * `citus.max_background_task_executors_per_node` both at least the parallelism wanted, set BEFORE the job starts
 * (the cluster-wide limit is read when the task monitor starts), and `parallel_transfer_colocated_shards` (plus
 * `parallel_transfer_reference_tables`) on `citus_rebalance_start`. The settings are only ever raised, and put back
 * to what they were afterwards, whatever the outcome.
 */
import { EXECUTOR_SETTINGS, MAX_EXECUTORS, MAX_EXECUTORS_PER_NODE, type ExecutorSettingName } from './names.js';

/** A setting as it was before the scaler touched it: enough to put it back exactly. */
export interface SettingSnapshot {
  name: string;
  value: string;
  /** ARM: `system-default` or `user-override`. */
  source?: string | undefined;
  defaultValue?: string | undefined;
  /** Self-managed: whether the value came from postgresql.auto.conf (ALTER SYSTEM); if not, RESET restores it. */
  setByAlterSystem?: boolean | undefined;
}

export type ExecutorSnapshot = Record<ExecutorSettingName, SettingSnapshot>;

export interface SettingChange {
  name: ExecutorSettingName;
  from: string;
  to: string;
}

export interface StartFlags {
  parallelTransferColocatedShards: boolean;
  parallelTransferReferenceTables: boolean;
}

const LIMITS: Record<ExecutorSettingName, number> = { [MAX_EXECUTORS]: 1000, [MAX_EXECUTORS_PER_NODE]: 128 };
export const MAX_PARALLELISM = 128;

/** `auto` moves onto every added node at once: one move per new node. */
export function resolveParallelism(setting: number | 'auto', nodesAdded: number): number {
  const wanted = setting === 'auto' ? nodesAdded : setting;
  return Math.min(MAX_PARALLELISM, Math.max(1, Math.floor(wanted)));
}

/** The raises needed for `parallelism`; a setting already at or above it is left alone. */
export function executorChanges(current: ExecutorSnapshot, parallelism: number): SettingChange[] {
  if (parallelism <= 1) return [];
  return EXECUTOR_SETTINGS.flatMap((name) => {
    const value = Number(current[name].value);
    const wanted = Math.min(parallelism, LIMITS[name]);
    return Number.isFinite(value) && value >= wanted ? [] : [{ name, from: current[name].value, to: String(wanted) }];
  });
}

export function startFlags(parallelism: number): StartFlags {
  return { parallelTransferColocatedShards: parallelism > 1, parallelTransferReferenceTables: parallelism > 1 };
}

/** How many moves can run at once with these values (both limits count). */
export function effectiveParallelism(values: Readonly<Record<ExecutorSettingName, string>>): number {
  return Math.max(1, Math.min(Number(values[MAX_EXECUTORS]) || 1, Number(values[MAX_EXECUTORS_PER_NODE]) || 1));
}
