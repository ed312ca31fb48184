/**
 * The follow-up orchestrator: an interpreter of the pure state machine in shared/follow-up/machine.ts. It does
 * no I/O itself (activities do) and reads time only from `context.df.currentUtcDateTime`, so every replay of its
 * history schedules exactly the same activities and timers again.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, RetryOptions as RetryOptionsType } from 'durable-functions';
import {
  afterActivity,
  afterActivityFailure,
  afterTimer,
  nextCommand,
  startFollowUp,
} from '../../shared/follow-up/machine.js';
import type { FollowUpState } from '../../shared/follow-up/machine-state.js';
import type { FollowUpCustomStatus } from '../../shared/follow-up/reconcile.js';
import { FOLLOW_UP_INPUT_VERSION, type FollowUpInput } from '../../shared/follow-up/input.js';
import { activityFunctionName } from './names.js';

/** Transient failures (ARM throttling, a coordinator restarting) get 4 tries over about half a minute. */
export function activityRetryOptions(): RetryOptionsType {
  const options = new df.RetryOptions(5_000, 4);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 60_000;
  return options;
}

/** What `continueAsNew` carries: the state, instead of a fresh input. */
export interface ResumedInput {
  resume: FollowUpState;
}

export const followUpOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  let state = initialState(context);
  const retry = activityRetryOptions();
  for (;;) {
    const command = nextCommand(state, context.df.currentUtcDateTime);
    if (command.kind === 'complete') return command.result;
    if (command.kind === 'fail') {
      // Loudly: a Failed instance, whose custom status still carries the outcome for the scaler to record.
      context.df.setCustomStatus({ ...progressStatus(state), unrecordedOutcome: command.result });
      throw new Error(command.message);
    }
    if (command.kind === 'continue-as-new') {
      context.df.continueAsNew({ resume: command.state } satisfies ResumedInput);
      return undefined;
    }
    const phase = state.phase;
    if (command.kind === 'timer') {
      yield context.df.createTimer(new Date(command.fireAt));
      state = afterTimer(state);
      continue;
    }
    try {
      const result: unknown = yield context.df.callActivityWithRetry(
        activityFunctionName(command.name),
        retry,
        command.input,
      );
      state = afterActivity(state, command, result, context.df.currentUtcDateTime);
    } catch (error) {
      state = afterActivityFailure(state, command, failureMessage(error), context.df.currentUtcDateTime);
    }
    context.df.setCustomStatus(progressStatus(state));
    if (!context.df.isReplaying && state.phase !== phase) {
      context.info(
        `follow-up of ${state.input.target} (operation ${state.input.operationId}): ${phase} -> ${state.phase}`,
      );
    }
  }
};

/** What the durable client shows of a running follow-up (its custom status). */
function progressStatus(state: FollowUpState): FollowUpCustomStatus {
  return { phase: state.phase, jobId: state.jobId, attempts: state.attempts, rebalance: state.rebalance };
}

function initialState(context: OrchestrationContext): FollowUpState {
  const input: unknown = context.df.getInput();
  if (isResumed(input)) return input.resume;
  if (!isFollowUpInput(input)) {
    throw new Error(
      `follow-up orchestration ${context.df.instanceId}: its input is not a follow-up input of version ${FOLLOW_UP_INPUT_VERSION}; start it through the scaler's launcher`,
    );
  }
  return startFollowUp(input, context.df.currentUtcDateTime);
}

function isResumed(value: unknown): value is ResumedInput {
  return typeof value === 'object' && value !== null && 'resume' in value;
}

function isFollowUpInput(value: unknown): value is FollowUpInput {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { schemaVersion?: unknown }).schemaVersion === FOLLOW_UP_INPUT_VERSION
  );
}

/**
 * The activity's own message. The extension reports a failed activity as "<reason> \n <details>" (or a
 * TaskFailedError "<type>: <message>"); keep the first line without the "Activity function 'x' failed:" prefix.
 */
export function failureMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split(/ \n |\n/)[0] ?? text;
  return (
    firstLine
      .replace(/^Activity function '[^']*' failed:\s*/, '')
      .replace(/^(Error|[A-Z]\w*Error):\s*/, '')
      .trim() || 'the activity failed without a message'
  );
}
