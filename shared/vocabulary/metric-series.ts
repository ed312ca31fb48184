/**
 * The shape in which metrics reach the policy: 1-minute samples per metric, aggregation and (optionally)
 * dimension values, exactly as the Azure Monitor adapter delivers them. Pure data, no I/O.
 */
export const STATISTICS = ['Average', 'Minimum', 'Maximum', 'Total', 'Count'] as const;
export type Statistic = (typeof STATISTICS)[number];

export interface MetricSample {
  /** Start of the 1-minute bucket, epoch milliseconds. */
  timestampMs: number;
  /** null when Azure Monitor returned the time point without a value. */
  value: number | null;
}

export interface MetricSeries {
  metric: string;
  aggregation: Statistic;
  /** Dimension values when the series is split (e.g. ServerName per node, QueryStatus). */
  dimensions?: Record<string, string> | undefined;
  samples: MetricSample[];
}

export const SAMPLE_INTERVAL_MS = 60_000;

/** What the metrics source answers for one target: the series the policy reads. */
export interface MetricsSnapshot {
  /** End of the queried interval (epoch ms). Grains ending after it are partial and dropped. */
  asOfMs: number;
  series: MetricSeries[];
}

/** One metric a target's policy needs, with the aggregations (statistics) its rules use. */
export interface MetricNeed {
  metric: string;
  aggregations: Statistic[];
  /** Dimension to split by (e.g. QueryStatus for QueryResult), or none for the resource total. */
  splitBy?: string | undefined;
}
