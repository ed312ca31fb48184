/**
 * Which configured targets an alert is about, from `data.essentials.alertTargetIDs`. ARM ids compare
 * case-insensitively (Azure Monitor often lowercases `resourcegroups` and the provider). An alert on an elastic
 * cluster's coordinator or one of its nodes maps to the cluster itself:
 * - a child resource of the cluster (`<cluster id>/...`);
 * - a node server beside it, named like the per-node `ServerName` metric values: `<cluster>-c` for the
 *   coordinator, `<cluster>-w<N>` for worker N, in the same subscription and resource group.
 *
 * The targets are indexed once per config, so matching costs a few map lookups per alert id, however many
 * targets there are: an alert with 500 ids against 10,000 targets takes well under a millisecond.
 */
import type { TargetConfig } from '../config/schema/schema.js';
import { allKinds, kindDefinition } from '../kinds/registry.js';
import { normalizeResourceId } from '../vocabulary/resource-id.js';

/** Longer than any ARM id of a cluster or its child resources; longer ids are not compared at all. */
export const MAX_MATCHED_ID_LENGTH = 1024;

/** `/subscriptions/<s>/resourceGroups/<g>/providers/<namespace>/<type>/<name>`: 8 segments. */
const TOP_LEVEL_SEGMENTS = 8;

export class AlertTargetIndex {
  /** Normalized resource id -> the target and its place in the config. */
  private readonly byId = new Map<string, { target: TargetConfig; order: number }>();

  constructor(targets: readonly TargetConfig[]) {
    targets.forEach((target, order) => {
      const id = normalizeResourceId(target.resourceId);
      if (!this.byId.has(id)) this.byId.set(id, { target, order });
    });
  }

  /** The targets the ids cover, each once, in config order. */
  targetsFor(alertTargetIds: readonly string[]): TargetConfig[] {
    const found = new Map<string, { target: TargetConfig; order: number }>();
    for (const id of alertTargetIds) {
      const entry = this.entryFor(id);
      if (entry) found.set(entry.target.name, entry);
    }
    return [...found.values()].sort((a, b) => a.order - b.order).map((entry) => entry.target);
  }

  private entryFor(resourceId: string): { target: TargetConfig; order: number } | undefined {
    if (resourceId.length > MAX_MATCHED_ID_LENGTH) return undefined;
    const id = normalizeResourceId(resourceId);
    const topLevel = topLevelPrefix(id);
    if (topLevel === undefined) return undefined;
    const direct = this.byId.get(topLevel);
    if (direct) return direct;
    // A node server of a cluster (an elastic cluster's coordinator or worker): only the server itself, not its children.
    return topLevel === id ? this.clusterOfNodeServer(id) : undefined;
  }

  private clusterOfNodeServer(id: string): { target: TargetConfig; order: number } | undefined {
    for (const kind of allKinds()) {
      const suffix = kind.nodeServerSuffix;
      if (!suffix || !id.includes(`/providers/${kind.facts.resourceType.toLowerCase()}/`) || !suffix.test(id)) continue;
      const cluster = this.byId.get(id.replace(suffix, ''));
      if (cluster && kindDefinition(cluster.target.kind) === kind) return cluster;
    }
    return undefined;
  }
}

/** One-off matching; callers that match many alerts keep an `AlertTargetIndex`. */
export function targetsForAlert(alertTargetIds: readonly string[], targets: readonly TargetConfig[]): TargetConfig[] {
  return new AlertTargetIndex(targets).targetsFor(alertTargetIds);
}

/** The id of the top-level resource a (normalized) id names or lies under, or undefined for a shorter path. */
function topLevelPrefix(id: string): string | undefined {
  let slash = -1;
  for (let segment = 0; segment <= TOP_LEVEL_SEGMENTS; segment += 1) {
    slash = id.indexOf('/', slash + 1);
    if (slash === -1) return segment === TOP_LEVEL_SEGMENTS ? id : undefined;
  }
  return id.slice(0, slash);
}
