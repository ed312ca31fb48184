/**
 * Every target kind's definition, by kind. Adding a kind: its folder here, its name and facts in
 * shared/vocabulary/kinds.ts, its entry below (docs/adding-a-target-kind.md).
 */
import type { TargetKind } from '../vocabulary/kinds.js';
import type { TargetConfig } from '../config/schema/schema.js';
import type { KindDefinition, KindRegistry } from './definition.js';
import { ELASTIC_CLUSTER } from './postgres-elastic-cluster/definition.js';
import { KUSTO_CLUSTER } from './kusto-cluster/definition.js';

export const KINDS: KindRegistry = {
  'postgres-elastic-cluster': ELASTIC_CLUSTER,
  'kusto-cluster': KUSTO_CLUSTER,
};

/** The definition of a kind, for questions that need no config. */
export function kindDefinition(kind: TargetKind): KindDefinition {
  return KINDS[kind] as KindDefinition;
}

/**
 * The definition of a target's kind, typed for that target: its functions take the target's own config. The one
 * cast is sound because the registry maps each kind to the definition of that kind's config (KindRegistry).
 */
export function kindOf<T extends TargetConfig>(target: T): KindDefinition<T> {
  return KINDS[target.kind] as unknown as KindDefinition<T>;
}
