/** The two kinds of cluster the scaler manages, and the facts about each that never change with config. */
export const TARGET_KINDS = ['postgres-elastic-cluster', 'kusto-cluster'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface KindFacts {
  /** ARM resource type, as it appears in resource ids. */
  resourceType: string;
  /** What one unit of capacity is called in messages. */
  unit: string;
  /** Whether Azure can remove capacity. Elastic clusters cannot be scaled in (yet). */
  canScaleIn: boolean;
  /** Service bounds on capacity known without asking ARM. */
  serviceMin: number;
  serviceMax: number | undefined;
}

export const KIND_FACTS: Record<TargetKind, KindFacts> = {
  'postgres-elastic-cluster': {
    resourceType: 'Microsoft.DBforPostgreSQL/flexibleServers',
    unit: 'nodes',
    canScaleIn: false,
    // Azure Database for PostgreSQL elastic clusters: 2..20 nodes at GA (docs/azure-elastic-clusters.md).
    serviceMin: 2,
    serviceMax: 20,
  },
  'kusto-cluster': {
    resourceType: 'Microsoft.Kusto/clusters',
    unit: 'instances',
    canScaleIn: true,
    // Production SKUs start at 2 instances; the real maximum depends on the SKU and is read from ARM.
    serviceMin: 2,
    serviceMax: undefined,
  },
};
