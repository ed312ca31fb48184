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

/** Simulations of kinds added at run time (registerKind in shared/kinds/registry.ts). */
const extensions = new Map<string, SimulationKind>();

/** Adds the simulation of a run-time kind; returns the function that removes it again. */
export function registerSimulation(kind: string, simulation: SimulationKind): () => void {
  if (Object.hasOwn(SIMULATIONS, kind) || extensions.has(kind))
    throw new Error(`kind ${kind} already has a simulation`);
  extensions.set(kind, simulation);
  return () => extensions.delete(kind);
}

export function simulationOf(kind: TargetKind): SimulationKind {
  const simulation = Object.hasOwn(SIMULATIONS, kind) ? (SIMULATIONS[kind] as SimulationKind) : extensions.get(kind);
  if (!simulation) throw new Error(`kind ${kind} has no simulation (tools/simulation/kinds/registry.ts)`);
  return simulation;
}

/** A target's simulation, typed for it (the registry maps each kind to the simulation of that kind's config). */
export function simulationFor<T extends TargetConfig>(target: T): SimulationKind<T> {
  return simulationOf(target.kind) as unknown as SimulationKind<T>;
}
