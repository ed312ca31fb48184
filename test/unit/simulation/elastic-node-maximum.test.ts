/**
 * The simulator models the elastic cluster's node maximum as the scaler knows it: the kind's service maximum,
 * raised where SCALER_ELASTIC_CLUSTER_MAX_NODES says the service allows more, and narrowed by a target's limits.
 */
import { describe, expect, it } from 'vitest';
import { KIND_FACTS } from '../../../shared/vocabulary/kinds.js';
import { raisedMaximums } from '../../../cli/simulation-common.js';
import { ElasticClusterModel } from '../../../tools/simulation/model/elastic-cluster-model.js';
import {
  DEFAULT_SIMULATION_PARAMETERS,
  simulationParameters,
  type SimulationParameters,
} from '../../../tools/simulation/model/parameters.js';
import { policyLimits } from '../../../tools/simulation/run.js';
import { config, pgTarget, targetOf } from './builders.js';

const FACT = KIND_FACTS['postgres-elastic-cluster'].serviceMax;

function parametersRaisedTo(maxNodes: number, document: unknown = {}): SimulationParameters {
  const parameters = simulationParameters(document, { 'postgres-elastic-cluster': maxNodes });
  if ('problems' in parameters) throw new Error(parameters.problems.join('; '));
  return parameters;
}

describe('the elastic cluster node maximum in the simulator', () => {
  it("is the kind's service maximum by default", () => {
    expect(DEFAULT_SIMULATION_PARAMETERS.elastic.maxNodes).toBe(FACT);
    const model = new ElasticClusterModel(DEFAULT_SIMULATION_PARAMETERS.elastic, FACT ?? 20);
    expect(model.serviceBounds).toEqual({ min: 2, max: FACT });
    expect(model.requestChange((FACT ?? 20) + 1)).toMatchObject({ accepted: false, reason: 'out-of-bounds' });
  });

  it('follows the raising setting: a 32-node cluster grows to 30', () => {
    const parameters = parametersRaisedTo(32);
    expect(parameters.elastic.maxNodes).toBe(32);
    const model = new ElasticClusterModel(parameters.elastic, 20);
    expect(model.requestChange(30)).toEqual({ accepted: true, operationId: 1 });
    expect(new ElasticClusterModel(parameters.elastic, 20).requestChange(33)).toMatchObject({
      accepted: false,
      reason: 'out-of-bounds',
    });
  });

  it('lets a model file set it, above the setting', () => {
    expect(parametersRaisedTo(32, { elastic: { maxNodes: 24 } }).elastic.maxNodes).toBe(24);
  });

  it("narrows every policy's limits: the target's max up to the raised maximum, never past it", () => {
    const target = targetOf(config([pgTarget({ limits: { min: 2, max: 40 } })]));
    expect(policyLimits(target, DEFAULT_SIMULATION_PARAMETERS).max).toBe(FACT);
    expect(policyLimits(target, parametersRaisedTo(32)).max).toBe(32);
    expect(policyLimits(target, parametersRaisedTo(48)).max).toBe(40);
  });

  it('reads the setting as the scaler does, and refuses a value below the service maximum', () => {
    const errors: string[] = [];
    const output = { out: () => undefined, err: (line: string) => errors.push(line) };
    expect(raisedMaximums(output, { SCALER_ELASTIC_CLUSTER_MAX_NODES: '32' })).toEqual({
      'postgres-elastic-cluster': 32,
    });
    expect(raisedMaximums(output, {})).toEqual({});
    expect(raisedMaximums(output, { SCALER_ELASTIC_CLUSTER_MAX_NODES: '12' })).toBeUndefined();
    expect(errors).toEqual([
      expect.stringContaining('SCALER_ELASTIC_CLUSTER_MAX_NODES: 12 is below the service maximum'),
    ]);
  });
});
