/**
 * The follow-up that carries a started operation to its end (docs/architecture.md "The follow-up"): for an
 * elastic cluster, ARM success, then the Citus rebalance; for ADX, ARM success. Implemented by a Durable
 * Functions client in functions/; the executor only launches it.
 */
import type { TargetConfig } from './config/schema.js';
import type { OperationRecord } from './state/state-store.port.js';

export interface FollowUpLauncher {
  /**
   * Starts the follow-up of `operation`, or adopts the one already running for the target (one instance per
   * target, deterministic id). Returns once it is scheduled, not when it ends. The follow-up, not the timer,
   * then moves the operation to its terminal status, which starts the cooldown.
   */
  launch(target: TargetConfig, operation: OperationRecord): Promise<void>;
}
