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
  /** Service bounds on capacity known without asking ARM; a target's limits may only narrow them. */
  serviceMin: number;
  serviceMax: number | undefined;
  /**
   * The app setting that may raise serviceMax, for a service that has announced more than it allows today (a
   * target's limits.max may then go up to the setting).
   */
  serviceMaxSetting?: string | undefined;
}

export const KIND_FACTS = {
  'postgres-elastic-cluster': {
    resourceType: 'Microsoft.DBforPostgreSQL/flexibleServers',
    unit: 'nodes',
    canScaleIn: false,
    // Azure Database for PostgreSQL elastic clusters: 2..20 nodes at GA, more announced (docs/azure-elastic-clusters.md).
    serviceMin: 2,
    serviceMax: 20,
    serviceMaxSetting: 'SCALER_ELASTIC_CLUSTER_MAX_NODES',
  },
  'kusto-cluster': {
    resourceType: 'Microsoft.Kusto/clusters',
    unit: 'instances',
    canScaleIn: true,
    // Production SKUs start at 2 instances; the real maximum depends on the SKU and is read from ARM.
    serviceMin: 2,
    serviceMax: undefined,
    serviceMaxSetting: undefined,
  },
} satisfies Record<TargetKind, KindFacts>;
