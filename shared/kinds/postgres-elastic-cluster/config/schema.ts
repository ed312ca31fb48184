/** An elastic cluster target's config: its own sections and its target schema. */
import { z } from 'zod';
import {
  FORECAST_DESCRIPTION,
  connectionCount,
  count,
  forecastShape,
  optimizedScaleOutFields,
  targetBase,
} from '../../../config/fields/fields.js';

/** The defaults of an elastic cluster target's own sections (the shared ones are in config/fields/defaults.ts). */
export const ELASTIC_CLUSTER_CONFIG_DEFAULTS = {
  optimized: {
    scaleOut: {
      cpuPercent: 80,
      memoryPercent: 90,
      /** Each added node brings its own storage; rebalancing spreads the data over it. */
      storagePercent: 85,
    },
  },
  rebalance: {
    enabled: true,
    /** Citus' default strategy since Citus 12 (docs/citus-rebalance.md). */
    strategy: 'by_disk_size',
    shardTransferMode: 'auto',
    /**
     * Four moves at once (Citus' own default is one). A scale-out happens because the cluster is hot, and the new
     * nodes carry load only as shards reach them: four parallel moves finish about 2.8x sooner (measured,
     * docs/citus-rebalance.md), for about a core per move on source and target while they run. In the simulator
     * this cut elastic clusters' overloaded minutes by a third on two fresh seeds at equal or lower cost
     * (docs/simulator.md). The executor settings are raised for the job and put back afterwards; where they cannot
     * be raised, the moves run one at a time and the operation says so. Set 1 to keep Citus' pace.
     */
    parallelism: 4,
    maxAttempts: 3,
    /** A move fails below `citus.desired_percent_disk_available_after_move` (10 %); keep a margin above it. */
    minFreeDiskPercent: 20,
    readyTimeoutMinutes: 90,
    /** Zone-redundant HA provisions a standby for every new node as well (docs/azure-elastic-clusters.md). */
    haReadyTimeoutMinutes: 180,
    pollIntervalSeconds: 30,
    /** A healthy job waits 0.2-5 s in `scheduled` (docs/citus-rebalance.md); ten minutes is clearly stuck. */
    stuckScheduledMinutes: 10,
  },
  database: {
    /** The coordinator: cluster-wide operations must not go through the load-balanced 7432 (docs/citus-rebalance.md). */
    port: 5432,
    ssl: 'verify-full',
  },
  connections: { policy: 'service-default' },
  forecast: {
    /** On: cheaper (0.6 %) at equal overload on the suite and a fresh seed; guarded by stronger evidence below. */
    mode: 'act',
    /** An elastic cluster cannot scale back in: a forecast must explain more to add a node for good. */
    minConfidence: 0.9,
    minHistoryDays: 5,
    /** ARM time plus the rebalance until the first scale-out completes (10 min provisioning + ~50 min moving). */
    defaultLeadMinutes: 60,
  },
} as const;

const postgresOptimized = z
  .strictObject({
    ...optimizedScaleOutFields,
    scaleOut: z
      .strictObject({
        cpuPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.optimized.scaleOut.cpuPercent)
          .describe('CPU percent threshold.'),
        memoryPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.optimized.scaleOut.memoryPercent)
          .describe('Memory percent threshold (memory_percent).'),
        storagePercent: z
          .number()
          .gt(0)
          .max(100)
          .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.optimized.scaleOut.storagePercent)
          .describe('Storage percent threshold (storage_percent).'),
      })
      .prefault({}),
  })
  .prefault({})
  .describe('Optimized mode for elastic clusters: scale out on sustained CPU, memory or storage pressure; never in.');

const rebalance = z
  .strictObject({
    enabled: z
      .boolean()
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.enabled)
      .describe('Start and watch the Citus shard rebalance after each scale-out.'),
    strategy: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/)
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.strategy)
      .describe('A row of pg_dist_rebalance_strategy (by_disk_size, by_shard_count or your own).'),
    shardTransferMode: z
      .enum(['auto', 'force_logical', 'block_writes'])
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.shardTransferMode)
      .describe('citus_rebalance_start shard_transfer_mode; auto needs a replica identity on every table.'),
    parallelism: z
      .union([count(1).max(128), z.literal('auto')])
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.parallelism)
      .describe('Shard moves at once; "auto" uses the number of nodes added.'),
    maxAttempts: count(1)
      .max(10)
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.maxAttempts)
      .describe('Starts of a failed or cancelled rebalance before giving up.'),
    minFreeDiskPercent: z
      .number()
      .min(0)
      .max(100)
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.minFreeDiskPercent)
      .describe('Pre-flight: refuse to start a rebalance when a node would have less free disk.'),
    readyTimeoutMinutes: count(1)
      .max(1440)
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.readyTimeoutMinutes)
      .describe('How long to wait for ARM to report the new cluster size.'),
    haReadyTimeoutMinutes: count(1)
      .max(2880)
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.haReadyTimeoutMinutes)
      .describe('The same wait when zone-redundant high availability is on (standbys are added too).'),
    pollIntervalSeconds: count(5)
      .max(3600)
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.pollIntervalSeconds)
      .describe('How often the follow-up polls ARM and citus_rebalance_status().'),
    stuckScheduledMinutes: count(1)
      .max(1440)
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.rebalance.stuckScheduledMinutes)
      .describe('Report a rebalance job that stays scheduled (never starts) this long.'),
    timeoutMinutes: count(10)
      .max(43_200)
      .optional()
      .describe(
        'Longest the rebalance may take, from its first start to its end, pauses and retries included; past it the operation ends timed-out. Default: derived from the plan (1 h plus 2 min per GiB to move, per attempt).',
      ),
  })
  .prefault({})
  .describe('The follow-up after an elastic-cluster scale-out.');

const connections = z
  .discriminatedUnion('policy', [
    z.strictObject({ policy: z.literal('service-default') }),
    z.strictObject({
      policy: z.literal('formula'),
      connectionBudget: connectionCount(1)
        .optional()
        .describe("Connections to share out; defaults to the SKU's max_connections."),
      reservedConnections: connectionCount(0).default(0).describe('Kept aside for administration before sharing out.'),
    }),
    z.strictObject({
      policy: z.literal('fixed'),
      maxClientConnections: connectionCount(1).describe('citus.max_client_connections to set.'),
      maxSharedPoolSize: connectionCount(1).describe('citus.max_shared_pool_size to set.'),
    }),
  ])
  .default({ ...ELASTIC_CLUSTER_CONFIG_DEFAULTS.connections })
  .describe('How citus.max_client_connections and citus.max_shared_pool_size follow the node count.');

const database = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .optional()
      .describe("The coordinator's host name; defaults to the cluster's fullyQualifiedDomainName from ARM."),
    port: count(1)
      .max(65535)
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.database.port)
      .describe('The coordinator port: 5432. Never the load-balanced 7432, which may land on a worker.'),
    name: z
      .string()
      .min(1)
      .optional()
      .describe("Database holding the distributed tables; defaults to the cluster's default database from ARM."),
    user: z
      .string()
      .min(1)
      .optional()
      .describe(
        "PostgreSQL role to log in as: the name of the scaler's managed identity as a Microsoft Entra role. Needed for the rebalance.",
      ),
    passwordSetting: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional()
      .describe('Name of an app setting that holds a password: password login instead of a Microsoft Entra token.'),
    ssl: z
      .enum(['verify-full', 'require', 'disable'])
      .default(ELASTIC_CLUSTER_CONFIG_DEFAULTS.database.ssl)
      .describe('verify-full checks the server certificate; disable only for local test servers.'),
  })
  .prefault({})
  .describe('How the follow-up connects to the coordinator to rebalance (Microsoft Entra token by default).');

const postgresForecast = z
  .strictObject(forecastShape(ELASTIC_CLUSTER_CONFIG_DEFAULTS.forecast))
  .prefault({})
  .describe(FORECAST_DESCRIPTION);
export const postgresTargetSchema = z.strictObject({
  ...targetBase,
  kind: z.literal('postgres-elastic-cluster'),
  optimized: postgresOptimized,
  forecast: postgresForecast,
  rebalance,
  connections,
  database,
});

export type ElasticClusterTargetConfig = z.output<typeof postgresTargetSchema>;
