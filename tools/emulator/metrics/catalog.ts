/**
 * The metric definitions the emulator serves, per resource type. Names, units, aggregations and dimensions come
 * from Azure Monitor's published list of supported metrics per resource type. The emulator keeps its own copy on
 * purpose: it is the independent
 * reference the scaler's own catalog is tested against. The localized names are what the portal shows; they
 * differ from the REST name for most metrics, and the metrics SDK flattens `name` to the localized one.
 */
export type MetricUnit = 'Percent' | 'Count' | 'Bytes' | 'Seconds' | 'MilliSeconds';
export type Aggregation = 'average' | 'minimum' | 'maximum' | 'total' | 'count';

export interface MetricDefinition {
  name: string;
  localizedName: string;
  unit: MetricUnit;
  /** The first one is the primary aggregation, returned when a query names none. */
  aggregations: readonly Aggregation[];
  dimensions: readonly string[];
}

type Row = readonly [
  name: string,
  localizedName: string,
  unit: MetricUnit,
  aggregations: readonly Aggregation[],
  dimensions: readonly string[],
];

const AVG_MAX_MIN: readonly Aggregation[] = ['average', 'maximum', 'minimum'];
const MAX: readonly Aggregation[] = ['maximum'];
const TOTAL: readonly Aggregation[] = ['total'];
const SERVER = ['ServerName'] as const;
const LOGICAL = ['LogicalServerName'] as const;
const DB_SERVER = ['DatabaseName', 'ServerName'] as const;

const POSTGRES_ROWS: readonly Row[] = [
  ['cpu_percent', 'CPU percent', 'Percent', AVG_MAX_MIN, SERVER],
  ['memory_percent', 'Memory percent', 'Percent', AVG_MAX_MIN, SERVER],
  ['iops', 'IOPS', 'Count', AVG_MAX_MIN, SERVER],
  ['read_iops', 'Read IOPS', 'Count', AVG_MAX_MIN, LOGICAL],
  ['write_iops', 'Write IOPS', 'Count', AVG_MAX_MIN, LOGICAL],
  ['read_throughput', 'Read Throughput Bytes/Sec', 'Count', AVG_MAX_MIN, LOGICAL],
  ['write_throughput', 'Write Throughput Bytes/Sec', 'Count', AVG_MAX_MIN, LOGICAL],
  ['disk_queue_depth', 'Disk Queue Depth', 'Count', AVG_MAX_MIN, LOGICAL],
  ['disk_iops_consumed_percentage', 'Disk IOPS Consumed Percentage', 'Percent', AVG_MAX_MIN, LOGICAL],
  ['disk_bandwidth_consumed_percentage', 'Disk Bandwidth Consumed Percentage', 'Percent', AVG_MAX_MIN, LOGICAL],
  ['storage_percent', 'Storage percent', 'Percent', AVG_MAX_MIN, SERVER],
  ['storage_used', 'Storage used', 'Bytes', AVG_MAX_MIN, SERVER],
  ['storage_free', 'Storage Free', 'Bytes', AVG_MAX_MIN, SERVER],
  ['txlogs_storage_used', 'Transaction Log Storage Used', 'Bytes', AVG_MAX_MIN, SERVER],
  ['backup_storage_used', 'Backup Storage Used', 'Bytes', AVG_MAX_MIN, LOGICAL],
  ['cpu_credits_consumed', 'CPU Credits Consumed', 'Count', AVG_MAX_MIN, LOGICAL],
  ['cpu_credits_remaining', 'CPU Credits Remaining', 'Count', AVG_MAX_MIN, LOGICAL],
  ['postmaster_process_cpu_usage_percent', 'Postmaster Process CPU Usage (Preview)', 'Percent', AVG_MAX_MIN, []],
  ['active_connections', 'Active Connections', 'Count', AVG_MAX_MIN, SERVER],
  ['connections_succeeded', 'Succeeded Connections', 'Count', TOTAL, SERVER],
  ['connections_failed', 'Failed Connections', 'Count', TOTAL, SERVER],
  ['max_connections', 'Max Connections', 'Count', MAX, SERVER],
  ['maximum_used_transactionIDs', 'Maximum Used Transaction IDs', 'Count', AVG_MAX_MIN, SERVER],
  ['network_bytes_egress', 'Network Out', 'Bytes', TOTAL, SERVER],
  ['network_bytes_ingress', 'Network In', 'Bytes', TOTAL, SERVER],
  ['tcp_connection_backlog', 'TCP Connection Backlog (Preview)', 'Count', ['maximum', 'minimum', 'average'], []],
  ['is_db_alive', 'Database Is Alive', 'Count', AVG_MAX_MIN, SERVER],
  ['sessions_by_state', 'Sessions by State', 'Count', ['maximum', 'minimum', 'average'], ['State', 'ServerName']],
  [
    'sessions_by_wait_event_type',
    'Sessions by WaitEventType',
    'Count',
    ['maximum', 'minimum', 'average'],
    ['WaitEventType', 'ServerName'],
  ],
  ['longest_query_time_sec', 'Oldest Query', 'Seconds', MAX, SERVER],
  ['longest_transaction_time_sec', 'Oldest Transaction', 'Seconds', MAX, SERVER],
  ['oldest_backend_time_sec', 'Oldest Backend', 'Seconds', MAX, SERVER],
  ['oldest_backend_xmin', 'Oldest xmin', 'Count', MAX, SERVER],
  ['oldest_backend_xmin_age', 'Oldest xmin Age', 'Count', MAX, SERVER],
  ['numbackends', 'Backends', 'Count', ['maximum', 'minimum', 'average'], DB_SERVER],
  ['tps', 'Transactions per second (Preview)', 'Count', ['minimum', 'maximum', 'total'], DB_SERVER],
  ['xact_total', 'Total Transactions', 'Count', TOTAL, DB_SERVER],
  ['xact_commit', 'Transactions Committed', 'Count', TOTAL, DB_SERVER],
  ['xact_rollback', 'Transactions Rolled Back', 'Count', TOTAL, DB_SERVER],
  ['deadlocks', 'Deadlocks Detected', 'Count', TOTAL, DB_SERVER],
  ['blks_hit', 'Disk Blocks Hit', 'Count', TOTAL, DB_SERVER],
  ['blks_read', 'Disk Blocks Read', 'Count', TOTAL, DB_SERVER],
  ['temp_files', 'Temporary Files Created', 'Count', TOTAL, DB_SERVER],
  ['temp_bytes', 'Temporary Files Size', 'Bytes', TOTAL, DB_SERVER],
  ['tup_deleted', 'Tuples Deleted', 'Count', TOTAL, DB_SERVER],
  ['tup_fetched', 'Tuples Fetched', 'Count', TOTAL, DB_SERVER],
  ['tup_inserted', 'Tuples Inserted', 'Count', TOTAL, DB_SERVER],
  ['tup_returned', 'Tuples Returned', 'Count', TOTAL, DB_SERVER],
  ['tup_updated', 'Tuples Updated', 'Count', TOTAL, DB_SERVER],
  ['database_size_bytes', 'Database Size', 'Bytes', AVG_MAX_MIN, DB_SERVER],
  [
    'logical_replication_delay_in_bytes',
    'Max Logical Replication Lag',
    'Bytes',
    ['maximum', 'minimum', 'average'],
    SERVER,
  ],
  [
    'logical_replication_slot_sync_status',
    'Logical Replication Slot Sync Status (Preview)',
    'Count',
    ['total', 'maximum', 'minimum'],
    ['ReplicationSlotName', 'LogicalServerName'],
  ],
  [
    'physical_replication_delay_in_bytes',
    'Max Physical Replication Lag',
    'Bytes',
    ['maximum', 'minimum', 'average'],
    SERVER,
  ],
  ['physical_replication_delay_in_seconds', 'Read Replica Lag', 'Seconds', ['maximum', 'minimum', 'average'], SERVER],
  ['client_connections_active', 'Active client connections', 'Count', ['maximum', 'minimum', 'average'], DB_SERVER],
  ['client_connections_waiting', 'Waiting client connections', 'Count', ['maximum', 'minimum', 'average'], DB_SERVER],
  ['server_connections_active', 'Active server connections', 'Count', ['maximum', 'minimum', 'average'], DB_SERVER],
  ['server_connections_idle', 'Idle server connections', 'Count', ['maximum', 'minimum', 'average'], DB_SERVER],
  ['total_pooled_connections', 'Total pooled connections', 'Count', ['maximum', 'minimum', 'average'], DB_SERVER],
  ['num_pools', 'Number of connection pools', 'Count', ['maximum', 'minimum', 'average'], DB_SERVER],
  ...[
    'analyze_count_user_tables',
    'autoanalyze_count_user_tables',
    'autovacuum_count_user_tables',
    'n_dead_tup_user_tables',
    'n_live_tup_user_tables',
    'n_mod_since_analyze_user_tables',
    'tables_analyzed_user_tables',
    'tables_autoanalyzed_user_tables',
    'tables_autovacuumed_user_tables',
    'tables_counter_user_tables',
    'tables_vacuumed_user_tables',
    'vacuum_count_user_tables',
  ].map((name): Row => [name, name, 'Count', ['maximum', 'minimum', 'average'], DB_SERVER]),
  ['bloat_percent', 'Bloat Percent (Preview)', 'Percent', MAX, DB_SERVER],
];

const KUSTO_ROWS: readonly Row[] = [
  ['CPU', 'CPU', 'Percent', AVG_MAX_MIN, []],
  ['CacheUtilizationFactor', 'Cache utilization factor', 'Percent', AVG_MAX_MIN, []],
  ['CacheUtilization', 'Cache utilization (deprecated)', 'Percent', AVG_MAX_MIN, []],
  ['IngestionUtilization', 'Ingestion utilization', 'Percent', AVG_MAX_MIN, []],
  ['InstanceCount', 'Instance Count', 'Count', ['average', 'maximum', 'minimum', 'count', 'total'], []],
  ['KeepAlive', 'Keep alive', 'Count', ['average'], []],
  ['TotalNumberOfExtents', 'Total number of extents', 'Count', AVG_MAX_MIN, []],
  [
    'TotalNumberOfThrottledCommands',
    'Total number of throttled commands',
    'Count',
    ['average', 'maximum', 'minimum', 'total'],
    ['CommandType'],
  ],
  ['FollowerLatency', 'FollowerLatency', 'MilliSeconds', AVG_MAX_MIN, ['State', 'RoleInstance']],
  [
    'TotalNumberOfThrottledQueries',
    'Total number of throttled queries',
    'Count',
    ['average', 'maximum', 'minimum', 'total'],
    [],
  ],
  ['TotalNumberOfConcurrentQueries', 'Total number of concurrent queries', 'Count', AVG_MAX_MIN, []],
  ['QueryDuration', 'Query duration', 'MilliSeconds', ['average', 'maximum', 'minimum', 'total'], ['QueryStatus']],
  ['QueryResult', 'Query Result', 'Count', ['count'], ['QueryStatus']],
  ['WeakConsistencyLatency', 'Weak consistency latency', 'Seconds', AVG_MAX_MIN, ['Database', 'RoleInstance']],
  ['StreamingIngestUtilization', 'Streaming Ingest Utilization', 'Percent', AVG_MAX_MIN, []],
  ['StreamingIngestDataRate', 'Streaming Ingest Data Rate', 'Bytes', ['average', 'minimum', 'maximum'], []],
  ['StreamingIngestDuration', 'Streaming Ingest Duration', 'MilliSeconds', ['average', 'minimum', 'maximum'], []],
  ['StreamingIngestResults', 'Streaming Ingest Result', 'Count', ['count'], ['Result']],
  ['IngestionLatencyInSeconds', 'Ingestion latency', 'Seconds', AVG_MAX_MIN, ['IngestionKind']],
  ['IngestionResult', 'Ingestion result', 'Count', TOTAL, ['IngestionResultDetails', 'FailureKind']],
  ['IngestionVolumeInMB', 'Ingestion volume', 'Bytes', ['total', 'maximum'], ['Database']],
  ['QueueLength', 'Queue Length', 'Count', ['average'], ['ComponentType']],
  ['QueueOldestMessage', 'Queue Oldest Message', 'Count', ['average'], ['ComponentType']],
  ['BatchBlobCount', 'Batch Blob Count', 'Count', AVG_MAX_MIN, ['Database']],
  ['BatchDuration', 'Batch Duration', 'Seconds', AVG_MAX_MIN, ['Database']],
  ['BatchSize', 'Batch Size', 'Bytes', AVG_MAX_MIN, ['Database']],
  [
    'BatchesProcessed',
    'Batches Processed',
    'Count',
    ['total', 'average', 'maximum', 'minimum'],
    ['Database', 'SealReason'],
  ],
  [
    'BlobsReceived',
    'Blobs Received',
    'Count',
    ['total', 'average', 'minimum', 'maximum'],
    ['Database', 'ComponentType', 'ComponentName'],
  ],
  [
    'BlobsProcessed',
    'Blobs Processed',
    'Count',
    ['total', 'average', 'minimum', 'maximum'],
    ['Database', 'ComponentType', 'ComponentName'],
  ],
  [
    'BlobsDropped',
    'Blobs Dropped',
    'Count',
    ['total', 'average', 'minimum', 'maximum'],
    ['Database', 'ComponentType', 'ComponentName'],
  ],
  [
    'EventsReceived',
    'Events Received',
    'Count',
    ['total', 'average', 'minimum', 'maximum'],
    ['ComponentType', 'ComponentName'],
  ],
  [
    'EventsProcessed',
    'Events Processed',
    'Count',
    ['total', 'average', 'minimum', 'maximum'],
    ['ComponentType', 'ComponentName'],
  ],
  [
    'EventsDropped',
    'Events Dropped',
    'Count',
    ['total', 'average', 'minimum', 'maximum'],
    ['ComponentType', 'ComponentName'],
  ],
  ['DiscoveryLatency', 'Discovery Latency', 'Seconds', ['average'], ['ComponentType', 'ComponentName']],
  ['StageLatency', 'Stage Latency', 'Seconds', ['average'], ['Database', 'ComponentType']],
  [
    'ReceivedDataSizeBytes',
    'Received Data Size Bytes',
    'Bytes',
    ['average', 'total'],
    ['ComponentType', 'ComponentName'],
  ],
  ['ExportUtilization', 'Export Utilization', 'Percent', MAX, []],
  ['ContinuousExportMaxLatenessMinutes', 'Continuous Export Max Lateness', 'Count', MAX, []],
  [
    'ContinuousExportNumOfRecordsExported',
    'Continuous export - num of exported records',
    'Count',
    TOTAL,
    ['ContinuousExportName', 'Database'],
  ],
  ['ContinuousExportPendingCount', 'Continuous Export Pending Count', 'Count', MAX, []],
  [
    'ContinuousExportResult',
    'Continuous Export Result',
    'Count',
    ['count'],
    ['ContinuousExportName', 'Result', 'Database'],
  ],
  ['MaterializedViewAgeMinutes', 'Materialized View Age', 'Count', ['average'], ['Database', 'MaterializedViewName']],
  [
    'MaterializedViewAgeSeconds',
    'Materialized View Age',
    'Seconds',
    ['average', 'minimum', 'maximum'],
    ['Database', 'MaterializedViewName'],
  ],
  [
    'MaterializedViewDataLoss',
    'Materialized View Data Loss',
    'Count',
    MAX,
    ['Database', 'MaterializedViewName', 'Kind'],
  ],
  [
    'MaterializedViewExtentsRebuild',
    'Materialized View Extents Rebuild',
    'Count',
    ['average'],
    ['Database', 'MaterializedViewName'],
  ],
  ['MaterializedViewHealth', 'Materialized View Health', 'Count', ['average'], ['Database', 'MaterializedViewName']],
  [
    'MaterializedViewRecordsInDelta',
    'Materialized View Records In Delta',
    'Count',
    ['average'],
    ['Database', 'MaterializedViewName'],
  ],
  [
    'MaterializedViewResult',
    'Materialized View Result',
    'Count',
    ['average'],
    ['Database', 'MaterializedViewName', 'Result'],
  ],
];

function byName(rows: readonly Row[]): ReadonlyMap<string, MetricDefinition> {
  return new Map(
    rows.map(([name, localizedName, unit, aggregations, dimensions]) => [
      name.toLowerCase(),
      { name, localizedName, unit, aggregations, dimensions },
    ]),
  );
}

const CATALOG: ReadonlyMap<string, ReadonlyMap<string, MetricDefinition>> = new Map([
  ['microsoft.dbforpostgresql/flexibleservers', byName(POSTGRES_ROWS)],
  ['microsoft.kusto/clusters', byName(KUSTO_ROWS)],
]);

/** Metric names are matched case-insensitively, like the service does. */
export function metricDefinition(namespace: string, metricName: string): MetricDefinition | undefined {
  return CATALOG.get(namespace.toLowerCase())?.get(metricName.toLowerCase());
}

export function metricNames(namespace: string): string[] {
  return [...(CATALOG.get(namespace.toLowerCase())?.values() ?? [])].map((definition) => definition.name);
}
