/**
 * Server parameters of an elastic cluster through the ARM `configurations` API (api-version 2025-08-01):
 * `configurations.get`, `configurations.listByServer` and `configurations.beginUpdate` (a long-running operation of
 * a few seconds). Azure reports where each value comes from (`source`: `system-default` or `user-override`), which
 * is how the follow-up tells a value someone set by hand from the service's own.
 */
import type { Configuration, PostgreSQLManagementFlexibleServerClient } from '@azure/arm-postgresql-flexible';
import type { ResourceId } from '../../vocabulary/resource-id.js';
import { armCall, toScalerError, type ArmCallContext } from '../arm-errors.js';
import type { ServerParameterState } from '../../citus/connection-limits.js';
import type { ExecutorSettingsStore } from '../../citus/executor-settings.port.js';
import { EXECUTOR_SETTINGS, type ExecutorSettingName } from '../../citus/names.js';
import type { ExecutorSnapshot, SettingChange } from '../../citus/parallelism.js';
import { ProviderError, TransientError } from '../../vocabulary/errors.js';

/** Reading needs Reader; changing needs Microsoft.DBforPostgreSQL/flexibleServers/configurations/write. */
export const PARAMETERS_READ_ROLE = 'Reader';
export const PARAMETERS_WRITE_ROLE =
  'elastic-scaler PostgreSQL Cluster Operator (custom role with Microsoft.DBforPostgreSQL/flexibleServers/configurations/write)';

export class ServerParameters {
  constructor(
    private readonly client: PostgreSQLManagementFlexibleServerClient,
    private readonly id: ResourceId,
    private readonly resourceId: string,
    private readonly lroPollIntervalMs = 2_000,
    /** ARM applies a dynamic parameter in seconds; past this, the step fails and is retried. */
    private readonly applyTimeoutMs = 5 * 60_000,
  ) {}

  async get(name: string): Promise<ServerParameterState> {
    const configuration = await armCall(this.context(`reading server parameter ${name} of`, PARAMETERS_READ_ROLE), () =>
      this.client.configurations.get(this.id.resourceGroup, this.id.name, name),
    );
    return toState(name, configuration);
  }

  /** Several parameters in one paged listing (the server has hundreds; only the named ones are kept). */
  /** The Azure CLI command that sets one parameter by hand. */
  setCommand(name: string, value: string): string {
    return `az postgres flexible-server parameter set --subscription ${this.id.subscriptionId} --resource-group ${this.id.resourceGroup} --server-name ${this.id.name} --name ${name} --value ${value}`;
  }

  async getMany(names: readonly string[]): Promise<Record<string, ServerParameterState>> {
    const found: Record<string, ServerParameterState> = {};
    await armCall(this.context('listing the server parameters of', PARAMETERS_READ_ROLE), async () => {
      for await (const configuration of this.client.configurations.listByServer(this.id.resourceGroup, this.id.name)) {
        // Parameter names are case-insensitive in ARM.
        const requested = names.find((name) => name.toLowerCase() === configuration.name?.toLowerCase());
        if (requested) found[requested] = toState(requested, configuration);
      }
    });
    return found;
  }

  /** Sets a value (source `user-override`, as the portal does) and waits until ARM has applied it. */
  async set(name: string, value: string): Promise<ServerParameterState> {
    return this.update(name, { value, source: 'user-override' }, `setting server parameter ${name} to ${value} on`);
  }

  /** Back to the service default, the way `az postgres flexible-server parameter set` without a value does it. */
  async reset(name: string, defaultValue: string): Promise<ServerParameterState> {
    return this.update(
      name,
      { value: defaultValue, source: 'system-default' },
      `resetting server parameter ${name} of`,
    );
  }

  private async update(
    name: string,
    parameters: { value: string; source: string },
    action: string,
  ): Promise<ServerParameterState> {
    const context = this.context(action, PARAMETERS_WRITE_ROLE);
    const poller = await armCall(context, () =>
      this.client.configurations.beginUpdate(this.id.resourceGroup, this.id.name, name, parameters, {
        updateIntervalInMs: this.lroPollIntervalMs,
      }),
    );
    try {
      return toState(name, await poller.pollUntilDone({ abortSignal: AbortSignal.timeout(this.applyTimeoutMs) }));
    } catch (error) {
      if (error instanceof Error && error.name === 'AbortError') {
        throw new TransientError(
          `${action} ${this.resourceId}: ARM accepted the change but has not applied it after ${Math.round(this.applyTimeoutMs / 1000)} s; read the parameter again later to see whether it took effect`,
          { cause: error },
        );
      }
      throw toScalerError(error, context);
    }
  }

  private context(action: string, role: string): ArmCallContext {
    return { action, resourceId: this.resourceId, role };
  }
}

/** The executor settings of an elastic cluster, changed through its server parameters. */
export class ArmExecutorSettings implements ExecutorSettingsStore {
  readonly via = 'server-parameters' as const;

  constructor(private readonly parameters: ServerParameters) {}

  async snapshot(): Promise<ExecutorSnapshot> {
    const found = await this.parameters.getMany(EXECUTOR_SETTINGS);
    const snapshot = {} as ExecutorSnapshot;
    for (const name of EXECUTOR_SETTINGS) {
      const state = found[name];
      if (!state)
        throw new ProviderError(
          `the server parameters of the cluster have no ${name}; the cluster's Citus version cannot run moves in parallel, set rebalance.parallelism to 1`,
        );
      snapshot[name] = { name, value: state.value, source: state.source, defaultValue: state.defaultValue };
    }
    return snapshot;
  }

  async apply(changes: readonly SettingChange[]): Promise<void> {
    for (const change of changes) await this.parameters.set(change.name, change.to);
  }

  async restore(before: ExecutorSnapshot, names: readonly ExecutorSettingName[]): Promise<void> {
    for (const name of names) {
      const previous = before[name];
      if (previous.source === 'system-default' && previous.defaultValue !== undefined)
        await this.parameters.reset(name, previous.defaultValue);
      else await this.parameters.set(name, previous.value);
    }
  }

  restoreInstructions(before: ExecutorSnapshot, names: readonly ExecutorSettingName[]): string[] {
    return names.map((name) =>
      this.parameters.setCommand(
        name,
        before[name].source === 'system-default' && before[name].defaultValue !== undefined
          ? before[name].defaultValue
          : before[name].value,
      ),
    );
  }
}

function toState(name: string, configuration: Configuration): ServerParameterState {
  if (configuration.value === undefined) throw new ProviderError(`server parameter ${name}: ARM returned no value`);
  return {
    name,
    value: configuration.value,
    defaultValue: configuration.defaultValue,
    source: configuration.source,
    allowedValues: configuration.allowedValues,
    dataType: configuration.dataType,
    isReadOnly: configuration.isReadOnly,
    isConfigPendingRestart: configuration.isConfigPendingRestart,
  };
}
