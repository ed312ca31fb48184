/**
 * The rebalance steps against one coordinator connection, as the durable follow-up (shared/follow-up/steps/) and
 * `scaler rebalance` (cli/local-rebalance.ts) both drive them: pre-flight and plan, start (or adopt) the job,
 * read the job's progress. Each caller adds only its own way of running them: durable activities that record
 * progress in Table Storage, or a terminal loop that reconnects and prints.
 */
import type { CitusClient, StartResult } from './citus-client.js';
import type { JobStatus } from './job-status.js';
import type { JobTask } from './tasks.js';
import { summarizePlan, type RebalancePlan } from './plan.js';
import { assessPreflight, type PreflightVerdict } from './preflight.js';
import { startFlags } from './parallelism.js';
import { summarizeRebalance, type RebalanceProgress } from './progress.js';
import type { ShardTransferMode } from './names.js';
import { ProviderError } from '../vocabulary/errors.js';

export interface PreflightOptions {
  /** A row of pg_dist_rebalance_strategy; the cluster's default strategy when absent. */
  strategy?: string | undefined;
  transferMode: ShardTransferMode;
  minFreeDiskPercent: number;
  /** Storage of one node, for the disk headroom check (skipped when unknown). */
  nodeCapacityBytes?: number | undefined;
}

/** The plan and what the pre-flight checks make of it: adopt a running job, nothing to move, blocked, or ready. */
export async function preflightRebalance(
  sql: CitusClient,
  options: PreflightOptions,
): Promise<{ plan: RebalancePlan; verdict: PreflightVerdict }> {
  const latest = await sql.latestRebalance();
  const plan = summarizePlan(await sql.plan(options.strategy));
  const [missing, shardBytesByNode] = await Promise.all([
    options.transferMode === 'auto' ? sql.tablesWithoutReplicaIdentity(plan.tables) : Promise.resolve([]),
    options.nodeCapacityBytes === undefined ? Promise.resolve({}) : sql.shardBytesByNode(),
  ]);
  const verdict = assessPreflight({
    latestJob: latest && { jobId: latest.jobId, state: latest.state },
    plan,
    transferMode: options.transferMode,
    tablesWithoutReplicaIdentity: missing,
    disk: { shardBytesByNode, nodeCapacityBytes: options.nodeCapacityBytes },
    minFreeDiskPercent: options.minFreeDiskPercent,
  });
  return { plan, verdict };
}

export interface StartOptions {
  strategy?: string | undefined;
  transferMode: ShardTransferMode;
  parallelism: number;
}

/** citus_rebalance_start with the flags `parallelism` needs; "already running" adopts that job. */
export function startRebalanceJob(sql: CitusClient, options: StartOptions): Promise<StartResult> {
  return sql.startRebalance({
    strategy: options.strategy,
    transferMode: options.transferMode,
    ...startFlags(options.parallelism),
  });
}

/** What a start did, in one line for the log or the terminal. */
export function describeStart(started: Exclude<StartResult, { kind: 'nothing-to-move' }>): string {
  return started.kind === 'started'
    ? (started.notice ?? `scheduled job ${started.jobId}`)
    : `adopted job ${started.jobId}: ${started.message}`;
}

export interface JobReading {
  status: JobStatus;
  tasks: JobTask[];
  progress: RebalanceProgress;
  /** When the job was first seen `scheduled` (ISO 8601); undefined once it left that state. */
  scheduledSince: string | undefined;
}

export interface JobReadOptions {
  now: Date;
  /** Bytes of each move task's shard group; read from the job when not known yet. */
  taskBytes?: Readonly<Record<string, number>> | undefined;
  /** When an earlier look first saw the job `scheduled`. */
  scheduledSince?: string | undefined;
  stuckScheduledMinutes: number;
}

/** One look at the job: its status, its tasks, and the progress they add up to. */
export async function readRebalanceJob(sql: CitusClient, jobId: number, options: JobReadOptions): Promise<JobReading> {
  const status = await sql.jobStatus(jobId);
  if (!status)
    throw new ProviderError(
      `rebalance job ${jobId} is not in pg_dist_background_job any more: someone removed it, so there is nothing left to watch`,
    );
  const tasks = await sql.jobTasks(jobId);
  const taskBytes = options.taskBytes ?? (await sql.moveBytesByTask(jobId));
  const scheduledSince =
    status.state === 'scheduled' ? (options.scheduledSince ?? options.now.toISOString()) : undefined;
  const progress = summarizeRebalance(status, tasks, {
    taskBytes,
    now: options.now,
    scheduledSince,
    stuckScheduledMinutes: options.stuckScheduledMinutes,
  });
  return { status, tasks, progress, scheduledSince };
}
