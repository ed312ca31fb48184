import { describe, expect, it } from 'vitest';
import {
  isAllowedNumber,
  planConnectionLimits,
  type ConnectionPolicy,
  type ServerParameterState,
} from '../../../shared/citus/connection-limits.js';

const parameter = (
  name: string,
  value: string,
  overrides: Partial<ServerParameterState> = {},
): ServerParameterState => ({
  name,
  value,
  defaultValue: value,
  source: 'system-default',
  allowedValues: '-1-5000',
  ...overrides,
});
/** A 5,000-connection SKU that just grew from 2 to 4 nodes; Azure already moved its defaults to 1,250. */
const parameters = (overrides: Record<string, Partial<ServerParameterState>> = {}) => ({
  max_connections: parameter('max_connections', '5000', { allowedValues: '25-5000', ...overrides['max_connections'] }),
  'citus.max_client_connections': parameter(
    'citus.max_client_connections',
    '1250',
    overrides['citus.max_client_connections'],
  ),
  'citus.max_shared_pool_size': parameter('citus.max_shared_pool_size', '1250', {
    allowedValues: '-1-2147483647',
    ...overrides['citus.max_shared_pool_size'],
  }),
});
const plan = (policy: ConnectionPolicy, params = parameters(), lastApplied: Record<string, string> = {}) =>
  planConnectionLimits({ policy, nodeCount: 4, parameters: params, lastApplied });

describe('planConnectionLimits', () => {
  it("changes nothing under service-default and records where the values differ from Azure's", () => {
    const result = plan(
      { policy: 'service-default' },
      parameters({ 'citus.max_client_connections': { value: '900', source: 'user-override' } }),
    );
    expect(result).toEqual({
      policy: 'service-default',
      nodeCount: 4,
      desired: {},
      changes: [],
      kept: [],
      drift: [{ name: 'citus.max_client_connections', value: '900', source: 'user-override', serviceDefault: '1250' }],
    });
  });

  it('shares the budget minus the reserve over the nodes under formula, the budget defaulting to max_connections', () => {
    expect(plan({ policy: 'formula', reservedConnections: 200 }).changes).toEqual([
      { name: 'citus.max_client_connections', from: '1250', to: '1200' },
      { name: 'citus.max_shared_pool_size', from: '1250', to: '1200' },
    ]);
    expect(plan({ policy: 'formula', connectionBudget: 2000, reservedConnections: 0 }).desired).toEqual({
      'citus.max_client_connections': 500,
      'citus.max_shared_pool_size': 500,
    });
    expect(plan({ policy: 'formula', reservedConnections: 0 }).changes).toEqual([]);
  });

  it('sets the configured values under fixed', () => {
    expect(plan({ policy: 'fixed', maxClientConnections: 800, maxSharedPoolSize: 600 }).changes).toEqual([
      { name: 'citus.max_client_connections', from: '1250', to: '800' },
      { name: 'citus.max_shared_pool_size', from: '1250', to: '600' },
    ]);
  });

  it('never overwrites a value set by hand, but updates one the scaler set itself', () => {
    const handSet = parameters({
      'citus.max_client_connections': { value: '900', source: 'user-override' },
      'citus.max_shared_pool_size': { value: '2500', source: 'user-override' },
    });
    const result = plan({ policy: 'fixed', maxClientConnections: 800, maxSharedPoolSize: 600 }, handSet, {
      'citus.max_shared_pool_size': '2500',
    });
    expect(result.changes).toEqual([{ name: 'citus.max_shared_pool_size', from: '2500', to: '600' }]);
    expect(result.kept).toEqual([
      {
        name: 'citus.max_client_connections',
        value: '900',
        wanted: '800',
        reason:
          'citus.max_client_connections was set by hand to 900 (source user-override), so the scaler leaves it; reset it to its default (Azure portal, Server parameters) to let connections.policy fixed manage it',
      },
    ]);
  });

  it.each([
    {
      name: 'a value outside allowedValues',
      policy: { policy: 'fixed', maxClientConnections: 6000, maxSharedPoolSize: 600 } as ConnectionPolicy,
      reason: /6000 is outside the values the server allows for citus.max_client_connections \(-1-5000\)/,
    },
    {
      name: 'a reserve larger than the budget',
      policy: { policy: 'formula', reservedConnections: 5000 } as ConnectionPolicy,
      reason: /reservedConnections 5000 leaves nothing of the budget 5000 to share over 4 nodes/,
    },
  ])('keeps the current values and says why for $name', ({ policy, reason }) => {
    const result = plan(policy);
    expect(result.kept[0]?.reason).toMatch(reason);
    expect(result.changes.every((change) => change.name !== result.kept[0]?.name)).toBe(true);
  });

  it.each([
    { allowed: '-1-5000', value: '-1', ok: true },
    { allowed: '-1-5000', value: '5001', ok: false },
    { allowed: '1-10,20-30', value: '25', ok: true },
    { allowed: '1-10', value: '2.5', ok: false },
  ])('reads allowedValues $allowed: $value allowed is $ok', ({ allowed, value, ok }) => {
    expect(isAllowedNumber(allowed, value)).toBe(ok);
  });
});

describe('citus.max_shared_pool_size as Citus applies it', () => {
  /** A 200-connection coordinator whose pool size is unset: 0, which Citus reads as max_connections. */
  const unsetPool = (value = '0', source = 'system-default') => ({
    max_connections: parameter('max_connections', '200', { allowedValues: '25-5000' }),
    'citus.max_client_connections': parameter('citus.max_client_connections', '-1', { allowedValues: '-1-5000' }),
    'citus.max_shared_pool_size': parameter('citus.max_shared_pool_size', value, {
      defaultValue: '0',
      source,
      allowedValues: '-1-2147483647',
    }),
  });

  it('reports no drift for 200 against a default of 0 on a 200-connection coordinator', () => {
    expect(
      planConnectionLimits({
        policy: { policy: 'service-default' },
        nodeCount: 1,
        parameters: unsetPool('200', 'user-override'),
        lastApplied: {},
      }).drift,
    ).toEqual([]);
  });

  it('reads an unset pool size as max_connections: no change when that is what the policy wants', () => {
    const result = planConnectionLimits({
      policy: { policy: 'fixed', maxClientConnections: 150, maxSharedPoolSize: 200 },
      nodeCount: 1,
      parameters: unsetPool(),
      lastApplied: {},
    });
    expect(result.changes).toEqual([{ name: 'citus.max_client_connections', from: '-1', to: '150' }]);
  });

  it('shows the effective value when it does change it', () => {
    const result = planConnectionLimits({
      policy: { policy: 'fixed', maxClientConnections: 150, maxSharedPoolSize: 100 },
      nodeCount: 1,
      parameters: unsetPool(),
      lastApplied: {},
    });
    expect(result.changes).toContainEqual({ name: 'citus.max_shared_pool_size', from: '200', to: '100' });
  });

  it('reports drift when the value really differs from what the default means', () => {
    expect(
      planConnectionLimits({
        policy: { policy: 'service-default' },
        nodeCount: 1,
        parameters: unsetPool('50', 'user-override'),
        lastApplied: {},
      }).drift,
    ).toEqual([{ name: 'citus.max_shared_pool_size', value: '50', source: 'user-override', serviceDefault: '200' }]);
  });
});
