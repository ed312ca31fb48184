/** Registers the test pool in every registry (kinds, ARM adapters, simulations); returns the undo. */
import { registerKind } from '../../../shared/kinds/registry.js';
import { registerAdapter } from '../../../shared/targets/build.js';
import { registerSimulation } from '../../../tools/simulation/kinds/registry.js';
import { TEST_POOL, TEST_POOL_DEFINITION, testPoolSchema } from './definition.js';
import { testPoolAdapter } from './adapter.js';
import { TEST_POOL_SIMULATION } from './simulation.js';

export { TEST_POOL, type TestPoolTarget } from './definition.js';

export function withTestPool(): () => void {
  const undo = [
    registerKind({ definition: TEST_POOL_DEFINITION, configSchema: testPoolSchema }),
    registerAdapter(TEST_POOL, testPoolAdapter),
    registerSimulation(TEST_POOL, TEST_POOL_SIMULATION),
  ];
  return () => undo.forEach((remove) => remove());
}
