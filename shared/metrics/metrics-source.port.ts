/** Where metric samples come from. The Azure Monitor adapter batches many targets into few requests. */
import type { MetricNeed, MetricsSnapshot } from '../vocabulary/metric-series.js';
import type { TargetKind } from '../vocabulary/kinds.js';

export interface MetricsRequest {
  /** Target name; the key of the answer. */
  target: string;
  kind: TargetKind;
  resourceId: string;
  /** Normalized region of the resource (from ARM), e.g. `westeurope`. */
  region: string;
  needs: MetricNeed[];
  lookbackMinutes: number;
  /**
   * Length of one returned sample, minutes: 1 (the default) for decisions, 60 for the forecast's history (weeks
   * in one request of a few hundred points). Samples start on multiples of the interval; partial ones are dropped.
   */
  intervalMinutes?: number | undefined;
}

export interface MetricsSource {
  /**
   * Fetches samples (1-minute unless the request says otherwise) for many targets, ending at `now`. The answer has an entry per request: a
   * snapshot (possibly with missing series, which the policy reports as NoData) or the error that made this
   * target's metrics unreadable. One target's failure never fails the others.
   */
  fetch(requests: readonly MetricsRequest[], now: Date): Promise<Map<string, MetricsSnapshot | Error>>;
}
