/**
 * No autoscaling: the cluster is sized once for the highest load of the whole trace (known in hindsight, with no
 * headroom) and never changes. It never overloads (within the limits) and shows what the load costs without any
 * scaling: the reference every autoscaler must beat on cost.
 */
import { clamp, unitsFor, type Controller } from '../policy-runner.js';

export function staticPeakCapacity(need: Float64Array, limits: { min: number; max: number }): number {
  let peak = 0;
  for (const value of need) peak = Math.max(peak, value);
  return clamp(unitsFor(peak), limits);
}

export class StaticPeak implements Controller {
  readonly policy = 'static-peak' as const;

  decide(): number | undefined {
    return undefined;
  }
}
