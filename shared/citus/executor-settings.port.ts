/**
 * Where the executor settings live: on a self-managed coordinator, `ALTER SYSTEM` + `pg_reload_conf()`; on Azure,
 * the server parameters API (ALTER SYSTEM is not allowed there). Both adapters take a snapshot first, so the
 * settings can be put back exactly as they were.
 */
import type { ExecutorSettingName } from './names.js';
import type { ExecutorSnapshot, SettingChange } from './parallelism.js';

export interface ExecutorSettingsStore {
  /** How changes are made, for messages and the progress record: `alter-system` or `server-parameters`. */
  readonly via: 'alter-system' | 'server-parameters';
  snapshot(): Promise<ExecutorSnapshot>;
  /** Applies the changes and returns once the server has accepted them. */
  apply(changes: readonly SettingChange[]): Promise<void>;
  /** Puts the named settings back to their snapshot values (or their default, if they were not set before). */
  restore(before: ExecutorSnapshot, names: readonly ExecutorSettingName[]): Promise<void>;
  /** What an operator runs to do `restore` by hand, when the scaler could not (one command per line). */
  restoreInstructions(before: ExecutorSnapshot, names: readonly ExecutorSettingName[]): string[];
}
