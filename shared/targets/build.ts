/** Builds one ScaleTarget per configured target, sharing SDK clients per subscription and the SKU cache. */
import type { ScalerConfig, TargetConfig } from '../config/schema/schema.js';
import { parseResourceId } from '../vocabulary/resource-id.js';
import { ScalerError } from '../vocabulary/errors.js';
import type { ScaleTarget } from './scale-target.port.js';
import type { ArmClients } from './azure-clients.js';
import { PostgresElasticTarget } from './postgres-elastic/postgres-elastic-target.js';
import { KustoTarget } from './kusto/kusto-target.js';
import { SkuBoundsCache } from './kusto/sku-bounds.js';
import type { TargetKind } from '../vocabulary/kinds.js';
import type { ResourceId } from '../vocabulary/resource-id.js';
import type { TargetOfKind } from '../kinds/registry.js';

/** Builds the ARM adapter of one kind's target. */
export type AdapterFactory<T extends TargetConfig = TargetConfig> = (
  target: T,
  id: ResourceId,
  clients: ArmClients,
  skuBounds: SkuBoundsCache,
) => ScaleTarget;

/** The ARM adapter of each kind (its code is in this folder, one subfolder per kind). */
const ADAPTERS: { [K in TargetKind]: AdapterFactory<TargetOfKind<K>> } = {
  'postgres-elastic-cluster': (target, id, clients) =>
    new PostgresElasticTarget(target, id, clients.postgres(id.subscriptionId), clients.lroPollIntervalMs),
  'kusto-cluster': (target, id, clients, skuBounds) =>
    new KustoTarget(target, id, clients.kusto(id.subscriptionId), skuBounds, clients.lroPollIntervalMs),
};

/** Adapters of kinds added at run time (registerKind in shared/kinds/registry.ts). */
const extensionAdapters = new Map<string, AdapterFactory>();

/** Adds the ARM adapter of a run-time kind; returns the function that removes it again. */
export function registerAdapter(kind: string, factory: AdapterFactory): () => void {
  if (Object.hasOwn(ADAPTERS, kind) || extensionAdapters.has(kind))
    throw new Error(`kind ${kind} already has an ARM adapter`);
  extensionAdapters.set(kind, factory);
  return () => extensionAdapters.delete(kind);
}

function adapterOf<T extends TargetConfig>(target: T): AdapterFactory<T> {
  const factory = Object.hasOwn(ADAPTERS, target.kind) ? ADAPTERS[target.kind] : extensionAdapters.get(target.kind);
  if (!factory) throw new ScalerError('configuration', `${target.name}: kind ${target.kind} has no ARM adapter`);
  return factory as unknown as AdapterFactory<T>;
}

export function buildScaleTargets(config: ScalerConfig, clients: ArmClients): Map<string, ScaleTarget> {
  const skuBounds = new SkuBoundsCache();
  return new Map(config.targets.map((target) => [target.name, buildScaleTarget(target, clients, skuBounds)]));
}

function buildScaleTarget(target: TargetConfig, clients: ArmClients, skuBounds: SkuBoundsCache): ScaleTarget {
  const id = parseResourceId(target.resourceId);
  if (!id)
    throw new ScalerError('configuration', `${target.name}: resourceId ${target.resourceId} is not an ARM resource id`);
  return adapterOf(target)(target, id, clients, skuBounds);
}
