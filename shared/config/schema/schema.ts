/**
 * The versioned config document: the shared building blocks (config/fields) and the union of every kind's target
 * schema (each in its folder, shared/kinds/<kind>/config/schema.ts; the union in shared/kinds/registry.ts, beside
 * the kinds' definitions), put together. Rules that need more than one field (kind-aware
 * limits, thresholds that invite flapping) live in `semantic-checks.ts`.
 */
import { z } from 'zod';
import { DEFAULTS } from '../fields/defaults.js';
import type {
  alertAction,
  limits,
  profileSchema,
  ruleSchema,
  OPERATORS,
  TIME_AGGREGATIONS,
  FORECAST_MODES,
} from '../fields/fields.js';
import { postgresTargetSchema } from '../../kinds/postgres-elastic-cluster/config/schema.js';
import { kustoTargetSchema } from '../../kinds/kusto-cluster/config/schema.js';
import { targetSchema } from '../../kinds/registry.js';

export { MAX_UNITS, OPERATORS, TIME_AGGREGATIONS, ruleSchema, profileSchema } from '../fields/fields.js';
export { postgresTargetSchema, kustoTargetSchema, targetSchema };

export const settingsSchema = z
  .strictObject({
    minThresholdGapPercent: z
      .number()
      .min(0)
      .max(100)
      .default(DEFAULTS.settings.minThresholdGapPercent)
      .describe(
        'Warn when scale-out and scale-in thresholds on one metric are closer than this share of the scale-out threshold.',
      ),
  })
  .prefault({})
  .describe('Settings for the whole document.');

/** The document as a whole. Targets are parsed one by one (see load.ts) so each reports its own problems. */
export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).describe('Config format version. Only 1 exists.'),
  settings: settingsSchema,
  targets: z.array(targetSchema).min(1),
});

export type ScalerConfig = z.output<typeof configSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type PostgresTargetConfig = z.output<typeof postgresTargetSchema>;
export type KustoTargetConfig = z.output<typeof kustoTargetSchema>;
export type RuleConfig = z.output<typeof ruleSchema>;
export type ProfileConfig = z.output<typeof profileSchema>;
export type LimitsConfig = z.output<typeof limits>;
export type AlertActionConfig = z.output<typeof alertAction>;
export type Operator = (typeof OPERATORS)[number];
export type TimeAggregation = (typeof TIME_AGGREGATIONS)[number];
export type ScaleMode = TargetConfig['mode'];
export type ForecastMode = (typeof FORECAST_MODES)[number];
export type ForecastConfig = TargetConfig['forecast'];
export type ConfigInput = z.input<typeof configSchema>;
