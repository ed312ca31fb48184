/** SKU lists of Microsoft.Kusto: per cluster (`listSkusByResource`) and per region (`skus.list`, `clusters.listSkus`). */
import { canonicalRegion, displayRegion } from '../regions.js';

export interface KustoSkuCapacity {
  minimum: number;
  maximum: number;
  default: number;
  scaleType: 'automatic' | 'manual' | 'none';
}

/** One entry of `listSkusByResource`: a SKU the cluster can use, with its instance-count bounds. */
export interface KustoAvailableSku {
  name: string;
  tier: string;
  capacity: KustoSkuCapacity;
}

const SIBLING_SKUS = ['Standard_L8as_v3', 'Standard_L16as_v3', 'Standard_L32as_v3'];

/** The cluster's own SKU plus its L-series siblings, with the documented SKU bounds (docs/azure-api-shapes.md). */
export function defaultAvailableSkus(
  sku: { name: string; tier: string },
  capacity: Partial<KustoSkuCapacity> = {},
): KustoAvailableSku[] {
  const bounds: KustoSkuCapacity = { minimum: 2, maximum: 100, default: 2, scaleType: 'automatic', ...capacity };
  const names = [sku.name, ...SIBLING_SKUS.filter((name) => name.toLowerCase() !== sku.name.toLowerCase())];
  return names.map((name) => ({ name, tier: sku.tier, capacity: { ...bounds } }));
}

/** The region-level SKU catalog (`skus.list(location)`, `clusters.listSkus`); docs/azure-api-shapes.md. */
export function skuCatalog(regions: readonly string[]): Array<{
  name: string;
  tier: string;
  locations: string[];
  locationInfo: Array<{ location: string; zones: string[] }>;
}> {
  const locations = [...new Set(['westus', 'westeurope', ...regions.map(canonicalRegion)])].map(displayRegion);
  return [...SIBLING_SKUS, 'Standard_L8s_v3', 'Standard_L16s_v3', 'Standard_E8ads_v5', 'Standard_E16ads_v5'].map(
    (name) => ({
      name,
      tier: 'Standard',
      locations,
      locationInfo: locations.map((location) => ({ location, zones: ['1', '2', '3'] })),
    }),
  );
}
