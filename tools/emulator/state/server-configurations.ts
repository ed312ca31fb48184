import { armError } from '../arm.js';
import type { ConfigurationProperties, ConfigurationSeed, ConfigurationSource } from './postgres-parameters.js';
import { isAllowedValue, maxConnectionsSeed, perNodeSeeds, staticSeeds } from './postgres-parameters.js';

const CONFIGURATION_TYPE = 'Microsoft.DBforPostgreSQL/flexibleServers/configurations';

export interface ConfigurationBody {
  name: string;
  type: string;
  id: string;
  properties: ConfigurationProperties;
}

export type ConfigurationChange = { kind: 'set'; value: string } | { kind: 'reset' };

interface DerivedInputs {
  maxConnectionsDefault: number;
  clusterSize: number;
}

/**
 * The configurations of one server, keyed case-insensitively by name. They are built when first used: most
 * servers of a large emulated fleet never have theirs read, and two dozen bodies per server were a large part
 * of the emulator's memory over thousands of them.
 */
export class ServerConfigurations {
  #byName: Map<string, ConfigurationBody> | undefined;
  /** The inputs of the derived defaults, remembered until the configurations are built. */
  #derived: DerivedInputs | undefined;
  readonly #serverId: string;
  readonly #version: string;

  constructor(serverId: string, version: string) {
    this.#serverId = serverId;
    this.#version = version;
  }

  get(name: string): ConfigurationBody {
    const configuration = this.#configurations().get(name.toLowerCase());
    if (!configuration) {
      throw armError(
        404,
        'ResourceNotFound',
        `The requested resource of type '${CONFIGURATION_TYPE}' with name '${name}' was not found.`,
      );
    }
    return configuration;
  }

  /** Copies, sorted by name like the service lists them. */
  list(): ConfigurationBody[] {
    return [...this.#configurations().values()]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((configuration) => structuredClone(configuration));
  }

  set(name: string, value: string, source: ConfigurationSource): void {
    const { properties } = this.get(name);
    properties.value = value;
    properties.source = source;
  }

  /** Validates a PATCH/PUT body the way the service does before it accepts the request. */
  changeFor(name: string, requested: Record<string, unknown> | undefined): ConfigurationChange {
    const configuration = this.get(name);
    const value = requested?.['value'];
    if (configuration.properties.isReadOnly) {
      throw armError(
        400,
        'InvalidParameterValue',
        `Parameter '${configuration.name}' is read-only and cannot be changed.`,
      );
    }
    if (value === undefined && requested?.['source'] === 'system-default') return { kind: 'reset' };
    if (typeof value !== 'string' || !isAllowedValue(configuration.properties, value)) {
      throw armError(
        400,
        'InvalidParameterValue',
        `Invalid value given for parameter '${configuration.name}'. Specify a valid parameter value.`,
      );
    }
    return { kind: 'set', value };
  }

  apply(name: string, change: ConfigurationChange): void {
    const { properties } = this.get(name);
    const previous = properties.value;
    properties.value = change.kind === 'set' ? change.value : properties.defaultValue;
    properties.source = change.kind === 'set' ? 'user-override' : 'system-default';
    if (!properties.isDynamicConfig && properties.value !== previous) properties.isConfigPendingRestart = true;
  }

  /**
   * Recomputes the SKU- and node-count-dependent defaults; values still at `system-default` follow them. The Citus
   * limits follow the effective `max_connections`, user override included.
   */
  refreshDerived(maxConnectionsDefault: number, clusterSize: number): void {
    this.#derived = { maxConnectionsDefault, clusterSize };
    if (this.#byName) this.#seedDerived(this.#byName, this.#derived);
  }

  /**
   * Built from the static seeds and the latest derived inputs: the same as seeding them at creation and applying
   * every refresh since, because nothing can be overridden before they exist and a refresh rewrites every value
   * it derives.
   */
  #configurations(): Map<string, ConfigurationBody> {
    if (this.#byName) return this.#byName;
    const byName = new Map<string, ConfigurationBody>();
    this.#byName = byName;
    for (const seed of staticSeeds()) this.#seed(byName, seed);
    if (this.#derived) this.#seedDerived(byName, this.#derived);
    return byName;
  }

  #seedDerived(byName: Map<string, ConfigurationBody>, { maxConnectionsDefault, clusterSize }: DerivedInputs): void {
    this.#seed(byName, maxConnectionsSeed(maxConnectionsDefault));
    const maxConnections = Number(this.get('max_connections').properties.value);
    for (const seed of perNodeSeeds(maxConnections, clusterSize)) this.#seed(byName, seed);
  }

  #seed(byName: Map<string, ConfigurationBody>, seed: ConfigurationSeed): void {
    const existing = byName.get(seed.name.toLowerCase());
    if (existing) {
      existing.properties.defaultValue = seed.defaultValue;
      existing.properties.allowedValues = seed.allowedValues;
      if (existing.properties.source === 'system-default') existing.properties.value = seed.defaultValue;
      return;
    }
    const { name, value, source, documentationLink, ...rest } = seed;
    byName.set(name.toLowerCase(), {
      name,
      type: CONFIGURATION_TYPE,
      id: `${this.#serverId}/configurations/${name}`,
      properties: {
        ...rest,
        documentationLink: documentationLink.replace('{version}', this.#version),
        value: value ?? seed.defaultValue,
        source: source ?? 'system-default',
        isConfigPendingRestart: false,
      },
    });
  }
}
