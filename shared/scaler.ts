/**
 * The use cases every trigger calls: evaluate every target (timer), evaluate one target with an explicit
 * request (alerts, operators), and carry operations to completion. Decisions come from the pure policy; this
 * file is the guarded executor around it (docs/architecture.md "The executor"):
 *
 *   decide on what we know -> only if that says act: take the lease -> re-read ARM -> decide again ->
 *   record the decision -> record the operation -> start the ARM update (without waiting) -> release the lease.
 */
import type { ScalerConfig, TargetConfig } from './config/schema.js';
import { decide } from './policy/decide.js';
import type { Decision, Trigger } from './policy/decision.js';
import type { DecideInput, FailureHistory, MetricsSnapshot, RuntimePauses, ScaleHistory, ScaleRequest } from './policy/input.js';
import { requiredMetrics } from './policy/required-metrics.js';
import type { MetricsRequest, MetricsSource } from './metrics/metrics-source.port.js';
import type { LiveTargetState, ScaleProgress, ScaleStart, ScaleTarget } from './targets/scale-target.port.js';
import { progressFromLive, settledProgress } from './targets/scale-outcome.js';
import { armDidNotAnswer } from './targets/arm-errors.js';
import { adoptionVerdict, isOwnUpdateRefused } from './operation-adoption.js';
import { OperationInProgressError } from './targets/errors.js';
import type { DecisionRecord, FailureReset, FollowUpProgress, OperationRecord, PauseChange, PauseState, StateStore } from './state/state-store.port.js';
import { describeError, NotFoundError, ScalerError, StateConflictError, type ErrorCategory } from './errors.js';
import type { Logger } from './logging.js';
import type { FollowUpLauncher } from './follow-up.port.js';
import { reconcileRunningOperation } from './follow-up/reconcile-operation.js';
import { abandonOperation, type AbandonOutcome } from './abandon-operation.js';
import { mapWithConcurrency } from './concurrency.js';
import { HeldLease } from './held-lease.js';
import { ForecastInputs, type ForecastSubject } from './forecasting.js';
import type { ForecastInput } from './policy/forecast-stage.js';

export interface ScalerOptions {
  /** Targets evaluated at once by a tick. */
  concurrency: number;
  /** How long a lease protects one act; longer than a PATCH can take, short enough to recover from a crash. */
  leaseSeconds: number;
  /** How far instance clocks may disagree: another instance's lease is taken over only this long after it expired. */
  maxClockSkewSeconds: number;
  /** An operation whose start left no trace in ARM (crash or lost answer in between) is given up after this long. */
  staleStartMinutes: number;
}

export const DEFAULT_SCALER_OPTIONS: ScalerOptions = { concurrency: 32, leaseSeconds: 120, maxClockSkewSeconds: 30, staleStartMinutes: 15 };

export interface ScalerDependencies {
  config: ScalerConfig;
  scaleTargets: ReadonlyMap<string, ScaleTarget>;
  metrics: MetricsSource;
  state: StateStore;
  clock: () => Date;
  newId: () => string;
  /** Identity of this scaler instance, used as the lease holder. */
  instanceId: string;
  log: Logger;
  /**
   * Carries operations to their end (Durable Functions). Without it, each timer tick polls ARM and completes
   * the operation itself (no rebalance follow-up).
   */
  followUps?: FollowUpLauncher | undefined;
  /** The forecast's history reader and cache (shared/forecasting.ts); built from `metrics` and `state` when absent. */
  forecasts?: ForecastInputs | undefined;
  options?: Partial<ScalerOptions>;
}

/** What happened to one target in one evaluation: the answer of every use case. */
export interface TargetOutcome {
  target: string;
  resourceId: string;
  decisionId?: string | undefined;
  decision?: Decision | undefined;
  /** The operation this evaluation started, if it started one. */
  operation?: OperationRecord | undefined;
  acted: boolean;
  /** Set when the target could not be evaluated; nothing was changed. */
  error?: { category: ErrorCategory; message: string } | undefined;
}

export interface TickReport {
  now: Date;
  outcomes: TargetOutcome[];
}

/** What an operator sees of one target (`GET /api/targets/{name}`): its config, the live resource and our state. */
export interface TargetSnapshot {
  target: TargetConfig;
  /** When the snapshot was taken, for cooldowns remaining. */
  now: Date;
  /** The live resource, or why it could not be read. */
  live: LiveTargetState | Error;
  /** Pause flags set through the API; undefined when never set. */
  pauses: PauseState | undefined;
  history: ScaleHistory;
  operationInProgress: OperationRecord | undefined;
  /** Newest first. */
  decisions: DecisionRecord[];
}

/** An operation found by its id, with the progress its follow-up reported (e.g. the Citus rebalance). */
export interface OperationLookup {
  operation: OperationRecord;
  followUp?: FollowUpProgress | undefined;
}

export interface EvaluationContext {
  trigger: Trigger;
  /** Who asked: `timer`, an alert id, an operator. */
  initiator: string;
  request?: ScaleRequest | undefined;
  invocationId?: string | undefined;
  /** The invocation's own logger (e.g. bound to the Functions InvocationContext). */
  log?: Logger | undefined;
}

export class Scaler {
  private readonly options: ScalerOptions;
  /** History, cache and memo of the forecasts (shared/forecasting.ts). */
  readonly forecasts: ForecastInputs;

  constructor(private readonly deps: ScalerDependencies) {
    this.options = { ...DEFAULT_SCALER_OPTIONS, ...deps.options };
    this.forecasts = deps.forecasts ?? new ForecastInputs({ metrics: deps.metrics, state: deps.state, log: deps.log });
  }

  /**
   * The timer's use case: every target, bounded concurrency, one failure never stops the others. ARM and the
   * state store are read side by side first, then every target's metrics in a few batched calls, then each
   * target is decided (and, rarely, acted on).
   */
  async evaluateAll(invocation: { invocationId?: string | undefined; log?: Logger | undefined } = {}): Promise<TickReport> {
    const now = this.deps.clock();
    const targets = this.deps.config.targets;
    const gathered = await mapWithConcurrency(targets, this.options.concurrency, (target) => this.gather(target, invocation.log));
    const live = new Map(targets.map((target, index) => [target.name, gathered[index]?.live as LiveTargetState | Error]));
    const [metrics, forecasts] = await Promise.all([this.fetchMetrics(targets, live, now), this.prepareForecasts(targets, gathered, now, true)]);
    const context: EvaluationContext = { trigger: 'timer', initiator: 'timer', ...invocation };
    const outcomes = await mapWithConcurrency(targets, this.options.concurrency, (target, index) =>
      this.evaluateGuarded(target, now, context, gathered[index] as Gathered, metrics.get(target.name), forecasts.get(target.name)),
    );
    return { now, outcomes };
  }

  /** One target, e.g. for an alert or an operator request: reads its own live state and metrics. */
  async evaluateTarget(name: string, context: EvaluationContext): Promise<TargetOutcome> {
    const target = this.targetNamed(name);
    const now = this.deps.clock();
    const gathered = await this.gather(target, context.log);
    const [metrics, forecasts] = gathered.live instanceof Error ? [undefined, new Map<string, ForecastInput>()] : await Promise.all([this.fetchMetrics([target], new Map([[name, gathered.live]]), now).then((answers) => answers.get(name)), this.prepareForecasts([target], [gathered], now, false)]);
    return this.evaluateGuarded(target, now, context, gathered, metrics, forecasts.get(name));
  }

  /**
   * What an explicit request would do now, without recording or acting (the API's dry-run): the same reads and
   * the same decision as `evaluateTarget`, but no lease, no ledger entry, no ARM update.
   */
  async previewTarget(name: string, context: EvaluationContext): Promise<TargetOutcome> {
    const target = this.targetNamed(name);
    const now = this.deps.clock();
    const { live, known } = await this.gather(target, context.log);
    if (live instanceof Error) throw live;
    if (known instanceof Error) throw known;
    const [answers, forecasts] = await Promise.all([this.fetchMetrics([target], new Map([[name, live]]), now), this.prepareForecasts([target], [{ live, known }], now, false)]);
    const metrics = answers.get(name);
    const decision = this.decideFor(context, this.decideInput(target, now, live, known, metrics instanceof Error ? undefined : metrics, context.request, forecasts.get(name)));
    return { target: target.name, resourceId: target.resourceId, decision, acted: false };
  }

  /** One target as an operator sees it, with its `decisions` newest ledger entries. */
  async snapshotTarget(name: string, decisions: number): Promise<TargetSnapshot> {
    return this.snapshot(this.targetNamed(name), decisions);
  }

  /** Every configured target, in config order; a target whose resource cannot be read says why in `live`. */
  async snapshotAll(decisions: number): Promise<TargetSnapshot[]> {
    return mapWithConcurrency(this.deps.config.targets, this.options.concurrency, (target) => this.snapshot(target, decisions));
  }

  /** Pauses or resumes the given directions at run time, on top of the config's own pause flags. */
  async setPaused(name: string, update: Partial<RuntimePauses>, change: PauseChange, log: Logger = this.deps.log): Promise<PauseState> {
    const target = this.targetNamed(name);
    const state = await this.deps.state.updatePauses(target.name, update, change, this.deps.clock());
    log.log('info', `pause flags now scale-out ${state.scaleOut ? 'paused' : 'active'}, scale-in ${state.scaleIn ? 'paused' : 'active'}: ${change.reason}`, { target: target.name, resourceId: target.resourceId, by: change.by });
    return state;
  }

  /** Clears the target's failure streak, so the failure backoff lets the next change through (after the operator fixed the cause). */
  async resetFailures(name: string, change: PauseChange, log: Logger = this.deps.log): Promise<FailureReset> {
    const target = this.targetNamed(name);
    const reset = await this.deps.state.resetFailures(target.name, change, this.deps.clock());
    log.log('info', `failures reset: operations that ended before ${reset.resetAt.toISOString()} no longer hold back a change: ${change.reason}`, { target: target.name, resourceId: target.resourceId, by: change.by });
    return reset;
  }

  async findOperation(operationId: string): Promise<OperationLookup | undefined> {
    const operation = await this.deps.state.findOperation(operationId);
    if (!operation) return undefined;
    return { operation, followUp: await this.deps.state.getFollowUpProgress(operation.target, operation.id) };
  }

  /** An operator ends an operation by hand (shared/abandon-operation.ts). */
  async abandonOperation(operationId: string, change: PauseChange, log: Logger = this.deps.log): Promise<AbandonOutcome> {
    return abandonOperation({ ...this.deps, log }, operationId, change);
  }

  /** Ledger retention: the daily cleanup. Returns how many decisions and receipts were removed. */
  async purgeHistory(retentionDays: number, receiptRetentionDays: number): Promise<{ decisions: number; receipts: number }> {
    const now = this.deps.clock().getTime();
    const day = 24 * 60 * 60 * 1000;
    const decisions = await this.deps.state.purgeDecisionsOlderThan(new Date(now - retentionDays * day));
    const receipts = await this.deps.state.purgeAlertReceiptsOlderThan(new Date(now - receiptRetentionDays * day));
    return { decisions, receipts };
  }

  private async evaluateGuarded(target: TargetConfig, now: Date, context: EvaluationContext, gathered: Gathered, metrics: MetricsSnapshot | Error | undefined, forecast: ForecastInput | undefined): Promise<TargetOutcome> {
    const log = (context.log ?? this.deps.log).child({ target: target.name, resourceId: target.resourceId, invocationId: context.invocationId });
    try {
      const { live, known } = gathered;
      if (live instanceof Error) throw live;
      if (known instanceof Error) throw known;
      const outcome = await this.evaluate(target, now, context, live, known, metrics instanceof Error ? undefined : metrics, forecast, log);
      log.log(outcome.acted ? 'info' : 'debug', outcome.decision?.message ?? 'evaluated', { decisionId: outcome.decisionId, operationId: outcome.operation?.id, reason: outcome.decision?.reason, action: outcome.decision?.action });
      if (outcome.decision?.reason === 'FailureLimitReached') log.log('error', outcome.decision.message, { decisionId: outcome.decisionId, alert: true, event: 'FailureLimitReached' });
      if (metrics instanceof Error) log.log('warn', `metrics unavailable: ${metrics.message}; capacity can only rise to the default until they return`);
      return outcome;
    } catch (error) {
      const failure = toError(error);
      const category = failure instanceof ScalerError ? failure.category : 'internal';
      log.log('error', `evaluation failed: ${failure.message}`, { category });
      return { target: target.name, resourceId: target.resourceId, acted: false, error: { category, message: failure.message } };
    }
  }

  private async evaluate(target: TargetConfig, now: Date, context: EvaluationContext, live: LiveTargetState, known: Known, metrics: MetricsSnapshot | undefined, forecast: ForecastInput | undefined, log: Logger): Promise<TargetOutcome> {
    const current = hasUnfinishedOperation(known.history) && (await this.completeFinishedOperation(target, now, log)) ? await this.loadKnown(target, log) : known;
    const first = this.decideFor(context, this.decideInput(target, now, live, current, metrics, context.request, forecast));
    if (first.action === 'none') return this.record(target, now, context, first);
    return this.act(target, now, context, metrics, forecast, log);
  }

  /** What a decision needs besides metrics: the live resource, and what the state store remembers. */
  private async gather(target: TargetConfig, log: Logger | undefined): Promise<Gathered> {
    const [live, known] = await Promise.all([this.scaleTargetFor(target).read().catch(toError), this.loadKnown(target, log).catch(toError)]);
    return { live, known };
  }

  private async snapshot(target: TargetConfig, decisions: number): Promise<TargetSnapshot> {
    const { state } = this.deps;
    const [live, pauses, history, operationInProgress, recent] = await Promise.all([
      this.scaleTargetFor(target).read().catch(toError),
      state.getPauses(target.name),
      state.getScaleHistory(target.name),
      state.getOperationInProgress(target.name),
      decisions > 0 ? state.listDecisions(target.name, decisions) : Promise.resolve([]),
    ]);
    return { target, now: this.deps.clock(), live, pauses, history, operationInProgress, decisions: recent };
  }

  private async loadKnown(target: TargetConfig, log: Logger = this.deps.log): Promise<Known> {
    const { state } = this.deps;
    const [history, pauses, failures] = await Promise.all([this.scaleHistory(target, log), state.getPauses(target.name), state.getFailureHistory(target.name, FAILURE_HISTORY_WINDOW)]);
    return { history, failures, paused: { scaleOut: pauses?.scaleOut ?? false, scaleIn: pauses?.scaleIn ?? false } };
  }

  /**
   * The target's scale history, with any completion stamped in the future (by an instance whose clock ran ahead)
   * pulled back to now and stored so: otherwise its cooldown would not start until that clock's future arrived.
   */
  private async scaleHistory(target: TargetConfig, log: Logger): Promise<ScaleHistory> {
    const { state } = this.deps;
    const history = await state.getScaleHistory(target.name);
    const now = this.deps.clock();
    const inFuture = [history.lastScaleOut, history.lastScaleIn].some((operation) => operation?.completedAt !== undefined && operation.completedAt.getTime() > now.getTime());
    if (!inFuture) return history;
    const clamped = await state.clampFutureCompletions(target.name, now, FAILURE_HISTORY_WINDOW);
    log.log('warn', `${clamped} operation(s) had a completion time after this instance's clock (${now.toISOString()}); pulled back to now so cooldowns can end. Check the clocks of the instances writing to this state store`, { target: target.name, resourceId: target.resourceId });
    return state.getScaleHistory(target.name);
  }

  /** The guarded part: only one evaluation of a target may act at a time, and only on fresh state. */
  private async act(target: TargetConfig, now: Date, context: EvaluationContext, metrics: MetricsSnapshot | undefined, forecast: ForecastInput | undefined, log: Logger): Promise<TargetOutcome> {
    const holder = `${this.deps.instanceId}/${context.invocationId ?? this.deps.newId()}`;
    let lease: HeldLease;
    try {
      lease = await HeldLease.take(this.deps.state, this.deps.clock, target.name, holder, { ttlSeconds: this.options.leaseSeconds, maxClockSkewSeconds: this.options.maxClockSkewSeconds });
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
      const [live, known] = await Promise.all([this.scaleTargetFor(target).read(), this.loadKnown(target, log)]);
      const held = leaseHeldDecision(this.decideFor(context, this.decideInput(target, now, live, known, metrics, context.request, forecast)));
      return this.record(target, now, context, held);
    }
    try {
      // Under the lease, decide again on fresh state: never act on a stale capacity or history.
      const [live, known] = await Promise.all([this.scaleTargetFor(target).read(), this.loadKnown(target, log)]);
      const decision = this.decideFor(context, this.decideInput(target, now, live, known, metrics, context.request, forecast));
      const recorded = await this.record(target, now, context, decision);
      if (decision.action === 'none') return recorded;
      return await this.startOperation(target, now, context, decision, recorded, live, lease, log);
    } finally {
      await lease.release().catch((error: unknown) => log.log('warn', `releasing the lease failed: ${describeError(error)}; it expires by itself in ${this.options.leaseSeconds} s`));
    }
  }

  private async startOperation(target: TargetConfig, now: Date, context: EvaluationContext, decision: Decision, recorded: TargetOutcome, live: LiveTargetState, lease: HeldLease, log: Logger): Promise<TargetOutcome> {
    const direction = decision.action === 'scale-out' ? 'out' : 'in';
    const operation = await this.deps.state.createOperation({
      id: this.deps.newId(), target: target.name, trigger: context.trigger, direction, from: decision.from, to: decision.to,
      startedAt: now, arm: {}, initiator: context.initiator, reason: decision.message, decisionId: recorded.decisionId,
    });
    if (!(await lease.renew())) {
      const message = `the lease expired before the update was sent and another evaluation holds it now; not sending ${decision.from} -> ${decision.to}`;
      const cancelled = await this.deps.state.updateOperationStatus(target.name, operation.id, { status: 'cancelled', at: this.deps.clock(), message });
      log.log('warn', message, { operationId: operation.id, decisionId: recorded.decisionId });
      return { ...recorded, operation: cancelled, acted: false };
    }
    let started: ScaleStart;
    try {
      started = await this.scaleTargetFor(target).startScale(decision.to, live);
    } catch (error) {
      return this.afterRefusedStart(target, operation, recorded, live, error, log);
    }
    return this.recordAccepted(target, operation, started, recorded, log);
  }

  /**
   * ARM accepted: from here on the update runs whatever happens to our bookkeeping. If recording it fails, the
   * operation stays `started` and the next evaluation adopts the update ARM runs (operation-adoption.ts); the
   * outcome still says the scaler acted, so nobody retries the request that caused it.
   */
  private async recordAccepted(target: TargetConfig, operation: OperationRecord, started: ScaleStart, recorded: TargetOutcome, log: Logger): Promise<TargetOutcome> {
    const message = started.disabledAutoscaler ? `ARM accepted the update; it also turns off ${started.disabledAutoscaler}` : 'ARM accepted the update';
    let running: OperationRecord;
    try {
      running = await this.deps.state.updateOperationStatus(target.name, operation.id, { status: 'running', at: this.deps.clock(), message, arm: { ...started.arm, resumeToken: started.resumeToken } });
    } catch (error) {
      log.log('error', `ARM accepted the update ${operation.from} -> ${operation.to}, but recording it failed: ${describeError(error)}; the next evaluation finds the update ARM runs and adopts it with its follow-up`, { operationId: operation.id, decisionId: recorded.decisionId });
      return { ...recorded, operation, acted: true };
    }
    log.log('info', `started scale-${operation.direction} ${operation.from} -> ${operation.to}`, { operationId: operation.id, decisionId: recorded.decisionId });
    await this.launchFollowUp(target, running, log);
    return { ...recorded, operation: running, acted: true };
  }

  /** ARM did not accept the PATCH, or we cannot tell whether it did. */
  private async afterRefusedStart(target: TargetConfig, operation: OperationRecord, recorded: TargetOutcome, live: LiveTargetState, error: unknown, log: Logger): Promise<TargetOutcome> {
    if (error instanceof OperationInProgressError) {
      const after = await this.scaleTargetFor(target).read().catch(() => undefined);
      if (after && isOwnUpdateRefused(live, after)) {
        return this.adoptOwnUpdate(target, operation, recorded, `adopted: ARM answered 409 (${describeError(error)}) although the resource was idle a moment before; the update it runs is this PATCH, carried out before its answer was lost`, log);
      }
      const cancelled = await this.deps.state.updateOperationStatus(target.name, operation.id, { status: 'cancelled', at: this.deps.clock(), message: describeError(error) });
      return { ...recorded, operation: cancelled, acted: false };
    }
    if (armDidNotAnswer(error)) {
      // ARM may have carried the PATCH out: the operation stays started, and the next evaluation looks at the resource.
      log.log('warn', `ARM did not answer the update ${operation.from} -> ${operation.to}: ${describeError(error)}; the next evaluation checks whether ARM runs it and adopts it, or gives it up`, { operationId: operation.id });
      throw error;
    }
    await this.deps.state.updateOperationStatus(target.name, operation.id, { status: 'failed', at: this.deps.clock(), message: describeError(error) });
    throw error;
  }

  private async adoptOwnUpdate(target: TargetConfig, operation: OperationRecord, recorded: TargetOutcome, message: string, log: Logger): Promise<TargetOutcome> {
    const running = await this.deps.state.updateOperationStatus(target.name, operation.id, { status: 'running', at: this.deps.clock(), message });
    log.log('warn', message, { operationId: operation.id, decisionId: recorded.decisionId });
    await this.launchFollowUp(target, running, log);
    return { ...recorded, operation: running, acted: true };
  }

  /**
   * Moves a running operation to its end when ARM says it finished; cooldowns start from that moment.
   * An operation that never reached ARM (the scaler stopped in between) is given up after a while.
   * Returns true when the operation ended.
   */
  private async completeFinishedOperation(target: TargetConfig, now: Date, log: Logger): Promise<boolean> {
    const operation = await this.deps.state.getOperationInProgress(target.name);
    if (!operation) return false;
    if (operation.status === 'started') return this.settleUnrecordedStart(target, operation, now, log);
    // With a follow-up, the follow-up ends the operation (after the rebalance, for an elastic cluster). Reconciling
    // adopts a running follow-up, starts one that a crash or a missing durable client kept from starting, and
    // records the outcome of one that ended without recording it.
    if (this.deps.followUps && operation.status === 'running') {
      const followUps = { state: this.deps.state, followUps: this.deps.followUps, log };
      return reconcileRunningOperation(followUps, target, operation, now, () => this.launchFollowUp(target, operation, log));
    }
    const resumeToken = operation.arm.resumeToken;
    const progress = resumeToken ? await this.pollSettled(target, operation, resumeToken) : progressFromLive(operation, await this.scaleTargetFor(target).read());
    return this.endWith(target, operation, progress, now, log);
  }

  /**
   * An operation still `started` once its lease expired: ARM's answer, or our record of it, was lost. Adopts the
   * update ARM runs (or ran), or gives the operation up when ARM shows no trace of it.
   */
  private async settleUnrecordedStart(target: TargetConfig, operation: OperationRecord, now: Date, log: Logger): Promise<boolean> {
    const live = await this.scaleTargetFor(target).read();
    const verdict = adoptionVerdict(operation, live, { nowMs: now.getTime(), leaseSeconds: this.options.leaseSeconds, staleStartMinutes: this.options.staleStartMinutes });
    if (verdict.kind === 'wait') return false;
    if (verdict.kind === 'give-up') {
      await this.deps.state.updateOperationStatus(target.name, operation.id, { status: 'failed', at: now, message: verdict.message });
      log.log('warn', verdict.message, { operationId: operation.id });
      return true;
    }
    const adopted = await this.deps.state.updateOperationStatus(target.name, operation.id, { status: 'running', at: now, message: verdict.message });
    log.log('warn', verdict.message, { operationId: operation.id });
    if (this.deps.followUps) {
      await this.launchFollowUp(target, adopted, log);
      return false;
    }
    return this.endWith(target, adopted, progressFromLive(adopted, live), now, log);
  }

  private async endWith(target: TargetConfig, operation: OperationRecord, progress: ScaleProgress, now: Date, log: Logger): Promise<boolean> {
    if (progress.status === 'running') return false;
    const message = progress.status === 'succeeded' ? 'ARM reports the update finished' : progress.message;
    await this.deps.state.updateOperationStatus(target.name, operation.id, { status: progress.status, at: now, message });
    log.log(progress.status === 'succeeded' ? 'info' : 'warn', `operation ${progress.status}: ${message}`, { operationId: operation.id, durationSeconds: Math.round((now.getTime() - operation.startedAt.getTime()) / 1000) });
    return true;
  }

  /** Polls ARM once; an update ARM calls finished is checked against the live capacity before it counts as done. */
  private async pollSettled(target: TargetConfig, operation: OperationRecord, resumeToken: string): Promise<ScaleProgress> {
    const scaleTarget = this.scaleTargetFor(target);
    const progress = await scaleTarget.pollScale({ resumeToken, arm: operation.arm });
    if (progress.status !== 'succeeded') return progress;
    return settledProgress(progress, operation, await scaleTarget.read());
  }

  /** A follow-up that cannot start is logged, not fatal: ARM already accepted the update. */
  private async launchFollowUp(target: TargetConfig, operation: OperationRecord, log: Logger): Promise<void> {
    if (!this.deps.followUps) return;
    try {
      await this.deps.followUps.launch(target, operation);
    } catch (error) {
      const level = error instanceof ScalerError && error.retryable ? 'warn' : 'error';
      log.log(level, `the follow-up of operation ${operation.id} could not start: ${describeError(error)}; the operation stays running, and each evaluation launches its follow-up again until one runs`, { operationId: operation.id });
    }
  }

  /** The policy's decision, plus the executor's rule for operators: a capacity outside the limits is refused, not clamped. */
  private decideFor(context: EvaluationContext, input: DecideInput): Decision {
    const decision = decide(input);
    return context.request?.source === 'manual' ? refuseOutsideLimits(decision) : decision;
  }

  private decideInput(target: TargetConfig, now: Date, live: LiveTargetState, known: Known, metrics: MetricsSnapshot | undefined, request: ScaleRequest | undefined, forecast: ForecastInput | undefined): DecideInput {
    return { now, target, observed: live, metrics, history: known.history, failures: known.failures, request, paused: known.paused, forecast };
  }

  /**
   * Forecast inputs of the targets whose live state and history could be read; a failure leaves the reactive logic
   * alone. Only the timer (`persist`) writes the history cache: requests write nothing beyond the ledger.
   */
  private async prepareForecasts(targets: readonly TargetConfig[], gathered: readonly Gathered[], now: Date, persist: boolean): Promise<Map<string, ForecastInput>> {
    const subjects: ForecastSubject[] = [];
    targets.forEach((target, index) => {
      const { live, known } = gathered[index] ?? {};
      if (!live || live instanceof Error || !known || known instanceof Error) return;
      subjects.push({ target, region: live.region, capacity: live.capacity, history: known.history });
    });
    try {
      return await this.forecasts.prepare(subjects, now, { persist });
    } catch (error) {
      this.deps.log.log('warn', `forecast: preparing the forecasts failed: ${describeError(error)}; the reactive logic decides this tick`);
      return new Map();
    }
  }

  private async record(target: TargetConfig, now: Date, context: EvaluationContext, decision: Decision): Promise<TargetOutcome> {
    const decisionId = this.deps.newId();
    await this.deps.state.appendDecision({ id: decisionId, target: target.name, trigger: context.trigger, decidedAt: now, decision });
    return { target: target.name, resourceId: target.resourceId, decisionId, decision, acted: false };
  }

  private async fetchMetrics(targets: readonly TargetConfig[], live: Map<string, LiveTargetState | Error>, now: Date): Promise<Map<string, MetricsSnapshot | Error>> {
    const requests: MetricsRequest[] = [];
    for (const target of targets) {
      const state = live.get(target.name);
      const { needs, lookbackMinutes } = requiredMetrics(target);
      if (!state || state instanceof Error || needs.length === 0) continue;
      requests.push({ target: target.name, kind: target.kind, resourceId: target.resourceId, region: state.region, needs, lookbackMinutes });
    }
    if (requests.length === 0) return new Map();
    return this.deps.metrics.fetch(requests, now);
  }

  private targetNamed(name: string): TargetConfig {
    const target = this.deps.config.targets.find((candidate) => candidate.name === name);
    // The answer never lists the configured targets: a caller who may read them asks GET /api/targets.
    if (!target) throw new NotFoundError(`target ${JSON.stringify(name.slice(0, 80))} is not configured; check the name (GET /api/targets lists the targets)`);
    return target;
  }

  private scaleTargetFor(target: TargetConfig): ScaleTarget {
    const scaleTarget = this.deps.scaleTargets.get(target.name);
    if (!scaleTarget) throw new ScalerError('internal', `no provider was built for target "${target.name}"`);
    return scaleTarget;
  }
}

/** What the state store remembers about a target, as the policy needs it. */
interface Known {
  history: ScaleHistory;
  failures: FailureHistory;
  paused: RuntimePauses;
}

/** Operations read for the failure backoff: more than the longest streak it counts (maxConsecutiveFailures <= 20). */
const FAILURE_HISTORY_WINDOW = 50;

/** One target's reads, each possibly failed: a failure is reported for that target alone. */
interface Gathered {
  live: LiveTargetState | Error;
  known: Known | Error;
}

function hasUnfinishedOperation(history: ScaleHistory): boolean {
  return [history.unfinished, history.lastScaleOut, history.lastScaleIn].some((operation) => operation !== undefined && operation.completedAt === undefined);
}

/** Another evaluation holds the lease: it is acting on this target now, so this one must not. */
function leaseHeldDecision(decision: Decision): Decision {
  if (decision.action === 'none') return decision;
  const message = `another evaluation is acting on this target right now (lease held); not repeating ${decision.from} -> ${decision.to}`;
  return { ...decision, action: 'none', to: decision.from, reason: 'LeaseHeld', message, evidence: { ...decision.evidence, guards: [...decision.evidence.guards, { guard: 'lease', verdict: 'blocked', reason: 'LeaseHeld', detail: message }] } };
}

/**
 * An operator who asks for a capacity outside the limits gets a refusal that says so, like a cloud API's
 * validation error, rather than a silently different capacity. Alerts and rules are clamped as usual.
 */
function refuseOutsideLimits(decision: Decision): Decision {
  const clamped = decision.evidence.guards.some((note) => note.guard === 'limits' && (note.reason === 'ClampedToMax' || note.reason === 'ClampedToMin'));
  if (!clamped) return decision;
  const { min, max } = decision.evidence.limits;
  const profile = decision.evidence.profile;
  const scheduled = profile && profile.kind !== 'default' ? ` of profile "${profile.name}"${profile.next ? ` (until ${profile.next.at})` : ''}` : '';
  const message = `operator asked for ${decision.evidence.proposal.to}, outside the limits ${min}..${max}${scheduled}; nothing changed: ask for a capacity within the limits, or change the limits in the config`;
  const note = { guard: 'operator-limits', verdict: 'blocked' as const, reason: 'OutsideLimits' as const, detail: message };
  return { ...decision, action: 'none', to: decision.from, reason: 'OutsideLimits', message, evidence: { ...decision.evidence, guards: [...decision.evidence.guards, note] } };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
