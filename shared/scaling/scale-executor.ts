/**
 * The acting path every trigger calls: evaluate every target (timer), evaluate one target with an explicit
 * request (alerts, operators), and carry operations to completion. Decisions come from the pure policy; this is
 * the guarded executor around it (docs/architecture.md "The executor"):
 *
 *   complete a finished operation -> decide on what we know -> only if that says act: take the lease -> re-read
 *   ARM and the state store -> decide again if that changed anything -> record the decision -> record the
 *   operation -> confirm the lease (renewed if half its time is gone) -> start the ARM update (without waiting) -> release the lease while the update
 *   is recorded as running.
 */
import { decide } from '../policy/decide.js';
import type { Decision } from '../policy/decision.js';
import type { ScaleStart } from '../targets/scale-target.port.js';
import { armDidNotAnswer } from '../targets/arm-errors.js';
import { isOwnUpdateRefused } from '../operation-adoption.js';
import { OperationInProgressError } from '../targets/errors.js';
import type { DecisionRecord, NewDecisionRecord, OperationRecord } from '../state/state-store.port.js';
import { describeError, ScalerError, StateConflictError } from '../vocabulary/errors.js';
import type { Logger } from '../logging.js';
import { Limiter, mapWithConcurrency } from '../concurrency.js';
import type { TargetConfig } from '../config/schema/schema.js';
import { HeldLease } from './held-lease.js';
import type { ScalingDependencies } from './dependencies.js';
import {
  decideInputOf,
  decisionAfterReread,
  EvaluationInputs,
  toError,
  type Evaluation,
  type EvaluationContext,
  type GatheredInputs,
} from './evaluation.js';
import { hasUnfinishedOperation, withEnded } from './known-state.js';
import { OperationCompletion } from './operation-completion.js';
import { launchFollowUp } from './follow-up-launch.js';
import type { TargetOutcome, TickReport } from './outcome.js';

export class ScaleExecutor {
  private readonly inputs: EvaluationInputs;
  private readonly completion: OperationCompletion;

  constructor(private readonly deps: ScalingDependencies) {
    this.inputs = new EvaluationInputs(deps);
    this.completion = new OperationCompletion(deps);
  }

  /**
   * The timer's use case: every target, bounded concurrency, one failure never stops the others. ARM and the
   * state store are read side by side first, then every target's metrics in a few batched calls, then each
   * target is decided. The calm targets' decisions go to the ledger together, in a few batch writes; the few
   * that act take the guarded path each.
   */
  async evaluateAll(
    invocation: { invocationId?: string | undefined; log?: Logger | undefined } = {},
  ): Promise<TickReport> {
    const now = this.deps.clock();
    const targets = this.deps.targets.all;
    const gathered = await this.inputs.gather(targets, now, invocation.log, {
      persistForecastHistory: true,
      bulk: true,
    });
    const context: EvaluationContext = { trigger: 'timer', initiator: 'timer', ...invocation };
    const { concurrency } = this.deps.options;
    const outcomes = new Array<TargetOutcome>(targets.length);
    const calm: { index: number; first: FirstDecision }[] = [];
    const acting = new Limiter(concurrency);
    const acts: Promise<void>[] = [];
    await mapWithConcurrency(targets, concurrency, async (target, index) => {
      const first = await this.decideGuarded(target, now, context, gathered[index] as GatheredInputs);
      if (!isFirstDecision(first)) outcomes[index] = first;
      else if (first.decision.action === 'none') calm.push({ index, first });
      else {
        // Started at once, not after every target is decided: an act's round trips are the tick's longest path.
        const act = acting.run(() => this.finishGuarded(first, () => this.act(first.evaluation, first.decision)));
        acts.push(act.then((outcome) => void (outcomes[index] = outcome)));
      }
    });
    const recording = this.recordAll(calm.map(({ first }) => first)).then((recorded) =>
      recorded.forEach((outcome, position) => (outcomes[calm[position]!.index] = outcome)),
    );
    await Promise.all([recording, ...acts]);
    return { now, outcomes };
  }

  /** One target, e.g. for an alert or an operator request: reads its own live state and metrics. */
  async evaluateTarget(name: string, context: EvaluationContext): Promise<TargetOutcome> {
    const target = this.deps.targets.named(name);
    const now = this.deps.clock();
    const [gathered] = await this.inputs.gather([target], now, context.log);
    const first = await this.decideGuarded(target, now, context, gathered as GatheredInputs);
    if (!isFirstDecision(first)) return first;
    const { evaluation, decision } = first;
    return this.finishGuarded(first, () =>
      decision.action === 'none' ? this.record(evaluation, decision) : this.act(evaluation, decision),
    );
  }

  /**
   * What an explicit request would do now, without recording or acting (the API's dry-run): the same reads and
   * the same decision as `evaluateTarget`, but no lease, no ledger entry, no ARM update.
   */
  async previewTarget(name: string, context: EvaluationContext): Promise<TargetOutcome> {
    const target = this.deps.targets.named(name);
    const now = this.deps.clock();
    const [gathered] = await this.inputs.gather([target], now, context.log);
    const evaluation = evaluationOf(target, now, context, this.logFor(target, context), gathered as GatheredInputs);
    return {
      target: target.name,
      resourceId: target.resourceId,
      decision: decide(decideInputOf(evaluation)),
      acted: false,
    };
  }

  /** The decision on what the reads found, once a finished operation is completed; a failure is the outcome. */
  private async decideGuarded(
    target: TargetConfig,
    now: Date,
    context: EvaluationContext,
    gathered: GatheredInputs,
  ): Promise<FirstDecision | TargetOutcome> {
    const log = this.logFor(target, context);
    try {
      const evaluation = await this.afterCompletion(evaluationOf(target, now, context, log, gathered));
      const metricsError = gathered.metrics instanceof Error ? gathered.metrics : undefined;
      return { evaluation, decision: decide(decideInputOf(evaluation)), metricsError };
    } catch (error) {
      return failedOutcome(target, log, error);
    }
  }

  /** Records or acts on a first decision; what it ends in is logged, a failure is the target's outcome. */
  private async finishGuarded(first: FirstDecision, work: () => Promise<TargetOutcome>): Promise<TargetOutcome> {
    try {
      const outcome = await work();
      logOutcome(first, outcome);
      return outcome;
    } catch (error) {
      return failedOutcome(first.evaluation.target, first.evaluation.log, error);
    }
  }

  /** The calm targets' decisions in one bulk append; a row that could not be written fails its target alone. */
  private async recordAll(calm: readonly FirstDecision[]): Promise<TargetOutcome[]> {
    if (calm.length === 0) return [];
    const records = calm.map(({ evaluation, decision }) => this.decisionRecord(evaluation, decision));
    const results = await this.deps.state
      .appendDecisions(records)
      .catch((error: unknown) => records.map((): PromiseRejectedResult => ({ status: 'rejected', reason: error })));
    return Promise.all(
      calm.map((first, index) =>
        this.finishGuarded(first, async () => {
          const result = results[index] as PromiseSettledResult<DecisionRecord>;
          if (result.status === 'rejected') throw result.reason;
          return recordedOutcome(first.evaluation, first.decision, result.value.id);
        }),
      ),
    );
  }

  /** The evaluation once an operation that finished is completed: its completion starts the cooldown it decides on. */
  private async afterCompletion(evaluation: Evaluation): Promise<Evaluation> {
    const { target, now, log, known } = evaluation;
    if (!hasUnfinishedOperation(known.history)) return evaluation;
    const completion = await this.completion.completeFinished(target, now, log);
    if (!completion.ended) return evaluation;
    // Folded in when this evaluation wrote the end; read back only when another writer ended it meanwhile.
    return {
      ...evaluation,
      known: completion.operation ? withEnded(known, completion.operation) : await this.inputs.known(target, log),
    };
  }

  /** The guarded part: only one evaluation of a target may act at a time, and only on fresh state. */
  private async act(evaluation: Evaluation, first: Decision): Promise<TargetOutcome> {
    const { target, context, log } = evaluation;
    const holder = `${this.deps.instanceId}/${context.invocationId ?? this.deps.newId()}`;
    const { leaseSeconds: ttlSeconds, maxClockSkewSeconds } = this.deps.options;
    let lease: HeldLease;
    try {
      lease = await HeldLease.take(this.deps.state, this.deps.clock, target.name, holder, {
        ttlSeconds,
        maxClockSkewSeconds,
      });
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
      return this.record(evaluation, decide(decideInputOf(evaluation, { leaseHeld: true })));
    }
    try {
      // Under the lease, look again: never act on a stale capacity or history; decide again only if they changed.
      const fresh: Evaluation = { ...evaluation, ...(await this.inputs.reread(target, log)) };
      const decision = decisionAfterReread(first, decideInputOf(evaluation), decideInputOf(fresh));
      const recorded = await this.record(fresh, decision);
      if (decision.action === 'none') return recorded;
      return await this.startOperation(fresh, decision, recorded, lease);
    } finally {
      await lease
        .release()
        .catch((error: unknown) =>
          log.log(
            'warn',
            `releasing the lease failed: ${describeError(error)}; it expires by itself in ${ttlSeconds} s`,
          ),
        );
    }
  }

  private async startOperation(
    evaluation: Evaluation,
    decision: Decision,
    recorded: TargetOutcome,
    lease: HeldLease,
  ): Promise<TargetOutcome> {
    const { target, now, context, live, log } = evaluation;
    const direction = decision.action === 'scale-out' ? 'out' : 'in';
    const operation = await this.deps.state.createOperation({
      id: this.deps.newId(),
      target: target.name,
      trigger: context.trigger,
      direction,
      from: decision.from,
      to: decision.to,
      startedAt: now,
      arm: {},
      initiator: context.initiator,
      reason: decision.message,
      decisionId: recorded.decisionId,
    });
    if (!(await lease.confirm())) {
      const message = `the lease expired before the update was sent and another evaluation holds it now; not sending ${decision.from} -> ${decision.to}`;
      const cancelled = await this.deps.state.updateOperationStatus(
        target.name,
        operation.id,
        {
          status: 'cancelled',
          at: this.deps.clock(),
          message,
        },
        operation,
      );
      log.log('warn', message, { operationId: operation.id, decisionId: recorded.decisionId });
      return { ...recorded, operation: cancelled, acted: false };
    }
    let started: ScaleStart;
    try {
      started = await this.deps.targets.scaleTargetOf(target).startScale(decision.to, live);
    } catch (error) {
      return this.afterRefusedStart(evaluation, operation, recorded, error);
    }
    // ARM accepted: the lease has done its work and is released while the update is recorded (act() reports
    // a failed release). Another evaluation that takes it now finds the operation started and waits for it.
    lease.release().catch(() => undefined);
    return this.recordAccepted(evaluation, operation, started, recorded);
  }

  /**
   * ARM accepted: from here on the update runs whatever happens to our bookkeeping. If recording it fails, the
   * operation stays `started` and the next evaluation adopts the update ARM runs (operation-adoption.ts); the
   * outcome still says the scaler acted, so nobody retries the request that caused it.
   */
  private async recordAccepted(
    { target, log }: Evaluation,
    operation: OperationRecord,
    started: ScaleStart,
    recorded: TargetOutcome,
  ): Promise<TargetOutcome> {
    const message = started.disabledAutoscaler
      ? `ARM accepted the update; it also turns off ${started.disabledAutoscaler}`
      : 'ARM accepted the update';
    let running: OperationRecord;
    try {
      running = await this.deps.state.updateOperationStatus(
        target.name,
        operation.id,
        {
          status: 'running',
          at: this.deps.clock(),
          message,
          arm: { ...started.arm, resumeToken: started.resumeToken },
        },
        operation,
      );
    } catch (error) {
      log.log(
        'error',
        `ARM accepted the update ${operation.from} -> ${operation.to}, but recording it failed: ${describeError(error)}; the next evaluation finds the update ARM runs and adopts it with its follow-up`,
        { operationId: operation.id, decisionId: recorded.decisionId },
      );
      return { ...recorded, operation, acted: true };
    }
    log.log('info', `started scale-${operation.direction} ${operation.from} -> ${operation.to}`, {
      operationId: operation.id,
      decisionId: recorded.decisionId,
    });
    await launchFollowUp(this.deps.followUps, target, running, log);
    return { ...recorded, operation: running, acted: true };
  }

  /** ARM did not accept the PATCH, or we cannot tell whether it did. */
  private async afterRefusedStart(
    evaluation: Evaluation,
    operation: OperationRecord,
    recorded: TargetOutcome,
    error: unknown,
  ): Promise<TargetOutcome> {
    const { target, live, log } = evaluation;
    if (error instanceof OperationInProgressError) {
      const after = await this.deps.targets
        .scaleTargetOf(target)
        .read()
        .catch(() => undefined);
      if (after && isOwnUpdateRefused(live, after)) {
        return this.adoptOwnUpdate(
          evaluation,
          operation,
          recorded,
          `adopted: ARM answered 409 (${describeError(error)}) although the resource was idle a moment before; the update it runs is this PATCH, carried out before its answer was lost`,
        );
      }
      const cancelled = await this.deps.state.updateOperationStatus(
        target.name,
        operation.id,
        {
          status: 'cancelled',
          at: this.deps.clock(),
          message: describeError(error),
        },
        operation,
      );
      return { ...recorded, operation: cancelled, acted: false };
    }
    if (armDidNotAnswer(error)) {
      // ARM may have carried the PATCH out: the operation stays started, and the next evaluation looks at the resource.
      log.log(
        'warn',
        `ARM did not answer the update ${operation.from} -> ${operation.to}: ${describeError(error)}; the next evaluation checks whether ARM runs it and adopts it, or gives it up`,
        { operationId: operation.id },
      );
      throw error;
    }
    await this.deps.state.updateOperationStatus(
      target.name,
      operation.id,
      {
        status: 'failed',
        at: this.deps.clock(),
        message: describeError(error),
      },
      operation,
    );
    throw error;
  }

  private async adoptOwnUpdate(
    { target, log }: Evaluation,
    operation: OperationRecord,
    recorded: TargetOutcome,
    message: string,
  ): Promise<TargetOutcome> {
    const running = await this.deps.state.updateOperationStatus(
      target.name,
      operation.id,
      {
        status: 'running',
        at: this.deps.clock(),
        message,
      },
      operation,
    );
    log.log('warn', message, { operationId: operation.id, decisionId: recorded.decisionId });
    await launchFollowUp(this.deps.followUps, target, running, log);
    return { ...recorded, operation: running, acted: true };
  }

  private async record(evaluation: Evaluation, decision: Decision): Promise<TargetOutcome> {
    const record = await this.deps.state.appendDecision(this.decisionRecord(evaluation, decision));
    return recordedOutcome(evaluation, decision, record.id);
  }

  private decisionRecord({ target, now, context }: Evaluation, decision: Decision): NewDecisionRecord {
    return { id: this.deps.newId(), target: target.name, trigger: context.trigger, decidedAt: now, decision };
  }

  private logFor(target: TargetConfig, context: EvaluationContext): Logger {
    return (context.log ?? this.deps.log).child({
      target: target.name,
      resourceId: target.resourceId,
      invocationId: context.invocationId,
    });
  }
}

/** The gathered inputs as one evaluation; a read that failed fails the evaluation (nothing is changed). */
function evaluationOf(
  target: TargetConfig,
  now: Date,
  context: EvaluationContext,
  log: Logger,
  { live, known, metrics, forecast }: GatheredInputs,
): Evaluation {
  if (live instanceof Error) throw live;
  if (known instanceof Error) throw known;
  return { target, now, context, log, live, known, metrics: metrics instanceof Error ? undefined : metrics, forecast };
}

/** A target's decision on what the tick read, before it is recorded or acted on. */
interface FirstDecision {
  evaluation: Evaluation;
  decision: Decision;
  /** Why the metrics could not be read, when they could not: the decision was made without them. */
  metricsError: Error | undefined;
}

function isFirstDecision(value: FirstDecision | TargetOutcome): value is FirstDecision {
  return 'evaluation' in value;
}

function recordedOutcome({ target }: Evaluation, decision: Decision, decisionId: string): TargetOutcome {
  return { target: target.name, resourceId: target.resourceId, decisionId, decision, acted: false };
}

function failedOutcome(target: TargetConfig, log: Logger, error: unknown): TargetOutcome {
  const failure = toError(error);
  const category = failure instanceof ScalerError ? failure.category : 'internal';
  log.log('error', `evaluation failed: ${failure.message}`, { category });
  return {
    target: target.name,
    resourceId: target.resourceId,
    acted: false,
    error: { category, message: failure.message },
  };
}

function logOutcome({ evaluation: { log }, metricsError }: FirstDecision, outcome: TargetOutcome): void {
  log.log(outcome.acted ? 'info' : 'debug', outcome.decision?.message ?? 'evaluated', {
    decisionId: outcome.decisionId,
    operationId: outcome.operation?.id,
    reason: outcome.decision?.reason,
    action: outcome.decision?.action,
  });
  if (outcome.decision?.reason === 'FailureLimitReached')
    log.log('error', outcome.decision.message, {
      decisionId: outcome.decisionId,
      alert: true,
      event: 'FailureLimitReached',
    });
  if (metricsError)
    log.log(
      'warn',
      `metrics unavailable: ${metricsError.message}; capacity can only rise to the default until they return`,
    );
}
