/**
 * The use cases every trigger calls: evaluate every target (timer), evaluate one target with an explicit
 * request (alerts, operators), and carry operations to completion. Decisions come from the pure policy; this
 * file is the guarded executor around it (DESIGN.md "The executor"):
 *
 *   decide on what we know -> only if that says act: take the lease -> re-read ARM -> decide again ->
 *   record the decision -> record the operation -> start the ARM update (without waiting) -> release the lease.
 */
import type { ScalerConfig, TargetConfig } from './config/schema.js';
import { decide } from './policy/decide.js';
import type { Decision, Trigger } from './policy/decision.js';
import type { DecideInput, MetricsSnapshot, RuntimePauses, ScaleHistory, ScaleRequest } from './policy/input.js';
import { requiredMetrics } from './policy/required-metrics.js';
import type { MetricsRequest, MetricsSource } from './metrics/metrics-source.port.js';
import type { LiveTargetState, ScaleTarget } from './targets/scale-target.port.js';
import { OperationInProgressError } from './targets/errors.js';
import type { DecisionRecord, FollowUpProgress, OperationRecord, PauseChange, PauseState, StateStore } from './state/state-store.port.js';
import { describeError, NotFoundError, ScalerError, StateConflictError, type ErrorCategory } from './errors.js';
import type { Logger } from './logging.js';
import type { FollowUpLauncher } from './follow-up.port.js';
import { mapWithConcurrency } from './concurrency.js';

export interface ScalerOptions {
  /** Targets evaluated at once by a tick. */
  concurrency: number;
  /** How long a lease protects one act; longer than a PATCH can take, short enough to recover from a crash. */
  leaseSeconds: number;
  /** An operation recorded but never accepted by ARM (crash in between) is given up after this long. */
  staleStartMinutes: number;
}

export const DEFAULT_SCALER_OPTIONS: ScalerOptions = { concurrency: 32, leaseSeconds: 120, staleStartMinutes: 15 };

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

  constructor(private readonly deps: ScalerDependencies) {
    this.options = { ...DEFAULT_SCALER_OPTIONS, ...deps.options };
  }

  /**
   * The timer's use case: every target, bounded concurrency, one failure never stops the others. ARM and the
   * state store are read side by side first, then every target's metrics in a few batched calls, then each
   * target is decided (and, rarely, acted on).
   */
  async evaluateAll(invocation: { invocationId?: string | undefined; log?: Logger | undefined } = {}): Promise<TickReport> {
    const now = this.deps.clock();
    const targets = this.deps.config.targets;
    const gathered = await mapWithConcurrency(targets, this.options.concurrency, (target) => this.gather(target));
    const live = new Map(targets.map((target, index) => [target.name, gathered[index]?.live as LiveTargetState | Error]));
    const metrics = await this.fetchMetrics(targets, live, now);
    const context: EvaluationContext = { trigger: 'timer', initiator: 'timer', ...invocation };
    const outcomes = await mapWithConcurrency(targets, this.options.concurrency, (target, index) =>
      this.evaluateGuarded(target, now, context, gathered[index] as Gathered, metrics.get(target.name)),
    );
    return { now, outcomes };
  }

  /** One target, e.g. for an alert or an operator request: reads its own live state and metrics. */
  async evaluateTarget(name: string, context: EvaluationContext): Promise<TargetOutcome> {
    const target = this.targetNamed(name);
    const now = this.deps.clock();
    const gathered = await this.gather(target);
    const metrics = gathered.live instanceof Error ? undefined : (await this.fetchMetrics([target], new Map([[name, gathered.live]]), now)).get(name);
    return this.evaluateGuarded(target, now, context, gathered, metrics);
  }

  /**
   * What an explicit request would do now, without recording or acting (the API's dry-run): the same reads and
   * the same decision as `evaluateTarget`, but no lease, no ledger entry, no ARM update.
   */
  async previewTarget(name: string, context: EvaluationContext): Promise<TargetOutcome> {
    const target = this.targetNamed(name);
    const now = this.deps.clock();
    const { live, known } = await this.gather(target);
    if (live instanceof Error) throw live;
    if (known instanceof Error) throw known;
    const metrics = (await this.fetchMetrics([target], new Map([[name, live]]), now)).get(name);
    const decision = this.decideFor(context, this.decideInput(target, now, live, known, metrics instanceof Error ? undefined : metrics, context.request));
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

  async findOperation(operationId: string): Promise<OperationLookup | undefined> {
    const operation = await this.deps.state.findOperation(operationId);
    if (!operation) return undefined;
    return { operation, followUp: await this.deps.state.getFollowUpProgress(operation.target, operation.id) };
  }

  /** Ledger retention: the daily cleanup. Returns how many decisions and receipts were removed. */
  async purgeHistory(retentionDays: number, receiptRetentionDays: number): Promise<{ decisions: number; receipts: number }> {
    const now = this.deps.clock().getTime();
    const day = 24 * 60 * 60 * 1000;
    const decisions = await this.deps.state.purgeDecisionsOlderThan(new Date(now - retentionDays * day));
    const receipts = await this.deps.state.purgeAlertReceiptsOlderThan(new Date(now - receiptRetentionDays * day));
    return { decisions, receipts };
  }

  private async evaluateGuarded(target: TargetConfig, now: Date, context: EvaluationContext, gathered: Gathered, metrics: MetricsSnapshot | Error | undefined): Promise<TargetOutcome> {
    const log = (context.log ?? this.deps.log).child({ target: target.name, resourceId: target.resourceId, invocationId: context.invocationId });
    try {
      const { live, known } = gathered;
      if (live instanceof Error) throw live;
      if (known instanceof Error) throw known;
      const outcome = await this.evaluate(target, now, context, live, known, metrics instanceof Error ? undefined : metrics, log);
      log.log(outcome.acted ? 'info' : 'debug', outcome.decision?.message ?? 'evaluated', { decisionId: outcome.decisionId, operationId: outcome.operation?.id, reason: outcome.decision?.reason, action: outcome.decision?.action });
      if (metrics instanceof Error) log.log('warn', `metrics unavailable: ${metrics.message}; capacity can only rise to the default until they return`);
      return outcome;
    } catch (error) {
      const failure = toError(error);
      const category = failure instanceof ScalerError ? failure.category : 'internal';
      log.log('error', `evaluation failed: ${failure.message}`, { category });
      return { target: target.name, resourceId: target.resourceId, acted: false, error: { category, message: failure.message } };
    }
  }

  private async evaluate(target: TargetConfig, now: Date, context: EvaluationContext, live: LiveTargetState, known: Known, metrics: MetricsSnapshot | undefined, log: Logger): Promise<TargetOutcome> {
    const current = hasUnfinishedOperation(known.history) && (await this.completeFinishedOperation(target, now, log)) ? await this.loadKnown(target) : known;
    const first = this.decideFor(context, this.decideInput(target, now, live, current, metrics, context.request));
    if (first.action === 'none') return this.record(target, now, context, first);
    return this.act(target, now, context, metrics, log);
  }

  /** What a decision needs besides metrics: the live resource, and what the state store remembers. */
  private async gather(target: TargetConfig): Promise<Gathered> {
    const [live, known] = await Promise.all([this.scaleTargetFor(target).read().catch(toError), this.loadKnown(target).catch(toError)]);
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

  private async loadKnown(target: TargetConfig): Promise<Known> {
    const [history, pauses] = await Promise.all([this.deps.state.getScaleHistory(target.name), this.deps.state.getPauses(target.name)]);
    return { history, paused: { scaleOut: pauses?.scaleOut ?? false, scaleIn: pauses?.scaleIn ?? false } };
  }

  /** The guarded part: only one evaluation of a target may act at a time, and only on fresh state. */
  private async act(target: TargetConfig, now: Date, context: EvaluationContext, metrics: MetricsSnapshot | undefined, log: Logger): Promise<TargetOutcome> {
    const holder = `${this.deps.instanceId}/${context.invocationId ?? this.deps.newId()}`;
    let lease;
    try {
      lease = await this.deps.state.acquireLease(target.name, holder, now, this.options.leaseSeconds);
    } catch (error) {
      if (!(error instanceof StateConflictError)) throw error;
      const [live, known] = await Promise.all([this.scaleTargetFor(target).read(), this.loadKnown(target)]);
      const held = leaseHeldDecision(this.decideFor(context, this.decideInput(target, now, live, known, metrics, context.request)));
      return this.record(target, now, context, held);
    }
    try {
      // Under the lease, decide again on fresh state: never act on a stale capacity or history.
      const [live, known] = await Promise.all([this.scaleTargetFor(target).read(), this.loadKnown(target)]);
      const decision = this.decideFor(context, this.decideInput(target, now, live, known, metrics, context.request));
      const recorded = await this.record(target, now, context, decision);
      if (decision.action === 'none') return recorded;
      return await this.startOperation(target, now, context, decision, recorded, live, log);
    } finally {
      await this.deps.state.releaseLease(lease).catch((error: unknown) => log.log('warn', `releasing the lease failed: ${describeError(error)}; it expires by itself in ${this.options.leaseSeconds} s`));
    }
  }

  private async startOperation(target: TargetConfig, now: Date, context: EvaluationContext, decision: Decision, recorded: TargetOutcome, live: LiveTargetState, log: Logger): Promise<TargetOutcome> {
    const operationId = this.deps.newId();
    const direction = decision.action === 'scale-out' ? 'out' : 'in';
    await this.deps.state.createOperation({
      id: operationId, target: target.name, trigger: context.trigger, direction, from: decision.from, to: decision.to,
      startedAt: now, arm: {}, initiator: context.initiator, reason: decision.message, decisionId: recorded.decisionId,
    });
    try {
      const started = await this.scaleTargetFor(target).startScale(decision.to, live);
      const message = started.disabledAutoscaler ? `ARM accepted the update; it also turns off ${started.disabledAutoscaler}` : 'ARM accepted the update';
      const operation = await this.deps.state.updateOperationStatus(target.name, operationId, { status: 'running', at: this.deps.clock(), message, arm: { ...started.arm, resumeToken: started.resumeToken } });
      log.log('info', `started scale-${direction} ${decision.from} -> ${decision.to}`, { operationId, decisionId: recorded.decisionId });
      await this.launchFollowUp(target, operation, log);
      return { ...recorded, operation, acted: true };
    } catch (error) {
      const status = error instanceof OperationInProgressError ? 'cancelled' : 'failed';
      const operation = await this.deps.state.updateOperationStatus(target.name, operationId, { status, at: this.deps.clock(), message: describeError(error) });
      if (error instanceof OperationInProgressError) return { ...recorded, operation, acted: false };
      throw error;
    }
  }

  /**
   * Moves a running operation to its end when ARM says it finished; cooldowns start from that moment.
   * An operation that never reached ARM (the scaler stopped in between) is given up after a while.
   * Returns true when the operation ended.
   */
  private async completeFinishedOperation(target: TargetConfig, now: Date, log: Logger): Promise<boolean> {
    const operation = await this.deps.state.getOperationInProgress(target.name);
    if (!operation) return false;
    // With a follow-up, the follow-up ends the operation (after the rebalance, for an elastic cluster). Launching
    // again is idempotent (a running follow-up is adopted), and starts one that a crash or a missing durable
    // client kept from starting after ARM accepted the update.
    if (this.deps.followUps && operation.status === 'running') {
      await this.launchFollowUp(target, operation, log);
      return false;
    }
    const resumeToken = operation.arm.resumeToken;
    if (!resumeToken) {
      const ageMinutes = (now.getTime() - operation.startedAt.getTime()) / 60_000;
      if (operation.status !== 'started' || ageMinutes <= this.options.staleStartMinutes) return false;
      await this.deps.state.updateOperationStatus(target.name, operation.id, { status: 'failed', at: now, message: `ARM never acknowledged this operation within ${this.options.staleStartMinutes} min; the scaler will decide again` });
      return true;
    }
    const progress = await this.scaleTargetFor(target).pollScale({ resumeToken, arm: operation.arm });
    if (progress.status === 'running') return false;
    const message = progress.status === 'succeeded' ? 'ARM reports the update finished' : progress.message;
    await this.deps.state.updateOperationStatus(target.name, operation.id, { status: progress.status, at: now, message });
    log.log(progress.status === 'succeeded' ? 'info' : 'warn', `operation ${progress.status}: ${message}`, { operationId: operation.id, durationSeconds: Math.round((now.getTime() - operation.startedAt.getTime()) / 1000) });
    return true;
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

  private decideInput(target: TargetConfig, now: Date, live: LiveTargetState, known: Known, metrics: MetricsSnapshot | undefined, request: ScaleRequest | undefined): DecideInput {
    return { now, target, observed: live, metrics, history: known.history, request, paused: known.paused };
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
  paused: RuntimePauses;
}

/** One target's reads, each possibly failed: a failure is reported for that target alone. */
interface Gathered {
  live: LiveTargetState | Error;
  known: Known | Error;
}

function hasUnfinishedOperation(history: ScaleHistory): boolean {
  return [history.lastScaleOut, history.lastScaleIn].some((operation) => operation !== undefined && operation.completedAt === undefined);
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
  const message = `operator asked for ${decision.evidence.proposal.to}, outside the limits ${min}..${max}; nothing changed: ask for a capacity within the limits, or change the limits in the config`;
  const note = { guard: 'operator-limits', verdict: 'blocked' as const, reason: 'OutsideLimits' as const, detail: message };
  return { ...decision, action: 'none', to: decision.from, reason: 'OutsideLimits', message, evidence: { ...decision.evidence, guards: [...decision.evidence.guards, note] } };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
