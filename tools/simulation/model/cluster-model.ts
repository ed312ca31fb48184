/**
 * What every policy acts on: a simulated cluster, minute by minute. Time is in whole minutes from the start of
 * the trace. A model knows three capacities:
 * - ARM's capacity (the last update that finished), which is what a policy reads;
 * - billed units: from the moment a scale-out is asked for until a scale-in has finished (the larger of the two
 *   sizes while an update runs);
 * - effective capacity: the node-equivalents of load the cluster can actually serve this minute (new units carry
 *   load only once the rebalance or cache warm-up lets them).
 *
 * Like ARM, a model refuses a second update while one runs; only the oracle, a bound rather than a controller,
 * may ask for concurrent updates.
 */
import type { TargetKind } from '../../../shared/vocabulary/kinds.js';
import { kindDefinition } from '../../../shared/kinds/registry.js';

export interface ChangeOptions {
  /** Start even while another update runs (the oracle only). */
  concurrent?: boolean | undefined;
  /** Elastic clusters: start the shard rebalance once ARM has added the nodes (default true). */
  rebalance?: boolean | undefined;
  /** Elastic clusters: shard moves at once in that rebalance; 'auto' = the number of nodes added. */
  rebalanceParallelism?: number | 'auto' | undefined;
}

export type ChangeResult =
  | { accepted: true; operationId: number }
  | { accepted: false; reason: 'busy' | 'unsupported' | 'out-of-bounds' | 'no-change'; message: string };

export interface SettledOperation {
  operationId: number;
  /** Minute the operation's effect is complete: ARM done, and for an elastic cluster the rebalance done. */
  minute: number;
}

export interface ClusterModel {
  readonly kind: TargetKind;
  /** The current minute (start of the minute). */
  readonly minute: number;
  readonly armCapacity: number;
  /** The capacity last asked for: ARM's, or the target of the update in flight. */
  readonly requestedCapacity: number;
  readonly armBusy: boolean;
  readonly billedUnits: number;
  /** Units ARM reports as running (what the HPA counts as ready). */
  readonly readyUnits: number;
  /** Service bounds on capacity (an elastic cluster's node range; the SKU's instance range). */
  readonly serviceBounds: { min: number; max: number };
  /** Processes every completion up to the start of `minute`. Time only moves forward. */
  advanceTo(minute: number): void;
  effectiveCapacity(): number;
  requestChange(to: number, options?: ChangeOptions): ChangeResult;
  /** 'running' until ARM finished the update (not waiting for the rebalance). */
  armStatus(operationId: number): 'running' | 'succeeded';
  /** Operations whose effect completed since the last call, oldest first. */
  drainSettled(): SettledOperation[];
}

/** Both sides of an accepted change, shared by the two models. */
export interface ArmOperation {
  id: number;
  /** Units added (positive) or removed (negative) relative to what was requested before. */
  delta: number;
  to: number;
  startMinute: number;
  endMinute: number;
}

export function busyResult(kind: TargetKind): ChangeResult {
  const resource = kindDefinition(kind).words.resource;
  return {
    accepted: false,
    reason: 'busy',
    message: `the ${resource} is busy with another operation (ARM 409); try again when it finishes`,
  };
}

export function outOfBoundsResult(to: number, bounds: { min: number; max: number }): ChangeResult {
  return {
    accepted: false,
    reason: 'out-of-bounds',
    message: `capacity ${to} is outside the service bounds ${bounds.min}..${bounds.max} (ARM 400)`,
  };
}

/**
 * What both models share: the clock, ARM's view of capacity, the updates in flight and the bookkeeping of
 * finished ones. Subclasses model what happens after ARM finishes (a rebalance, a cache warm-up).
 */
export abstract class ArmClusterModel<Operation extends ArmOperation> {
  protected now = 0;
  protected arm: number;
  protected requested: number;
  protected inFlight: Operation[] = [];
  private settled: SettledOperation[] = [];
  private readonly armDone = new Set<number>();
  private nextId = 1;

  protected constructor(initialUnits: number) {
    this.arm = initialUnits;
    this.requested = initialUnits;
  }

  get minute(): number {
    return this.now;
  }

  get armCapacity(): number {
    return this.arm;
  }

  get requestedCapacity(): number {
    return this.requested;
  }

  get armBusy(): boolean {
    return this.inFlight.length > 0;
  }

  get billedUnits(): number {
    return Math.max(this.arm, this.requested);
  }

  get readyUnits(): number {
    return this.arm;
  }

  armStatus(operationId: number): 'running' | 'succeeded' {
    return this.armDone.has(operationId) ? 'succeeded' : 'running';
  }

  drainSettled(): SettledOperation[] {
    const settled = this.settled;
    this.settled = [];
    return settled;
  }

  /** Accepts an update: ARM will report `to` from now on as requested. */
  protected startUpdate(operation: Omit<Operation, 'id'>): number {
    const id = this.nextId++;
    this.requested = operation.to;
    this.inFlight.push({ ...operation, id } as Operation);
    return id;
  }

  /** ARM finished the update: it reports the new capacity. */
  protected armFinished(operation: Operation): void {
    this.arm = operation.to;
    this.armDone.add(operation.id);
  }

  /** The operation's effect is complete at `minute` (its follow-up may end it). */
  protected settle(operationId: number, minute: number): void {
    this.settled.push({ operationId, minute });
  }
}
