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
