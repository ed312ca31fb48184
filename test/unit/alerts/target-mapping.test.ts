import { describe, expect, it } from 'vitest';
import { targetsForAlert } from '../../../shared/alerts/target-mapping.js';
import { targetSchema, type TargetConfig } from '../../../shared/config/schema/schema.js';

const SUB = '00000000-0000-0000-0000-000000000001';
const pgId = (name: string, group = 'rg-data') =>
  `/subscriptions/${SUB}/resourceGroups/${group}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
const kustoId = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-data/providers/Microsoft.Kusto/clusters/${name}`;

const orders: TargetConfig = targetSchema.parse({
  name: 'orders',
  kind: 'postgres-elastic-cluster',
  resourceId: pgId('orders'),
  mode: 'manual',
  limits: { min: 2, max: 8 },
});
const telemetry: TargetConfig = targetSchema.parse({
  name: 'telemetry',
  kind: 'kusto-cluster',
  resourceId: kustoId('telemetry'),
  mode: 'manual',
  limits: { min: 2, max: 8 },
});
const targets = [orders, telemetry];

describe('targetsForAlert', () => {
  it.each([
    { name: 'the cluster id itself', id: pgId('orders'), expected: ['orders'] },
    { name: 'the id as Azure Monitor lowercases it', id: pgId('orders').toLowerCase(), expected: ['orders'] },
    { name: 'the id with a trailing slash', id: `${kustoId('telemetry')}/`, expected: ['telemetry'] },
    { name: "the elastic cluster's coordinator", id: pgId('orders-c'), expected: ['orders'] },
    { name: 'a worker node of the elastic cluster', id: pgId('ORDERS-W3'), expected: ['orders'] },
    { name: 'a child resource of the cluster', id: `${pgId('orders')}/databases/app`, expected: ['orders'] },
    { name: 'another server whose name only starts like the cluster', id: pgId('orders-archive'), expected: [] },
    { name: 'a node-like name in another resource group', id: pgId('orders-c', 'rg-other'), expected: [] },
    { name: 'a Kusto cluster whose name extends the target', id: kustoId('telemetry-c'), expected: [] },
    {
      name: 'a storage account',
      id: `/subscriptions/${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/orders`,
      expected: [],
    },
    { name: 'text that is no resource id', id: 'orders', expected: [] },
  ])('maps $name', ({ id, expected }) => {
    expect(targetsForAlert([id], targets).map((target) => target.name)).toEqual(expected);
  });

  it('maps an alert on several resources to every target it covers, once each', () => {
    const ids = [pgId('orders-w0'), pgId('orders-w1'), kustoId('telemetry'), pgId('orders')];
    expect(targetsForAlert(ids, targets).map((target) => target.name)).toEqual(['orders', 'telemetry']);
  });
});
