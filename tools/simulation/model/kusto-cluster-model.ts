/**
 * An Azure Data Explorer cluster: instances within the SKU's bounds, in both directions.
 *
 * Scale-out: `provisioningMinutes`, then the hot cache is reorganized over `cacheWarmupMinutes` while the new
 * instances ramp linearly to full effect. Scale-in: `scaleInMinutes`, then capacity drops (the most recently added
 * instances go first). Either way the reorganization takes `reorganizationCostPerInstance` of capacity per
 * instance added or removed while it runs (Azure Data Explorer team: after scaling "a process of data
 * reorganization starts ... it impairs the cluster's performance by increasing the CPU load").
 */
import type { KustoClusterParameters } from './parameters.js';
import {
  ArmClusterModel,
  busyResult,
  outOfBoundsResult,
  type ArmOperation,
  type ChangeOptions,
  type ChangeResult,
  type ClusterModel,
} from './cluster-model.js';

interface Cohort {
  count: number;
  startMinute: number;
  endMinute: number;
}

export class KustoClusterModel extends ArmClusterModel<ArmOperation> implements ClusterModel {
  readonly kind = 'kusto-cluster' as const;
  readonly serviceBounds: { min: number; max: number };
  private warm: number;
  /** Instances still ramping up, oldest first. */
  private warming: Cohort[] = [];
  /** Reorganization load: `count` instances' worth of `reorganizationCostPerInstance` each. */
  private reorganizing: Cohort[] = [];

  constructor(
    private readonly parameters: KustoClusterParameters,
    initialInstances: number,
  ) {
    super(initialInstances);
    this.warm = initialInstances;
    this.serviceBounds = { min: parameters.skuMinInstances, max: parameters.skuMaxInstances };
  }

  advanceTo(minute: number): void {
    // Updates finish in the order they started (same duration per direction; concurrent ones are the oracle's).
    this.inFlight.sort((a, b) => a.endMinute - b.endMinute || a.id - b.id);
    while (this.inFlight[0] && this.inFlight[0].endMinute <= minute) this.finish(this.inFlight.shift() as ArmOperation);
    this.now = minute;
    this.settleWarmedCohorts();
  }

  effectiveCapacity(): number {
    let capacity = this.warm;
    for (const cohort of this.warming) capacity += cohort.count * rampFraction(cohort, this.now);
    for (const cohort of this.reorganizing) {
      if (this.now >= cohort.startMinute && this.now < cohort.endMinute)
        capacity -= cohort.count * this.parameters.reorganizationCostPerInstance;
    }
    return Math.max(0, capacity);
  }

  requestChange(to: number, options: ChangeOptions = {}): ChangeResult {
    if (to < this.serviceBounds.min || to > this.serviceBounds.max) return outOfBoundsResult(to, this.serviceBounds);
    if (this.armBusy && !options.concurrent) return busyResult(this.kind);
    if (to === this.requested)
      return { accepted: false, reason: 'no-change', message: `the cluster already has ${to} instances` };
    const delta = to - this.requested;
    const duration = delta > 0 ? this.parameters.provisioningMinutes : this.parameters.scaleInMinutes;
    const operationId = this.startUpdate({ delta, to, startMinute: this.now, endMinute: this.now + duration });
    return { accepted: true, operationId };
  }

  private finish(operation: ArmOperation): void {
    const at = operation.endMinute;
    const reorganization = {
      count: Math.abs(operation.delta),
      startMinute: at,
      endMinute: at + this.parameters.cacheWarmupMinutes,
    };
    if (operation.delta > 0) this.warming.push({ ...reorganization });
    else this.remove(-operation.delta);
    this.reorganizing.push(reorganization);
    this.armFinished(operation);
    this.settle(operation.id, at);
  }

  /** The newest instances go first: they hold the least warmed cache. */
  private remove(count: number): void {
    let left = count;
    while (left > 0 && this.warming.length > 0) {
      const newest = this.warming[this.warming.length - 1] as Cohort;
      const taken = Math.min(left, newest.count);
      newest.count -= taken;
      left -= taken;
      if (newest.count === 0) this.warming.pop();
    }
    this.warm -= left;
  }

  private settleWarmedCohorts(): void {
    while (this.warming[0] && this.warming[0].endMinute <= this.now)
      this.warm += (this.warming.shift() as Cohort).count;
    this.reorganizing = this.reorganizing.filter((cohort) => cohort.endMinute > this.now);
  }
}

function rampFraction(cohort: Cohort, minute: number): number {
  if (cohort.endMinute <= cohort.startMinute) return 1;
  return Math.min(1, Math.max(0, (minute - cohort.startMinute) / (cohort.endMinute - cohort.startMinute)));
}
