/** Builds one ScaleTarget per configured target, sharing SDK clients per subscription and the SKU cache. */
import type { ScalerConfig, TargetConfig } from '../config/schema/schema.js';
import { parseResourceId } from '../vocabulary/resource-id.js';
import { ScalerError } from '../errors.js';
import type { ScaleTarget } from './scale-target.port.js';
import type { ArmClients } from './azure-clients.js';
import { PostgresElasticTarget } from './postgres-elastic/postgres-elastic-target.js';
import { KustoTarget } from './kusto/kusto-target.js';
import { SkuBoundsCache } from './kusto/sku-bounds.js';

export function buildScaleTargets(config: ScalerConfig, clients: ArmClients): Map<string, ScaleTarget> {
  const skuBounds = new SkuBoundsCache();
  return new Map(config.targets.map((target) => [target.name, buildScaleTarget(target, clients, skuBounds)]));
}

function buildScaleTarget(target: TargetConfig, clients: ArmClients, skuBounds: SkuBoundsCache): ScaleTarget {
  const id = parseResourceId(target.resourceId);
  if (!id)
    throw new ScalerError('configuration', `${target.name}: resourceId ${target.resourceId} is not an ARM resource id`);
  switch (target.kind) {
    case 'postgres-elastic-cluster':
      return new PostgresElasticTarget(target, id, clients.postgres(id.subscriptionId), clients.lroPollIntervalMs);
    case 'kusto-cluster':
      return new KustoTarget(target, id, clients.kusto(id.subscriptionId), skuBounds, clients.lroPollIntervalMs);
  }
}
