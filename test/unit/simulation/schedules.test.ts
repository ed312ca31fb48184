import { describe, expect, it } from 'vitest';
import { runPolicy, type RunResult, type RunSpec } from '../../../tools/simulation/run.js';
import type { PolicyName } from '../../../tools/simulation/policy-runner.js';
import { config, kustoTarget, parameters, pgTarget, targetOf, trace } from './builders.js';

const DAYS = 2;
/** Whole simulated days take seconds; a saturated machine may take many times that. */
const SIMULATION_TIMEOUT_MS = 180_000;
const everyDay = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
/** A known daily peak: 3 node-equivalents, and 12 from 09:00 to 11:00 UTC (a market opening, a nightly batch). */
const demand = Array.from({ length: DAYS * 1440 }, (_, minute) => {
  const hour = (minute % 1440) / 60;
  return hour >= 9 && hour < 11 ? 12 : 3;
});
const load = trace(demand, {
  cache: demand.map((value) => value * 0.3),
  ingestion: demand.map((value) => value * 0.3),
  name: 'daily-peak',
});
/** Starts 45 minutes early, so the scale-out (and for an elastic cluster the rebalance) is done by 09:00. */
const beforeThePeak = {
  name: 'market-open',
  recurrence: { days: everyDay, start: '08:15', end: '11:00', timeZone: 'UTC' },
  limits: { min: 16, max: 20 },
};

function run(kind: RunSpec['kind'], policy: PolicyName, profiles: unknown[]): Promise<RunResult> {
  // Steps of 2, not the default: this is about the schedule, and a reactive run with larger sized steps overloads
  // less on its own (134 instead of 228 minutes on the elastic cluster), which would blur what the profile adds.
  const overrides = { profiles, maxStep: { out: 2 } };
  const target = kind === 'kusto-cluster' ? kustoTarget(overrides) : pgTarget(overrides);
  const scalerConfig = config([target]);
  return runPolicy({
    kind,
    trace: load,
    policy,
    config: scalerConfig,
    target: targetOf(scalerConfig),
    parameters: parameters(),
  });
}

/** The largest billed capacity in the timeline bucket that holds `minute`. */
const billedAt = (result: RunResult, minute: number) =>
  result.timeline.billed[Math.floor(minute / result.timeline.bucketMinutes)] ?? 0;
const justBeforeNine = (day: number) => day * 1440 + 9 * 60 - 5;

describe('schedules in the simulator', () => {
  it.each([
    {
      name: 'elastic-scaler on Azure Data Explorer',
      kind: 'kusto-cluster' as const,
      policy: 'elastic-scaler' as const,
    },
    {
      name: 'the Azure Monitor autoscale baseline on Azure Data Explorer',
      kind: 'kusto-cluster' as const,
      policy: 'azure-monitor-autoscale' as const,
    },
    {
      name: 'elastic-scaler on an elastic cluster',
      kind: 'postgres-elastic-cluster' as const,
      policy: 'elastic-scaler' as const,
    },
  ])(
    'pre-scales before a known daily peak and cuts the overload it causes: $name',
    async ({ kind, policy }) => {
      const [reactive, scheduled] = await Promise.all([run(kind, policy, []), run(kind, policy, [beforeThePeak])]);
      expect(scheduled.notes.errors).toBeUndefined();
      for (let day = 0; day < DAYS; day += 1) {
        expect(billedAt(scheduled, justBeforeNine(day))).toBeGreaterThanOrEqual(16);
        expect(billedAt(reactive, justBeforeNine(day))).toBeLessThan(16);
      }
      expect(reactive.outcomes.overloadMinutes).toBeGreaterThan(100);
      // 2.5, not 3: the reactive run reads its trend now and overloads less (elastic cluster: 228 minutes, was
      // 254); the scheduled run is unchanged (81).
      expect(scheduled.outcomes.overloadMinutes).toBeLessThan(reactive.outcomes.overloadMinutes / 2.5);
    },
    SIMULATION_TIMEOUT_MS,
  );

  it(
    'hands Azure Data Explorer back to its rules after the profile ends, so the peak capacity is not paid all day',
    async () => {
      const [elasticScaler, azureMonitor] = await Promise.all([
        run('kusto-cluster', 'elastic-scaler', [beforeThePeak]),
        run('kusto-cluster', 'azure-monitor-autoscale', [beforeThePeak]),
      ]);
      for (const result of [elasticScaler, azureMonitor]) {
        expect(billedAt(result, 23 * 60 + 55)).toBeLessThan(16);
        // Well below the peak paid all day (16 x 24 h); the hand-back steps down one instance at a time, each held
        // through the cache warm-up, so it takes hours.
        expect(result.outcomes.nodeHours).toBeLessThan(16 * 24 * DAYS * 0.8);
      }
      expect(elasticScaler.notes.reasons).toHaveProperty('BelowMinimum');
    },
    SIMULATION_TIMEOUT_MS,
  );
});
