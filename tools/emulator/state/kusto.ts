/**
 * Emulated Azure Data Explorer (Kusto) clusters. Bodies follow the documented cluster shape (type and id spelled
 * `Microsoft.Kusto/Clusters` as the service prints them); a PATCH answers 202 with the body and an
 * `Azure-AsyncOperation` URL, like the documented update (docs/azure-api-shapes.md).
 */
import { randomUUID } from 'node:crypto';
import type { ArmError, LocatedResource } from '../arm.js';
import { armError, armTimestamp, idKey, invalidRequestContent, isInScope, resourceNotFound } from '../arm.js';
import type { EmulatorClock } from '../clock.js';
import { isRecord, recordAt } from '../http.js';
import type { AsyncOperation, AsyncOperationStore } from '../operations.js';
import { canonicalRegion } from '../regions.js';
import type { KustoAvailableSku, KustoSkuCapacity } from './kusto-skus.js';
import { defaultAvailableSkus } from './kusto-skus.js';
import type { ResourceGroups } from './resource-groups.js';

export const KUSTO_CLUSTER_TYPE = 'Microsoft.Kusto/Clusters';
const CLUSTER_UPDATE = 'ClusterUpdate';

export type KustoClusterState =
  | 'Creating'
  | 'Unavailable'
  | 'Running'
  | 'Deleting'
  | 'Deleted'
  | 'Stopping'
  | 'Stopped'
  | 'Starting'
  | 'Updating'
  | 'Migrated';
export type KustoProvisioningState =
  'Running' | 'Creating' | 'Deleting' | 'Succeeded' | 'Failed' | 'Moving' | 'Canceled';

export interface OptimizedAutoscale {
  version: number;
  isEnabled: boolean;
  minimum: number;
  maximum: number;
}

export interface KustoClusterBody {
  id: string;
  name: string;
  type: string;
  location: string;
  tags?: Record<string, string>;
  etag: string;
  sku: { name: string; tier: string; capacity: number };
  systemData: { createdByType: string; createdAt: string; lastModifiedByType: string; lastModifiedAt: string };
  properties: {
    state: KustoClusterState;
    provisioningState: KustoProvisioningState;
    uri: string;
    dataIngestionUri: string;
    optimizedAutoscale?: OptimizedAutoscale;
    enableDiskEncryption: boolean;
    enableStreamingIngest: boolean;
    enablePurge: boolean;
    enableAutoStop: boolean;
    engineType: string;
    publicNetworkAccess: string;
    publicIPType: string;
    restrictOutboundNetworkAccess: string;
    allowedIpRangeList: string[];
    privateEndpointConnections: unknown[];
  };
}

export interface KustoClusterSpec {
  resourceGroup: string;
  name: string;
  subscriptionId?: string;
  /** Default `westus`, as in the examples. */
  location?: string;
  skuName?: string;
  skuTier?: string;
  capacity?: number;
  state?: KustoClusterState;
  provisioningState?: KustoProvisioningState;
  optimizedAutoscale?: OptimizedAutoscale;
  tags?: Record<string, string>;
  /** Bounds of the cluster's own SKU in `listSkusByResource`. Default: the example's 2..100, default 2, automatic. */
  skuCapacity?: Partial<KustoSkuCapacity>;
  /** Every SKU `listSkusByResource` offers; defaults to the cluster's SKU plus its L-series siblings. */
  availableSkus?: KustoAvailableSku[];
  /** Emulator-clock duration of a PATCH. Default 10 minutes. */
  updateDurationMs?: number;
}

interface ClusterRecord {
  body: KustoClusterBody;
  availableSkus: KustoAvailableSku[];
  updateDurationMs: number;
  nextFailure: ArmError | undefined;
}

export interface KustoStateDeps {
  clock: EmulatorClock;
  operations: AsyncOperationStore;
  groups: ResourceGroups;
  defaultSubscriptionId: string;
}

export class KustoState {
  readonly #clusters = new Map<string, ClusterRecord>();
  readonly #deps: KustoStateDeps;

  constructor(deps: KustoStateDeps) {
    this.#deps = deps;
  }

  // ---- scripting API for tests -------------------------------------------------------------------------------

  addCluster(spec: KustoClusterSpec): KustoClusterBody {
    const subscriptionId = spec.subscriptionId ?? this.#deps.defaultSubscriptionId;
    const body = newClusterBody(spec, subscriptionId, this.#deps.clock.nowMs());
    if (this.#clusters.has(idKey(body.id))) throw new Error(`kusto.addCluster: ${body.id} already exists`);
    this.#clusters.set(idKey(body.id), {
      body,
      availableSkus: spec.availableSkus ?? defaultAvailableSkus(body.sku, spec.skuCapacity),
      updateDurationMs: spec.updateDurationMs ?? 10 * 60_000,
      nextFailure: undefined,
    });
    this.#deps.groups.register(subscriptionId, spec.resourceGroup);
    return structuredClone(body);
  }

  getCluster(resourceId: string): KustoClusterBody {
    return structuredClone(this.#recordById(resourceId).body);
  }

  modifyCluster(resourceId: string, mutate: (body: KustoClusterBody) => void): KustoClusterBody {
    const record = this.#recordById(resourceId);
    mutate(record.body);
    return structuredClone(record.body);
  }

  setAvailableSkus(resourceId: string, skus: KustoAvailableSku[]): void {
    this.#recordById(resourceId).availableSkus = structuredClone(skus);
  }

  /** Makes the next PATCH fail through its async operation. */
  failNextUpdate(resourceId: string, error?: ArmError): void {
    this.#recordById(resourceId).nextFailure =
      error ?? armError(500, 'InternalServerError', '[InternalServerError] The cluster update failed.');
  }

  setUpdateDuration(resourceId: string, durationMs: number): void {
    this.#recordById(resourceId).updateDurationMs = durationMs;
  }

  // ---- used by the routes ---------------------------------------------------------------------------------------

  cluster(subscriptionId: string, resourceGroup: string, name: string): KustoClusterBody {
    return structuredClone(this.#record(subscriptionId, resourceGroup, name).body);
  }

  /**
   * Every resource of every subscription (settled), for Resource Graph: the stored bodies themselves, not copies
   * (a query over thousands of resources answers a page of them); the caller must not change them.
   */
  all(): readonly Readonly<KustoClusterBody>[] {
    this.#deps.operations.settle();
    return [...this.#clusters.values()].map((record) => record.body);
  }

  list(subscriptionId: string, resourceGroup?: string): KustoClusterBody[] {
    this.#deps.groups.check(subscriptionId, resourceGroup);
    this.#deps.operations.settle();
    return [...this.#clusters.values()]
      .filter((record) => isInScope(record.body.id, subscriptionId, resourceGroup))
      .map((record) => structuredClone(record.body));
  }

  availableSkus(subscriptionId: string, resourceGroup: string, name: string): KustoAvailableSku[] {
    return structuredClone(this.#record(subscriptionId, resourceGroup, name).availableSkus);
  }

  /** Canonical regions that hold at least one cluster. */
  regions(): string[] {
    return [...new Set([...this.#clusters.values()].map((record) => canonicalRegion(record.body.location)))];
  }

  /** PATCH on a cluster: checks, then starts the update. The 202 body is the cluster as it is now. */
  beginUpdate(
    subscriptionId: string,
    resourceGroup: string,
    name: string,
    patch: unknown,
    ifMatch: string | undefined,
  ): AsyncOperation {
    const record = this.#record(subscriptionId, resourceGroup, name);
    if (!isRecord(patch)) throw invalidRequestContent('the body must be a JSON object');
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== record.body.etag) {
      throw armError(
        412,
        'PreconditionFailed',
        `[PreconditionFailed] The If-Match etag '${ifMatch}' does not match the current etag of cluster '${name}'.`,
      );
    }
    if (this.#deps.operations.runningOn(record.body.id) || !isTerminal(record.body.properties.provisioningState)) {
      throw armError(
        409,
        'RequestConflict',
        `Cannot modify resource with id '${record.body.id}' because the resource entity provisioning state is not terminal. ` +
          'Please wait for the provisioning state to become terminal and then retry the request.',
      );
    }
    const change = validatedChange(record, patch);
    return this.#startUpdate(record, change);
  }

  locate(resourceId: string): LocatedResource | undefined {
    const record = this.#clusters.get(idKey(resourceId));
    return (
      record && { id: record.body.id, resourceType: KUSTO_CLUSTER_TYPE, region: canonicalRegion(record.body.location) }
    );
  }

  // ---- internals ----------------------------------------------------------------------------------------------

  #record(subscriptionId: string, resourceGroup: string, name: string): ClusterRecord {
    this.#deps.groups.check(subscriptionId, resourceGroup);
    this.#deps.operations.settle();
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${KUSTO_CLUSTER_TYPE}/${name}`;
    const record = this.#clusters.get(idKey(id));
    if (!record) throw resourceNotFound('Microsoft.Kusto/clusters', name, resourceGroup);
    return record;
  }

  #recordById(resourceId: string): ClusterRecord {
    this.#deps.operations.settle();
    const record = this.#clusters.get(idKey(resourceId));
    if (!record) throw new Error(`kusto: no cluster ${resourceId}`);
    return record;
  }

  #startUpdate(record: ClusterRecord, change: ClusterChange): AsyncOperation {
    const scripted = record.nextFailure;
    record.nextFailure = undefined;
    const { body } = record;
    body.properties.state = 'Updating';
    body.properties.provisioningState = 'Running';
    return this.#deps.operations.start({
      resourceId: body.id,
      region: canonicalRegion(body.location),
      kind: CLUSTER_UPDATE,
      durationMs: record.updateDurationMs,
      complete: () => {
        body.properties.state = 'Running';
        body.properties.provisioningState = scripted ? 'Failed' : 'Succeeded';
        if (!scripted) applyChange(body, change);
        body.etag = newEtag();
        body.systemData.lastModifiedAt = armTimestamp(this.#deps.clock.nowMs());
        return scripted;
      },
    });
  }
}

interface ClusterChange {
  sku?: KustoClusterBody['sku'];
  optimizedAutoscale?: OptimizedAutoscale;
  tags?: Record<string, string>;
}

/** The checks the service makes before accepting a PATCH: SKU offered, capacity and autoscale within bounds. */
function validatedChange(record: ClusterRecord, patch: Record<string, unknown>): ClusterChange {
  const change: ClusterChange = {};
  const sku = recordAt(patch, 'sku');
  const bounds = boundsFor(record, typeof sku?.['name'] === 'string' ? sku['name'] : record.body.sku.name);
  if (sku) {
    const capacity = typeof sku['capacity'] === 'number' ? sku['capacity'] : record.body.sku.capacity;
    checkWithin(capacity, bounds, `Capacity ${capacity}`);
    change.sku = { name: bounds.name, tier: typeof sku['tier'] === 'string' ? sku['tier'] : bounds.tier, capacity };
  }
  const autoscale = recordAt(patch, 'properties', 'optimizedAutoscale');
  if (autoscale) change.optimizedAutoscale = validatedAutoscale(autoscale, bounds);
  const tags = recordAt(patch, 'tags');
  if (tags)
    change.tags = Object.fromEntries(
      Object.entries(tags).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
  return change;
}

function boundsFor(record: ClusterRecord, skuName: string): KustoAvailableSku {
  const offered = record.availableSkus.find((sku) => sku.name.toLowerCase() === skuName.toLowerCase());
  if (offered) return offered;
  const names = record.availableSkus.map((sku) => sku.name).join(', ');
  throw armError(
    400,
    'BadRequest',
    `[BadRequest] SKU '${skuName}' is not available for cluster '${record.body.name}'. Available SKUs: ${names}.`,
  );
}

function checkWithin(value: number, sku: KustoAvailableSku, what: string): void {
  const { minimum, maximum } = sku.capacity;
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw armError(
      400,
      'BadRequest',
      `[BadRequest] ${what} is out of the allowed range [${minimum}, ${maximum}] of SKU '${sku.name}'.`,
    );
  }
}

function validatedAutoscale(autoscale: Record<string, unknown>, sku: KustoAvailableSku): OptimizedAutoscale {
  const { version, isEnabled, minimum, maximum } = autoscale;
  if (
    typeof version !== 'number' ||
    typeof isEnabled !== 'boolean' ||
    typeof minimum !== 'number' ||
    typeof maximum !== 'number'
  ) {
    throw invalidRequestContent('optimizedAutoscale requires version, isEnabled, minimum and maximum');
  }
  checkWithin(minimum, sku, `Optimized autoscale minimum ${minimum}`);
  checkWithin(maximum, sku, `Optimized autoscale maximum ${maximum}`);
  if (minimum > maximum) {
    throw armError(
      400,
      'BadRequest',
      `[BadRequest] Optimized autoscale minimum ${minimum} is greater than maximum ${maximum}.`,
    );
  }
  return { version, isEnabled, minimum, maximum };
}

function applyChange(body: KustoClusterBody, change: ClusterChange): void {
  if (change.sku) body.sku = change.sku;
  if (change.optimizedAutoscale) body.properties.optimizedAutoscale = change.optimizedAutoscale;
  if (change.tags) body.tags = change.tags;
}

function isTerminal(state: KustoProvisioningState): boolean {
  return state === 'Succeeded' || state === 'Failed' || state === 'Canceled';
}

function newEtag(): string {
  return `"${randomUUID()}"`;
}

function newClusterBody(spec: KustoClusterSpec, subscriptionId: string, nowMs: number): KustoClusterBody {
  const region = canonicalRegion(spec.location ?? 'westus');
  const createdAt = armTimestamp(nowMs);
  const name = spec.name;
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${spec.resourceGroup}/providers/${KUSTO_CLUSTER_TYPE}/${name}`,
    name,
    type: KUSTO_CLUSTER_TYPE,
    location: spec.location ?? 'westus',
    ...(spec.tags ? { tags: { ...spec.tags } } : {}),
    etag: newEtag(),
    sku: { name: spec.skuName ?? 'Standard_L16as_v3', tier: spec.skuTier ?? 'Standard', capacity: spec.capacity ?? 2 },
    systemData: { createdByType: 'User', createdAt, lastModifiedByType: 'User', lastModifiedAt: createdAt },
    properties: {
      state: spec.state ?? 'Running',
      provisioningState: spec.provisioningState ?? 'Succeeded',
      uri: `https://${name.toLowerCase()}.${region}.kusto.windows.net`,
      dataIngestionUri: `https://ingest-${name.toLowerCase()}.${region}.kusto.windows.net`,
      ...(spec.optimizedAutoscale ? { optimizedAutoscale: { ...spec.optimizedAutoscale } } : {}),
      enableDiskEncryption: false,
      enableStreamingIngest: true,
      enablePurge: false,
      enableAutoStop: true,
      engineType: 'V3',
      publicNetworkAccess: 'Enabled',
      publicIPType: 'IPv4',
      restrictOutboundNetworkAccess: 'Disabled',
      allowedIpRangeList: [],
      privateEndpointConnections: [],
    },
  };
}
