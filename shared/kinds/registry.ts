/**
 * Every target kind, by kind: its target schema (the config document's union of targets is built here) and its
 * definition. Adding a kind: its folder here, its name and facts in shared/vocabulary/kinds.ts, its entry in both
 * lists below (docs/adding-a-target-kind.md); a kind left out of the union leaves its KINDS entry typed `never`,
 * so the compiler names it. `registerKind` adds a kind beside the built-in ones at run time (the third-kind test
 * does), without loosening the compile-time completeness of KINDS for the real ones.
 */
import { z, type ZodType } from 'zod';
import type { TargetKind } from '../vocabulary/kinds.js';
import type { KindDefinition, WithCitus, WithScaleIn } from './definition.js';
import { ELASTIC_CLUSTER } from './postgres-elastic-cluster/definition.js';
import { postgresTargetSchema } from './postgres-elastic-cluster/config/schema.js';
import { KUSTO_CLUSTER } from './kusto-cluster/definition.js';
import { kustoTargetSchema } from './kusto-cluster/config/schema.js';

/** One target's config, whichever its kind: the union of every kind's target schema, told apart by `kind`. */
export const targetSchema = z.discriminatedUnion('kind', [postgresTargetSchema, kustoTargetSchema]);

export type TargetConfig = z.output<typeof targetSchema>;
/** The config of one kind's targets. */
export type TargetOfKind<K extends TargetKind> = Extract<TargetConfig, { kind: K }>;
/** A target whose optimized mode scales in: it has the scale-in thresholds, windows and grains. */
export type ScaleInTarget = WithScaleIn<TargetConfig>;
/**
 * A target whose follow-up runs the Citus steps after a scale-out: it has the rebalance, connection and database
 * settings.
 */
export type CitusTarget = WithCitus<TargetConfig>;
/** One definition per kind, typed by that kind's config: a missing kind is a compile error. */
export type KindRegistry = { [K in TargetKind]: KindDefinition<TargetOfKind<K>> };

export const KINDS: KindRegistry = {
  'postgres-elastic-cluster': ELASTIC_CLUSTER,
  'kusto-cluster': KUSTO_CLUSTER,
};

/** A kind added at run time: its definition and the zod schema of its targets (the built-in ones are in targetSchema). */
export interface KindExtension {
  definition: KindDefinition;
  configSchema: ZodType;
}

const extensions = new Map<string, KindExtension>();

/** Adds a kind; returns the function that removes it again. A built-in or already registered kind is refused. */
export function registerKind(extension: KindExtension): () => void {
  const kind: string = extension.definition.kind;
  if (Object.hasOwn(KINDS, kind) || extensions.has(kind))
    throw new Error(`kind ${kind} is already registered; give the new kind its own name`);
  extensions.set(kind, extension);
  return () => extensions.delete(kind);
}

/** The schema of a run-time kind's targets, or undefined for a built-in (or unknown) kind. */
export function extensionSchema(kind: unknown): ZodType | undefined {
  return typeof kind === 'string' ? extensions.get(kind)?.configSchema : undefined;
}

/** Every kind's definition, the built-in ones first. */
export function allKinds(): KindDefinition[] {
  return [...(Object.values(KINDS) as KindDefinition[]), ...[...extensions.values()].map((one) => one.definition)];
}

/** The definition of a kind, for questions that need no config. */
export function kindDefinition(kind: TargetKind): KindDefinition {
  const definition = Object.hasOwn(KINDS, kind) ? (KINDS[kind] as KindDefinition) : extensions.get(kind)?.definition;
  if (!definition) throw new Error(`kind ${String(kind)} is not registered (shared/kinds/registry.ts)`);
  return definition;
}

/**
 * The definition of a target's kind, typed for that target: its functions take the target's own config. The one
 * cast is sound because the registry maps each kind to the definition of that kind's config (KindRegistry).
 */
export function kindOf<T extends TargetConfig>(target: T): KindDefinition<T> {
  return kindDefinition(target.kind) as unknown as KindDefinition<T>;
}
