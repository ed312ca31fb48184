import { resourceGroupNotFound, subscriptionNotFound } from '../arm.js';

/**
 * The subscriptions and resource groups ARM knows. Both come into existence when a test adds a resource in them
 * (or the emulator's default subscription), so a typo in a test surfaces as the 404 ARM would answer.
 */
export class ResourceGroups {
  readonly #groups = new Map<string, Set<string>>();

  constructor(defaultSubscriptionId: string) {
    this.#groups.set(defaultSubscriptionId.toLowerCase(), new Set());
  }

  register(subscriptionId: string, resourceGroup: string): void {
    const key = subscriptionId.toLowerCase();
    const groups = this.#groups.get(key) ?? new Set<string>();
    groups.add(resourceGroup.toLowerCase());
    this.#groups.set(key, groups);
  }

  /** Throws SubscriptionNotFound / ResourceGroupNotFound like ARM. */
  check(subscriptionId: string, resourceGroup?: string): void {
    const groups = this.#groups.get(subscriptionId.toLowerCase());
    if (!groups) throw subscriptionNotFound(subscriptionId);
    if (resourceGroup !== undefined && !groups.has(resourceGroup.toLowerCase()))
      throw resourceGroupNotFound(resourceGroup);
  }
}
