/**
 * What one policy did to one trace, in the terms an operator pays for or suffers from. All counts use the true
 * load and capacity (no measurement noise).
 */
import type { OutcomeParameters } from './model/parameters.js';

export interface Outcomes {
  /** Billed units x hours. */
  nodeHours: number;
  /** Minutes in which the load exceeded the effective capacity. */
  overloadMinutes: number;
  /** Load above the effective capacity, summed over minutes, in node-minutes. */
  unservedNodeMinutes: number;
  /** Minutes with CPU (demand / effective capacity) above the hot threshold (80 % by default). */
  hotMinutes: number;
  /** Capacity changes started (accepted by ARM). */
  operations: number;
  /** Operations in the opposite direction of the previous one, started within the reversal window (1 hour). */
  reversals: number;
  peakUnits: number;
}

export interface Timeline {
  startMs: number;
  bucketMinutes: number;
  /** Per bucket: the largest load, the largest billed capacity, the smallest effective capacity. */
  need: number[];
  billed: number[];
  effective: number[];
}

/** One accepted capacity change: when it was asked for, from and to what, and why (when the policy says). */
export interface OperationRecord {
  minute: number;
  from: number;
  to: number;
  reason?: string | undefined;
}

export interface MinuteAccount {
  need: number;
  /** CPU demand alone (for the CPU threshold). */
  demand: number;
  effective: number;
  billed: number;
}

/** Ten-minute buckets keep a 14-day chart at about 2,000 points per line. */
export const DEFAULT_BUCKET_MINUTES = 10;

export class OutcomeRecorder {
  private nodeMinutes = 0;
  private overloadMinutes = 0;
  private unserved = 0;
  private hotMinutes = 0;
  private peakUnits = 0;
  private readonly operations: OperationRecord[] = [];
  private readonly timeline: Timeline;

  constructor(
    private readonly parameters: OutcomeParameters,
    startMs: number,
    bucketMinutes = DEFAULT_BUCKET_MINUTES,
  ) {
    this.timeline = { startMs, bucketMinutes, need: [], billed: [], effective: [] };
  }

  minute(minute: number, account: MinuteAccount): void {
    const { need, demand, effective, billed } = account;
    this.nodeMinutes += billed;
    this.peakUnits = Math.max(this.peakUnits, billed);
    // A hair of tolerance: a load exactly at capacity, give or take float rounding, is served.
    if (need > effective + 1e-9) {
      this.overloadMinutes += 1;
      this.unserved += need - effective;
    }
    if (effective <= 0 ? demand > 0 : (100 * demand) / effective > this.parameters.hotCpuPercent) this.hotMinutes += 1;
    this.addToTimeline(minute, account);
  }

  operation(minute: number, from: number, to: number, reason?: string): void {
    this.operations.push({ minute, from, to, ...(reason === undefined ? {} : { reason }) });
  }

  /** Gives the operation asked for at `minute` its reason, when the policy tells it only afterwards. */
  explainOperation(minute: number, reason: string): void {
    const last = this.operations[this.operations.length - 1];
    if (last && last.minute === minute) last.reason = reason;
  }

  operationLog(): OperationRecord[] {
    return this.operations.map((operation) => ({ ...operation }));
  }

  outcomes(): Outcomes {
    return {
      nodeHours: this.nodeMinutes / 60,
      overloadMinutes: this.overloadMinutes,
      unservedNodeMinutes: this.unserved,
      hotMinutes: this.hotMinutes,
      operations: this.operations.length,
      reversals: countReversals(
        this.operations.map((operation) => ({
          minute: operation.minute,
          direction: operation.to > operation.from ? 'out' : 'in',
        })),
        this.parameters.reversalWindowMinutes,
      ),
      peakUnits: this.peakUnits,
    };
  }

  timelineSoFar(): Timeline {
    return this.timeline;
  }

  private addToTimeline(minute: number, account: MinuteAccount): void {
    const bucket = Math.floor(minute / this.timeline.bucketMinutes);
    const { need, billed, effective } = this.timeline;
    if (bucket >= need.length) {
      need.push(account.need);
      billed.push(account.billed);
      effective.push(account.effective);
      return;
    }
    need[bucket] = Math.max(need[bucket] ?? 0, account.need);
    billed[bucket] = Math.max(billed[bucket] ?? 0, account.billed);
    effective[bucket] = Math.min(effective[bucket] ?? Infinity, account.effective);
  }
}

export function countReversals(
  operations: ReadonlyArray<{ minute: number; direction: 'out' | 'in' }>,
  windowMinutes: number,
): number {
  let reversals = 0;
  for (let index = 1; index < operations.length; index += 1) {
    const previous = operations[index - 1];
    const current = operations[index];
    if (
      previous &&
      current &&
      previous.direction !== current.direction &&
      current.minute - previous.minute < windowMinutes
    )
      reversals += 1;
  }
  return reversals;
}
