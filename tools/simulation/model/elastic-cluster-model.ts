/**
 * An Azure Database for PostgreSQL elastic cluster (Citus), within the kind's service bounds, no scale-in.
 *
 * A scale-out takes `provisioningMinutes`; the new nodes then hold no shards of the existing tables until a
 * rebalance moves them (docs/azure-elastic-clusters.md). The rebalance moves the new nodes' share of the data,
 * `dataSizeGb x added / (nodes after)`, at `shardMoveMbPerSecond` per move, p moves at once going p^exponent times
 * faster; each running move costs `moveCostNodes` of capacity. One rebalance runs at a time (Citus refuses a
 * second); nodes that arrive meanwhile wait for the next one.
 *
 * Effective capacity during a rebalance follows the busiest node: with load spread evenly over shards, the `n`
 * old nodes still hold `1 - f * k / (n + k)` of the shards when a fraction `f` of the moves to `k` new nodes is
 * done, so the cluster saturates at `n / (1 - f * k / (n + k))` node-equivalents: `n` before, `n + k` after.
 */
import type { ElasticClusterParameters } from './parameters.js';
import { KIND_FACTS } from '../../../shared/vocabulary/kinds.js';
import {
  ArmClusterModel,
  busyResult,
  outOfBoundsResult,
  type ArmOperation,
  type ChangeOptions,
  type ChangeResult,
  type ClusterModel,
} from './cluster-model.js';

/** The service's bounds: the kind's smallest cluster, and its maximum as the parameters have it (maxNodes). */
export function elasticServiceBounds(parameters: ElasticClusterParameters): { min: number; max: number } {
  return { min: KIND_FACTS['postgres-elastic-cluster'].serviceMin, max: parameters.maxNodes };
}

interface PendingNodes {
  nodes: number;
  operationIds: number[];
  parallelism: number | 'auto';
}

interface RebalanceJob {
  /** Nodes that held their share when the job started. */
  from: number;
  added: number;
  parallelism: number;
  startMinute: number;
  endMinute: number;
  operationIds: number[];
}

interface ElasticOperation extends ArmOperation {
  rebalance: boolean;
  parallelism: number | 'auto';
}

export class ElasticClusterModel extends ArmClusterModel<ElasticOperation> implements ClusterModel {
  readonly kind = 'postgres-elastic-cluster' as const;
  readonly serviceBounds: { min: number; max: number };
  private balanced: number;
  private pending: PendingNodes[] = [];
  private job: RebalanceJob | undefined;

  constructor(
    private readonly parameters: ElasticClusterParameters,
    initialNodes: number,
  ) {
    super(initialNodes);
    this.balanced = initialNodes;
    this.serviceBounds = elasticServiceBounds(parameters);
  }

  advanceTo(minute: number): void {
    for (;;) {
      const nextArm = this.inFlight[0];
      const jobEnd = this.job?.endMinute ?? Infinity;
      const armEnd = nextArm?.endMinute ?? Infinity;
      const at = Math.min(jobEnd, armEnd);
      if (at > minute) break;
      if (nextArm && armEnd <= jobEnd) this.finishArm(nextArm);
      else this.finishJob();
    }
    this.now = minute;
  }

  effectiveCapacity(): number {
    const job = this.job;
    if (!job) return this.balanced;
    const done = Math.min(1, Math.max(0, (this.now - job.startMinute) / (job.endMinute - job.startMinute)));
    const boundByBusiestNode = job.from / (1 - (done * job.added) / (job.from + job.added));
    return Math.max(0, boundByBusiestNode - job.parallelism * this.parameters.moveCostNodes);
  }

  requestChange(to: number, options: ChangeOptions = {}): ChangeResult {
    if (to < this.requested) {
      return {
        accepted: false,
        reason: 'unsupported',
        message: `scaling in from ${this.requested} to ${to}: Azure does not offer scale-in for elastic clusters`,
      };
    }
    if (to > this.serviceBounds.max || to < this.serviceBounds.min) return outOfBoundsResult(to, this.serviceBounds);
    if (this.armBusy && !options.concurrent) return busyResult(this.kind);
    if (to === this.requested)
      return { accepted: false, reason: 'no-change', message: `the cluster already has ${to} nodes` };
    const operationId = this.startUpdate({
      delta: to - this.requested,
      to,
      startMinute: this.now,
      endMinute: this.now + this.parameters.provisioningMinutes,
      rebalance: options.rebalance ?? true,
      parallelism: options.rebalanceParallelism ?? this.parameters.defaultRebalanceParallelism,
    });
    return { accepted: true, operationId };
  }

  /** Minutes a rebalance of `added` new nodes onto `from` balanced ones takes with `parallelism` moves at once. */
  rebalanceMinutes(from: number, added: number, parallelism: number): number {
    const { dataSizeGb, shardMoveMbPerSecond, parallelSpeedupExponent } = this.parameters;
    const movedMb = (dataSizeGb * 1024 * added) / (from + added);
    const seconds = movedMb / (shardMoveMbPerSecond * parallelism ** parallelSpeedupExponent);
    return Math.max(1, Math.ceil(seconds / 60));
  }

  private finishArm(operation: ElasticOperation): void {
    this.inFlight.shift();
    this.armFinished(operation);
    if (!operation.rebalance) {
      // No rebalance: the new nodes only ever serve tables created after this point (not modelled); the
      // operation is over as soon as ARM is.
      this.settle(operation.id, operation.endMinute);
      return;
    }
    this.pending.push({ nodes: operation.delta, operationIds: [operation.id], parallelism: operation.parallelism });
    if (!this.job) this.startJob(operation.endMinute);
  }

  private finishJob(): void {
    const job = this.job as RebalanceJob;
    this.balanced = job.from + job.added;
    for (const operationId of job.operationIds) this.settle(operationId, job.endMinute);
    this.job = undefined;
    if (this.pending.length > 0) this.startJob(job.endMinute);
  }

  /** One rebalance takes every node waiting for shards (citus_rebalance_start balances the whole cluster). */
  private startJob(minute: number): void {
    const added = this.pending.reduce((sum, entry) => sum + entry.nodes, 0);
    const parallelism = Math.max(
      ...this.pending.map((entry) => (entry.parallelism === 'auto' ? added : entry.parallelism)),
    );
    const operationIds = this.pending.flatMap((entry) => entry.operationIds);
    this.pending = [];
    const duration = this.rebalanceMinutes(this.balanced, added, parallelism);
    this.job = {
      from: this.balanced,
      added,
      parallelism,
      startMinute: minute,
      endMinute: minute + duration,
      operationIds,
    };
  }
}
