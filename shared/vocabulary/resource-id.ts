/** Parsing of ARM resource ids. ARM compares ids case-insensitively, so do we. */
export interface ResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. `Microsoft.Kusto/clusters` */
  resourceType: string;
  name: string;
}

const RESOURCE_ID =
  /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourceGroups\/([-\w._()]{1,90})\/providers\/([A-Za-z][\w.]*\/[A-Za-z]\w*)\/([A-Za-z0-9][-\w.]*)$/i;

export function parseResourceId(id: string): ResourceId | undefined {
  const match = RESOURCE_ID.exec(id.trim());
  if (!match) return undefined;
  const [, subscriptionId, resourceGroup, resourceType, name] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { subscriptionId: subscriptionId.toLowerCase(), resourceGroup, resourceType, name };
}

export function sameResourceId(a: string, b: string): boolean {
  return normalizeResourceId(a) === normalizeResourceId(b);
}

export function normalizeResourceId(id: string): string {
  return id.trim().replace(/\/+$/, '').toLowerCase();
}
