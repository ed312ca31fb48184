/**
 * Executor settings on a self-managed Citus coordinator: `ALTER SYSTEM` + `pg_reload_conf()` (docs/citus-rebalance.md,
 * "Executor settings"). A setting that was not in postgresql.auto.conf before is RESET afterwards, not pinned to its value.
 * On Azure the role may not run ALTER SYSTEM: that surfaces as SettingsNotAllowedError (SQLSTATE 42501).
 */
import type { CitusClient } from '../shared/citus/citus-client.js';
import type { ExecutorSettingsStore } from '../shared/citus/executor-settings.port.js';
import { EXECUTOR_SETTINGS, type ExecutorSettingName } from '../shared/citus/names.js';
import type { ExecutorSnapshot, SettingChange } from '../shared/citus/parallelism.js';
import { ProviderError } from '../shared/vocabulary/errors.js';
import { alterSystemReset, alterSystemSet, RELOAD_CONF } from '../shared/citus/sql.js';

export interface AlterSystemOptions {
  /** The reload reaches each session at its next command; how long to wait until this session sees it. */
  visibleWithinMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class AlterSystemSettings implements ExecutorSettingsStore {
  readonly via = 'alter-system' as const;

  constructor(
    private readonly client: CitusClient,
    private readonly options: AlterSystemOptions = {},
  ) {}

  async snapshot(): Promise<ExecutorSnapshot> {
    const readings = await this.client.readSettings(EXECUTOR_SETTINGS);
    const snapshot = {} as ExecutorSnapshot;
    for (const name of EXECUTOR_SETTINGS) {
      const reading = readings[name];
      if (reading?.value === undefined)
        throw new ProviderError(
          `reading ${name} on ${this.client.where}: the server does not know the setting; is the citus extension loaded?`,
        );
      snapshot[name] = { name, value: reading.value, setByAlterSystem: reading.setByAlterSystem };
    }
    return snapshot;
  }

  async apply(changes: readonly SettingChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.client.alterSystem(Object.fromEntries(changes.map((change) => [change.name, Number(change.to)])));
    await this.waitUntilVisible(Object.fromEntries(changes.map((change) => [change.name, change.to])));
  }

  async restore(before: ExecutorSnapshot, names: readonly ExecutorSettingName[]): Promise<void> {
    if (names.length === 0) return;
    await this.client.alterSystem(restoredValues(before, names));
    await this.waitUntilVisible(Object.fromEntries(names.map((name) => [name, before[name].value])));
  }

  restoreInstructions(before: ExecutorSnapshot, names: readonly ExecutorSettingName[]): string[] {
    const statements = Object.entries(restoredValues(before, names)).map(
      ([name, value]) => `${value === undefined ? alterSystemReset(name) : alterSystemSet(name, value)};`,
    );
    return statements.length === 0 ? [] : [...statements, `${RELOAD_CONF};`];
  }

  private async waitUntilVisible(expected: Record<string, string>): Promise<void> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const deadline = Date.now() + (this.options.visibleWithinMs ?? 5_000);
    for (;;) {
      const readings = await this.client.readSettings(Object.keys(expected) as ExecutorSettingName[]);
      const pending = Object.entries(expected).filter(([name, value]) => readings[name]?.value !== value);
      if (pending.length === 0) return;
      if (Date.now() >= deadline) {
        throw new ProviderError(
          `changing ${pending.map(([name, value]) => `${name} to ${value}`).join(', ')} on ${this.client.where}: pg_reload_conf() ran but the server still reports the old value; check the server log for a rejected setting`,
        );
      }
      await sleep(25);
    }
  }
}

/** Not set with ALTER SYSTEM before: RESET (undefined) brings back whatever postgresql.conf or the default says. */
function restoredValues(
  before: ExecutorSnapshot,
  names: readonly ExecutorSettingName[],
): Record<string, number | undefined> {
  return Object.fromEntries(
    names.map((name) => [name, before[name].setByAlterSystem === false ? undefined : Number(before[name].value)]),
  );
}
