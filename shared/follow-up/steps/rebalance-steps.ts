/**
 * The Citus rebalance itself (issue steps 4-7): pre-flight and plan, executor settings up, citus_rebalance_start,
 * status polls with progress recorded as it happens, pause/resume requests, executor settings back.
 */
import type {
  CheckControlInput,
  CheckControlResult,
  PollRebalanceInput,
  PollRebalanceResult,
  PreflightInput,
  PreflightResult,
  RaiseExecutorsInput,
  RaiseExecutorsResult,
  RestoreExecutorsInput,
  RestoreExecutorsResult,
  StartRebalanceInput,
  StartRebalanceResult,
} from '../activity-contract.js';
import type { StepContext } from './dependencies.js';
import type { CitusClient } from '../../citus/citus-client.js';
import type { PreflightVerdict } from '../../citus/preflight.js';
import { effectiveParallelism, executorChanges } from '../../citus/parallelism.js';
import { EXECUTOR_SETTINGS, isTerminalJobState, type ExecutorSettingName } from '../../citus/names.js';
import { failureMessages, type RebalanceWarning } from '../../citus/progress.js';
import {
  describeStart,
  preflightRebalance,
  readRebalanceJob,
  startRebalanceJob,
} from '../../citus/rebalance-driver.js';
import { addAlert, pausedSince, resumeRequested } from '../progress.js';
import type { CitusTarget } from '../../kinds/registry.js';

const GIB = 1024 ** 3;

export async function preflight(context: StepContext, input: PreflightInput): Promise<PreflightResult> {
  const target = context.citusTarget(input.target);
  const facts = await context.deps.cluster.facts(target);
  const verdict = await withSql(context, target, async (sql) => {
    const capacity = facts.storageSizeGB === undefined ? undefined : facts.storageSizeGB * GIB;
    const { plan, verdict: result } = await preflightRebalance(sql, {
      strategy: input.strategy,
      transferMode: input.shardTransferMode,
      minFreeDiskPercent: input.minFreeDiskPercent,
      nodeCapacityBytes: capacity,
    });
    await context.record(target, input.operationId, 'preflight', (document) => {
      document.plan = {
        moves: plan.moves.length,
        bytes: plan.totalBytes,
        tables: plan.tables,
        bytesInByNode: plan.bytesInByNode,
        firstMoves: plan.moves.slice(0, 20),
        disk: result.kind === 'ready' ? result.disk : [],
        notes: result.kind === 'ready' ? result.notes : [],
        verdict: describeVerdict(result),
      };
      if (result.kind === 'blocked')
        for (const problem of result.problems)
          addAlert(document, { at: context.deps.clock().toISOString(), code: 'RebalanceBlocked', message: problem });
    });
    return { result, moves: plan.moves.length, bytes: plan.totalBytes };
  });
  const { result } = verdict;
  context
    .log(target, input.operationId)
    .log(result.kind === 'blocked' ? 'warn' : 'info', `pre-flight: ${describeVerdict(result)}`, {
      moves: verdict.moves,
      bytes: verdict.bytes,
    });
  switch (result.kind) {
    case 'adopt':
      return { kind: 'adopt', jobId: result.jobId, state: result.state, bytes: verdict.bytes };
    case 'nothing-to-move':
      return { kind: 'nothing-to-move', message: result.message };
    case 'blocked':
      return { kind: 'blocked', problems: result.problems };
    case 'ready':
      return { kind: 'ready', moves: verdict.moves, bytes: verdict.bytes };
  }
}

export async function raiseExecutors(context: StepContext, input: RaiseExecutorsInput): Promise<RaiseExecutorsResult> {
  const target = context.citusTarget(input.target);
  const settings = context.deps.cluster.executorSettings(target);
  const document = await context.progress.read(target.name, input.operationId);
  // A retry of this step, or a resume, must not take the raised values for the originals.
  const kept =
    document?.executors && document.executors.restoredAt === undefined ? document.executors.before : undefined;
  const before = kept ?? (await settings.snapshot());
  const changes = executorChanges(before, input.parallelism);
  await context.record(target, input.operationId, 'raise-executors', (next) => {
    next.executors = {
      via: settings.via,
      parallelism: input.parallelism,
      before,
      changed: changes.map((change) => change.name),
    };
  });
  await settings.apply(changes);
  const seen = await waitForSettings(
    context,
    target,
    Object.fromEntries(changes.map((change) => [change.name, change.to])),
  );
  const effective = effectiveParallelism({
    ...Object.fromEntries(EXECUTOR_SETTINGS.map((name) => [name, before[name].value])),
    ...seen,
  } as Record<ExecutorSettingName, string>);
  const message =
    effective >= input.parallelism
      ? `executor settings allow ${effective} parallel move(s)${changes.length > 0 ? ` (raised ${changes.map((change) => `${change.name} ${change.from} -> ${change.to}`).join(', ')})` : ''}`
      : `the coordinator still allows only ${effective} parallel move(s) after raising the settings through ${settings.via}; the rebalance may run slower than rebalance.parallelism ${input.parallelism}`;
  await context.record(target, input.operationId, 'raise-executors', (next) => {
    if (next.executors) next.executors.effectiveParallelism = effective;
  });
  context.log(target, input.operationId).log(effective >= input.parallelism ? 'info' : 'warn', message);
  return { changed: changes.map((change) => change.name), effectiveParallelism: effective, message };
}

export async function startRebalance(context: StepContext, input: StartRebalanceInput): Promise<StartRebalanceResult> {
  const target = context.citusTarget(input.target);
  const log = context.log(target, input.operationId);
  return withSql(context, target, async (sql) => {
    const started = await startRebalanceJob(sql, {
      strategy: input.strategy,
      transferMode: input.shardTransferMode,
      parallelism: input.parallelism,
    });
    if (started.kind === 'nothing-to-move') {
      log.log('info', `nothing to rebalance: ${started.notice}`);
      return { kind: 'nothing-to-move', message: started.notice };
    }
    const taskBytes = await sql.moveBytesByTask(started.jobId);
    const message = describeStart(started);
    await context.record(target, input.operationId, 'monitor', (document) => {
      delete document.rebalance;
      document.rebalanceStart = {
        jobId: started.jobId,
        attempt: input.attempt,
        kind: started.kind,
        message,
        at: context.deps.clock().toISOString(),
        taskBytes,
      };
    });
    log.log(
      'info',
      `rebalance ${started.kind === 'started' ? 'started' : 'adopted'} (attempt ${input.attempt}): ${message}`,
      { jobId: started.jobId, event: 'RebalanceStarted' },
    );
    return { kind: started.kind, jobId: started.jobId, message };
  });
}

export async function pollRebalance(context: StepContext, input: PollRebalanceInput): Promise<PollRebalanceResult> {
  const target = context.citusTarget(input.target);
  const log = context.log(target, input.operationId);
  const now = new Date(input.now);
  const document = await context.progress.read(target.name, input.operationId);
  const start = document?.rebalanceStart?.jobId === input.jobId ? document.rebalanceStart : undefined;
  const { status, progress, scheduledSince } = await withSql(context, target, (sql) =>
    readRebalanceJob(sql, input.jobId, {
      now,
      taskBytes: start?.taskBytes,
      scheduledSince: input.scheduledSince ?? input.now,
      stuckScheduledMinutes: input.stuckScheduledMinutes,
    }),
  );
  const terminal = isTerminalJobState(status.state);
  const fresh = progress.warnings.filter((warning) => !input.reported.includes(warningKey(input.jobId, warning)));
  // An operator's pause stops the job (citus_rebalance_stop): cancelled then is a pause, not a failure.
  const pauseRequested =
    terminal &&
    status.state !== 'finished' &&
    pausedSince(await context.progress.readControl(target.name, input.operationId), start?.at);
  const messages =
    terminal && status.state !== 'finished'
      ? failureMessages(progress)
      : progress.retrying.map((task) => `task ${task.taskId} retried ${task.retried}x: ${task.message}`);
  await context.record(target, input.operationId, pauseRequested ? 'paused' : 'monitor', (document) => {
    document.rebalance = { ...progress, attempt: input.attempt, checkedAt: input.now };
    for (const warning of fresh) addAlert(document, { at: input.now, code: warning.code, message: warning.message });
    if (terminal) {
      document.attempts = [
        ...(document.attempts ?? []).filter((entry) => entry.jobId !== input.jobId),
        {
          attempt: input.attempt,
          jobId: input.jobId,
          state: status.state,
          movesDone: progress.moves.done,
          movesTotal: progress.moves.total,
          messages: status.state === 'finished' ? [] : messages,
        },
      ];
    }
  });
  for (const warning of fresh)
    log.log(warning.code === 'TaskRetrying' ? 'warn' : 'error', warning.message, {
      jobId: input.jobId,
      event: `Rebalance${warning.code}`,
      alert: warning.code !== 'TaskRetrying',
    });
  log.log(
    'debug',
    `rebalance job ${input.jobId} ${status.state}: ${progress.moves.done}/${progress.moves.total} moves, ${progress.percent} %`,
  );
  return {
    state: status.state,
    terminal,
    pauseRequested,
    scheduledSince,
    movesDone: progress.moves.done,
    movesTotal: progress.moves.total,
    bytesMoved: progress.bytes.moved,
    bytesTotal: progress.bytes.total,
    messages,
    reported: [...input.reported, ...fresh.map((warning) => warningKey(input.jobId, warning))],
  };
}

export async function checkControl(context: StepContext, input: CheckControlInput): Promise<CheckControlResult> {
  const target = context.citusTarget(input.target);
  const control = await context.progress.readControl(target.name, input.operationId);
  const resume = resumeRequested(control);
  await context.record(target, input.operationId, resume ? 'start' : 'paused');
  return { resumeRequested: resume };
}

export async function restoreExecutors(
  context: StepContext,
  input: RestoreExecutorsInput,
): Promise<RestoreExecutorsResult> {
  const target = context.citusTarget(input.target);
  const document = await context.progress.read(target.name, input.operationId);
  const executors = document?.executors;
  if (!executors || executors.restoredAt !== undefined || executors.changed.length === 0) return { restored: [] };
  const names = executors.changed.filter((name): name is ExecutorSettingName =>
    (EXECUTOR_SETTINGS as readonly string[]).includes(name),
  );
  await context.deps.cluster.executorSettings(target).restore(executors.before, names);
  await context.record(target, input.operationId, 'restore', (next) => {
    if (next.executors) next.executors.restoredAt = context.deps.clock().toISOString();
  });
  context
    .log(target, input.operationId)
    .log('info', `restored ${names.map((name) => `${name} to ${executors.before[name].value}`).join(', ')}`);
  return { restored: names };
}

/** Reads the settings over SQL until the coordinator sees the values ARM applied, or the wait runs out. */
async function waitForSettings(
  context: StepContext,
  target: CitusTarget,
  expected: Record<string, string>,
): Promise<Record<string, string>> {
  if (Object.keys(expected).length === 0) return {};
  const deadline = Date.now() + (context.deps.settingsVisibleWithinMs ?? 30_000);
  return withSql(context, target, async (sql) => {
    for (;;) {
      const readings = await sql.readSettings(Object.keys(expected) as ExecutorSettingName[]);
      const seen = Object.fromEntries(Object.entries(readings).map(([name, reading]) => [name, reading.value ?? '']));
      if (Object.entries(expected).every(([name, value]) => seen[name] === value) || Date.now() >= deadline)
        return seen;
      await context.sleep(1_000);
    }
  });
}

async function withSql<T>(
  context: StepContext,
  target: CitusTarget,
  work: (sql: CitusClient) => Promise<T>,
): Promise<T> {
  const sql = await context.deps.cluster.sql(target);
  try {
    return await work(sql);
  } finally {
    await sql.close();
  }
}

function warningKey(jobId: number, warning: RebalanceWarning): string {
  return [warning.code, jobId, warning.taskId ?? '', warning.retried ?? ''].join(':');
}

function describeVerdict(result: PreflightVerdict): string {
  switch (result.kind) {
    case 'adopt':
      return `rebalance job ${result.jobId} is already ${result.state}; adopting it`;
    case 'nothing-to-move':
      return result.message;
    case 'blocked':
      return `blocked: ${result.problems.join('; ')}`;
    case 'ready':
      return `ready${result.notes.length > 0 ? ` (${result.notes.join('; ')})` : ''}`;
  }
}
