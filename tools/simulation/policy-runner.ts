/**
 * How a policy is driven through a run, and the loop that drives it. The loop is the same for every policy:
 * completions up to the minute -> the policy's turn -> the minute is served and measured.
 */
import type { ChangeOptions, ChangeResult } from './model/cluster-model.js';
import type { SimulatedCluster } from './simulated-cluster.js';

export const POLICIES = [
  'elastic-scaler',
  'static-peak',
  'azure-monitor-autoscale',
  'adx-optimized-reactive',
  'hpa',
  'oracle',
] as const;
export type PolicyName = (typeof POLICIES)[number];

export function isPolicyName(name: string): name is PolicyName {
  return (POLICIES as readonly string[]).includes(name);
}

/** What a run has to say besides its numbers: why it decided as it did, and anything that went wrong. */
export interface RunNotes {
  /** Decision reason codes and how many minutes each was given (elastic-scaler's ledger). */
  reasons?: Record<string, number> | undefined;
  /** Evaluations that failed, with their message (a simulation bug or a config the model cannot serve). */
  errors?: string[] | undefined;
  notes?: string[] | undefined;
}

export interface PolicyRunner {
  readonly policy: PolicyName;
  /** The policy's turn at the start of `minute`; completions up to that minute are already applied. */
  atMinute(minute: number): void | Promise<void>;
  notes?(): RunNotes;
}

export async function drive(cluster: SimulatedCluster, runner: PolicyRunner): Promise<void> {
  for (let minute = 0; minute < cluster.minutes; minute += 1) {
    cluster.advanceTo(minute);
    const turn = runner.atMinute(minute);
    if (turn) await turn;
    cluster.account(minute);
  }
}

/** A baseline's decision logic, called every minute (the sample grain; HPA and Azure Monitor run more often, on the same 1-minute data). */
export interface Controller {
  readonly policy: PolicyName;
  /** The capacity to ask for now, or undefined to leave it. */
  decide(minute: number): number | undefined;
  /** Why it asks for `wanted` now, for the report's operations table. */
  reason?(minute: number, wanted: number): string;
  /** What ARM answered to the last ask. */
  onResult?(minute: number, wanted: number, result: ChangeResult): void;
  /** An operation's effect completed (ARM done; for an elastic cluster, the rebalance done too). */
  onSettled?(minute: number): void;
  /** Options for every ask (the oracle asks for concurrent updates). */
  readonly changeOptions?: ChangeOptions;
}

export class ControllerRunner implements PolicyRunner {
  readonly policy: PolicyName;
  private refused = 0;

  constructor(
    private readonly cluster: SimulatedCluster,
    private readonly controller: Controller,
  ) {
    this.policy = controller.policy;
  }

  atMinute(minute: number): void {
    for (const settled of this.cluster.model.drainSettled()) this.controller.onSettled?.(settled.minute);
    const wanted = this.controller.decide(minute);
    if (wanted === undefined || wanted === this.cluster.model.requestedCapacity) return;
    const result = this.cluster.request(
      wanted,
      this.controller.changeOptions,
      this.controller.reason?.(minute, wanted),
    );
    if (!result.accepted) this.refused += 1;
    this.controller.onResult?.(minute, wanted, result);
  }

  notes(): RunNotes {
    return this.refused > 0
      ? {
          notes: [
            `${this.refused} ask(s) refused by ARM (an update was still running); retried on the next evaluation`,
          ],
        }
      : {};
  }
}

export function clamp(value: number, bounds: { min: number; max: number }): number {
  return Math.min(bounds.max, Math.max(bounds.min, value));
}

/** Units needed to serve `need` node-equivalents (a load exactly at capacity is served). */
export function unitsFor(need: number): number {
  return Math.ceil(need - 1e-9);
}
