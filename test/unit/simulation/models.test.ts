import { describe, expect, it } from 'vitest';
import { ElasticClusterModel } from '../../../tools/simulation/model/elastic-cluster-model.js';
import { KustoClusterModel } from '../../../tools/simulation/model/kusto-cluster-model.js';
import {
  ELASTIC_CLUSTER_DEFAULTS,
  KUSTO_CLUSTER_DEFAULTS,
  simulationParameters,
  type ElasticClusterParameters,
  type KustoClusterParameters,
} from '../../../tools/simulation/model/parameters.js';

const elastic = (overrides: Partial<ElasticClusterParameters> = {}, nodes = 4) =>
  new ElasticClusterModel({ ...ELASTIC_CLUSTER_DEFAULTS, ...overrides }, nodes);
const kusto = (overrides: Partial<KustoClusterParameters> = {}, instances = 4) =>
  new KustoClusterModel({ ...KUSTO_CLUSTER_DEFAULTS, ...overrides }, instances);

describe('ElasticClusterModel', () => {
  it('adds the nodes after the provisioning delay, then rebalances 500 GB x 1/5 at 50 MB/s in 35 minutes', () => {
    const model = elastic();
    expect(model.requestChange(5)).toEqual({ accepted: true, operationId: 1 });
    model.advanceTo(9);
    expect({
      arm: model.armCapacity,
      busy: model.armBusy,
      billed: model.billedUnits,
      effective: model.effectiveCapacity(),
    }).toEqual({ arm: 4, busy: true, billed: 5, effective: 4 });
    model.advanceTo(10);
    expect(model.armCapacity).toBe(5);
    expect(model.armBusy).toBe(false);
    // 100 GB at 50 MB/s: 2048 s, rounded up to 35 minutes; settled when the rebalance ends.
    model.advanceTo(44);
    expect(model.drainSettled()).toEqual([]);
    model.advanceTo(45);
    expect(model.drainSettled()).toEqual([{ operationId: 1, minute: 45 }]);
    expect(model.effectiveCapacity()).toBe(5);
  });

  it('ramps effective capacity by the busiest node while moves cost a quarter node each', () => {
    const model = elastic();
    model.requestChange(5);
    model.advanceTo(10);
    expect(model.effectiveCapacity()).toBeCloseTo(4 - 0.25, 9);
    model.advanceTo(17);
    // 7 of 35 minutes done: the old nodes hold 1 - 0.2 x 1/5 of the shards.
    expect(model.effectiveCapacity()).toBeCloseTo(4 / (1 - 0.2 / 5) - 0.25, 9);
  });

  it('speeds up with parallel moves, sublinearly, and "auto" means one move per node added', () => {
    const model = elastic();
    expect(model.rebalanceMinutes(4, 2, 1)).toBe(57);
    expect(model.rebalanceMinutes(4, 2, 2)).toBe(34);
    model.requestChange(6, { rebalanceParallelism: 'auto' });
    model.advanceTo(10);
    expect(model.effectiveCapacity()).toBeCloseTo(4 - 2 * 0.25, 9);
    model.advanceTo(43);
    expect(model.drainSettled()).toEqual([]);
    model.advanceTo(44);
    expect(model.drainSettled()).toEqual([{ operationId: 1, minute: 44 }]);
  });

  it('refuses a scale-in, a size outside 2..20, and a second update while one runs', () => {
    const model = elastic();
    expect(model.requestChange(3)).toMatchObject({ accepted: false, reason: 'unsupported' });
    expect(model.requestChange(21)).toMatchObject({ accepted: false, reason: 'out-of-bounds' });
    model.requestChange(5);
    expect(model.requestChange(6)).toMatchObject({ accepted: false, reason: 'busy' });
  });

  it('runs one rebalance at a time: nodes that arrive meanwhile wait for the next one', () => {
    const model = elastic();
    model.requestChange(5, { concurrent: true });
    model.advanceTo(1);
    model.requestChange(6, { concurrent: true });
    model.advanceTo(45);
    expect(model.drainSettled()).toEqual([{ operationId: 1, minute: 45 }]);
    model.advanceTo(74);
    expect(model.drainSettled()).toEqual([{ operationId: 2, minute: 74 }]);
    expect(model.effectiveCapacity()).toBe(6);
  });

  it('leaves new nodes without shards when no rebalance runs, and ends the operation with ARM', () => {
    const model = elastic();
    model.requestChange(6, { rebalance: false });
    model.advanceTo(10);
    expect(model.drainSettled()).toEqual([{ operationId: 1, minute: 10 }]);
    model.advanceTo(500);
    expect(model.effectiveCapacity()).toBe(4);
    expect(model.billedUnits).toBe(6);
  });
});

describe('KustoClusterModel', () => {
  it('provisions in 15 minutes, then warms the new instances up over an hour while the reorganization costs CPU', () => {
    const model = kusto();
    model.requestChange(6);
    model.advanceTo(14);
    expect({ arm: model.armCapacity, billed: model.billedUnits, effective: model.effectiveCapacity() }).toEqual({
      arm: 4,
      billed: 6,
      effective: 4,
    });
    model.advanceTo(15);
    expect(model.drainSettled()).toEqual([{ operationId: 1, minute: 15 }]);
    expect(model.effectiveCapacity()).toBeCloseTo(4 - 2 * 0.2, 9);
    model.advanceTo(45);
    expect(model.effectiveCapacity()).toBeCloseTo(4 + 2 * 0.5 - 0.4, 9);
    model.advanceTo(75);
    expect(model.effectiveCapacity()).toBe(6);
  });

  it('keeps billing and serving with the old size until a scale-in finishes, then drops', () => {
    const model = kusto({}, 6);
    model.requestChange(5);
    model.advanceTo(9);
    expect({ billed: model.billedUnits, effective: model.effectiveCapacity(), arm: model.armCapacity }).toEqual({
      billed: 6,
      effective: 6,
      arm: 6,
    });
    model.advanceTo(10);
    expect({ billed: model.billedUnits, arm: model.armCapacity }).toEqual({ billed: 5, arm: 5 });
    expect(model.effectiveCapacity()).toBeCloseTo(5 - 0.2, 9);
    model.advanceTo(70);
    expect(model.effectiveCapacity()).toBe(5);
  });

  it('removes the newest, least warm instances first', () => {
    const model = kusto({ reorganizationCostPerInstance: 0 });
    model.requestChange(6, { concurrent: true });
    model.advanceTo(15);
    model.requestChange(5, { concurrent: true });
    model.advanceTo(25);
    // One of the two warming instances is gone; the other is 10 of 60 minutes warm.
    expect(model.effectiveCapacity()).toBeCloseTo(4 + 10 / 60, 9);
  });

  it('refuses sizes outside the SKU bounds and a second update while one runs', () => {
    const model = kusto();
    expect(model.requestChange(1)).toMatchObject({ accepted: false, reason: 'out-of-bounds' });
    expect(model.requestChange(101)).toMatchObject({ accepted: false, reason: 'out-of-bounds' });
    model.requestChange(5);
    expect(model.requestChange(6)).toMatchObject({
      accepted: false,
      reason: 'busy',
      message: expect.stringContaining('ARM 409'),
    });
    expect(model.armStatus(1)).toBe('running');
    model.advanceTo(15);
    expect(model.armStatus(1)).toBe('succeeded');
  });
});

describe('simulationParameters', () => {
  it('overrides only what the document names', () => {
    const merged = simulationParameters({ kusto: { cacheWarmupMinutes: 90 }, metrics: { reportingLagMinutes: 0 } });
    expect(merged).toMatchObject({
      kusto: { cacheWarmupMinutes: 90, provisioningMinutes: 15 },
      metrics: { reportingLagMinutes: 0, noisePercentPoints: 2 },
      elastic: ELASTIC_CLUSTER_DEFAULTS,
    });
  });

  it('reports every bad field with its path', () => {
    const result = simulationParameters({
      kusto: { cacheWarmupMinutes: -1, warmup: 3 },
      elastic: { dataSizeGb: 'big' },
    });
    expect('problems' in result && result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kusto\.cacheWarmupMinutes: /),
        expect.stringContaining('warmup'),
        expect.stringMatching(/^elastic\.dataSizeGb: /),
      ]),
    );
  });

  it('refuses a SKU minimum above the maximum', () => {
    expect(simulationParameters({ kusto: { skuMinInstances: 10, skuMaxInstances: 5 } })).toEqual({
      problems: ['kusto.skuMinInstances: 10 is above kusto.skuMaxInstances (5); make the minimum the smaller'],
    });
  });
});
