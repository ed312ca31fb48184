/**
 * The "complete" part of the acting path: moves the target's unfinished operation to its end when ARM (or its
 * follow-up) says it finished; cooldowns start from that moment. An operation that never reached ARM (the scaler
 * stopped in between) is adopted or given up.
 */
import type { TargetConfig } from '../config/schema/schema.js';
import type { OperationRecord } from '../state/state-store.port.js';
import type { ScaleProgress } from '../targets/scale-target.port.js';
import { progressFromLive, settledProgress } from '../targets/scale-outcome.js';
import { adoptionVerdict } from '../operation-adoption.js';
import { reconcileRunningOperation, type ReconcileResult } from '../follow-up/reconcile-operation.js';
import type { Logger } from '../logging.js';
import type { ScalingDependencies } from './dependencies.js';
import { launchFollowUp } from './follow-up-launch.js';

/** Still running; or ended, with the record as written here (undefined: another writer ended it, read it back). */
export type Completion = ReconcileResult;

const RUNNING: Completion = { ended: false };

export class OperationCompletion {
  constructor(private readonly deps: ScalingDependencies) {}

  async completeFinished(target: TargetConfig, now: Date, log: Logger): Promise<Completion> {
    const operation = await this.deps.state.getOperationInProgress(target.name);
    if (!operation) return RUNNING;
    if (operation.status === 'started') return this.settleUnrecordedStart(target, operation, now, log);
    // With a follow-up, the follow-up ends the operation (after the rebalance, for an elastic cluster). Reconciling
    // adopts a running follow-up, starts one that a crash or a missing durable client kept from starting, and
    // records the outcome of one that ended without recording it.
    const { followUps } = this.deps;
    if (followUps && operation.status === 'running') {
      return reconcileRunningOperation({ state: this.deps.state, followUps, log }, target, operation, now, () =>
        launchFollowUp(followUps, target, operation, log),
      );
    }
    const resumeToken = operation.arm.resumeToken;
    const progress = resumeToken
      ? await this.pollSettled(target, operation, resumeToken)
      : progressFromLive(operation, await this.deps.targets.scaleTargetOf(target).read());
    return this.endWith(target, operation, progress, now, log);
  }

  /**
   * An operation still `started` once its lease expired: ARM's answer, or our record of it, was lost. Adopts the
   * update ARM runs (or ran), or gives the operation up when ARM shows no trace of it.
   */
  private async settleUnrecordedStart(
    target: TargetConfig,
    operation: OperationRecord,
    now: Date,
    log: Logger,
  ): Promise<Completion> {
    const live = await this.deps.targets.scaleTargetOf(target).read();
    const { leaseSeconds, staleStartMinutes } = this.deps.options;
    const verdict = adoptionVerdict(operation, live, { nowMs: now.getTime(), leaseSeconds, staleStartMinutes });
    if (verdict.kind === 'wait') return RUNNING;
    if (verdict.kind === 'give-up') {
      const failed = await this.deps.state.updateOperationStatus(target.name, operation.id, {
        status: 'failed',
        at: now,
        message: verdict.message,
      });
      log.log('warn', verdict.message, { operationId: operation.id });
      return { ended: true, operation: failed };
    }
    const adopted = await this.deps.state.updateOperationStatus(target.name, operation.id, {
      status: 'running',
      at: now,
      message: verdict.message,
    });
    log.log('warn', verdict.message, { operationId: operation.id });
    if (this.deps.followUps) {
      await launchFollowUp(this.deps.followUps, target, adopted, log);
      return RUNNING;
    }
    return this.endWith(target, adopted, progressFromLive(adopted, live), now, log);
  }

  private async endWith(
    target: TargetConfig,
    operation: OperationRecord,
    progress: ScaleProgress,
    now: Date,
    log: Logger,
  ): Promise<Completion> {
    if (progress.status === 'running') return RUNNING;
    const message = progress.status === 'succeeded' ? 'ARM reports the update finished' : progress.message;
    const ended = await this.deps.state.updateOperationStatus(target.name, operation.id, {
      status: progress.status,
      at: now,
      message,
    });
    log.log(progress.status === 'succeeded' ? 'info' : 'warn', `operation ${progress.status}: ${message}`, {
      operationId: operation.id,
      durationSeconds: Math.round((now.getTime() - operation.startedAt.getTime()) / 1000),
    });
    return { ended: true, operation: ended };
  }

  /** Polls ARM once; an update ARM calls finished is checked against the live capacity before it counts as done. */
  private async pollSettled(
    target: TargetConfig,
    operation: OperationRecord,
    resumeToken: string,
  ): Promise<ScaleProgress> {
    const scaleTarget = this.deps.targets.scaleTargetOf(target);
    const progress = await scaleTarget.pollScale({ resumeToken, arm: operation.arm });
    if (progress.status !== 'succeeded') return progress;
    return settledProgress(progress, operation, await scaleTarget.read());
  }
}
