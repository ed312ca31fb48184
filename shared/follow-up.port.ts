/**
 * The follow-up that carries a started operation to its end (docs/architecture.md "The follow-up"): for an
 * elastic cluster, ARM success, then the Citus rebalance; for ADX, ARM success. Implemented by a Durable
 * Functions client in functions/; the executor only launches it.
 */
import type { TargetConfig } from './config/schema/schema.js';
import type { OperationRecord } from './state/state-store.port.js';
import type { FollowUpInstanceReport } from './follow-up/reconcile.js';

export interface FollowUpLauncher {
  /**
   * Starts the follow-up of `operation`, or adopts the one already running for the target (one instance per
   * target, deterministic id). Returns once it is scheduled, not when it ends. The follow-up, not the timer,
   * then moves the operation to its terminal status, which starts the cooldown.
   */
  launch(target: TargetConfig, operation: OperationRecord): Promise<void>;

  /**
   * What the durable client reports of the target's follow-up instance (status, the operation in its input, its
   * output and custom status), or undefined when there is none. Optional: without it, the executor only launches
   * (and adopts) follow-ups and cannot reconcile one that ended without recording its outcome.
   */
  inspect?(target: TargetConfig): Promise<FollowUpInstanceReport | undefined>;

  /** Terminates the target's follow-up if it still runs for `operation` (which an operator abandoned); else nothing. */
  stop?(target: TargetConfig, operation: OperationRecord, reason: string): Promise<void>;
}
