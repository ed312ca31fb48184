/** What operators change by hand: run-time pauses, the failure streak, an operation that must end, the ledger's age. */
import type { RuntimePauses } from '../policy/input.js';
import type { FailureReset, PauseChange } from '../state/state-store.port.js';
import type { Logger } from '../logging.js';
import type { ScalingDependencies } from './dependencies.js';
import { abandonOperation, type AbandonOutcome } from './abandon-operation.js';
import { targetPauses, type TargetPauses } from './target-status.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export class TargetAdministration {
  constructor(private readonly deps: ScalingDependencies) {}

  /** Pauses or resumes the given directions at run time, on top of the config's own pause flags; answers with both. */
  async setPaused(
    name: string,
    update: Partial<RuntimePauses>,
    change: PauseChange,
    log: Logger = this.deps.log,
  ): Promise<TargetPauses> {
    const target = this.deps.targets.named(name);
    const state = await this.deps.state.updatePauses(target.name, update, change, this.deps.clock());
    log.log(
      'info',
      `pause flags now scale-out ${state.scaleOut ? 'paused' : 'active'}, scale-in ${state.scaleIn ? 'paused' : 'active'}: ${change.reason}`,
      { target: target.name, resourceId: target.resourceId, by: change.by },
    );
    return targetPauses(target, state);
  }

  /** Clears the target's failure streak, so the failure backoff lets the next change through (after the operator fixed the cause). */
  async resetFailures(name: string, change: PauseChange, log: Logger = this.deps.log): Promise<FailureReset> {
    const target = this.deps.targets.named(name);
    const reset = await this.deps.state.resetFailures(target.name, change, this.deps.clock());
    log.log(
      'info',
      `failures reset: operations that ended before ${reset.resetAt.toISOString()} no longer hold back a change: ${change.reason}`,
      { target: target.name, resourceId: target.resourceId, by: change.by },
    );
    return reset;
  }

  /** An operator ends an operation by hand (abandon-operation.ts). */
  abandonOperation(operationId: string, change: PauseChange, log: Logger = this.deps.log): Promise<AbandonOutcome> {
    return abandonOperation({ ...this.deps, log }, operationId, change);
  }

  /** Ledger retention: the daily cleanup. Returns how many decisions and receipts were removed. */
  async purgeHistory(
    retentionDays: number,
    receiptRetentionDays: number,
  ): Promise<{ decisions: number; receipts: number }> {
    const nowMs = this.deps.clock().getTime();
    const decisions = await this.deps.state.purgeDecisionsOlderThan(new Date(nowMs - retentionDays * DAY_MS));
    const receipts = await this.deps.state.purgeAlertReceiptsOlderThan(new Date(nowMs - receiptRetentionDays * DAY_MS));
    return { decisions, receipts };
  }
}
