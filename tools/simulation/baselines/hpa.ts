/**
 * The Kubernetes Horizontal Pod Autoscaler's algorithm, applied to cluster units, as documented in
 * kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale ("Algorithm details", "Stabilization
 * window", "Tolerance", "Default behavior") and implemented in kubernetes/kubernetes
 * pkg/controller/podautoscaler/replica_calculator.go and horizontal.go:
 * - desiredReplicas = ceil(currentReplicas x currentMetricValue / desiredMetricValue), computed over the ready
 *   units; no change when |1 - ratio| <= tolerance (0.1);
 * - units not ready yet (still provisioning) count as using 0 % when the ratio asks for a scale-up, which damps it;
 *   if that reverses the direction or falls within the tolerance, nothing changes;
 * - scale-down stabilization: the highest recommendation of the last 300 seconds wins; scale-up has none;
 * - default scale-up limit: at most max(100 % of current, 4) more per period;
 * - target utilization 70 % (a common HPA choice).
 * The metric is the newest readable 1-minute CPU sample (metrics-server reports a recent short-window average).
 * The controller runs every minute here (its sync period is 15 s, but the data changes once a minute), and asks
 * ARM for each change; a change refused because an update runs is simply recomputed next minute.
 * An elastic cluster cannot shrink, so there scale-down recommendations are not acted on.
 */
import type { TargetKind } from '../../../shared/vocabulary/kinds.js';
import type { MetricFeed } from '../metric-feed.js';
import { clamp, type Controller } from '../policy-runner.js';
import { simulationOf } from '../kinds/registry.js';
import { kindDefinition } from '../../../shared/kinds/registry.js';

export interface HpaSettings {
  targetUtilizationPercent: number;
  tolerance: number;
  downscaleStabilizationMinutes: number;
  scaleUpLimit: { percent: number; units: number };
}

export const HPA_DEFAULTS: Readonly<HpaSettings> = {
  targetUtilizationPercent: 70,
  tolerance: 0.1,
  downscaleStabilizationMinutes: 5,
  scaleUpLimit: { percent: 100, units: 4 },
};

export interface ReplicaInputs {
  /** `scale.spec.replicas`: the capacity last asked for. */
  currentReplicas: number;
  readyReplicas: number;
  /** Average utilization of the ready units, percent. */
  utilizationPercent: number;
}

/** replica_calculator.go: GetResourceReplicas for a utilization target, with not-yet-ready units. */
export function desiredReplicas(inputs: ReplicaInputs, settings: HpaSettings = HPA_DEFAULTS): number {
  const { currentReplicas, readyReplicas, utilizationPercent } = inputs;
  const ratio = utilizationPercent / settings.targetUtilizationPercent;
  const unready = Math.max(0, currentReplicas - readyReplicas);
  if (unready === 0 || ratio <= 1) {
    if (Math.abs(1 - ratio) <= settings.tolerance) return currentReplicas;
    return Math.ceil(ratio * readyReplicas);
  }
  // Not-ready units are assumed to use 0 % of the target: recompute the ratio over all units.
  const dampened = (ratio * readyReplicas) / (readyReplicas + unready);
  if (Math.abs(1 - dampened) <= settings.tolerance || dampened < 1) return currentReplicas;
  const replicas = Math.ceil(dampened * (readyReplicas + unready));
  return replicas < currentReplicas ? currentReplicas : replicas;
}

export class Hpa implements Controller {
  readonly policy = 'hpa' as const;
  private readonly recommendations: Array<{ minute: number; replicas: number }> = [];
  private readonly metric: string;

  constructor(
    private readonly kind: TargetKind,
    private readonly feed: MetricFeed,
    private readonly limits: { min: number; max: number },
    private readonly replicas: () => { current: number; ready: number },
    private readonly settings: HpaSettings = HPA_DEFAULTS,
  ) {
    this.metric = simulationOf(kind).baselines.cpuMetric;
  }

  reason(_minute: number, wanted: number): string {
    return `desired = ceil(ready x utilization / ${this.settings.targetUtilizationPercent} %) = ${wanted}`;
  }

  decide(minute: number): number | undefined {
    const utilization = this.feed.valueAt(this.metric, this.feed.lastPublished(minute));
    // Missing metrics: the HPA skips scaling.
    if (utilization === undefined) return undefined;
    const { current, ready } = this.replicas();
    const recommendation = clamp(
      desiredReplicas(
        { currentReplicas: current, readyReplicas: ready, utilizationPercent: utilization },
        this.settings,
      ),
      this.limits,
    );
    const stabilized = this.stabilize(minute, recommendation, current);
    const limited = Math.min(
      stabilized,
      current + Math.max((current * this.settings.scaleUpLimit.percent) / 100, this.settings.scaleUpLimit.units),
    );
    if (limited < current && !kindDefinition(this.kind).facts.canScaleIn) return undefined;
    return limited === current ? undefined : limited;
  }

  /** horizontal.go stabilizeRecommendationWithBehaviors: scale down only to the highest recent recommendation. */
  private stabilize(minute: number, recommendation: number, current: number): number {
    this.recommendations.push({ minute, replicas: recommendation });
    const windowStart = minute - this.settings.downscaleStabilizationMinutes;
    while (this.recommendations[0] && this.recommendations[0].minute <= windowStart) this.recommendations.shift();
    const downLimit = Math.max(...this.recommendations.map((entry) => entry.replicas));
    let stabilized = current;
    if (stabilized < recommendation) stabilized = recommendation;
    if (stabilized > downLimit) stabilized = downLimit;
    return stabilized;
  }
}
