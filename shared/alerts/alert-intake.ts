/**
 * The alert webhook's use case: parse -> remember the delivery (idempotency) -> map to targets -> ask the
 * executor, once per matched target that opted in to the alert's rule (at most `MAX_TARGETS_PER_ALERT`, a few at
 * a time), through the same guarded path as the timer and operators.
 *
 * Azure Monitor retries a delivery (same alert id, monitor condition and fired time) when it gets no answer or a
 * 408/429/503/504. The receipt, written create-if-absent, makes every retry after the first a no-op. A delivery
 * that failed for a reason retrying may fix gives its receipt back, so the retry is processed instead of ignored.
 */
import type { ScalerConfig, TargetConfig } from '../config/schema/schema.js';
import type { EvaluationContext } from '../scaling/evaluation.js';
import type { TargetOutcome } from '../scaling/outcome.js';
import type { AlertReceiptKey, StateStore } from '../state/state-store.port.js';
import type { Logger } from '../logging.js';
import { ScalerError, TransientError, describeError } from '../vocabulary/errors.js';
import { parseCommonAlert, type CommonAlert } from './common-alert-schema.js';
import { alertRequest, askFromCustomProperties, type AlertAsk, type AlertSkipReason } from './alert-ask.js';
import { AlertTargetIndex } from './target-mapping.js';
import { mapWithConcurrency } from '../concurrency.js';

/** Most targets one alert may act on; a rule that covers more is too broad to be an intended scale signal. */
export const MAX_TARGETS_PER_ALERT = 20;
/** Targets of one alert evaluated at once: each holds a lease and calls ARM. */
const ALERT_CONCURRENCY = 4;

export interface AlertIntakeDependencies {
  config: ScalerConfig;
  state: StateStore;
  /** The executor's one-target use case (Scaler.evaluateTarget). */
  evaluateTarget: (name: string, context: EvaluationContext) => Promise<TargetOutcome>;
  clock: () => Date;
  log: Logger;
}

/** What one matched target made of the alert. */
export type AlertTargetResult =
  | { target: string; kind: 'evaluated'; ask: AlertAsk; outcome: TargetOutcome }
  | { target: string; kind: 'skipped'; reason: AlertSkipReason; message: string };

export type AlertIntakeResult =
  | { kind: 'duplicate'; alert: CommonAlert; firstReceivedAt: Date }
  | { kind: 'unmatched'; alert: CommonAlert; message: string }
  | {
      kind: 'processed';
      alert: CommonAlert;
      targets: AlertTargetResult[];
      notProcessed?: { targets: number; message: string };
    };

export interface AlertInvocation {
  invocationId?: string | undefined;
  log?: Logger | undefined;
}

export class AlertIntake {
  private readonly index: AlertTargetIndex;

  constructor(private readonly deps: AlertIntakeDependencies) {
    this.index = new AlertTargetIndex(deps.config.targets);
  }

  /**
   * Throws `InvalidInputError` for a payload that is not a usable common-schema alert (nothing recorded), and
   * `TransientError` when the delivery should be retried (its receipt is given back first).
   */
  async receive(body: unknown, invocation: AlertInvocation = {}): Promise<AlertIntakeResult> {
    const alert = parseCommonAlert(body);
    const fromProperties = askFromCustomProperties(alert.customProperties);
    const log = (invocation.log ?? this.deps.log).child({
      alertId: alert.alertId,
      alertRule: alert.alertRule,
      monitorCondition: alert.monitorCondition,
    });
    const key: AlertReceiptKey = {
      alertId: alert.alertId,
      monitorCondition: alert.monitorCondition,
      firedAt: alert.firedDateTime,
    };
    // A redelivery costs one conditional write: matching the targets comes after.
    const receipt = await this.deps.state.recordAlertReceipt(key, summaryOf(alert), this.deps.clock());
    if (!receipt.isNew) {
      log.log('info', `alert redelivery ignored: first received ${receipt.receipt.receivedAt.toISOString()}`);
      return { kind: 'duplicate', alert, firstReceivedAt: receipt.receipt.receivedAt };
    }
    const matched = this.index.targetsFor(alert.alertTargetIds);
    if (matched.length === 0) {
      const message = unmatchedMessage(alert);
      log.log('info', message, { alertTargetIds: alert.alertTargetIds.slice(0, 5) });
      return { kind: 'unmatched', alert, message };
    }
    const targets = matched.slice(0, MAX_TARGETS_PER_ALERT);
    const notProcessed = matched.length > targets.length ? tooManyTargets(alert, matched.length) : undefined;
    if (notProcessed) log.log('warn', notProcessed.message, { matchedTargets: matched.length });
    const results = await mapWithConcurrency(targets, ALERT_CONCURRENCY, (target) =>
      this.forTarget(alert, target, fromProperties, invocation, log),
    );
    await this.giveBackIfRetryable(key, results, log);
    return { kind: 'processed', alert, targets: results, ...(notProcessed ? { notProcessed } : {}) };
  }

  private async forTarget(
    alert: CommonAlert,
    target: TargetConfig,
    fromProperties: AlertAsk | undefined,
    invocation: AlertInvocation,
    log: Logger,
  ): Promise<AlertTargetResult> {
    const asked = alertRequest(alert, target, fromProperties);
    if ('skip' in asked) {
      log.log(asked.skip === 'ResolvedNotActedOn' ? 'info' : 'warn', asked.message, {
        target: target.name,
        resourceId: target.resourceId,
      });
      return { target: target.name, kind: 'skipped', reason: asked.skip, message: asked.message };
    }
    const context = {
      trigger: 'alert' as const,
      initiator: alert.alertId,
      request: asked.request,
      invocationId: invocation.invocationId,
      log: invocation.log,
    };
    const outcome = await this.deps.evaluateTarget(target.name, context).catch((error: unknown): TargetOutcome => {
      // One target's failure is that target's answer; the others are still evaluated and reported.
      const category = error instanceof ScalerError ? error.category : 'internal';
      log.log('error', `evaluating the alert failed: ${describeError(error)}`, {
        target: target.name,
        resourceId: target.resourceId,
        category,
      });
      return {
        target: target.name,
        resourceId: target.resourceId,
        acted: false,
        error: { category, message: describeError(error) },
      };
    });
    return { target: target.name, kind: 'evaluated', ask: asked.ask, outcome };
  }

  /** A target that could not be evaluated for a passing reason (storage or ARM unreachable): let Azure Monitor retry. */
  private async giveBackIfRetryable(key: AlertReceiptKey, results: AlertTargetResult[], log: Logger): Promise<void> {
    const failed = results.find(
      (result) => result.kind === 'evaluated' && result.outcome.error?.category === 'transient',
    );
    if (!failed || failed.kind !== 'evaluated') return;
    const why = failed.outcome.error?.message ?? 'unknown';
    // Once ARM accepted an update for this delivery, a redelivery must never count as new: it could scale again.
    const acted = results.find((result) => result.kind === 'evaluated' && result.outcome.acted);
    if (acted) {
      log.log(
        'warn',
        `alert processing failed for target '${failed.target}': ${why}; the delivery stays recorded because target '${acted.target}' was scaled for it, so the timer's next evaluation handles '${failed.target}'`,
      );
      return;
    }
    await this.deps.state
      .deleteAlertReceipt(key)
      .catch((error: unknown) =>
        log.log(
          'warn',
          `giving back the alert receipt failed: ${describeError(error)}; a retry of this delivery will be ignored`,
        ),
      );
    throw new TransientError(
      `alert processing failed for target '${failed.target}': ${why}; the delivery was not recorded, so Azure Monitor's retry will process it`,
    );
  }
}

/** What the receipt keeps of a delivery: enough to answer "what did that alert say" without the payload. */
function summaryOf(alert: CommonAlert): Record<string, unknown> {
  return {
    alertRule: alert.alertRule,
    severity: alert.severity,
    signalType: alert.signalType,
    monitoringService: alert.monitoringService,
    firedDateTime: alert.firedDateTime,
    resolvedDateTime: alert.resolvedDateTime ?? null,
    alertRuleId: alert.alertRuleId ?? null,
    alertTargetIds: alert.alertTargetIds.slice(0, 20),
  };
}

function tooManyTargets(alert: CommonAlert, matched: number): { targets: number; message: string } {
  const rest = matched - MAX_TARGETS_PER_ALERT;
  return {
    targets: rest,
    message: `alert rule '${alert.alertRule}' covers ${matched} configured targets, more than the ${MAX_TARGETS_PER_ALERT} one alert may act on; the first ${MAX_TARGETS_PER_ALERT} in config order were processed and ${rest} were not. Narrow the alert rule's scope, or split it into rules per target`,
  };
}

function unmatchedMessage(alert: CommonAlert): string {
  const ids = alert.alertTargetIds.length > 0 ? alert.alertTargetIds.slice(0, 5).join(', ') : 'no resource';
  return `alert rule '${alert.alertRule}' is about ${ids}, which no configured target covers; recorded and ignored. Add a target with that resource id, or remove the scaler's action group from the alert rule`;
}
