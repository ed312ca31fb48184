/**
 * How the alert webhook answers Azure Monitor: 200 `{duplicate: true}` for a redelivery, 202 for every delivery
 * it recorded, with what each matched target made of it (`matched: false` when none). Azure Monitor only reads
 * the status; the body is for people reading the action group's history and for tests.
 */
import type { AlertIntakeResult, AlertTargetResult } from '../alerts/alert-intake.js';
import { json, type ApiResponse } from './response.js';
import { decisionView, operationUrl } from './views.js';
import { publicMessage } from './problem.js';

export function alertResponse(result: AlertIntakeResult, apiBase: string): ApiResponse {
  const { alert } = result;
  const about = { alertId: alert.alertId, alertRule: alert.alertRule, monitorCondition: alert.monitorCondition };
  switch (result.kind) {
    case 'duplicate':
      return json(200, { duplicate: true, ...about, firstReceivedAt: result.firstReceivedAt.toISOString() });
    case 'unmatched':
      return json(202, { duplicate: false, matched: false, ...about, message: result.message });
    case 'processed':
      return json(202, {
        duplicate: false,
        matched: true,
        ...about,
        targets: result.targets.map((target) => targetView(target, apiBase)),
        ...(result.notProcessed ? { notProcessed: result.notProcessed } : {}),
      });
  }
}

function targetView(result: AlertTargetResult, apiBase: string) {
  if (result.kind === 'skipped')
    return { target: result.target, acted: false, reason: result.reason, message: result.message };
  const { outcome, ask } = result;
  const asked = { direction: ask.direction, step: ask.step, from: ask.source };
  if (outcome.error) {
    const message = publicMessage(outcome.error.message);
    return {
      target: result.target,
      acted: false,
      reason: 'EvaluationFailed',
      message,
      asked,
      error: { category: outcome.error.category, message },
    };
  }
  const decision = outcome.decision ? decisionView(outcome.decision, { id: outcome.decisionId }) : undefined;
  const operation = outcome.operation;
  if (operation && !outcome.acted) {
    const why = operation.history.at(-1)?.message ?? 'ARM refused the update';
    return {
      target: result.target,
      acted: false,
      reason: 'OperationInProgress',
      message: `ARM reports another update of the resource in progress: ${why}`,
      asked,
      decision,
    };
  }
  return {
    target: result.target,
    acted: outcome.acted,
    reason: outcome.decision?.reason ?? 'EvaluationFailed',
    message: outcome.decision?.message ?? 'no decision',
    asked,
    decision,
    ...(operation ? { operationId: operation.id, statusUrl: operationUrl(apiBase, operation.id) } : {}),
  };
}
