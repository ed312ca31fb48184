/**
 * The Azure Monitor metrics each target kind publishes, with the aggregations Azure accepts for them.
 * Source: docs/azure-monitor-metrics.md (from the "Supported metrics" references for
 * Microsoft.DBforPostgreSQL/flexibleServers and Microsoft.Kusto/clusters). Config validation uses this to
 * reject misspelled metric names and aggregations Azure would refuse.
 */
import type { Statistic } from '../vocabulary/metric-series.js';
import type { TargetKind } from '../vocabulary/kinds.js';

export interface MetricDefinition {
  unit: 'Percent' | 'Count' | 'Bytes' | 'Seconds' | 'MilliSeconds';
  aggregations: readonly Statistic[];
}

const AVG_MAX_MIN: readonly Statistic[] = ['Average', 'Maximum', 'Minimum'];
const ALL: readonly Statistic[] = ['Average', 'Maximum', 'Minimum', 'Total', 'Count'];

function metrics(unit: MetricDefinition['unit'], aggregations: readonly Statistic[], names: string[]) {
  return Object.fromEntries(names.map((name) => [name, { unit, aggregations }])) as Record<string, MetricDefinition>;
}

const postgresMetrics: Record<string, MetricDefinition> = {
  ...metrics('Percent', AVG_MAX_MIN, [
    'cpu_percent',
    'memory_percent',
    'storage_percent',
    'disk_iops_consumed_percentage',
    'disk_bandwidth_consumed_percentage',
    'postmaster_process_cpu_usage_percent',
  ]),
  ...metrics('Count', AVG_MAX_MIN, [
    'iops',
    'read_iops',
    'write_iops',
    'read_throughput',
    'write_throughput',
    'disk_queue_depth',
    'active_connections',
    'maximum_used_transactionIDs',
    'tcp_connection_backlog',
    'is_db_alive',
    'sessions_by_state',
    'sessions_by_wait_event_type',
    'numbackends',
    'client_connections_active',
    'client_connections_waiting',
    'server_connections_active',
    'server_connections_idle',
    'total_pooled_connections',
    'num_pools',
    'cpu_credits_consumed',
    'cpu_credits_remaining',
  ]),
  ...metrics('Bytes', AVG_MAX_MIN, [
    'storage_used',
    'storage_free',
    'txlogs_storage_used',
    'backup_storage_used',
    'database_size_bytes',
    'logical_replication_delay_in_bytes',
    'physical_replication_delay_in_bytes',
  ]),
  ...metrics(
    'Count',
    ['Total'],
    [
      'connections_succeeded',
      'connections_failed',
      'xact_total',
      'xact_commit',
      'xact_rollback',
      'deadlocks',
      'blks_hit',
      'blks_read',
      'temp_files',
      'tup_deleted',
      'tup_fetched',
      'tup_inserted',
      'tup_returned',
      'tup_updated',
    ],
  ),
  ...metrics('Bytes', ['Total'], ['network_bytes_egress', 'network_bytes_ingress', 'temp_bytes']),
  ...metrics('Count', ['Minimum', 'Maximum', 'Total'], ['tps']),
  ...metrics('Count', ['Maximum'], ['max_connections', 'oldest_backend_xmin', 'oldest_backend_xmin_age']),
  ...metrics(
    'Seconds',
    ['Maximum'],
    ['longest_query_time_sec', 'longest_transaction_time_sec', 'oldest_backend_time_sec'],
  ),
  ...metrics('Seconds', AVG_MAX_MIN, ['physical_replication_delay_in_seconds']),
};

const kustoMetrics: Record<string, MetricDefinition> = {
  ...metrics('Percent', AVG_MAX_MIN, [
    'CPU',
    'CacheUtilizationFactor',
    'CacheUtilization',
    'IngestionUtilization',
    'StreamingIngestUtilization',
  ]),
  ...metrics('Percent', ['Maximum'], ['ExportUtilization']),
  InstanceCount: { unit: 'Count', aggregations: ALL },
  KeepAlive: { unit: 'Count', aggregations: ['Average'] },
  ...metrics('Count', AVG_MAX_MIN, ['TotalNumberOfExtents', 'TotalNumberOfConcurrentQueries', 'BatchBlobCount']),
  ...metrics(
    'Count',
    ['Average', 'Maximum', 'Minimum', 'Total'],
    [
      'TotalNumberOfThrottledCommands',
      'TotalNumberOfThrottledQueries',
      'BatchesProcessed',
      'BlobsReceived',
      'BlobsProcessed',
      'BlobsDropped',
      'EventsReceived',
      'EventsProcessed',
      'EventsDropped',
    ],
  ),
  ...metrics('Count', ['Count'], ['QueryResult', 'StreamingIngestResults', 'ContinuousExportResult']),
  ...metrics('Count', ['Total'], ['IngestionResult', 'ContinuousExportNumOfRecordsExported']),
  ...metrics('Count', ['Average'], ['QueueLength', 'QueueOldestMessage', 'MaterializedViewAgeMinutes']),
  ...metrics('MilliSeconds', ['Average', 'Maximum', 'Minimum', 'Total'], ['QueryDuration']),
  ...metrics('MilliSeconds', AVG_MAX_MIN, ['FollowerLatency', 'StreamingIngestDuration']),
  ...metrics('Seconds', AVG_MAX_MIN, ['IngestionLatencyInSeconds', 'WeakConsistencyLatency', 'BatchDuration']),
  ...metrics('Seconds', ['Average'], ['DiscoveryLatency', 'StageLatency']),
  ...metrics('Bytes', ['Total', 'Maximum'], ['IngestionVolumeInMB']),
  ...metrics('Bytes', AVG_MAX_MIN, ['StreamingIngestDataRate', 'BatchSize']),
};

export const METRIC_CATALOG: Record<TargetKind, Record<string, MetricDefinition>> = {
  'postgres-elastic-cluster': postgresMetrics,
  'kusto-cluster': kustoMetrics,
};

export const METRIC_NAMESPACE: Record<TargetKind, string> = {
  'postgres-elastic-cluster': 'Microsoft.DBforPostgreSQL/flexibleServers',
  'kusto-cluster': 'Microsoft.Kusto/clusters',
};

export function findMetric(kind: TargetKind, name: string): MetricDefinition | undefined {
  return Object.hasOwn(METRIC_CATALOG[kind], name) ? METRIC_CATALOG[kind][name] : undefined;
}

export function metricNames(kind: TargetKind): string[] {
  return Object.keys(METRIC_CATALOG[kind]);
}
