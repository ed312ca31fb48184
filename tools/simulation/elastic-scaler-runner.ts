/**
 * elastic-scaler under test: the product's own scaling use cases (shared/scaling/) with the real policy, guards and
 * executor, and the in-memory state store with the same contract as Table Storage. Only the ports are simulated
 * (ARM, Azure Monitor, the durable follow-up) and the clock is the simulation's. Every minute is one timer tick,
 * as with the default schedule (every minute).
 *
 * Fast path (the default): each minute first asks `ScaleExecutor.previewTarget`, the product's own "what would you do
 * now" (same reads, same `decide()`, no ledger entry). Only when that decision acts does the full timer tick run
 * (`evaluateAll`: lease, fresh re-read, decide again, record, PATCH). A tick whose decision is "none" would only
 * have appended a ledger entry (its follow-up relaunch is idempotent), so skipping it changes no outcome; it
 * saves the ledger's serialization, which is most of a tick's cost; and the state store remembers its two
 * per-minute reads until the next write (adapters/cached-reads.ts). `exactTicks` runs `evaluateAll` every minute
 * on the plain store instead; a test checks that both give the same run.
 */
import type { ScalerConfig, TargetConfig } from '../../shared/config/schema/schema.js';
import { silentLogger } from '../../shared/logging.js';
import { createScaling, type Scaling, type TargetOutcome } from '../../shared/scaling/index.js';
import { describeError } from '../../shared/vocabulary/errors.js';
import { MemoryStateStore } from '../memory-state/memory-state-store.js';
import { withRememberedReads } from './adapters/cached-reads.js';
import { SimulatedFollowUps } from './adapters/simulated-follow-ups.js';
import { SimulatedMetrics } from './adapters/simulated-metrics.js';
import { SimulatedScaleTarget } from './adapters/simulated-scale-target.js';
import type { PolicyRunner, RunNotes } from './policy-runner.js';
import type { SimulatedCluster } from './simulated-cluster.js';
import { MINUTE_MS } from './trace.js';

/** The ledger is trimmed every hour: the simulation keeps reason counts, not 20,000 decision records. */
const LEDGER_PURGE_EVERY_MINUTES = 60;
const LEDGER_RETENTION_DAYS = 1 / 24;
const MAX_LISTED_ERRORS = 5;

export class ElasticScalerRunner implements PolicyRunner {
  readonly policy = 'elastic-scaler' as const;
  private readonly scaling: Scaling;
  private readonly followUps: SimulatedFollowUps;
  private readonly reasons = new Map<string, number>();
  private readonly errors = new Map<string, number>();
  private nowMs: number;

  constructor(
    config: ScalerConfig,
    private readonly target: TargetConfig,
    private readonly cluster: SimulatedCluster,
    private readonly exactTicks = false,
  ) {
    const startMs = cluster.trace.startMs;
    this.nowMs = startMs;
    const state = exactTicks ? new MemoryStateStore() : withRememberedReads(new MemoryStateStore());
    this.followUps = new SimulatedFollowUps(state, startMs);
    let ids = 0;
    this.scaling = createScaling({
      config: { ...config, targets: [target] },
      scaleTargets: new Map([[target.name, new SimulatedScaleTarget(target, cluster)]]),
      metrics: new SimulatedMetrics(cluster.feed),
      state,
      clock: () => new Date(this.nowMs),
      newId: () => `sim-${(ids += 1)}`,
      instanceId: 'simulator',
      log: silentLogger,
      followUps: this.followUps,
    });
  }

  async atMinute(minute: number): Promise<void> {
    this.nowMs = this.cluster.trace.startMs + minute * MINUTE_MS;
    await this.followUps.complete(this.cluster.model.drainSettled());
    const preview = this.exactTicks ? undefined : await this.preview();
    const outcomes =
      preview && !preview.error && preview.decision?.action === 'none'
        ? [preview]
        : (await this.scaling.executor.evaluateAll()).outcomes;
    for (const outcome of outcomes) {
      this.tally(outcome);
      if (outcome.acted && outcome.decision)
        this.cluster.recorder.explainOperation(minute, `${outcome.decision.reason}: ${outcome.decision.message}`);
    }
    if ((minute + 1) % LEDGER_PURGE_EVERY_MINUTES === 0)
      await this.scaling.administration.purgeHistory(LEDGER_RETENTION_DAYS, LEDGER_RETENTION_DAYS);
  }

  private async preview(): Promise<TargetOutcome> {
    try {
      return await this.scaling.executor.previewTarget(this.target.name, { trigger: 'timer', initiator: 'timer' });
    } catch (error) {
      // Let the full tick run: it reports the failure the way the timer would.
      return {
        target: this.target.name,
        resourceId: this.target.resourceId,
        acted: false,
        error: { category: 'internal', message: describeError(error) },
      };
    }
  }

  private tally(outcome: TargetOutcome): void {
    if (outcome.error) this.errors.set(outcome.error.message, (this.errors.get(outcome.error.message) ?? 0) + 1);
    const reason = outcome.decision?.reason;
    if (reason) this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  notes(): RunNotes {
    const errors = [...this.errors]
      .slice(0, MAX_LISTED_ERRORS)
      .map(([message, count]) => `${count} evaluation(s) failed: ${message}`);
    return {
      reasons: Object.fromEntries([...this.reasons].sort((a, b) => b[1] - a[1])),
      ...(errors.length > 0 ? { errors } : {}),
    };
  }
}
