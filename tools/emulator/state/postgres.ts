/**
 * Emulated Azure Database for PostgreSQL flexible servers, elastic clusters in particular. Resource bodies follow
 * a recorded real GET, and the PATCH behaviour the recorded clusterSize exchanges (docs/azure-api-shapes.md): always
 * 202, a smaller or zero size is accepted and ignored, a size above the maximum fails through the async operation
 * with UnsupportedValue.
 */
import {
  ArmError,
  armError,
  armTimestamp,
  idKey,
  invalidRequestContent,
  isInScope,
  parentResourceNotFound,
  resourceNotFound,
} from '../arm.js';
import type { LocatedResource } from '../arm.js';
import { KIND_FACTS } from '../../../shared/vocabulary/kinds.js';
import type { EmulatorClock } from '../clock.js';
import { isRecord, recordAt } from '../http.js';
import type { AsyncOperation, AsyncOperationStore } from '../operations.js';
import { canonicalRegion, displayRegion } from '../regions.js';
import type { ConfigurationSource } from './postgres-parameters.js';
import { defaultMaxConnections } from './postgres-parameters.js';
import type { ResourceGroups } from './resource-groups.js';
import type { ConfigurationBody } from './server-configurations.js';
import { ServerConfigurations } from './server-configurations.js';

export const POSTGRES_SERVER_TYPE = 'Microsoft.DBforPostgreSQL/flexibleServers';
/** The elastic-cluster maximum: the kind's fact (20 at GA; the recorded PATCH to 21 fails). A cluster may set its own. */
export const MAX_CLUSTER_SIZE = KIND_FACTS['postgres-elastic-cluster'].serviceMax;
/** The operation name in the recorded 202 bodies. */
const UPSERT_OPERATION = 'UpsertFlexClusterManagementOperation';

export type PostgresServerState =
  | 'Ready'
  | 'Dropping'
  | 'Disabled'
  | 'Starting'
  | 'Stopping'
  | 'Stopped'
  | 'Updating'
  | 'Restarting'
  | 'Inaccessible'
  | 'Provisioning';

export interface PostgresServerBody {
  sku: { name: string; tier: string };
  systemData: { createdAt: string };
  properties: {
    dataEncryption: { type: string };
    cluster?: { clusterSize: number; defaultDatabaseName: string };
    replica: { role: string; replicationState?: string; capacity?: number };
    storage: { type: string; iops: number; tier: string; storageSizeGB: number; autoGrow: string };
    network: { publicNetworkAccess: string };
    privateEndpointConnections: unknown[];
    authConfig: { activeDirectoryAuth: string; passwordAuth: string };
    fullyQualifiedDomainName: string;
    version: string;
    administratorLogin: string;
    state: PostgresServerState;
    availabilityZone: string;
    backup: { backupRetentionDays: number; geoRedundantBackup: string };
    highAvailability: { mode: string; state?: string; standbyAvailabilityZone?: string };
    maintenanceWindow: { customWindow: string; dayOfWeek: number; startHour: number; startMinute: number };
    replicationRole: string;
  };
  location: string;
  tags?: Record<string, string>;
  id: string;
  name: string;
  type: string;
}

export interface PostgresClusterSpec {
  resourceGroup: string;
  name: string;
  subscriptionId?: string;
  /** Canonical ("canadacentral") or display name; the body shows the display name like the real service. */
  location?: string;
  /** Node count; `null` makes a plain flexible server without a `cluster` block. Default 2. */
  clusterSize?: number | null;
  skuName?: string;
  skuTier?: string;
  state?: PostgresServerState;
  version?: string;
  highAvailability?: PostgresServerBody['properties']['highAvailability'];
  replicationRole?: string;
  storageSizeGB?: number;
  tags?: Record<string, string>;
  /** Overrides the SKU-derived default of `max_connections`. */
  maxConnections?: number;
  /** Emulator-clock duration of a server PATCH. Default 5 minutes. */
  updateDurationMs?: number;
  /** Emulator-clock duration of a configuration PATCH/PUT. Default 30 seconds. */
  configurationUpdateDurationMs?: number;
  maxClusterSize?: number;
}

interface ServerRecord {
  body: PostgresServerBody;
  configurations: ServerConfigurations;
  updateDurationMs: number;
  configurationUpdateDurationMs: number;
  maxClusterSize: number;
  maxConnectionsOverride: number | undefined;
  nextFailure: ArmError | undefined;
}

export interface PostgresStateDeps {
  clock: EmulatorClock;
  operations: AsyncOperationStore;
  groups: ResourceGroups;
  defaultSubscriptionId: string;
}

const STORAGE_TIERS: ReadonlyArray<readonly [maxGB: number, tier: string, iops: number]> = [
  [32, 'P4', 120],
  [64, 'P6', 240],
  [128, 'P10', 500],
  [256, 'P15', 1100],
  [512, 'P20', 2300],
  [1024, 'P30', 5000],
  [2048, 'P40', 7500],
  [4096, 'P50', 7500],
  [8192, 'P60', 16000],
  [16384, 'P70', 18000],
];
const LARGEST_STORAGE_TIER = [32767, 'P80', 20000] as const;

export class PostgresState {
  readonly #servers = new Map<string, ServerRecord>();
  readonly #deps: PostgresStateDeps;

  constructor(deps: PostgresStateDeps) {
    this.#deps = deps;
  }

  // ---- scripting API for tests -------------------------------------------------------------------------------

  /** Adds an elastic cluster (or, with `clusterSize: null`, a plain flexible server) and returns its body. */
  addCluster(spec: PostgresClusterSpec): PostgresServerBody {
    const subscriptionId = spec.subscriptionId ?? this.#deps.defaultSubscriptionId;
    const body = newServerBody(spec, subscriptionId, this.#deps.clock.nowMs());
    if (this.#servers.has(idKey(body.id))) throw new Error(`postgres.addCluster: ${body.id} already exists`);
    const record: ServerRecord = {
      body,
      configurations: new ServerConfigurations(body.id, body.properties.version),
      updateDurationMs: spec.updateDurationMs ?? 5 * 60_000,
      configurationUpdateDurationMs: spec.configurationUpdateDurationMs ?? 30_000,
      maxClusterSize: spec.maxClusterSize ?? MAX_CLUSTER_SIZE,
      maxConnectionsOverride: spec.maxConnections,
      nextFailure: undefined,
    };
    refreshDerivedConfigurations(record);
    this.#deps.groups.register(subscriptionId, spec.resourceGroup);
    this.#servers.set(idKey(body.id), record);
    return structuredClone(body);
  }

  /** The current ARM body (a copy), after settling operations the clock has finished. */
  getCluster(resourceId: string): PostgresServerBody {
    return structuredClone(this.#recordById(resourceId).body);
  }

  /** Changes the stored body directly (state, HA, sku, size...), as something outside the scaler would. */
  modifyCluster(resourceId: string, mutate: (body: PostgresServerBody) => void): PostgresServerBody {
    const record = this.#recordById(resourceId);
    mutate(record.body);
    refreshDerivedConfigurations(record);
    return structuredClone(record.body);
  }

  getConfiguration(resourceId: string, name: string): ConfigurationBody {
    return structuredClone(this.#recordById(resourceId).configurations.get(name));
  }

  /** Sets a server parameter at once (no operation), by default as a user override. */
  setConfiguration(
    resourceId: string,
    name: string,
    value: string,
    source: ConfigurationSource = 'user-override',
  ): ConfigurationBody {
    const record = this.#recordById(resourceId);
    record.configurations.set(name, value, source);
    refreshDerivedConfigurations(record);
    return structuredClone(record.configurations.get(name));
  }

  /** Makes the next server or configuration update fail through its async operation. */
  failNextUpdate(resourceId: string, error?: ArmError): void {
    this.#recordById(resourceId).nextFailure =
      error ?? armError(500, 'InternalServerError', 'An unexpected error occured while processing the request.');
  }

  setUpdateDuration(resourceId: string, durations: { serverMs?: number; configurationMs?: number }): void {
    const record = this.#recordById(resourceId);
    if (durations.serverMs !== undefined) record.updateDurationMs = durations.serverMs;
    if (durations.configurationMs !== undefined) record.configurationUpdateDurationMs = durations.configurationMs;
  }

  // ---- used by the routes ---------------------------------------------------------------------------------------

  server(subscriptionId: string, resourceGroup: string, name: string): PostgresServerBody {
    return structuredClone(this.#record(subscriptionId, resourceGroup, name).body);
  }

  /**
   * Every resource of every subscription (settled), for Resource Graph: the stored bodies themselves, not copies
   * (a query over thousands of resources answers a page of them); the caller must not change them.
   */
  all(): readonly Readonly<PostgresServerBody>[] {
    this.#deps.operations.settle();
    return [...this.#servers.values()].map((record) => record.body);
  }

  list(subscriptionId: string, resourceGroup?: string): PostgresServerBody[] {
    this.#deps.groups.check(subscriptionId, resourceGroup);
    this.#deps.operations.settle();
    return [...this.#servers.values()]
      .filter((record) => isInScope(record.body.id, subscriptionId, resourceGroup))
      .map((record) => structuredClone(record.body));
  }

  configuration(subscriptionId: string, resourceGroup: string, serverName: string, name: string): ConfigurationBody {
    return structuredClone(this.#childParent(subscriptionId, resourceGroup, serverName).configurations.get(name));
  }

  configurations(subscriptionId: string, resourceGroup: string, serverName: string): ConfigurationBody[] {
    return this.#childParent(subscriptionId, resourceGroup, serverName).configurations.list();
  }

  /** PATCH on a server. Starts the update operation or throws the 409 the service answers. */
  beginUpdate(subscriptionId: string, resourceGroup: string, name: string, patch: unknown): AsyncOperation {
    const record = this.#record(subscriptionId, resourceGroup, name);
    if (!isRecord(patch)) throw invalidRequestContent('the body must be a JSON object');
    this.#assertWritable(record);
    const requestedSize = recordAt(patch, 'properties', 'cluster')?.['clusterSize'];
    if (typeof requestedSize === 'number' && !this.#isSupportedSize(record, requestedSize)) {
      return this.#failAtOnce(
        record,
        armError(400, 'UnsupportedValue', `Unsupported value ${requestedSize} for parameter NumberOfNodes`),
      );
    }
    return this.#startOperation(record, record.body.id, record.updateDurationMs, () =>
      applyServerPatch(record, patch, requestedSize),
    );
  }

  /** PATCH or PUT on a configuration: starts the update operation after the checks the service does up front. */
  beginConfigurationUpdate(
    subscriptionId: string,
    resourceGroup: string,
    serverName: string,
    name: string,
    request: unknown,
  ): AsyncOperation {
    const record = this.#childParent(subscriptionId, resourceGroup, serverName);
    const { id } = record.configurations.get(name);
    this.#assertWritable(record);
    const change = record.configurations.changeFor(name, recordAt(request, 'properties'));
    return this.#startOperation(record, id, record.configurationUpdateDurationMs, () => {
      record.configurations.apply(name, change);
      refreshDerivedConfigurations(record);
      return undefined;
    });
  }

  /** What a finished operation's Location URL answers with: the server or the configuration it changed. */
  resourceBody(resourceId: string): PostgresServerBody | ConfigurationBody {
    const configuration = /^(.*)\/configurations\/([^/]+)$/i.exec(resourceId);
    if (configuration?.[1] && configuration[2]) return this.getConfiguration(configuration[1], configuration[2]);
    return this.getCluster(resourceId);
  }

  locate(resourceId: string): LocatedResource | undefined {
    const record = this.#servers.get(idKey(resourceId));
    return (
      record && {
        id: record.body.id,
        resourceType: POSTGRES_SERVER_TYPE,
        region: canonicalRegion(record.body.location),
      }
    );
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  #record(subscriptionId: string, resourceGroup: string, name: string): ServerRecord {
    this.#deps.groups.check(subscriptionId, resourceGroup);
    this.#deps.operations.settle();
    const record = this.#servers.get(idKey(serverId(subscriptionId, resourceGroup, name)));
    if (!record) throw resourceNotFound(POSTGRES_SERVER_TYPE, name, resourceGroup);
    return record;
  }

  /** The server of a nested-resource request: a missing server is ARM's ParentResourceNotFound. */
  #childParent(subscriptionId: string, resourceGroup: string, serverName: string): ServerRecord {
    try {
      return this.#record(subscriptionId, resourceGroup, serverName);
    } catch (error) {
      if (error instanceof ArmError && error.detail.code === 'ResourceNotFound')
        throw parentResourceNotFound(serverName);
      throw error;
    }
  }

  #recordById(resourceId: string): ServerRecord {
    this.#deps.operations.settle();
    const record = this.#servers.get(idKey(resourceId));
    if (!record) throw new Error(`postgres: no server ${resourceId}`);
    return record;
  }

  #assertWritable(record: ServerRecord): void {
    const { name, properties } = record.body;
    if (this.#deps.operations.runningOn(record.body.id)) {
      throw armError(409, 'ServerBusy', `Server '${name}' is busy with another operation. Please try again later.`);
    }
    if (properties.state !== 'Ready') {
      throw armError(
        409,
        'ServerUnavailableForOperation',
        `Operation 'UpdateServer' cannot be performed as server '${name}' is currently in state '${properties.state}'.`,
      );
    }
  }

  #isSupportedSize(record: ServerRecord, size: number): boolean {
    return Number.isInteger(size) && size >= 0 && size <= record.maxClusterSize;
  }

  #startOperation(
    record: ServerRecord,
    targetId: string,
    durationMs: number,
    complete: () => ArmError | undefined,
  ): AsyncOperation {
    const scripted = record.nextFailure;
    record.nextFailure = undefined;
    const isServerUpdate = targetId === record.body.id;
    if (isServerUpdate) record.body.properties.state = 'Updating';
    return this.#deps.operations.start({
      resourceId: targetId,
      lockedResourceId: record.body.id,
      region: canonicalRegion(record.body.location),
      kind: UPSERT_OPERATION,
      durationMs,
      complete: () => {
        if (isServerUpdate) record.body.properties.state = 'Ready';
        return scripted ?? complete();
      },
    });
  }

  /** A request the service accepts with 202 and fails in its first status poll (the recorded size-21 case). */
  #failAtOnce(record: ServerRecord, failure: ArmError): AsyncOperation {
    return this.#deps.operations.start({
      resourceId: record.body.id,
      region: canonicalRegion(record.body.location),
      kind: UPSERT_OPERATION,
      durationMs: 0,
      complete: () => failure,
    });
  }
}

function serverId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${POSTGRES_SERVER_TYPE}/${name}`;
}

function newServerBody(spec: PostgresClusterSpec, subscriptionId: string, nowMs: number): PostgresServerBody {
  const storageSizeGB = spec.storageSizeGB ?? 128;
  const [, tier, iops] = STORAGE_TIERS.find(([maxGB]) => storageSizeGB <= maxGB) ?? LARGEST_STORAGE_TIER;
  const clusterSize = spec.clusterSize === undefined ? 2 : spec.clusterSize;
  const role = spec.replicationRole ?? 'Primary';
  return {
    sku: { name: spec.skuName ?? 'Standard_D2ds_v4', tier: spec.skuTier ?? 'GeneralPurpose' },
    systemData: { createdAt: armTimestamp(nowMs) },
    properties: {
      dataEncryption: { type: 'SystemManaged' },
      ...(clusterSize === null ? {} : { cluster: { clusterSize, defaultDatabaseName: 'postgres' } }),
      replica: { role, replicationState: 'Active' },
      storage: { type: '', iops, tier, storageSizeGB, autoGrow: 'Disabled' },
      network: { publicNetworkAccess: 'Enabled' },
      privateEndpointConnections: [],
      authConfig: { activeDirectoryAuth: 'Disabled', passwordAuth: 'Enabled' },
      fullyQualifiedDomainName: `${spec.name}.postgres.database.azure.com`,
      version: spec.version ?? '17',
      administratorLogin: 'citus',
      state: spec.state ?? 'Ready',
      availabilityZone: '1',
      backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' },
      highAvailability: spec.highAvailability ?? { mode: 'Disabled' },
      maintenanceWindow: { customWindow: 'Disabled', dayOfWeek: 0, startHour: 0, startMinute: 0 },
      replicationRole: role,
    },
    location: displayRegion(spec.location ?? 'canadacentral'),
    ...(spec.tags ? { tags: { ...spec.tags } } : {}),
    id: serverId(subscriptionId, spec.resourceGroup, spec.name),
    name: spec.name,
    type: POSTGRES_SERVER_TYPE,
  };
}

/** What a finished server PATCH changes: sku, tags and a larger cluster size. Other fields are accepted and ignored. */
function applyServerPatch(record: ServerRecord, patch: Record<string, unknown>, requestedSize: unknown): undefined {
  const { body } = record;
  const sku = recordAt(patch, 'sku');
  if (typeof sku?.['name'] === 'string') body.sku.name = sku['name'];
  if (typeof sku?.['tier'] === 'string') body.sku.tier = sku['tier'];
  const tags = recordAt(patch, 'tags');
  if (tags)
    body.tags = Object.fromEntries(
      Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  if (
    body.properties.cluster &&
    typeof requestedSize === 'number' &&
    requestedSize > body.properties.cluster.clusterSize
  ) {
    body.properties.cluster.clusterSize = requestedSize;
  }
  refreshDerivedConfigurations(record);
  return undefined;
}

/** Recomputes the SKU- and node-count-dependent parameter defaults after the server changed. */
function refreshDerivedConfigurations(record: ServerRecord): void {
  const maxConnectionsDefault = record.maxConnectionsOverride ?? defaultMaxConnections(record.body.sku.name);
  record.configurations.refreshDerived(maxConnectionsDefault, record.body.properties.cluster?.clusterSize ?? 1);
}
