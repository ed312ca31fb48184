/**
 * How a manual scale request's outcome answers: 202 with the operation and its status URL when ARM accepted an
 * update; 200 when nothing needed doing (or for a dry-run); otherwise problem+json carrying the decision's reason
 * code: 409 when the target's state stands in the way for now, 422 when the request cannot be honoured as asked.
 */
import type { ReasonCode } from '../policy/decision.js';
import type { TargetOutcome } from '../scaling/outcome.js';
import { ScalerError } from '../vocabulary/errors.js';
import { json, type ApiResponse } from './response.js';
import { decisionView, operationUrl, operationView } from './views.js';

/** Refusals that may clear by themselves (another operation, a cooldown, a pause): 409, try later. */
const CONFLICTS: ReadonlySet<ReasonCode> = new Set([
  'LeaseHeld',
  'OperationInProgress',
  'CooldownActive',
  'BackingOff',
  'FailureLimitReached',
  'Paused',
  'ConflictingAutoscaler',
]);
/** Nothing to do, and that is what was asked: 200. */
const SATISFIED: ReadonlySet<ReasonCode> = new Set(['AlreadyAtRequestedCapacity', 'DryRun']);

const FIXES: Partial<Record<ReasonCode, string>> = {
  LeaseHeld: 'retry in a few seconds',
  OperationInProgress: 'wait for it to finish (see GET /api/targets/{name}), then retry',
  CooldownActive: 'retry when the cooldown ends, or send "ignoreCooldown": true',
  BackingOff:
    'retry when the backoff ends, or fix the cause and reset the failures with POST /api/targets/{name}/failures/reset',
  FailureLimitReached:
    'fix the cause (see the last failure), then reset the failures with POST /api/targets/{name}/failures/reset',
  Paused: 'resume the direction with POST /api/targets/{name}/resume, or change paused in the config',
  ConflictingAutoscaler:
    'turn off the cluster\'s own optimized autoscale, or set onConflictingAutoscaler to "take-over"',
  ScaleInUnsupported: 'elastic clusters can only grow',
  AtMaximum: 'raise limits.max in the config to go higher',
  AtMinimum: 'lower limits.min in the config to go lower',
};

export function scaleResponse(outcome: TargetOutcome, apiBase: string, options: { dryRun: boolean }): ApiResponse {
  if (outcome.error) throw new ScalerError(outcome.error.category, outcome.error.message);
  const decision = outcome.decision;
  if (!decision) throw new ScalerError('internal', `scaling target '${outcome.target}' produced no decision`);
  const view = decisionView(decision, { id: outcome.decisionId, evidence: true });
  if (options.dryRun)
    return json(200, { target: outcome.target, dryRun: true, wouldAct: decision.action !== 'none', decision: view });
  const { operation } = outcome;
  if (outcome.acted && operation) {
    const statusUrl = operationUrl(apiBase, operation.id);
    return json(
      202,
      { target: outcome.target, acted: true, decision: view, operation: operationView(operation, apiBase), statusUrl },
      { Location: statusUrl },
    );
  }
  if (operation) {
    const why = operation.history.at(-1)?.message ?? 'ARM refused the update';
    throw refusal(
      'conflict',
      `scaling target '${outcome.target}' did not start: ARM reports another update of the resource in progress (${why}); retry when it finished`,
      'OperationInProgress',
      view,
    );
  }
  if (SATISFIED.has(decision.reason)) return json(200, { target: outcome.target, acted: false, decision: view });
  const category = CONFLICTS.has(decision.reason) ? 'conflict' : 'unsupported';
  const fix = FIXES[decision.reason]?.replace('{name}', outcome.target);
  throw refusal(
    category,
    `scaling target '${outcome.target}' refused (${decision.reason}): ${decision.message}${fix ? `; ${fix}` : ''}`,
    decision.reason,
    view,
  );
}

function refusal(
  category: 'conflict' | 'unsupported',
  message: string,
  reason: ReasonCode,
  decision: ReturnType<typeof decisionView>,
): ScalerError {
  return new ScalerError(category, message, { details: { reason, decision } });
}
