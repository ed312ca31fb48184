/** The capacity bounds of each Kusto SKU, read once from `listSkusByResource` and cached by SKU name. */
export interface CapacityBounds {
  min: number;
  max: number;
}

export class SkuBoundsCache {
  private readonly bounds = new Map<string, Promise<CapacityBounds | undefined>>();

  /** Looks the SKU up once; concurrent callers share the one request. A failed lookup is retried next time. */
  get(skuName: string, load: () => Promise<CapacityBounds | undefined>): Promise<CapacityBounds | undefined> {
    const existing = this.bounds.get(skuName);
    if (existing) return existing;
    const pending = load().catch((error: unknown) => {
      this.bounds.delete(skuName);
      throw error;
    });
    this.bounds.set(skuName, pending);
    return pending;
  }
}
