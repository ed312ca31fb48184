/**
 * The `MetricsSource` port backed by the simulation's metric feed, answering exactly what
 * `AzureMonitorMetrics.fetch` would: one snapshot per request, `asOfMs` = now, 1-minute samples over the
 * requested lookback, null where the newest minutes are not published yet, no series for metrics the cluster
 * does not emit.
 */
import type { MetricsSnapshot } from '../../../shared/vocabulary/metric-series.js';
import type { MetricsRequest, MetricsSource } from '../../../shared/metrics/metrics-source.port.js';
import type { MetricFeed } from '../metric-feed.js';

export class SimulatedMetrics implements MetricsSource {
  constructor(private readonly feed: MetricFeed) {}

  async fetch(requests: readonly MetricsRequest[], now: Date): Promise<Map<string, MetricsSnapshot | Error>> {
    const nowMs = now.getTime();
    return new Map(requests.map((request) => [request.target, this.feed.snapshot(request, nowMs)]));
  }
}
