/**
 * Azure Data Explorer clusters: capacity is `sku.capacity`, bounded per SKU (`listSkusByResource`), changed with
 * a PATCH that ARM runs as a long-running operation (api-version 2023-08-15). If ADX's own optimized autoscale
 * is on, the scaler either refuses to act (policy guard) or, when told to take over, turns it off in the same
 * PATCH.
 */
import type { AzureSku, Cluster, ClusterUpdate, KustoManagementClient, OptimizedAutoscale } from '@azure/arm-kusto';
import type { KustoTargetConfig } from '../../config/schema/schema.js';
import type { ResourceId } from '../../vocabulary/resource-id.js';
import type { LiveTargetState, ScaleProgress, ScaleStart, ScaleTarget } from '../scale-target.port.js';
import { armCall, type ArmCallContext } from '../arm-errors.js';
import { ProviderError } from '../../vocabulary/errors.js';
import { normalizeRegion } from '../azure-clients.js';
import { captureArmHeaders, resumeAndPollOnce, startWithoutPolling, updateOptions, type LroSpec } from '../lro.js';
import type { CapacityBounds, SkuBoundsCache } from './sku-bounds.js';
import type { FleetResource } from '../fleet-reader.port.js';

export const KUSTO_READ_ROLE = 'Reader';
export const KUSTO_WRITE_ROLE = 'Contributor (or a custom role with Microsoft.Kusto/clusters/write)';
export const ADX_AUTOSCALE = 'ADX optimized autoscale';

/** The cluster update as `@azure/arm-kusto` 8 describes it to core-lro (its `updateOperationSpec`). */
export const KUSTO_UPDATE_LRO: LroSpec = {
  requestPath:
    '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Kusto/clusters/{clusterName}',
};

/** Cluster states in which a capacity change cannot start. */
const BUSY_STATES = new Set(['Creating', 'Updating', 'Starting', 'Stopping', 'Deleting', 'Migrated']);
const BUSY_PROVISIONING = new Set(['Creating', 'Deleting', 'Moving', 'Running']);

export class KustoTarget implements ScaleTarget {
  constructor(
    readonly config: KustoTargetConfig,
    private readonly id: ResourceId,
    private readonly client: KustoManagementClient,
    private readonly skuBounds: SkuBoundsCache,
    private readonly lroPollIntervalMs: number,
  ) {}

  async read(): Promise<LiveTargetState> {
    const cluster = await armCall(this.context('reading', KUSTO_READ_ROLE), () =>
      this.client.clusters.get(this.id.resourceGroup, this.id.name),
    );
    const bounds = await this.skuBounds.get(cluster.sku.name, () => this.loadBounds(cluster.sku.name));
    return liveStateOf(cluster, this.config.resourceId, bounds);
  }

  async fromGraph(resource: FleetResource): Promise<LiveTargetState> {
    // The SDK's Cluster is the ARM body with `properties` flattened into it.
    const cluster = {
      ...resource.properties,
      id: resource.id,
      location: resource.location ?? '',
      sku: resource.sku,
    } as unknown as Cluster;
    if (!cluster.sku?.name)
      throw new ProviderError(`${this.config.resourceId}: Resource Graph shows no sku.name; it is not an ADX cluster`);
    const bounds = await this.skuBounds.get(cluster.sku.name, () => this.loadBounds(cluster.sku.name));
    return liveStateOf(cluster, this.config.resourceId, bounds);
  }

  async startScale(to: number, live: LiveTargetState): Promise<ScaleStart> {
    const { sku, optimizedAutoscale: autoscale } = kustoDetails(live);
    const takeOver = autoscale?.isEnabled === true && this.config.onConflictingAutoscaler === 'take-over';
    // The SDK serializer requires sku.name and sku.tier whenever sku is sent, even for a capacity-only change.
    const update: ClusterUpdate = {
      sku: { name: sku.name, tier: sku.tier, capacity: to },
      ...(takeOver && autoscale ? { optimizedAutoscale: { ...autoscale, isEnabled: false } } : {}),
    };
    const headers = captureArmHeaders();
    const action = to > live.capacity ? 'scaling out' : 'scaling in';
    const resumeToken = await armCall(this.context(action, KUSTO_WRITE_ROLE), () =>
      startWithoutPolling(
        (start) =>
          this.client.clusters.beginUpdate(
            this.id.resourceGroup,
            this.id.name,
            update,
            updateOptions(start, headers, this.lroPollIntervalMs),
          ),
        KUSTO_UPDATE_LRO,
      ),
    );
    return {
      resumeToken,
      arm: headers.details(),
      ...(takeOver ? { disabledAutoscaler: ADX_AUTOSCALE } : {}),
    };
  }

  async pollScale(start: ScaleStart): Promise<ScaleProgress> {
    const context = this.context('polling the update of', KUSTO_READ_ROLE);
    return armCall(context, () =>
      resumeAndPollOnce(() =>
        this.client.clusters.beginUpdate(
          this.id.resourceGroup,
          this.id.name,
          {},
          { resumeFrom: start.resumeToken, updateIntervalInMs: this.lroPollIntervalMs },
        ),
      ),
    );
  }

  private async loadBounds(skuName: string): Promise<CapacityBounds | undefined> {
    const context = this.context('listing the SKUs of', KUSTO_READ_ROLE);
    return armCall(context, async () => {
      for await (const sku of this.client.clusters.listSkusByResource(this.id.resourceGroup, this.id.name)) {
        if (sku.sku?.name === skuName && sku.capacity) return { min: sku.capacity.minimum, max: sku.capacity.maximum };
      }
      return undefined;
    });
  }

  private context(action: string, role: string): ArmCallContext {
    return { action, resourceId: this.config.resourceId, role };
  }
}

export function liveStateOf(cluster: Cluster, resourceId: string, bounds: CapacityBounds | undefined): LiveTargetState {
  const state = cluster.state ?? 'Unknown';
  const provisioning = cluster.provisioningState ?? 'Unknown';
  const autoscale = cluster.optimizedAutoscale;
  return {
    resourceId: cluster.id ?? resourceId,
    capacity: cluster.sku.capacity ?? 0,
    region: normalizeRegion(cluster.location),
    status: `${state}/${provisioning}`,
    operationInProgress: busyDescription(state, provisioning),
    conflictingAutoscaler: autoscale ? { name: ADX_AUTOSCALE, enabled: autoscale.isEnabled } : undefined,
    capacityBounds: bounds,
    details: { sku: cluster.sku, optimizedAutoscale: autoscale, uri: cluster.uri } satisfies KustoDetails,
  };
}

interface KustoDetails {
  sku: AzureSku;
  optimizedAutoscale: OptimizedAutoscale | undefined;
  uri: string | undefined;
}

function kustoDetails(live: LiveTargetState): KustoDetails {
  return live.details as unknown as KustoDetails;
}

function busyDescription(state: string, provisioning: string): { description: string } | undefined {
  if (BUSY_STATES.has(state) || BUSY_PROVISIONING.has(provisioning))
    return { description: `an ARM operation is in progress (cluster state ${state}, provisioning ${provisioning})` };
  if (state !== 'Running' && state !== 'Unknown') return { description: `the cluster is ${state}, not Running` };
  return undefined;
}
