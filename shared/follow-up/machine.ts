/**
 * The follow-up as a pure state machine (docs/architecture.md "The follow-up"). The orchestrator only
 * interprets it: ask `nextCommand`, run the activity or the timer it names, feed the result back. Time is always
 * an argument (the orchestrator passes `context.df.currentUtcDateTime`), so every replay takes the same path.
 *
 * Elastic cluster, scale-out: wait for ARM (durable timers, bounded) -> verify the nodes in pg_dist_node ->
 * reconcile the connection limits -> pre-flight and plan -> raise the executor settings -> citus_rebalance_start
 * -> poll to a terminal state (retry failed jobs up to maxAttempts; a paused job waits for resume) -> restore the
 * executor settings, whatever happened -> record the outcome (the cooldown starts there).
 * ADX, or a rebalance turned off: wait for ARM -> record the outcome.
 *
 * Every phase is bounded: waiting for ARM and the nodes by the ready timeouts, the rebalance (pauses included) by
 * its own deadline; past one, the follow-up ends `timed-out`. An outcome that cannot be recorded fails the
 * orchestration, so the scaler's next evaluation reconciles the operation from the orchestration's status.
 */
import type { FollowUpInput } from './input.js';
import type {
  CheckArmResult,
  CheckControlResult,
  InspectNodesResult,
  PollRebalanceResult,
  PreflightResult,
  RaiseExecutorsResult,
  StartRebalanceResult,
} from './activity-contract.js';
import { formatBytes } from '../citus/preflight.js';
import { rebalanceTimeoutMinutes } from './deadline.js';
import {
  MAX_FINISH_FAILURES,
  MAX_POLL_BACKOFF_SECONDS,
  MAX_POLL_FAILURES,
  MAX_WAITS_PER_EXECUTION,
  type ActivityCall,
  type Command,
  type FollowUpResult,
  type FollowUpState,
  type Outcome,
  type Phase,
} from './machine-state.js';
import { kindDefinition } from '../kinds/registry.js';

export function startFollowUp(input: FollowUpInput, now: Date): FollowUpState {
  return {
    input,
    phase: 'wait-arm',
    startedAt: now.toISOString(),
    deadline: minutesAfter(now, input.readyTimeoutMinutes),
    attempts: 0,
    resumes: 0,
    executorsRaised: false,
    startParallelism: input.rebalance?.parallelism ?? 1,
    failures: 0,
    reported: [],
    notes: [],
    waits: 0,
  };
}

export function nextCommand(state: FollowUpState, now: Date): Command {
  if (state.phase === 'done') return state.unrecorded === undefined ? complete(state) : failUnrecorded(state);
  if (state.waitUntil !== undefined && Date.parse(state.waitUntil) > now.getTime()) {
    if (state.waits >= MAX_WAITS_PER_EXECUTION) return { kind: 'continue-as-new', state: { ...state, waits: 0 } };
    return { kind: 'timer', fireAt: state.waitUntil };
  }
  return activityFor(state, now);
}

export function afterTimer(state: FollowUpState): FollowUpState {
  return { ...state, waitUntil: undefined, waits: state.waits + 1 };
}

/** The activity of `call` returned `result`. */
export function afterActivity(state: FollowUpState, call: ActivityCall, result: unknown, now: Date): FollowUpState {
  return enforceRebalanceDeadline(applyResult({ ...state, failures: 0 }, call, result, now), now);
}

/** The activity of `call` failed after its retries; `message` says why. */
export function afterActivityFailure(
  state: FollowUpState,
  call: ActivityCall,
  message: string,
  now: Date,
): FollowUpState {
  return enforceRebalanceDeadline(applyFailure(state, call, message, now), now);
}

function applyResult(next: FollowUpState, call: ActivityCall, result: unknown, now: Date): FollowUpState {
  switch (call.name) {
    case 'checkArm':
      return afterCheckArm(next, result as CheckArmResult, now);
    case 'inspectNodes':
      return afterInspectNodes(next, result as InspectNodesResult, now);
    case 'reconcileConnections':
      return afterConnections(next);
    case 'preflight':
      return afterPreflight(next, result as PreflightResult, now);
    case 'raiseExecutors':
      return afterRaise(next, result as RaiseExecutorsResult);
    case 'startRebalance':
      return afterStart(next, result as StartRebalanceResult);
    case 'pollRebalance':
      return afterPoll(next, result as PollRebalanceResult, now);
    case 'checkControl':
      return (result as CheckControlResult).resumeRequested ? resume(next) : waitFor(next, now);
    case 'restoreExecutors':
      return leaveRestore({ ...next, executorsRaised: false });
    case 'finish':
      return { ...next, phase: 'done' };
  }
}

function applyFailure(state: FollowUpState, call: ActivityCall, message: string, now: Date): FollowUpState {
  const failures = state.failures + 1;
  const next = { ...state, failures };
  switch (call.name) {
    case 'checkArm':
    case 'inspectNodes':
      // Reads that may work again (ARM throttled, the coordinator restarting after the resize): wait, bounded.
      return pastDeadline(next, now)
        ? finishWith(next, timedOut(`${timeoutMessage(next)}; last error: ${message}`))
        : waitFor({ ...next, lastWait: message }, now);
    case 'reconcileConnections':
      return afterConnections({
        ...next,
        failures: 0,
        notes: [...state.notes, `the connection limits could not be reconciled: ${message}`],
      });
    case 'preflight':
      return finishWith(next, failed(`the pre-flight checks before the rebalance failed: ${message}`));
    case 'raiseExecutors':
      return enter(
        {
          ...next,
          failures: 0,
          executorsRaised: true,
          startParallelism: 1,
          notes: [
            ...state.notes,
            `the executor settings could not be raised (${message}); moving one shard group at a time`,
          ],
        },
        'start',
      );
    case 'startRebalance':
      return finishWith(next, failed(`citus_rebalance_start failed: ${message}`));
    case 'pollRebalance':
      return afterPollFailure(next, message, now);
    case 'checkControl':
      return waitFor(next, now);
    case 'restoreExecutors':
      return leaveRestore({
        ...next,
        failures: 0,
        executorsRaised: false,
        notes: [
          ...state.notes,
          `the executor settings could not be restored (${message}); set citus.max_background_task_executors and citus.max_background_task_executors_per_node back by hand (see the follow-up's executors record)`,
        ],
      });
    case 'finish':
      if (failures < MAX_FINISH_FAILURES) return waitFor(next, now);
      return { ...next, phase: 'done', unrecorded: message };
  }
}

function activityFor(state: FollowUpState, now: Date): ActivityCall {
  const { input } = state;
  const address = { target: input.target, operationId: input.operationId };
  const rebalance = input.rebalance;
  switch (state.phase) {
    case 'wait-arm':
      return { kind: 'activity', name: 'checkArm', input: { ...address, to: input.to } };
    case 'verify-nodes':
      return { kind: 'activity', name: 'inspectNodes', input: { ...address, from: input.from, to: input.to } };
    case 'connections':
      return {
        kind: 'activity',
        name: 'reconcileConnections',
        input: { ...address, nodeCount: input.to, policy: input.connections ?? { policy: 'service-default' } },
      };
    case 'preflight':
      return {
        kind: 'activity',
        name: 'preflight',
        input: {
          ...address,
          strategy: required(rebalance).strategy,
          shardTransferMode: required(rebalance).shardTransferMode,
          minFreeDiskPercent: required(rebalance).minFreeDiskPercent,
        },
      };
    case 'raise-executors':
      return { kind: 'activity', name: 'raiseExecutors', input: { ...address, parallelism: state.startParallelism } };
    case 'start':
      return {
        kind: 'activity',
        name: 'startRebalance',
        input: {
          ...address,
          strategy: required(rebalance).strategy,
          shardTransferMode: required(rebalance).shardTransferMode,
          parallelism: state.startParallelism,
          attempt: state.attempts + 1,
        },
      };
    case 'monitor':
      return {
        kind: 'activity',
        name: 'pollRebalance',
        input: {
          ...address,
          jobId: requiredJob(state),
          attempt: state.attempts,
          now: now.toISOString(),
          scheduledSince: state.scheduledSince,
          stuckScheduledMinutes: required(rebalance).stuckScheduledMinutes,
          reported: state.reported,
        },
      };
    case 'paused':
      return { kind: 'activity', name: 'checkControl', input: address };
    case 'restore':
      return { kind: 'activity', name: 'restoreExecutors', input: address };
    case 'finish': {
      const outcome = state.outcome ?? { status: 'succeeded', message: 'finished', alert: false };
      return {
        kind: 'activity',
        name: 'finish',
        input: {
          ...address,
          status: outcome.status,
          message: outcome.message,
          alert: outcome.alert,
          notes: state.notes,
          at: now.toISOString(),
        },
      };
    }
    case 'done':
      throw new Error('follow-up: no activity after done');
  }
}

function afterCheckArm(state: FollowUpState, result: CheckArmResult, now: Date): FollowUpState {
  const { input } = state;
  // High availability adds a standby per new node: the longer timeout applies once ARM says the cluster has it.
  const deadline = result.highAvailability
    ? minutesAfter(new Date(state.startedAt), input.haReadyTimeoutMinutes)
    : state.deadline;
  const next = { ...state, deadline };
  if (result.lro === 'failed' || result.lro === 'cancelled') {
    return finishWith(
      next,
      failed(
        `ARM reports the update to ${input.to} ${unit(input)} ${result.lro}: ${result.message ?? 'no reason given'}`,
      ),
    );
  }
  if (!result.ready) {
    const lastWait = `ARM shows ${result.capacity} ${unit(input)}, state ${result.status}, operation ${result.lro}`;
    return pastDeadline(next, now)
      ? finishWith(next, timedOut(timeoutMessage({ ...next, lastWait })))
      : waitFor({ ...next, lastWait }, now);
  }
  const armSummary = `ARM finished the update to ${result.capacity} ${unit(input)}`;
  if (kindDefinition(input.kind).followUpPlan === 'arm-only' || input.direction === 'in')
    return finishWith({ ...next, armSummary }, succeeded(armSummary));
  if (!input.rebalance) return enter({ ...next, armSummary, deadline: undefined }, 'connections');
  return enter({ ...next, armSummary, deadline: minutesAfter(now, input.readyTimeoutMinutes) }, 'verify-nodes');
}

function afterConnections(state: FollowUpState): FollowUpState {
  if (state.input.rebalance) return enter(state, 'preflight');
  return finishWith(
    state,
    succeeded(
      `${armSummaryOf(state)}; no rebalance (rebalance.enabled is false): existing shards stay where they are until you rebalance`,
    ),
  );
}

function afterInspectNodes(state: FollowUpState, result: InspectNodesResult, now: Date): FollowUpState {
  if (result.kind === 'ready') return enter({ ...state, deadline: undefined }, 'connections');
  if (result.kind === 'failed') return finishWith(state, failed(result.message));
  const next = { ...state, lastWait: result.message };
  return pastDeadline(next, now) ? finishWith(next, timedOut(timeoutMessage(next))) : waitFor(next, now);
}

function afterPreflight(state: FollowUpState, result: PreflightResult, now: Date): FollowUpState {
  switch (result.kind) {
    case 'adopt':
      return enter(
        {
          ...withRebalanceDeadline(state, result.bytes, now),
          jobId: result.jobId,
          attempts: 1,
          notes: [
            ...state.notes,
            `adopted rebalance job ${result.jobId}, already ${result.state} when the follow-up got there`,
          ],
        },
        'monitor',
      );
    case 'nothing-to-move':
      return finishWith(state, succeeded(`${armSummaryOf(state)}; nothing to rebalance: ${result.message}`));
    case 'blocked':
      return finishWith(state, failed(`the rebalance was not started: ${result.problems.join('; ')}`));
    case 'ready':
      return enter(
        withRebalanceDeadline(state, result.bytes, now),
        state.startParallelism > 1 ? 'raise-executors' : 'start',
      );
  }
}

function withRebalanceDeadline(state: FollowUpState, bytesToMove: number, now: Date): FollowUpState {
  return {
    ...state,
    rebalanceDeadline: minutesAfter(now, rebalanceTimeoutMinutes(required(state.input.rebalance), bytesToMove)),
  };
}

const REBALANCE_PHASES: ReadonlySet<Phase> = new Set(['raise-executors', 'start', 'monitor', 'paused']);

/** Past the rebalance's deadline, in any of its phases: end timed-out (through the restore of the executor settings). */
function enforceRebalanceDeadline(state: FollowUpState, now: Date): FollowUpState {
  if (
    state.rebalanceDeadline === undefined ||
    !REBALANCE_PHASES.has(state.phase) ||
    now.getTime() < Date.parse(state.rebalanceDeadline)
  )
    return state;
  return finishWith(state, timedOut(rebalanceTimeoutMessage(state)));
}

function rebalanceTimeoutMessage(state: FollowUpState): string {
  const settings = required(state.input.rebalance);
  const minutes = Math.round(
    (Date.parse(state.rebalanceDeadline ?? state.startedAt) - Date.parse(state.startedAt)) / 60_000,
  );
  const limit =
    settings.timeoutMinutes === undefined
      ? 'the limit derived from the plan; set rebalance.timeoutMinutes to change it'
      : 'rebalance.timeoutMinutes';
  const job = state.jobId === undefined ? 'no rebalance job was running' : jobLeftBehind(state);
  const outage = state.pollOutage
    ? `; its status could not be read since ${state.pollOutage.since} (${state.pollOutage.lastError})`
    : '';
  return `timed out: the rebalance did not end within its deadline (${minutes} min after the follow-up began, ${limit}); ${job}${outage}`;
}

function jobLeftBehind(state: FollowUpState): string {
  if (state.phase === 'paused')
    return `it was paused (job ${state.jobId} stopped); start the remaining moves by hand with citus_rebalance_start() when it suits you`;
  const progress = state.rebalance
    ? `, ${state.rebalance.state} at ${state.rebalance.movesDone} of ${state.rebalance.movesTotal} move(s)`
    : '';
  return `rebalance job ${state.jobId}${progress}${progress ? ',' : ''} is left as it is: let it finish, or stop it with SELECT citus_rebalance_stop()`;
}

function afterRaise(state: FollowUpState, result: RaiseExecutorsResult): FollowUpState {
  const raised = state.executorsRaised || result.changed.length > 0;
  const notes = result.effectiveParallelism < state.startParallelism ? [...state.notes, result.message] : state.notes;
  return enter({ ...state, executorsRaised: raised, notes }, 'start');
}

function afterStart(state: FollowUpState, result: StartRebalanceResult): FollowUpState {
  if (result.kind === 'nothing-to-move') {
    return finishWith(state, succeeded(`${armSummaryOf(state)}; nothing left to rebalance: ${result.message}`));
  }
  // A start after a pause resumes the same attempt; any other start is a new attempt.
  const attempts = state.resuming ? state.attempts : state.attempts + 1;
  return enter(
    { ...state, jobId: result.jobId, attempts, resuming: false, scheduledSince: undefined, rebalance: undefined },
    'monitor',
  );
}

/**
 * A status read failed after its activity retries: the coordinator restarting, a worker unreachable (08006) or a
 * stale connection. The job runs on in Citus, so keep watching, backing off, until the rebalance's deadline ends
 * the watch as timed-out with the last error.
 */
function afterPollFailure(state: FollowUpState, message: string, now: Date): FollowUpState {
  const pollOutage = { since: state.pollOutage?.since ?? now.toISOString(), lastError: message };
  const next = { ...state, pollOutage };
  if (state.rebalanceDeadline === undefined && state.failures >= MAX_POLL_FAILURES) {
    return finishWith(
      next,
      failed(
        `lost track of rebalance job ${state.jobId} after ${state.failures} failed status reads (the job may still run in Citus): ${message}`,
      ),
    );
  }
  const backoffSeconds = Math.min(
    MAX_POLL_BACKOFF_SECONDS,
    state.input.pollIntervalSeconds * 2 ** (state.failures - 1),
  );
  return { ...next, waitUntil: new Date(now.getTime() + backoffSeconds * 1000).toISOString() };
}

/** The first status read that works again after an outage: one note for the whole outage. */
function endPollOutage(state: FollowUpState, now: Date): FollowUpState {
  if (state.pollOutage === undefined) return state;
  const minutes = Math.max(1, Math.round((now.getTime() - Date.parse(state.pollOutage.since)) / 60_000));
  const note = `the status reads of rebalance job ${state.jobId} failed for about ${minutes} min (${state.pollOutage.lastError}); the job ran on and the follow-up kept watching`;
  return { ...state, pollOutage: undefined, notes: [...state.notes, note] };
}

function afterPoll(polled: FollowUpState, result: PollRebalanceResult, now: Date): FollowUpState {
  const state = endPollOutage(polled, now);
  const jobId = requiredJob(state);
  const rebalance = {
    jobId,
    state: result.state,
    movesDone: result.movesDone,
    movesTotal: result.movesTotal,
    bytesMoved: result.bytesMoved,
    bytesTotal: result.bytesTotal,
    messages: result.messages,
  };
  const next = { ...state, rebalance, scheduledSince: result.scheduledSince, reported: result.reported };
  if (!result.terminal) return waitFor(next, now);
  if (result.state === 'finished') {
    const moved = `rebalanced: ${result.movesDone} move(s), ${formatBytes(result.bytesMoved)} (job ${jobId}${state.attempts > 1 ? `, attempt ${state.attempts}` : ''})`;
    return finishWith(next, succeeded(`${armSummaryOf(state)}; ${moved}`));
  }
  if (result.pauseRequested) return restoreThen(next, 'paused');
  const attempt = `rebalance job ${jobId} ${result.state} after ${result.movesDone} of ${result.movesTotal} move(s)`;
  const limit = state.input.rebalance?.maxAttempts ?? 1;
  if (state.attempts < limit) {
    // A new start plans only what is still unbalanced (docs/citus-rebalance.md); settings stay raised for it.
    return waitFor(
      enter(
        {
          ...next,
          notes: [...state.notes, `${attempt}: ${result.messages.join('; ') || 'no Citus message'}; starting again`],
        },
        'start',
      ),
      now,
    );
  }
  return finishWith(
    next,
    failed(
      `${attempt}, attempt ${state.attempts} of ${limit}; giving up. Citus says: ${result.messages.join('; ') || 'nothing'}`,
    ),
  );
}

function resume(state: FollowUpState): FollowUpState {
  return enter(
    {
      ...state,
      resumes: state.resumes + 1,
      resuming: true,
      notes: [...state.notes, `resumed after a pause (job ${state.jobId} was stopped)`],
    },
    state.startParallelism > 1 ? 'raise-executors' : 'start',
  );
}

/** Ends with `outcome`: through the restore of the executor settings when they were raised. */
function finishWith(state: FollowUpState, outcome: Outcome): FollowUpState {
  return restoreThen({ ...state, outcome }, 'finish');
}

function restoreThen(state: FollowUpState, then: 'finish' | 'paused'): FollowUpState {
  if (state.executorsRaised) return enter({ ...state, afterRestore: then }, 'restore');
  return enter({ ...state, afterRestore: undefined }, then);
}

function leaveRestore(state: FollowUpState): FollowUpState {
  return enter({ ...state, afterRestore: undefined }, state.afterRestore ?? 'finish');
}

function enter(state: FollowUpState, phase: Phase): FollowUpState {
  return { ...state, phase, waitUntil: undefined, failures: phase === state.phase ? state.failures : 0 };
}

function waitFor(state: FollowUpState, now: Date): FollowUpState {
  return { ...state, waitUntil: new Date(now.getTime() + state.input.pollIntervalSeconds * 1000).toISOString() };
}

function pastDeadline(state: FollowUpState, now: Date): boolean {
  return state.deadline !== undefined && now.getTime() >= Date.parse(state.deadline);
}

function timeoutMessage(state: FollowUpState): string {
  const minutes = Math.round((Date.parse(state.deadline ?? state.startedAt) - Date.parse(state.startedAt)) / 60_000);
  const what =
    state.phase === 'verify-nodes'
      ? 'the new nodes to become active in pg_dist_node'
      : `ARM to finish the update to ${state.input.to} ${unit(state.input)}`;
  return `timed out after waiting ${minutes} min for ${what}${state.lastWait ? ` (${state.lastWait})` : ''}`;
}

function complete(state: FollowUpState): Command {
  return { kind: 'complete', result: resultOf(state) };
}

function failUnrecorded(state: FollowUpState): Command {
  const result = resultOf(state);
  const message = `the follow-up of operation ${state.input.operationId} ended ${result.status} but could not record it after ${MAX_FINISH_FAILURES} tries (${state.unrecorded ?? 'no reason given'}); the operation stays running until the scaler's next evaluation records this outcome from the orchestration's status`;
  return { kind: 'fail', message, result };
}

function resultOf(state: FollowUpState): FollowUpResult {
  const outcome = state.outcome ?? failed('the follow-up ended without an outcome');
  return {
    target: state.input.target,
    operationId: state.input.operationId,
    status: outcome.status,
    message: outcome.message,
    jobId: state.jobId,
    attempts: state.attempts,
  };
}

function minutesAfter(time: Date, minutes: number): string {
  return new Date(time.getTime() + minutes * 60_000).toISOString();
}

function armSummaryOf(state: FollowUpState): string {
  return state.armSummary ?? `ARM finished the update to ${state.input.to} ${unit(state.input)}`;
}

function succeeded(message: string): Outcome {
  return { status: 'succeeded', message, alert: false };
}

function failed(message: string): Outcome {
  return { status: 'failed', message, alert: true };
}

function timedOut(message: string): Outcome {
  return { status: 'timed-out', message, alert: true };
}

function unit(input: FollowUpInput): string {
  return `${kindDefinition(input.kind).words.unitSingular}(s)`;
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('follow-up: the rebalance settings are missing for a rebalance step');
  return value;
}

function requiredJob(state: FollowUpState): number {
  if (state.jobId === undefined) throw new Error('follow-up: no rebalance job to poll');
  return state.jobId;
}
