/**
 * One run: one policy on one trace, from a fresh cluster. Every policy of a comparison starts from the same
 * capacity (enough for the trace's first two hours, fully balanced and warm), except static-peak, which is sized
 * for the peak once and for all.
 */
import type { TargetKind } from '../../shared/vocabulary/kinds.js';
import type { ScalerConfig, TargetConfig } from '../../shared/config/schema/schema.js';
import { AdxOptimizedReactive } from './baselines/adx-optimized-reactive.js';
import { AzureMonitorAutoscale, scheduledProfiles } from './baselines/azure-monitor-autoscale.js';
import { Hpa } from './baselines/hpa.js';
import { Oracle, planOracle, type OraclePlan } from './baselines/oracle.js';
import { StaticPeak, staticPeakCapacity } from './baselines/static-peak.js';
import { ElasticScalerRunner } from './elastic-scaler-runner.js';
import type { SimulationParameters } from './model/parameters.js';
import type { OperationRecord, Outcomes, Timeline } from './outcomes.js';
import {
  clamp,
  ControllerRunner,
  drive,
  unitsFor,
  type PolicyName,
  type PolicyRunner,
  type RunNotes,
} from './policy-runner.js';
import { SimulatedCluster } from './simulated-cluster.js';
import { needSeries, type Trace } from './trace.js';
import { simulationOf } from './kinds/registry.js';

/** The common starting capacity covers this many minutes: longer than any policy's lead time. */
const INITIAL_COVER_MINUTES = 120;

export interface RunSpec {
  kind: TargetKind;
  trace: Trace;
  policy: PolicyName;
  config: ScalerConfig;
  target: TargetConfig;
  parameters: SimulationParameters;
  /** Start here instead of the common default (a backtest starts from the real capacity). */
  initialCapacity?: number | undefined;
  /** elastic-scaler: run the full timer tick every minute instead of the fast path (same results, slower). */
  exactTicks?: boolean | undefined;
}

export interface RunResult {
  kind: TargetKind;
  scenario: string;
  policy: PolicyName;
  outcomes: Outcomes;
  /** nodeHours / the oracle's, once the oracle has run on the same trace. */
  costVsOracle?: number | undefined;
  timeline: Timeline;
  /** Every accepted capacity change, with its reason where the policy gives one. */
  operations: OperationRecord[];
  notes: RunNotes;
  initialCapacity: number;
  elapsedMs: number;
}

/** The limits every policy keeps to: the target's, narrowed by the service bounds the model enforces. */
export function policyLimits(
  target: TargetConfig,
  parameters: SimulationParameters,
  limits: TargetConfig['limits'] = target.limits,
): { min: number; max: number; default: number } {
  const service = simulationOf(target.kind).serviceBounds(parameters);
  const max = Math.min(limits.max, service.max);
  const min = Math.min(max, Math.max(limits.min, service.min));
  return { min, max, default: clamp(limits.default, { min, max }) };
}

export function initialCapacity(need: Float64Array, limits: { min: number; max: number }): number {
  let peak = 0;
  for (let minute = 0; minute < Math.min(need.length, INITIAL_COVER_MINUTES); minute += 1)
    peak = Math.max(peak, need[minute] ?? 0);
  return clamp(unitsFor(peak), limits);
}

export async function runPolicy(spec: RunSpec): Promise<RunResult> {
  const started = performance.now();
  const limits = policyLimits(spec.target, spec.parameters);
  const need = needSeries(spec.trace, spec.kind);
  const start =
    spec.initialCapacity === undefined ? initialCapacity(need, limits) : clamp(spec.initialCapacity, limits);
  const plan =
    spec.policy === 'oracle'
      ? planOracle({ kind: spec.kind, trace: spec.trace, parameters: spec.parameters, limits, initialCapacity: start })
      : undefined;
  const capacity = spec.policy === 'static-peak' ? staticPeakCapacity(need, limits) : (plan?.initialCapacity ?? start);
  const cluster = new SimulatedCluster({
    kind: spec.kind,
    trace: spec.trace,
    parameters: spec.parameters,
    initialCapacity: capacity,
    snapshots: spec.policy === 'elastic-scaler',
  });
  const runner = plan ? oracleRunner(cluster, plan, start) : createRunner(spec, cluster, limits);
  await drive(cluster, runner);
  return {
    kind: spec.kind,
    scenario: spec.trace.name,
    policy: spec.policy,
    outcomes: cluster.recorder.outcomes(),
    timeline: cluster.recorder.timelineSoFar(),
    operations: cluster.recorder.operationLog(),
    notes: runner.notes?.() ?? {},
    initialCapacity: capacity,
    elapsedMs: Math.round(performance.now() - started),
  };
}

function createRunner(
  spec: RunSpec,
  cluster: SimulatedCluster,
  limits: { min: number; max: number; default: number },
): PolicyRunner {
  const { model, feed } = cluster;
  const requested = () => model.requestedCapacity;
  switch (spec.policy) {
    case 'elastic-scaler':
      return new ElasticScalerRunner(spec.config, spec.target, cluster, spec.exactTicks === true);
    case 'static-peak':
      return new ControllerRunner(cluster, new StaticPeak());
    case 'azure-monitor-autoscale':
      return new ControllerRunner(
        cluster,
        new AzureMonitorAutoscale(
          scheduledProfiles(spec.target, spec.trace.startMs, (bounds) =>
            policyLimits(spec.target, spec.parameters, bounds),
          ),
          feed,
          requested,
        ),
      );
    case 'adx-optimized-reactive':
      return new ControllerRunner(cluster, new AdxOptimizedReactive(spec.kind, feed, limits, requested));
    case 'hpa':
      return new ControllerRunner(
        cluster,
        new Hpa(spec.kind, feed, limits, () => ({ current: model.requestedCapacity, ready: model.readyUnits })),
      );
    case 'oracle':
      throw new Error('the oracle is planned before its cluster is built (oracleRunner)');
  }
}

function oracleRunner(cluster: SimulatedCluster, plan: OraclePlan, commonStart: number): PolicyRunner {
  const runner = new ControllerRunner(cluster, new Oracle(plan));
  const notes = [`lead time ${plan.leadMinutes} min; ${plan.repairs} repair pass(es)`];
  if (plan.initialCapacity > commonStart)
    notes.push(
      `started with ${plan.initialCapacity} units instead of ${commonStart}: from ${commonStart}, the first rebalance or warm-up would overload whatever the schedule`,
    );
  if (plan.unavoidableOverloadMinutes > 0)
    notes.push(`${plan.unavoidableOverloadMinutes} overloaded minute(s) no schedule within the limits avoids`);
  return {
    policy: 'oracle',
    atMinute: (minute) => runner.atMinute(minute),
    notes: () => ({ notes: [notes.join('; ')] }),
  };
}
