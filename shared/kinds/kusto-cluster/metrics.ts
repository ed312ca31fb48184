/**
 * The Azure Monitor metrics of Microsoft.Kusto/clusters, with the aggregations Azure accepts for them
 * (docs/azure-monitor-metrics.md). Config validation uses this to reject misspelled metric names and
 * aggregations Azure would refuse.
 */
import type { MetricDefinition } from '../definition.js';
import { ALL, AVG_MAX_MIN, metrics } from '../metric-catalog.js';

export const KUSTO_METRICS: Record<string, MetricDefinition> = {
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
