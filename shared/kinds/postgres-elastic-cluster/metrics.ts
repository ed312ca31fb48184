/**
 * The Azure Monitor metrics of Microsoft.DBforPostgreSQL/flexibleServers, with the aggregations Azure accepts for them
 * (docs/azure-monitor-metrics.md). Config validation uses this to reject misspelled metric names and
 * aggregations Azure would refuse.
 */
import type { MetricDefinition } from '../definition.js';
import { AVG_MAX_MIN, metrics } from '../metric-catalog.js';

export const POSTGRES_METRICS: Record<string, MetricDefinition> = {
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
