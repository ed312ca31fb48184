/**
 * The JSON shapes the HTTP API answers with: decisions, operations, target status and alert results. Pure
 * mappers from domain records; times as ISO 8601, durations in seconds. Internal state (resume tokens, ARM
 * monitor URLs) stays out.
 */
import type { Decision, SignalEvidence } from '../policy/decision.js';
import type { DecisionRecord, OperationRecord } from '../state/state-store.port.js';
import type { OperationLookup, TargetPauses, TargetStatus } from '../scaling/target-status.js';
import { ScalerError } from '../vocabulary/errors.js';
import { kindOf } from '../kinds/registry.js';

export interface DecisionView {
  id?: string | undefined;
  decidedAt?: string | undefined;
  trigger?: string | undefined;
  action: Decision['action'];
  from: number;
  to: number;
  reason: Decision['reason'];
  message: string;
  evidence?: Decision['evidence'] | undefined;
}

export function decisionView(
  decision: Decision,
  options: { id?: string | undefined; evidence?: boolean } = {},
): DecisionView {
  const { action, from, to, reason, message } = decision;
  return {
    ...(options.id ? { id: options.id } : {}),
    action,
    from,
    to,
    reason,
    message,
    ...(options.evidence ? { evidence: decision.evidence } : {}),
  };
}

/** A rule or check as a ledger entry shows it: what it read against its threshold (the full evidence stays in the ledger). */
export interface SignalView {
  name: string;
  direction: SignalEvidence['direction'];
  metric: string;
  operator: string;
  threshold: number;
  value: number | null;
  status: SignalEvidence['status'];
  fired: boolean;
}

export function ledgerEntryView(record: DecisionRecord): DecisionView & { signals: SignalView[] } {
  const { action, from, to, reason, message, evidence } = record.decision;
  const signals = (evidence?.signals ?? []).map(
    ({ name, direction, metric, operator, threshold, value, status, fired }) => ({
      name,
      direction,
      metric,
      operator,
      threshold,
      value,
      status,
      fired,
    }),
  );
  return {
    id: record.id,
    decidedAt: record.decidedAt.toISOString(),
    trigger: record.trigger,
    action,
    from,
    to,
    reason,
    message,
    signals,
  };
}

/** The base of every API URL (`https://<app>/api`), from the request URL and the route it matched. */
export function apiBaseUrl(requestUrl: string, routeSuffix: string): string {
  const url = new URL(requestUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const suffix = `/${routeSuffix.replace(/^\/+/, '')}`;
  const prefix = path.toLowerCase().endsWith(suffix.toLowerCase())
    ? path.slice(0, path.length - suffix.length)
    : '/api';
  return `${url.origin}${prefix}`;
}

export function operationUrl(apiBase: string, operationId: string): string {
  return `${apiBase}/operations/${encodeURIComponent(operationId)}`;
}

export function operationView(operation: OperationRecord, apiBase: string, followUp?: OperationLookup['followUp']) {
  return {
    id: operation.id,
    target: operation.target,
    trigger: operation.trigger,
    direction: operation.direction,
    from: operation.from,
    to: operation.to,
    status: operation.status,
    startedAt: operation.startedAt.toISOString(),
    updatedAt: operation.updatedAt.toISOString(),
    completedAt: operation.completedAt?.toISOString() ?? null,
    initiator: operation.initiator,
    reason: operation.reason,
    decisionId: operation.decisionId ?? null,
    history: operation.history.map((step) => ({
      status: step.status,
      at: step.at.toISOString(),
      ...(step.message ? { message: step.message } : {}),
    })),
    arm: {
      operationId: operation.arm.operationId ?? null,
      requestId: operation.arm.requestId ?? null,
      correlationId: operation.arm.correlationId ?? null,
    },
    ...(followUp ? { followUp: { updatedAt: followUp.updatedAt.toISOString(), progress: followUp.document } } : {}),
    statusUrl: operationUrl(apiBase, operation.id),
  };
}

export function targetStatusView(status: TargetStatus, apiBase: string) {
  const { target, live, pauses, operationInProgress, cooldown } = status;
  const readable = !(live instanceof Error);
  return {
    name: target.name,
    kind: target.kind,
    /** The kind's name and capacity unit, for people (the dashboard shows them). */
    kindName: kindOf(target).words.name,
    unit: kindOf(target).facts.unit,
    resourceId: target.resourceId,
    mode: target.mode,
    dryRun: target.dryRun,
    limits: target.limits,
    effectiveLimits: status.effectiveLimits ?? null,
    schedule: status.schedule,
    capacity: { live: readable ? live.capacity : null, requested: operationInProgress?.to ?? null },
    live: readable
      ? {
          status: live.status,
          region: live.region,
          operationInProgress: live.operationInProgress?.description ?? null,
          details: live.details,
        }
      : { error: { category: live instanceof ScalerError ? live.category : 'internal', message: live.message } },
    paused: pausedView(pauses),
    cooldown: {
      lastCompletedAt: cooldown.lastCompletedMs === undefined ? null : new Date(cooldown.lastCompletedMs).toISOString(),
      scaleOutRemainingSeconds: cooldown.scaleOutRemainingSeconds,
      scaleInRemainingSeconds: cooldown.scaleInRemainingSeconds,
    },
    operationInProgress: operationInProgress ? operationView(operationInProgress, apiBase) : null,
    lastDecisions: status.decisions.map(ledgerEntryView),
    alerts: target.alerts,
  };
}

/** A direction is paused when the config or the API pauses it; both sources are shown. */
export function pausedView(pauses: TargetPauses) {
  const { byConfig, byApi } = pauses;
  return {
    scaleOut: pauses.scaleOut,
    scaleIn: pauses.scaleIn,
    byConfig: { scaleOut: byConfig.scaleOut, scaleIn: byConfig.scaleIn },
    byApi: byApi
      ? {
          scaleOut: byApi.scaleOut,
          scaleIn: byApi.scaleIn,
          updatedBy: byApi.updatedBy,
          reason: byApi.reason,
          updatedAt: byApi.updatedAt.toISOString(),
        }
      : null,
  };
}
