/**
 * Azure Database for PostgreSQL elastic clusters: capacity is `properties.cluster.clusterSize`, changed with a
 * PATCH that ARM runs as a long-running operation (api-version 2025-08-01). Azure offers no scale-in.
 */
import type { PostgreSQLManagementFlexibleServerClient, Server } from '@azure/arm-postgresql-flexible';
import type { PostgresTargetConfig } from '../../config/schema/schema.js';
import type { ResourceId } from '../../vocabulary/resource-id.js';
import { NotSupportedError, ProviderError } from '../../vocabulary/errors.js';
import type { LiveTargetState, ScaleProgress, ScaleStart, ScaleTarget } from '../scale-target.port.js';
import { armCall, type ArmCallContext } from '../arm-errors.js';
import { normalizeRegion } from '../azure-clients.js';
import { captureArmHeaders, resumeAndPollOnce, startWithoutPolling, updateOptions, type LroSpec } from '../lro.js';
import type { FleetResource } from '../fleet-reader.port.js';
import { ELASTIC_CLUSTER } from '../../kinds/postgres-elastic-cluster/definition.js';

/** Reading needs Reader; the PATCH needs Microsoft.DBforPostgreSQL/flexibleServers/write. */
export const POSTGRES_READ_ROLE = 'Reader';
export const POSTGRES_WRITE_ROLE =
  'elastic-scaler PostgreSQL Cluster Operator (custom role with Microsoft.DBforPostgreSQL/flexibleServers/write)';

/** The server update as `@azure/arm-postgresql-flexible` 9 describes it to core-lro (its `updateOperationSpec`). */
export const POSTGRES_UPDATE_LRO: LroSpec = {
  requestPath:
    '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DBforPostgreSQL/flexibleServers/{serverName}',
  resourceLocationConfig: 'azure-async-operation',
};

/** States in which ARM accepts no resize: the cluster is busy or not running. */
const BUSY_STATES = new Set(['Updating', 'Provisioning', 'Starting', 'Stopping', 'Restarting', 'Dropping']);

export class PostgresElasticTarget implements ScaleTarget {
  constructor(
    readonly config: PostgresTargetConfig,
    private readonly id: ResourceId,
    private readonly client: PostgreSQLManagementFlexibleServerClient,
    private readonly lroPollIntervalMs: number,
  ) {}

  async read(): Promise<LiveTargetState> {
    const server = await armCall(this.context('reading', POSTGRES_READ_ROLE), () =>
      this.client.servers.get(this.id.resourceGroup, this.id.name),
    );
    return liveStateOf(server, this.config.resourceId);
  }

  fromGraph(resource: FleetResource): Promise<LiveTargetState> {
    // The SDK's Server is the ARM body with `properties` flattened into it.
    const server = {
      ...resource.properties,
      id: resource.id,
      location: resource.location,
      sku: resource.sku,
    } as unknown as Server;
    return Promise.resolve(liveStateOf(server, this.config.resourceId));
  }

  async startScale(to: number, live: LiveTargetState): Promise<ScaleStart> {
    if (to < live.capacity)
      throw new NotSupportedError(
        `scaling ${this.config.resourceId} in from ${live.capacity} to ${to}: Azure does not offer scale-in for elastic clusters`,
      );
    const headers = captureArmHeaders();
    const resumeToken = await armCall(this.context('scaling out', POSTGRES_WRITE_ROLE), () =>
      startWithoutPolling(
        (start) =>
          this.client.servers.beginUpdate(
            this.id.resourceGroup,
            this.id.name,
            { cluster: { clusterSize: to } },
            updateOptions(start, headers, this.lroPollIntervalMs),
          ),
        POSTGRES_UPDATE_LRO,
      ),
    );
    return { resumeToken, arm: headers.details() };
  }

  async pollScale(start: ScaleStart): Promise<ScaleProgress> {
    return armCall(this.context('polling the update of', POSTGRES_READ_ROLE), () =>
      resumeAndPollOnce(() =>
        this.client.servers.beginUpdate(
          this.id.resourceGroup,
          this.id.name,
          {},
          { resumeFrom: start.resumeToken, updateIntervalInMs: this.lroPollIntervalMs },
        ),
      ),
    );
  }

  private context(action: string, role: string): ArmCallContext {
    return { action, resourceId: this.config.resourceId, role };
  }
}

export function liveStateOf(server: Server, resourceId: string): LiveTargetState {
  const size = server.cluster?.clusterSize;
  if (size === undefined || size < 1) {
    throw new ProviderError(
      `${resourceId}: ARM shows no ${ELASTIC_CLUSTER.capacityField}; it is a single flexible server, not an elastic cluster. Use the id of an elastic cluster`,
    );
  }
  const state = server.state ?? 'Unknown';
  const ready = state === 'Ready';
  return {
    resourceId: server.id ?? resourceId,
    capacity: size,
    region: normalizeRegion(server.location),
    status: state,
    operationInProgress: ready
      ? undefined
      : {
          description: BUSY_STATES.has(state)
            ? `an ARM operation is in progress (server state ${state})`
            : `the server is ${state}, not Ready`,
        },
    details: {
      sku: server.sku?.name,
      tier: server.sku?.tier,
      version: server.version,
      highAvailability: server.highAvailability?.mode ?? 'Disabled',
      highAvailabilityState: server.highAvailability?.state,
      replicationRole: server.replica?.role ?? server.replicationRole,
      fullyQualifiedDomainName: server.fullyQualifiedDomainName,
    },
  };
}
