/**
 * The rebalance steps (4-7 of the follow-up) run from a terminal against any Citus coordinator: pre-flight and
 * plan, executor settings up (ALTER SYSTEM on a self-managed cluster, the server parameters API on Azure),
 * citus_rebalance_start (or adopt the job already running), watch it to the end, settings back. Used by
 * `scaler rebalance`; the same pure pieces as the durable follow-up, driven by a wall-clock loop.
 */
import type { CitusClient } from '../citus/citus-client.js';
import type { ExecutorSettingsStore } from '../citus/executor-settings.port.js';
import { summarizePlan, type RebalancePlan } from '../citus/plan.js';
import { assessPreflight, type PreflightVerdict } from '../citus/preflight.js';
import { executorChanges, startFlags, type ExecutorSnapshot, type SettingChange } from '../citus/parallelism.js';
import { failureMessages, summarizeRebalance, type RebalanceProgress, type RebalanceWarning } from '../citus/progress.js';
import { isTerminalJobState, type ShardTransferMode } from '../citus/names.js';
import { InvalidInputError } from '../errors.js';

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
  sql: CitusClient;
  settings: ExecutorSettingsStore;
  clock: () => Date;
  sleep: (ms: number) => Promise<void>;
  onPlan?: (plan: RebalancePlan, verdict: PreflightVerdict) => void;
  onProgress?: (progress: RebalanceProgress) => void;
  onWarning?: (warning: RebalanceWarning) => void;
  onEvent?: (message: string) => void;
  /** Aborting stops watching (the job keeps running in Citus) and restores the settings. */
  signal?: AbortSignal | undefined;
}

export type LocalRebalanceResult =
  | { kind: 'plan'; plan: RebalancePlan; verdict: PreflightVerdict }
  | { kind: 'blocked'; problems: string[] }
  | { kind: 'nothing-to-move'; message: string }
  | { kind: 'started'; jobId: number; adopted: boolean }
  | { kind: 'ended'; jobId: number; adopted: boolean; progress: RebalanceProgress; durationSeconds: number; messages: string[]; restored: SettingChange[] }
  | { kind: 'interrupted'; jobId: number; progress: RebalanceProgress | undefined; restored: SettingChange[] };

export async function runLocalRebalance(options: LocalRebalanceOptions, deps: LocalRebalanceDependencies): Promise<LocalRebalanceResult> {
  const { sql } = deps;
  const latest = await sql.latestRebalance();
  const plan = summarizePlan(await sql.plan(options.strategy));
  const missing = options.transferMode === 'auto' ? await sql.tablesWithoutReplicaIdentity(plan.tables) : [];
  const verdict = assessPreflight({
    latestJob: latest && { jobId: latest.jobId, state: latest.state }, plan, transferMode: options.transferMode, tablesWithoutReplicaIdentity: missing,
    disk: { shardBytesByNode: options.nodeDiskBytes === undefined ? {} : await sql.shardBytesByNode(), nodeCapacityBytes: options.nodeDiskBytes }, minFreeDiskPercent: options.minFreeDiskPercent,
  });
  deps.onPlan?.(plan, verdict);
  if (options.planOnly) return { kind: 'plan', plan, verdict };
  if (verdict.kind === 'blocked') return { kind: 'blocked', problems: verdict.problems };
  if (verdict.kind === 'nothing-to-move') return { kind: 'nothing-to-move', message: verdict.message };
  if (verdict.kind === 'adopt') {
    deps.onEvent?.(`rebalance job ${verdict.jobId} is already ${verdict.state}: following it instead of starting another`);
    return options.watch ? watch(verdict.jobId, true, undefined, [], options, deps) : { kind: 'started', jobId: verdict.jobId, adopted: true };
  }
  const before = options.parallelism > 1 ? await deps.settings.snapshot() : undefined;
  const changes = before ? executorChanges(before, options.parallelism) : [];
  if (changes.length > 0 && !options.watch) {
    throw new InvalidInputError(`--parallel ${options.parallelism}: the executor settings must be raised for it and put back when the job ends, which needs --watch; add --watch, or run without --parallel`);
  }
  await deps.settings.apply(changes);
  for (const change of changes) deps.onEvent?.(`raised ${change.name} from ${change.from} to ${change.to} (${deps.settings.via})`);
  if (changes.length > 0) await waitUntilVisible(changes, deps);
  try {
    const started = await sql.startRebalance({ strategy: options.strategy, transferMode: options.transferMode, ...startFlags(options.parallelism) });
    if (started.kind === 'nothing-to-move') return { kind: 'nothing-to-move', message: started.notice };
    deps.onEvent?.(started.kind === 'started' ? started.notice ?? `scheduled job ${started.jobId}` : `adopted job ${started.jobId}: ${started.message}`);
    if (!options.watch) return { kind: 'started', jobId: started.jobId, adopted: started.kind === 'adopted' };
    return await watch(started.jobId, started.kind === 'adopted', before, changes, options, deps);
  } finally {
    if (before && changes.length > 0) {
      await deps.settings.restore(before, changes.map((change) => change.name));
      for (const change of changes) deps.onEvent?.(`restored ${change.name} to ${change.from}`);
    }
  }
}

async function watch(jobId: number, adopted: boolean, before: ExecutorSnapshot | undefined, changes: SettingChange[], options: LocalRebalanceOptions, deps: LocalRebalanceDependencies): Promise<LocalRebalanceResult> {
  const restored = before ? changes : [];
  const taskBytes = await deps.sql.moveBytesByTask(jobId);
  const reported = new Set<string>();
  const watchedSince = deps.clock();
  let scheduledSince: string | undefined;
  let progress: RebalanceProgress | undefined;
  for (;;) {
    if (deps.signal?.aborted) return { kind: 'interrupted', jobId, progress, restored };
    const status = await deps.sql.jobStatus(jobId);
    if (!status) throw new InvalidInputError(`rebalance job ${jobId} disappeared from pg_dist_background_job`);
    const now = deps.clock();
    scheduledSince = status.state === 'scheduled' ? scheduledSince ?? now.toISOString() : undefined;
    progress = summarizeRebalance(status, await deps.sql.jobTasks(jobId), { taskBytes, now, scheduledSince, stuckScheduledMinutes: options.stuckScheduledMinutes });
    deps.onProgress?.(progress);
    for (const warning of progress.warnings) {
      const key = `${warning.code}:${warning.taskId ?? ''}:${warning.retried ?? ''}`;
      if (!reported.has(key)) deps.onWarning?.(warning);
      reported.add(key);
    }
    if (isTerminalJobState(status.state)) {
      const started = status.startedAt ? new Date(status.startedAt) : watchedSince;
      const ended = status.finishedAt ? new Date(status.finishedAt) : now;
      const messages = status.state === 'finished' ? [] : failureMessages(progress);
      return { kind: 'ended', jobId, adopted, progress, durationSeconds: Math.max(0, (ended.getTime() - started.getTime()) / 1000), messages, restored };
    }
    await abortableSleep(deps, options.pollIntervalMs);
  }
}

/** Server parameters set through ARM reach the coordinator a little later; the job must start after they do. */
async function waitUntilVisible(changes: readonly SettingChange[], deps: LocalRebalanceDependencies, withinMs = 60_000): Promise<void> {
  const deadline = deps.clock().getTime() + withinMs;
  for (;;) {
    const readings = await deps.sql.readSettings(changes.map((change) => change.name));
    const pending = changes.filter((change) => readings[change.name]?.value !== change.to);
    if (pending.length === 0) return;
    if (deps.clock().getTime() >= deadline) {
      deps.onEvent?.(`the coordinator still shows ${pending.map((change) => `${change.name} = ${readings[change.name]?.value ?? '?'}`).join(', ')}; starting anyway, the moves may run less parallel than asked`);
      return;
    }
    await deps.sleep(1_000);
  }
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
