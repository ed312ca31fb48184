/** The test pool's ARM adapter: its SKU capacity through the emulator's ADX route (see definition.ts). */
import type { KustoTargetConfig } from '../../../shared/config/schema/schema.js';
import type { AdapterFactory } from '../../../shared/targets/build.js';
import { KustoTarget } from '../../../shared/targets/kusto/kusto-target.js';

export const testPoolAdapter: AdapterFactory = (target, id, clients, skuBounds) =>
  new KustoTarget(
    target as unknown as KustoTargetConfig,
    id,
    clients.kusto(id.subscriptionId),
    skuBounds,
    clients.lroPollIntervalMs,
  );
