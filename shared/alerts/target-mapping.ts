/**
 * Which configured targets an alert is about, from `data.essentials.alertTargetIDs`. ARM ids compare
 * case-insensitively (Azure Monitor often lowercases `resourcegroups` and the provider). An alert on an elastic
 * cluster's coordinator or one of its nodes maps to the cluster itself:
 * - a child resource of the cluster (`<cluster id>/...`);
 * - a node server beside it, named like the per-node `ServerName` metric values: `<cluster>-c` for the
 *   coordinator, `<cluster>-w<N>` for worker N, in the same subscription and resource group.
 */
import type { TargetConfig } from '../config/schema.js';
import { KIND_FACTS } from '../config/kinds.js';
import { normalizeResourceId, parseResourceId } from '../config/resource-id.js';

export function targetsForAlert(alertTargetIds: readonly string[], targets: readonly TargetConfig[]): TargetConfig[] {
  return targets.filter((target) => alertTargetIds.some((id) => covers(target, id)));
}

/** Whether an alert on `resourceId` is an alert on `target`. */
export function covers(target: TargetConfig, resourceId: string): boolean {
  const wanted = normalizeResourceId(target.resourceId);
  const given = normalizeResourceId(resourceId);
  if (given === wanted || given.startsWith(`${wanted}/`)) return true;
  return target.kind === 'postgres-elastic-cluster' && isNodeOf(target.resourceId, resourceId);
}

function isNodeOf(clusterId: string, resourceId: string): boolean {
  const cluster = parseResourceId(clusterId);
  const node = parseResourceId(resourceId);
  if (!cluster || !node) return false;
  const sameType = node.resourceType.toLowerCase() === KIND_FACTS['postgres-elastic-cluster'].resourceType.toLowerCase();
  const samePlace = node.subscriptionId === cluster.subscriptionId && node.resourceGroup.toLowerCase() === cluster.resourceGroup.toLowerCase();
  if (!sameType || !samePlace) return false;
  const name = node.name.toLowerCase();
  const prefix = `${cluster.name.toLowerCase()}-`;
  return name.startsWith(prefix) && /^(?:c|w\d{1,3})$/.test(name.slice(prefix.length));
}
