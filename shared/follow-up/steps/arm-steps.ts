/**
 * The ARM ends of the follow-up: is the update done (capacity reached, resource ready), and recording the outcome
 * on the operation, which is what starts the cooldown.
 */
import type { CheckArmInput, CheckArmResult, FinishInput, FinishResult } from '../activity-contract.js';
import type { StepContext } from './dependencies.js';
import { NotFoundError, StateConflictError } from '../../vocabulary/errors.js';
import type { ScaleProgress } from '../../targets/scale-target.port.js';
import { progressFromLive, settledProgress } from '../../targets/scale-outcome.js';
import { isInFlight, type OperationRecord } from '../../state/state-store.port.js';
import { addAlert } from '../progress.js';
import { kindOf } from '../../kinds/registry.js';

export async function checkArm(context: StepContext, input: CheckArmInput): Promise<CheckArmResult> {
  const target = context.target(input.target);
  const operation = await operationOf(context, input.target, input.operationId);
  const scaleTarget = context.scaleTarget(target.name);
  const [live, polled] = await Promise.all([scaleTarget.read(), pollOperation(context, operation)]);
  const change = { direction: operation.direction, from: operation.from, to: input.to };
  // An adopted operation has no poller (its answer was lost): the resource alone says how it is going.
  const lro = polled ? settledProgress(polled, change, live) : progressFromLive(change, live);
  const ready = lro.status === 'succeeded' && live.operationInProgress === undefined;
  const result: CheckArmResult = {
    lro: lro.status,
    message: 'message' in lro ? lro.message : undefined,
    capacity: live.capacity,
    status: live.status,
    ready,
    highAvailability:
      kindOf(target).hasHighAvailabilityStandby &&
      live.details['highAvailability'] !== undefined &&
      live.details['highAvailability'] !== 'Disabled',
  };
  await context.record(target, input.operationId, 'wait-arm', (document) => {
    document.arm = {
      requested: input.to,
      capacity: live.capacity,
      status: live.status,
      operation: lro.status,
      message: result.message,
      checkedAt: context.deps.clock().toISOString(),
    };
  });
  context
    .log(target, input.operationId)
    .log('debug', `ARM: ${live.capacity} of ${input.to}, state ${live.status}, operation ${lro.status}`);
  return result;
}

export async function finish(context: StepContext, input: FinishInput): Promise<FinishResult> {
  const target = context.target(input.target);
  const log = context.log(target, input.operationId);
  // The orchestration's time comes from the host that replayed it; a host whose clock runs ahead must not put the
  // completion (and so the cooldown) in the future, so it is bounded by this activity's clock.
  const at = new Date(Math.min(Date.parse(input.at), context.deps.clock().getTime()));
  const operation = await operationOf(context, input.target, input.operationId);
  const durationSeconds = Math.max(0, Math.round((at.getTime() - operation.startedAt.getTime()) / 1000));
  const message = `${input.message} (took ${formatDuration(durationSeconds)})${input.notes.length > 0 ? `; notes: ${input.notes.join('; ')}` : ''}`;
  let ended = operation;
  try {
    if (isInFlight(operation.status)) {
      ended = await context.deps.state.updateOperationStatus(input.target, input.operationId, {
        status: input.status,
        at,
        message,
      });
    }
  } catch (error) {
    // A retry of this step after the write went through: the operation already carries this outcome.
    if (!(error instanceof StateConflictError)) throw error;
    ended = (await context.deps.state.getOperation(input.target, input.operationId)) ?? operation;
  }
  if (ended.status !== input.status)
    log.log(
      'warn',
      `operation ${input.operationId} had already ended ${ended.status} before the follow-up recorded ${input.status}: ${message}`,
    );
  await context.record(target, input.operationId, 'completed', (document) => {
    document.outcome = {
      status: input.status,
      message: input.message,
      notes: input.notes,
      completedAt: at.toISOString(),
      durationSeconds,
    };
    if (input.alert)
      addAlert(document, { at: at.toISOString(), code: alertEvent(input.status), message: input.message });
  });
  if (input.alert)
    log.log('error', `follow-up ${input.status}: ${message}`, {
      alert: true,
      event: alertEvent(input.status),
      durationSeconds,
    });
  else log.log('info', `follow-up ${input.status}: ${message}`, { event: 'FollowUpCompleted', durationSeconds });
  for (const note of input.notes) log.log('warn', note, { event: 'FollowUpNote' });
  return { status: input.status, durationSeconds };
}

function alertEvent(status: FinishInput['status']): 'FollowUpFailed' | 'FollowUpTimedOut' {
  return status === 'timed-out' ? 'FollowUpTimedOut' : 'FollowUpFailed';
}

async function operationOf(context: StepContext, target: string, operationId: string): Promise<OperationRecord> {
  const operation = await context.deps.state.getOperation(target, operationId);
  if (!operation)
    throw new NotFoundError(
      `operation ${operationId} of target "${target}" is not in the state store; its follow-up cannot go on`,
    );
  return operation;
}

async function pollOperation(context: StepContext, operation: OperationRecord): Promise<ScaleProgress | undefined> {
  const resumeToken = operation.arm.resumeToken;
  if (!resumeToken) return undefined;
  return context.scaleTarget(operation.target).pollScale({ resumeToken, arm: operation.arm });
}

export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
