/**
 * One run's world: the cluster model, the metric feed it produces and the outcome recorder, advanced minute by
 * minute. Each minute: completions up to its start -> the policy decides -> the minute is served (effective
 * capacity against the load) and measured.
 */
import type { TargetKind } from '../../shared/vocabulary/kinds.js';
import type { ChangeOptions, ChangeResult, ClusterModel } from './model/cluster-model.js';
import { simulationOf } from './kinds/registry.js';
import type { SimulationParameters } from './model/parameters.js';
import { MetricFeed, type MinuteReading } from './metric-feed.js';
import { OutcomeRecorder } from './outcomes.js';
import { needSeries, traceMinutes, type Trace } from './trace.js';

export interface ClusterSetup {
  kind: TargetKind;
  trace: Trace;
  parameters: SimulationParameters;
  initialCapacity: number;
  /** Keep metric sample objects for Azure Monitor-shaped snapshots (the real scaler needs them). */
  snapshots?: boolean;
}

export function createClusterModel(
  kind: TargetKind,
  parameters: SimulationParameters,
  initialCapacity: number,
): ClusterModel {
  return simulationOf(kind).createModel(parameters, initialCapacity);
}

export class SimulatedCluster {
  readonly kind: TargetKind;
  readonly trace: Trace;
  readonly model: ClusterModel;
  readonly feed: MetricFeed;
  readonly recorder: OutcomeRecorder;
  /** What the cluster must serve each minute (see `needAt`). */
  readonly need: Float64Array;

  constructor(setup: ClusterSetup) {
    const { kind, trace, parameters, initialCapacity } = setup;
    this.kind = kind;
    this.trace = trace;
    this.need = needSeries(trace, kind);
    this.model = createClusterModel(kind, parameters, initialCapacity);
    this.recorder = new OutcomeRecorder(parameters.outcomes, trace.startMs);
    const uses = simulationOf(kind).servesSecondaryDemand;
    this.feed = new MetricFeed({
      kind,
      parameters: parameters.metrics,
      startMs: trace.startMs,
      minutes: traceMinutes(trace),
      has: { cache: uses && trace.cacheDemand !== undefined, ingestion: uses && trace.ingestionDemand !== undefined },
      snapshots: setup.snapshots ?? false,
    });
    this.feed.prefill(this.reading(0, this.model.effectiveCapacity()));
  }

  get minutes(): number {
    return this.need.length;
  }

  advanceTo(minute: number): void {
    this.model.advanceTo(minute);
  }

  /** Asks the model for a change and records it when accepted. */
  request(to: number, options?: ChangeOptions, reason?: string): ChangeResult {
    const from = this.model.requestedCapacity;
    const result = this.model.requestChange(to, options);
    if (result.accepted) this.recorder.operation(this.model.minute, from, to, reason);
    return result;
  }

  /** Serves minute `minute` with the capacity the policy left it: outcomes and the metric sample. */
  account(minute: number): void {
    const effective = this.model.effectiveCapacity();
    const reading = this.reading(minute, effective);
    this.recorder.minute(minute, {
      need: reading.need,
      demand: reading.demand,
      effective,
      billed: this.model.billedUnits,
    });
    this.feed.record(minute, reading);
  }

  private reading(minute: number, effective: number): MinuteReading {
    const { trace } = this;
    return {
      demand: trace.demand[minute] ?? 0,
      cacheDemand: trace.cacheDemand?.[minute],
      ingestionDemand: trace.ingestionDemand?.[minute],
      need: this.need[minute] ?? 0,
      effective,
      readyUnits: this.model.readyUnits,
    };
  }
}
