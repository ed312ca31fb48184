/**
 * The rebalance steps (4-7 of the follow-up) run from a terminal against any Citus coordinator: pre-flight and
 * plan, executor settings up (ALTER SYSTEM on a self-managed cluster, the server parameters API on Azure),
 * citus_rebalance_start (or adopt the job already running), watch it to the end, settings back. Used by
 * `scaler rebalance`; the same rebalance driver as the durable follow-up (shared/citus/rebalance-driver.ts),
 * driven by a loop on an injected clock.
 *
 * Faults seen on real clusters are survived, not reported as failures: a lost connection while watching (a
 * coordinator restart, a worker unreachable from this session) is reopened with backoff and watching goes on.
 * The executor settings go back only once the job is terminal (or the operator stops watching), through a fresh
 * connection; otherwise the exact statements to run are printed. A note in the database (sql.RAISED_MARKER) lets a
 * later run find settings an interrupted run left raised, and restore them when no job needs them any more.
 */
import type { CitusClient, StartResult } from '../shared/citus/citus-client.js';
import { isConnectionFailure } from '../shared/citus/errors.js';
import type { ExecutorSettingsStore } from '../shared/citus/executor-settings.port.js';
import type { RebalancePlan } from '../shared/citus/plan.js';
import type { PreflightVerdict } from '../shared/citus/preflight.js';
import { executorChanges, type ExecutorSnapshot, type SettingChange } from '../shared/citus/parallelism.js';
import {
  condenseTaskMessage,
  failureMessages,
  groupWarnings,
  trackProgress,
  type RebalanceProgress,
  type RebalanceWarning,
  type TrackedProgress,
} from '../shared/citus/progress.js';
import {
  describeStart,
  preflightRebalance,
  readRebalanceJob,
  startRebalanceJob,
} from '../shared/citus/rebalance-driver.js';
import { EXECUTOR_SETTINGS, isTerminalJobState, type ShardTransferMode } from '../shared/citus/names.js';
import { describeError, InvalidInputError, ProviderError } from '../shared/vocabulary/errors.js';
import { CoordinatorSession, firstLine, type ReconnectPolicy } from './coordinator-session.js';

export interface LocalRebalanceOptions {
  /** A row of pg_dist_rebalance_strategy; the cluster's default strategy when absent. */
  strategy?: string | undefined;
  transferMode: ShardTransferMode;
  parallelism: number;
  minFreeDiskPercent: number;
  /** Storage of one node, for the disk headroom check (skipped when unknown). */
  nodeDiskBytes?: number | undefined;
  planOnly: boolean;
  watch: boolean;
  pollIntervalMs: number;
  stuckScheduledMinutes: number;
}

export interface LocalRebalanceDependencies {
  /** Opens a new connection to the coordinator (and refuses anything else); called again after a lost one. */
  connect: () => Promise<CitusClient>;
  /** Where the executor settings are changed; given the connection to use for ALTER SYSTEM. */
  settingsFor: (sql: CitusClient) => ExecutorSettingsStore;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  reconnect?: Partial<ReconnectPolicy> | undefined;
  onPlan?: (plan: RebalancePlan, verdict: PreflightVerdict) => void;
  onProgress?: (progress: TrackedProgress) => void;
  onWarning?: (warning: LocalRebalanceWarning) => void;
  onEvent?: (message: string) => void;
  /** Aborting stops watching (the job keeps running in Citus) and restores the settings. */
  signal?: AbortSignal | undefined;
}

/** Citus's own warnings about the job, and what happened to the watch itself. */
export type LocalRebalanceWarning =
  RebalanceWarning | { code: 'ConnectionLost' | 'SettingsLeftRaised' | 'SettingsNotNoted'; message: string };

/** Settings raised and not put back: what to run by hand, and why the scaler did not. */
export interface SettingsLeftRaised {
  reason: string;
  statements: string[];
}

export type LocalRebalanceResult =
  | { kind: 'plan'; plan: RebalancePlan; verdict: PreflightVerdict }
  | { kind: 'blocked'; problems: string[] }
  | { kind: 'nothing-to-move'; message: string }
  | { kind: 'started'; jobId: number; adopted: boolean }
  | {
      kind: 'ended';
      jobId: number;
      adopted: boolean;
      progress: RebalanceProgress;
      durationSeconds: number;
      messages: string[];
      restored: SettingChange[];
      leftRaised?: SettingsLeftRaised | undefined;
    }
  | {
      kind: 'interrupted';
      jobId: number;
      progress: RebalanceProgress | undefined;
      restored: SettingChange[];
      leftRaised?: SettingsLeftRaised | undefined;
    };

/** What a run raised (or an earlier run left raised): enough to put it back. */
interface RaisedSettings {
  before: ExecutorSnapshot;
  changes: SettingChange[];
  /** The same by hand (not part of the note in the database). */
  instructions: string[];
}

function raisedSettings(
  before: ExecutorSnapshot,
  changes: SettingChange[],
  store: ExecutorSettingsStore,
): RaisedSettings {
  return {
    before,
    changes,
    instructions: store.restoreInstructions(
      before,
      changes.map((change) => change.name),
    ),
  };
}

export async function runLocalRebalance(
  options: LocalRebalanceOptions,
  deps: LocalRebalanceDependencies,
): Promise<LocalRebalanceResult> {
  const session = sessionFor(deps);
  try {
    return await rebalance(options, deps, session);
  } finally {
    await session.close();
  }
}

/** A session that reports one warning per outage (again only when the reason changes), not one per attempt. */
function sessionFor(deps: LocalRebalanceDependencies): CoordinatorSession {
  let lastReason: string | undefined;
  return new CoordinatorSession({
    connect: deps.connect,
    clock: deps.clock,
    sleep: deps.sleep,
    reconnect: deps.reconnect,
    onConnectionLost: (lost) => {
      const reason = condenseTaskMessage(lost.reason);
      if (lost.attempt === 1 || reason !== lastReason)
        deps.onWarning?.({
          code: 'ConnectionLost',
          message: `lost the connection to the coordinator (${reason}); connecting again with backoff, first in ${formatSeconds(lost.retryInMs)}`,
        });
      lastReason = reason;
    },
    onReconnected: (attempts, afterMs) => {
      lastReason = undefined;
      deps.onEvent?.(
        `connected again after ${attempts} failed attempt(s) in ${formatSeconds(afterMs)}; still watching`,
      );
    },
  });
}

async function rebalance(
  options: LocalRebalanceOptions,
  deps: LocalRebalanceDependencies,
  session: CoordinatorSession,
): Promise<LocalRebalanceResult> {
  const sql = await session.client();
  const { plan, verdict } = await preflight(sql, options);
  deps.onPlan?.(plan, verdict);
  if (options.planOnly) return { kind: 'plan', plan, verdict };
  const leftRaised = await readLeftRaised(sql, deps);
  if (verdict.kind === 'adopt') {
    deps.onEvent?.(
      `rebalance job ${verdict.jobId} is already ${verdict.state}: following it instead of starting another`,
    );
    if (leftRaised)
      deps.onEvent?.(
        `${describeChanges(leftRaised.changes)} were left raised by an earlier run; they go back when job ${verdict.jobId} ends${options.watch ? '' : ' (run again with --watch to do that)'}`,
      );
    return options.watch
      ? watchAndRestore(verdict.jobId, true, leftRaised, options, deps, session)
      : { kind: 'started', jobId: verdict.jobId, adopted: true };
  }
  if (leftRaised) await restoreLeftRaised(leftRaised, deps, session);
  if (verdict.kind === 'blocked') return { kind: 'blocked', problems: verdict.problems };
  if (verdict.kind === 'nothing-to-move') return { kind: 'nothing-to-move', message: verdict.message };
  return startAndWatch(options, deps, session);
}

function preflight(
  sql: CitusClient,
  options: LocalRebalanceOptions,
): Promise<{ plan: RebalancePlan; verdict: PreflightVerdict }> {
  return preflightRebalance(sql, {
    strategy: options.strategy,
    transferMode: options.transferMode,
    minFreeDiskPercent: options.minFreeDiskPercent,
    nodeCapacityBytes: options.nodeDiskBytes,
  });
}

async function startAndWatch(
  options: LocalRebalanceOptions,
  deps: LocalRebalanceDependencies,
  session: CoordinatorSession,
): Promise<LocalRebalanceResult> {
  const raised = await raiseExecutors(options, deps, session);
  let started: StartResult;
  try {
    started = await startRebalanceJob(await session.client(), options);
  } catch (error) {
    if (raised && isConnectionFailure(error))
      explainLeftRaised(
        raised,
        deps,
        'the connection was lost while starting the rebalance, so a job may be running',
        'once no rebalance job runs (SELECT state FROM citus_rebalance_status())',
      );
    else if (raised) await restoreOrExplain(raised, deps, session, 'the rebalance did not start');
    throw error;
  }
  if (started.kind === 'nothing-to-move') {
    if (raised) await restoreOrExplain(raised, deps, session, 'nothing to move');
    return { kind: 'nothing-to-move', message: started.notice };
  }
  deps.onEvent?.(describeStart(started));
  if (!options.watch) return { kind: 'started', jobId: started.jobId, adopted: started.kind === 'adopted' };
  return watchAndRestore(started.jobId, started.kind === 'adopted', raised, options, deps, session);
}

async function raiseExecutors(
  options: LocalRebalanceOptions,
  deps: LocalRebalanceDependencies,
  session: CoordinatorSession,
): Promise<RaisedSettings | undefined> {
  if (options.parallelism <= 1) return undefined;
  const sql = await session.client();
  const settings = deps.settingsFor(sql);
  const before = await settings.snapshot();
  const changes = executorChanges(before, options.parallelism);
  if (changes.length === 0) return undefined;
  if (!options.watch) {
    throw new InvalidInputError(
      `--parallel ${options.parallelism}: the executor settings must be raised for it and put back when the job ends, which needs --watch; add --watch, or run without --parallel`,
    );
  }
  const raised = raisedSettings(before, changes, settings);
  await writeMarker(sql, raised, deps);
  await settings.apply(changes);
  for (const change of changes)
    deps.onEvent?.(`raised ${change.name} from ${change.from} to ${change.to} (${settings.via})`);
  await waitUntilVisible(changes, deps, session);
  return raised;
}

/** Watches the job to its end; settings go back only when it is terminal, or when the operator stops watching. */
async function watchAndRestore(
  jobId: number,
  adopted: boolean,
  raised: RaisedSettings | undefined,
  options: LocalRebalanceOptions,
  deps: LocalRebalanceDependencies,
  session: CoordinatorSession,
): Promise<LocalRebalanceResult> {
  let outcome: WatchOutcome;
  try {
    outcome = await watch(jobId, options, deps, session);
  } catch (error) {
    if (raised)
      explainLeftRaised(
        raised,
        deps,
        `watching job ${jobId} failed before it ended (${firstLine(describeError(error))}), and lowering them under a running job would slow it down`,
        `once job ${jobId} has ended`,
      );
    throw error;
  }
  const leftRaised = raised
    ? await restoreOrExplain(
        raised,
        deps,
        session,
        outcome.kind === 'interrupted' ? 'stopped watching' : `job ${jobId} ${outcome.progress.state}`,
      )
    : undefined;
  const restored = raised && !leftRaised ? raised.changes : [];
  if (outcome.kind === 'interrupted')
    return { kind: 'interrupted', jobId, progress: outcome.progress, restored, leftRaised };
  return {
    kind: 'ended',
    jobId,
    adopted,
    progress: outcome.progress,
    durationSeconds: outcome.durationSeconds,
    messages: outcome.messages,
    restored,
    leftRaised,
  };
}

type WatchOutcome =
  | { kind: 'ended'; progress: RebalanceProgress; durationSeconds: number; messages: string[] }
  | { kind: 'interrupted'; progress: RebalanceProgress | undefined };

async function watch(
  jobId: number,
  options: LocalRebalanceOptions,
  deps: LocalRebalanceDependencies,
  session: CoordinatorSession,
): Promise<WatchOutcome> {
  const taskBytes = await session.retrying((sql) => sql.moveBytesByTask(jobId));
  const reported = new Set<string>();
  const watchedSince = deps.clock();
  let scheduledSince: string | undefined;
  let tracked: TrackedProgress | undefined;
  for (;;) {
    if (deps.signal?.aborted) return { kind: 'interrupted', progress: tracked };
    // The time of the attempt that answered: reconnecting in between lets time pass.
    const { reading, now } = await session.retrying(async (sql) => {
      const at = deps.clock();
      return {
        reading: await readRebalanceJob(sql, jobId, {
          now: at,
          taskBytes,
          scheduledSince,
          stuckScheduledMinutes: options.stuckScheduledMinutes,
        }),
        now: at,
      };
    });
    const { status } = reading;
    scheduledSince = reading.scheduledSince;
    tracked = trackProgress(tracked, reading.progress, now);
    deps.onProgress?.(tracked);
    const fresh = tracked.warnings.filter((warning) => !reported.has(warningKey(warning)));
    for (const warning of fresh) reported.add(warningKey(warning));
    for (const warning of groupWarnings(fresh)) deps.onWarning?.(warning);
    if (isTerminalJobState(status.state)) {
      const started = status.startedAt ? new Date(status.startedAt) : watchedSince;
      const ended = status.finishedAt ? new Date(status.finishedAt) : now;
      const messages = status.state === 'finished' ? [] : failureMessages(tracked);
      return {
        kind: 'ended',
        progress: tracked,
        durationSeconds: Math.max(0, (ended.getTime() - started.getTime()) / 1000),
        messages,
      };
    }
    await abortableSleep(deps, options.pollIntervalMs);
  }
}

/** Restores on a fresh connection (the old one may be the casualty of a restart); on failure, says what to run. */
async function restoreOrExplain(
  raised: RaisedSettings,
  deps: LocalRebalanceDependencies,
  session: CoordinatorSession,
  why: string,
): Promise<SettingsLeftRaised | undefined> {
  const names = raised.changes.map((change) => change.name);
  try {
    await session.fresh(async (sql) => {
      await deps.settingsFor(sql).restore(raised.before, names);
      await clearMarker(sql, deps);
    });
  } catch (error) {
    return explainLeftRaised(raised, deps, `restoring them failed (${firstLine(describeError(error))})`, 'now');
  }
  for (const change of raised.changes) deps.onEvent?.(`restored ${change.name} to ${change.from} (${why})`);
  return undefined;
}

function explainLeftRaised(
  raised: RaisedSettings,
  deps: LocalRebalanceDependencies,
  reason: string,
  when: string,
): SettingsLeftRaised {
  const statements = raised.instructions;
  deps.onWarning?.({
    code: 'SettingsLeftRaised',
    message: `${describeChanges(raised.changes)} stay raised: ${reason}. To put them back ${when}, run:\n${statements.map((line) => `  ${line}`).join('\n')}\n(or run scaler rebalance again: it finds them and puts them back)`,
  });
  return { reason, statements };
}

async function restoreLeftRaised(
  raised: RaisedSettings,
  deps: LocalRebalanceDependencies,
  session: CoordinatorSession,
): Promise<void> {
  deps.onEvent?.(
    `${describeChanges(raised.changes)} were left raised by an earlier run and no rebalance needs them: putting them back`,
  );
  const left = await restoreOrExplain(raised, deps, session, 'left raised by an earlier run');
  if (left)
    throw new ProviderError(
      `restoring the executor settings an earlier run left raised failed: ${left.reason}; run the statements above, then run again`,
    );
}

/** Server parameters set through ARM reach the coordinator a little later; the job must start after they do. */
async function waitUntilVisible(
  changes: readonly SettingChange[],
  deps: LocalRebalanceDependencies,
  session: CoordinatorSession,
  withinMs = 60_000,
): Promise<void> {
  const deadline = deps.clock().getTime() + withinMs;
  for (;;) {
    const readings = await session.retrying((sql) => sql.readSettings(changes.map((change) => change.name)));
    const pending = changes.filter((change) => readings[change.name]?.value !== change.to);
    if (pending.length === 0) return;
    if (deps.clock().getTime() >= deadline) {
      deps.onEvent?.(
        `the coordinator still shows ${pending.map((change) => `${change.name} = ${readings[change.name]?.value ?? '?'}`).join(', ')}; starting anyway, the moves may run less parallel than asked`,
      );
      return;
    }
    await deps.sleep(1_000);
  }
}

async function readLeftRaised(sql: CitusClient, deps: LocalRebalanceDependencies): Promise<RaisedSettings | undefined> {
  let text: string | undefined;
  try {
    text = await sql.readRaisedMarker();
  } catch (error) {
    deps.onEvent?.(
      `could not check for executor settings an earlier run left raised (${firstLine(describeError(error))}); going on`,
    );
    return undefined;
  }
  const noted = text === undefined ? undefined : parseMarker(text);
  return noted && raisedSettings(noted.before, noted.changes, deps.settingsFor(sql));
}

async function writeMarker(sql: CitusClient, raised: RaisedSettings, deps: LocalRebalanceDependencies): Promise<void> {
  try {
    await sql.writeRaisedMarker(JSON.stringify({ before: raised.before, changes: raised.changes }));
  } catch (error) {
    deps.onWarning?.({
      code: 'SettingsNotNoted',
      message: `could not note the raised executor settings in the database (${firstLine(describeError(error))}); if this run is cut off, a later run will not find and restore them`,
    });
  }
}

async function clearMarker(sql: CitusClient, deps: LocalRebalanceDependencies): Promise<void> {
  try {
    await sql.clearRaisedMarker();
  } catch (error) {
    deps.onEvent?.(
      `could not clear the note of raised executor settings (${firstLine(describeError(error))}); a later run will find the settings already back`,
    );
  }
}

/** The note as written by writeMarker; anything else is ignored (a later run must never fail on it). */
export function parseMarker(text: string): Pick<RaisedSettings, 'before' | 'changes'> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { before, changes } = value as { before?: unknown; changes?: unknown };
    if (typeof before !== 'object' || before === null || !Array.isArray(changes)) return undefined;
    const snapshot = before as Partial<ExecutorSnapshot>;
    if (!EXECUTOR_SETTINGS.every((name) => typeof snapshot[name]?.value === 'string')) return undefined;
    const valid = changes.filter((change: unknown): change is SettingChange => isSettingChange(change));
    return valid.length > 0 ? { before: snapshot as ExecutorSnapshot, changes: valid } : undefined;
  } catch {
    return undefined;
  }
}

function isSettingChange(change: unknown): boolean {
  if (typeof change !== 'object' || change === null) return false;
  const { name, from, to } = change as Record<string, unknown>;
  return (EXECUTOR_SETTINGS as readonly unknown[]).includes(name) && typeof from === 'string' && typeof to === 'string';
}

function warningKey(warning: RebalanceWarning): string {
  return `${warning.code}:${warning.taskId ?? ''}:${warning.retried ?? ''}`;
}

function describeChanges(changes: readonly SettingChange[]): string {
  return `the executor settings ${changes.map((change) => `${change.name} (${change.to}, was ${change.from})`).join(', ')}`;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

async function abortableSleep(deps: LocalRebalanceDependencies, ms: number): Promise<void> {
  if (!deps.signal) return deps.sleep(ms);
  const signal = deps.signal;
  let stop: () => void = () => undefined;
  const aborted = new Promise<void>((resolve) => {
    stop = resolve;
    signal.addEventListener('abort', stop, { once: true });
  });
  await Promise.race([deps.sleep(ms), aborted]);
  signal.removeEventListener('abort', stop);
}
