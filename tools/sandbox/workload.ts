/**
 * Turns a simulator scenario into the metrics Azure Monitor would report for the sandbox's clusters: each
 * minute's CPU is that minute's demand (node-equivalents, from the scenario) over the capacity the cluster had
 * then, capped at 100 %. Capacity is sampled from the emulator after every step of the clock, so a scale-out
 * lowers the CPU from the minute ARM finished it, and the scaler sees its own actions in the metrics.
 */
import type { AzureEmulator } from '../emulator/index.js';
import { MINUTE_MS } from '../emulator/index.js';
import type { Trace } from '../../tools/simulation/trace.js';
import { needAt } from '../../tools/simulation/trace.js';
import type { TargetKind } from '../../shared/vocabulary/kinds.js';

/** Where the emulator keeps each kind's capacity (the kind's capacity field). */
const CAPACITY_IN_EMULATOR: Record<TargetKind, (emulator: AzureEmulator, resourceId: string) => number> = {
  'postgres-elastic-cluster': (emulator, id) => emulator.postgres.getCluster(id).properties.cluster?.clusterSize ?? 1,
  'kusto-cluster': (emulator, id) => emulator.kusto.getCluster(id).sku.capacity ?? 1,
};

export interface WorkloadCluster {
  kind: TargetKind;
  resourceId: string;
  /** The REST name of the CPU metric the scaler's rules read. */
  cpuMetric: string;
  /** Demand is scaled by this factor (the two kinds need not carry the same load). */
  demandScale: number;
}

const MINUTES_PER_DAY = 1440;

interface CapacitySample {
  atMs: number;
  capacity: number;
}

export class ScenarioWorkload {
  readonly #history = new Map<string, CapacitySample[]>();

  constructor(
    private readonly emulator: AzureEmulator,
    private readonly trace: Trace,
  ) {}

  attach(cluster: WorkloadCluster): void {
    this.#history.set(cluster.resourceId, [{ atMs: Number.NEGATIVE_INFINITY, capacity: this.capacityOf(cluster) }]);
    this.emulator.metrics.set(cluster.resourceId, cluster.cpuMetric, (minuteStartMs) =>
      this.cpuPercent(cluster, minuteStartMs),
    );
  }

  /** Records the capacity each cluster has now (call after every step of the clock). */
  sample(clusters: readonly WorkloadCluster[]): void {
    const atMs = this.emulator.clock.nowMs();
    for (const cluster of clusters) {
      const history = this.#history.get(cluster.resourceId);
      const capacity = this.capacityOf(cluster);
      if (history && history.at(-1)?.capacity !== capacity) history.push({ atMs, capacity });
    }
  }

  /**
   * Demand of the minute starting at `minuteStartMs`, in node-equivalents. Before the trace, the trace's first day
   * repeats (same minute of the day), so the weeks of history a forecast reads look like a cluster that ran this
   * workload before the sandbox started; after it, the last minute's.
   */
  demandAt(kind: TargetKind, minuteStartMs: number): number {
    const index = Math.floor((minuteStartMs - this.trace.startMs) / MINUTE_MS);
    const last = this.trace.demand.length - 1;
    if (index < 0)
      return needAt(this.trace, kind, Math.min(last, ((index % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY));
    return needAt(this.trace, kind, Math.min(index, last));
  }

  private cpuPercent(cluster: WorkloadCluster, minuteStartMs: number): number {
    const capacity = this.capacityAt(cluster.resourceId, minuteStartMs + MINUTE_MS - 1);
    const demand = this.demandAt(cluster.kind, minuteStartMs) * cluster.demandScale;
    return Math.round(Math.min(100, (100 * demand) / Math.max(capacity, 1)) * 10) / 10;
  }

  private capacityAt(resourceId: string, atMs: number): number {
    const history = this.#history.get(resourceId) ?? [];
    let capacity = history[0]?.capacity ?? 1;
    for (const sample of history) {
      if (sample.atMs > atMs) break;
      capacity = sample.capacity;
    }
    return capacity;
  }

  private capacityOf(cluster: WorkloadCluster): number {
    return CAPACITY_IN_EMULATOR[cluster.kind](this.emulator, cluster.resourceId);
  }
}
