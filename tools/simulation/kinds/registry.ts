/** The simulation of every target kind, by kind (the tools-side half of the kind registry in shared/kinds). */
import type { TargetConfig } from '../../../shared/config/schema/schema.js';
import type { TargetKind } from '../../../shared/vocabulary/kinds.js';
import type { SimulationKind, SimulationRegistry } from './definition.js';
import { ELASTIC_CLUSTER_SIMULATION } from './postgres-elastic-cluster.js';
import { KUSTO_CLUSTER_SIMULATION } from './kusto-cluster.js';

export const SIMULATIONS: SimulationRegistry = {
  'postgres-elastic-cluster': ELASTIC_CLUSTER_SIMULATION,
  'kusto-cluster': KUSTO_CLUSTER_SIMULATION,
};

export function simulationOf(kind: TargetKind): SimulationKind {
  return SIMULATIONS[kind] as SimulationKind;
}

/** A target's simulation, typed for it (the registry maps each kind to the simulation of that kind's config). */
export function simulationFor<T extends TargetConfig>(target: T): SimulationKind<T> {
  return SIMULATIONS[target.kind] as unknown as SimulationKind<T>;
}
