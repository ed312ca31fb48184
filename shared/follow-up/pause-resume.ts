/**
 * Pausing and resuming a rebalance from the HTTP API (the HTTP layer calls these use cases). A pause writes the
 * request where the follow-up reads it, then stops the job with `citus_rebalance_stop()`: moves already done stay
 * done, the one in flight is rolled back, and the follow-up waits (the operation stays running, so the scaler
 * does not scale that cluster meanwhile). A resume lets the follow-up start a new job, which plans only the moves
 * still needed (docs/citus-rebalance.md).
 */
import type { CitusTarget } from '../kinds/registry.js';
import { kindOf } from '../kinds/registry.js';
import type { TargetDirectory } from '../targets/target-directory.js';
import type { StateStore } from '../state/state-store.port.js';
import type { Logger } from '../logging.js';
import type { ClusterAccess } from './cluster-access.js';
import { FollowUpProgressStore, pauseIsPending, type FollowUpControl } from './progress.js';
import { RebalanceNotRunningError } from '../citus/errors.js';
import { NotSupportedError } from '../vocabulary/errors.js';

export interface RebalanceControlDependencies {
  targets: TargetDirectory;
  state: StateStore;
  cluster: ClusterAccess;
  clock: () => Date;
  log: Logger;
}

export interface ControlRequest {
  /** Who asks (the operator's identity). */
  by: string;
  reason: string;
}

export interface RebalanceControlResult {
  target: string;
  operationId: string;
  jobId?: number | undefined;
  status: 'pausing' | 'resuming';
  message: string;
}

export async function pauseRebalance(
  deps: RebalanceControlDependencies,
  targetName: string,
  request: ControlRequest,
): Promise<RebalanceControlResult> {
  const { target, operationId, progress } = await runningFollowUp(deps, targetName);
  const document = await progress.read(target.name, operationId);
  const jobId = document?.rebalanceStart?.jobId;
  const control = await progress.readControl(target.name, operationId);
  if (pauseIsPending(control)) {
    return {
      target: target.name,
      operationId,
      jobId,
      status: 'pausing',
      message: `a pause is already requested (at ${control.pause?.requestedAt}); nothing more to do`,
    };
  }
  if (document?.phase !== 'monitor' || jobId === undefined) {
    throw new RebalanceNotRunningError(
      `pausing the rebalance of ${target.name}: no rebalance job runs now (the follow-up of operation ${operationId} is at step ${document?.phase ?? 'wait-arm'}); a rebalance can be paused while it runs`,
    );
  }
  const now = deps.clock();
  const paused: FollowUpControl = {
    ...control,
    pause: { requestedAt: now.toISOString(), by: request.by, reason: request.reason },
  };
  await progress.writeControl(target.name, operationId, paused, now);
  const sql = await deps.cluster.sql(target);
  try {
    await sql.stopRebalance();
  } catch (error) {
    await progress.writeControl(target.name, operationId, control, now);
    if (error instanceof RebalanceNotRunningError)
      throw new RebalanceNotRunningError(
        `pausing the rebalance of ${target.name}: job ${jobId} has just ended, so there is nothing to pause`,
        { cause: error },
      );
    throw error;
  } finally {
    await sql.close();
  }
  deps.log.log('info', `rebalance job ${jobId} stopped for a pause by ${request.by}: ${request.reason}`, {
    target: target.name,
    resourceId: target.resourceId,
    operationId,
    jobId,
    event: 'RebalancePaused',
  });
  return {
    target: target.name,
    operationId,
    jobId,
    status: 'pausing',
    message: `rebalance job ${jobId} is being stopped; moves already done stay done, the follow-up waits for a resume and the cluster is not scaled meanwhile`,
  };
}

export async function resumeRebalance(
  deps: RebalanceControlDependencies,
  targetName: string,
  request: ControlRequest,
): Promise<RebalanceControlResult> {
  const { target, operationId, progress } = await runningFollowUp(deps, targetName);
  const control = await progress.readControl(target.name, operationId);
  if (!pauseIsPending(control))
    throw new RebalanceNotRunningError(`resuming the rebalance of ${target.name}: it is not paused`);
  const now = deps.clock();
  await progress.writeControl(
    target.name,
    operationId,
    { ...control, resume: { requestedAt: now.toISOString(), by: request.by, reason: request.reason } },
    now,
  );
  const pollSeconds = target.rebalance.pollIntervalSeconds;
  deps.log.log('info', `rebalance resume requested by ${request.by}: ${request.reason}`, {
    target: target.name,
    resourceId: target.resourceId,
    operationId,
    event: 'RebalanceResumed',
  });
  const document = await progress.read(target.name, operationId);
  return {
    target: target.name,
    operationId,
    jobId: document?.rebalanceStart?.jobId,
    status: 'resuming',
    message: `the follow-up starts a new rebalance job for the remaining moves within about ${pollSeconds} s`,
  };
}

/** Both use cases, bound to their dependencies, for the composition root. */
export class RebalanceControl {
  constructor(private readonly deps: RebalanceControlDependencies) {}

  pauseRebalance(target: string, request: ControlRequest): Promise<RebalanceControlResult> {
    return pauseRebalance(this.deps, target, request);
  }

  resumeRebalance(target: string, request: ControlRequest): Promise<RebalanceControlResult> {
    return resumeRebalance(this.deps, target, request);
  }
}

async function runningFollowUp(
  deps: RebalanceControlDependencies,
  targetName: string,
): Promise<{ target: CitusTarget; operationId: string; progress: FollowUpProgressStore }> {
  const configured = deps.targets.named(targetName);
  const target = kindOf(configured).citusTarget(configured);
  if (!target)
    throw new NotSupportedError(
      `target "${targetName}" is a ${configured.kind}: only elastic clusters have a rebalance to pause or resume`,
    );
  const operation = await deps.state.getOperationInProgress(target.name);
  if (!operation || operation.status !== 'running')
    throw new RebalanceNotRunningError(
      `target "${targetName}" has no operation in progress, so no rebalance to pause or resume`,
    );
  return { target, operationId: operation.id, progress: new FollowUpProgressStore(deps.state) };
}
