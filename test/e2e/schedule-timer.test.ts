import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constant, MINUTE_MS } from '../../tools/emulator/index.js';
import {
  acceptedPatches,
  kustoResourceId,
  pgResourceId,
  startHarness,
  tick,
  type Harness,
} from '../support/scaler-harness.js';
import { scalerApi } from '../support/api-services.js';
import { localAt } from '../../shared/vocabulary/zoned-time.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';
import type { Services } from '../../functions/composition-root.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const config = (...targets: unknown[]): ConfigInput => ({ version: 1, targets }) as ConfigInput;
const advance = (minutes: number) => harness.emulator.clock.advance(minutes * MINUTE_MS);
const patches = (name: string) => acceptedPatches(harness.emulator, name);
const inMinutes = (minutes: number) => harness.emulator.clock.nowMs() + minutes * MINUTE_MS;
const two = (value: number) => String(value).padStart(2, '0');
/** The wall-clock time `minutes` from now in `zone`, as the config writes it. */
function localDateTime(minutes: number, zone: string): string {
  const local = localAt(inMinutes(minutes), zone);
  return `${local.year}-${two(local.month)}-${two(local.day)}T${two(local.hour)}:${two(local.minute)}`;
}
const localTime = (minutes: number, zone: string) => localDateTime(minutes, zone).slice(11);

async function lastDecision(services: Services, target: string) {
  const [record] = await services.state.listDecisions(target, 1);
  return record?.decision;
}

const cpuRules = (metric: string) => [
  { name: 'cpu-high', metric, operator: 'GreaterThan', threshold: 80, direction: 'out', windowMinutes: 10 },
  ...(metric === 'CPU'
    ? [{ name: 'cpu-low', metric, operator: 'LessThan', threshold: 20, direction: 'in', windowMinutes: 10 }]
    : []),
];

describe('schedules through the evaluateTargets timer, against the ARM/Monitor emulators and Azurite', () => {
  it("takes an ADX cluster to a fixed-date profile's instance count when it starts, and back within the default limits when it ends", async () => {
    const id = harness.emulator.kusto.addCluster({ resourceGroup: 'rg-data', name: 'saleadx', capacity: 3 }).id;
    harness.emulator.metrics.set(id, 'CPU', constant(50));
    const zone = 'America/New_York';
    const sale = {
      name: 'sale',
      fixedDate: { start: localDateTime(30, zone), end: localDateTime(180, zone), timeZone: zone },
      instanceCount: 7,
    };
    const target = {
      name: 'saleadx',
      kind: 'kusto-cluster',
      resourceId: kustoResourceId('saleadx'),
      mode: 'custom',
      limits: { min: 2, max: 4 },
      cooldowns: { scaleOutMinutes: 0, scaleInMinutes: 0 },
      maxStep: { out: 1, in: 1 },
      rules: cpuRules('CPU'),
      profiles: [sale],
    };
    const services = await harness.services(config(target));
    const api = scalerApi(services);

    await tick(services);
    expect(patches('saleadx')).toHaveLength(0);
    expect(await lastDecision(services, 'saleadx')).toMatchObject({
      reason: 'WithinThresholds',
      evidence: { profile: { name: 'default', next: { at: new Date(inMinutes(30)).toISOString(), profile: 'sale' } } },
    });

    advance(30);
    await tick(services);
    expect(patches('saleadx').map((request) => request.body)).toEqual([
      expect.objectContaining({ sku: expect.objectContaining({ capacity: 7 }) }),
    ]);
    const started = await lastDecision(services, 'saleadx');
    expect(started).toMatchObject({
      action: 'scale-out',
      from: 3,
      to: 7,
      reason: 'ScheduledInstanceCount',
      evidence: { mode: 'instance-count', profile: { name: 'sale', kind: 'fixed-date', instanceCount: 7 } },
    });
    const status = await api.target('saleadx');
    expect(status.body).toMatchObject({
      schedule: {
        name: 'sale',
        kind: 'fixed-date',
        mode: 'instance-count',
        instanceCount: 7,
        profiles: ['sale'],
        next: { profile: 'default' },
      },
      effectiveLimits: { min: 7, max: 7 },
    });

    advance(15); // the emulator's ADX update takes 10 minutes
    await tick(services);
    expect(harness.emulator.kusto.getCluster(id)?.sku.capacity).toBe(7);
    expect(await lastDecision(services, 'saleadx')).toMatchObject({
      action: 'none',
      reason: 'AtScheduledInstanceCount',
    });
    const refused = await api.scale('saleadx', { capacity: 3, reason: 'cost' });
    expect(refused.body).toMatchObject({
      reason: 'AtMinimum',
      decision: { action: 'none', to: 7, evidence: { profile: { name: 'sale' } } },
    });
    expect(refused.text).toContain('but 7 instances is already the minimum of profile \\"sale\\"');
    expect(patches('saleadx')).toHaveLength(1);

    advance(135); // the sale ends: the default profile's maximum of 4 applies again
    await tick(services);
    expect(patches('saleadx').at(-1)?.body).toMatchObject({ sku: { capacity: 4 } });
    expect(await lastDecision(services, 'saleadx')).toMatchObject({
      action: 'scale-in',
      from: 7,
      to: 4,
      reason: 'AboveMaximum',
      evidence: { profile: { name: 'default' } },
    });
  });

  it("takes an elastic cluster to a daily profile's node count ahead of its peak, and keeps the nodes when it ends", async () => {
    const id = harness.emulator.postgres.addCluster({
      resourceGroup: 'rg-data',
      name: 'peakpg',
      location: 'westeurope',
      clusterSize: 3,
    }).id;
    harness.emulator.metrics.set(id, 'cpu_percent', constant(40));
    const zone = 'Asia/Tokyo';
    const everyDay = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
    const beforePeak = {
      name: 'before-peak',
      recurrence: { days: everyDay, start: localTime(20, zone), end: localTime(120, zone), timeZone: zone },
      instanceCount: 6,
    };
    const target = {
      name: 'peakpg',
      kind: 'postgres-elastic-cluster',
      resourceId: pgResourceId('peakpg'),
      mode: 'custom',
      limits: { min: 2, max: 4 },
      maxStep: { out: 1 },
      rules: cpuRules('cpu_percent'),
      rebalance: { enabled: false },
      profiles: [beforePeak],
    };
    const services = await harness.services(config(target));

    await tick(services);
    expect(patches('peakpg')).toHaveLength(0);

    advance(20);
    await tick(services);
    expect(patches('peakpg').map((request) => request.body)).toEqual([{ properties: { cluster: { clusterSize: 6 } } }]);
    expect(await lastDecision(services, 'peakpg')).toMatchObject({
      to: 6,
      reason: 'ScheduledInstanceCount',
      evidence: { profile: { name: 'before-peak', kind: 'recurrence' } },
    });

    advance(6);
    await tick(services);
    expect(harness.emulator.postgres.getCluster(id)?.properties.cluster?.clusterSize).toBe(6);

    advance(100); // the profile has ended; the default allows at most 4 nodes, but nodes cannot be removed
    await tick(services);
    expect(patches('peakpg')).toHaveLength(1);
    const after = await lastDecision(services, 'peakpg');
    expect(after).toMatchObject({
      action: 'none',
      to: 6,
      reason: 'ScaleInUnsupported',
      evidence: { profile: { name: 'default', next: { profile: 'before-peak' } } },
    });
    expect(after?.evidence.profile?.why).toMatch(/recurrence profile "before-peak" ended at .* Asia\/Tokyo/);
  });
});
