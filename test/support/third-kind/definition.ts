/**
 * A throwaway third kind, for tests only: a "test pool" of slots, sized through a SKU capacity. It exists to prove
 * that a kind is added by its own folder and the registries alone (docs/adding-a-target-kind.md). The emulator has
 * no route of its own for it, so its resources are SKU-capacity resources of the emulator's ADX route; everything
 * the scaler knows about the kind (words, bounds, metrics, signals, follow-up, checks) is its own.
 */
import { z } from 'zod';
import { kustoTargetSchema } from '../../../shared/config/schema/schema.js';
import type { KindDefinition, KindTarget } from '../../../shared/kinds/definition.js';
import type { TargetKind } from '../../../shared/vocabulary/kinds.js';

export const TEST_POOL = 'test-pool';

/** Its targets: the ADX-shaped settings the adapter needs, under the kind's own name. */
export const testPoolSchema = kustoTargetSchema.extend({ kind: z.literal(TEST_POOL) });
export type TestPoolTarget = z.output<typeof testPoolSchema>;

const pool = (target: KindTarget) => target as unknown as TestPoolTarget;

export const TEST_POOL_DEFINITION: KindDefinition = {
  // Not one of TARGET_KINDS: registered at run time (registerKind).
  kind: TEST_POOL as TargetKind,
  facts: {
    resourceType: 'Microsoft.Kusto/clusters',
    unit: 'slots',
    canScaleIn: true,
    serviceMin: 2,
    serviceMax: 12,
    serviceMaxSetting: undefined,
  },
  words: {
    name: 'Test pool',
    aCluster: 'a test pool',
    unitSingular: 'slot',
    resource: 'pool',
    settling: 'pool refill',
  },
  capacityField: 'sku.capacity',
  metrics: {
    namespace: 'Microsoft.Kusto/clusters',
    catalog: {
      CPU: { unit: 'Percent', aggregations: ['Average', 'Maximum', 'Minimum'] },
      InstanceCount: { unit: 'Count', aggregations: ['Average', 'Maximum', 'Minimum'] },
    },
  },
  forecastMetrics: ['CPU'],
  optimized: {
    scaleOutChecks: (target) => [
      { name: 'cpu-high', metric: 'CPU', threshold: pool(target).optimized.scaleOut.cpuPercent },
    ],
    metrics: [{ metric: 'CPU', aggregation: 'Average' }],
    // Optimized mode only scales a test pool out; scale-in is for rules and operators.
    scaleInTarget: () => undefined,
    scaleInLookbackMinutes: () => 0,
    extraWindows: () => [],
    thresholdPairs: () => [],
  },
  defaultHorizonMinutes: 30,
  nodeServerSuffix: undefined,
  cacheWarmupMinutes: () => 0,
  forecastWarmupMinutes: () => 0,
  assumesHiddenLoadWhenSaturated: false,
  takesOverConflictingAutoscaler: () => false,
  followUpPlan: 'arm-only',
  citusTarget: () => undefined,
  followUpTiming: (target) => ({
    pollIntervalSeconds: pool(target).followUp.pollIntervalSeconds,
    readyTimeoutMinutes: pool(target).followUp.timeoutMinutes,
    haReadyTimeoutMinutes: pool(target).followUp.timeoutMinutes,
  }),
  hasHighAvailabilityStandby: false,
  checks: (target, path) =>
    target.limits.max > 8
      ? [
          {
            severity: 'warning',
            path: `${path}.limits.max`,
            message: `${target.limits.max} slots need a quota request for a test pool above 8; file one, or set it to 8 or less`,
          },
        ]
      : [],
};
