import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../shared/config/validate.js';
import { loadConfigFromSetting } from '../../../shared/config/load.js';
import { parseAppSettings } from '../../../shared/config/app-settings.js';
import { serviceMaximumsFrom } from '../../../shared/config/service-maximums.js';
import { KIND_FACTS } from '../../../shared/vocabulary/kinds.js';

const PG_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders';
const SETTING = 'SCALER_ELASTIC_CLUSTER_MAX_NODES';

const pg = (limits: { min: number; max: number }, extra: Record<string, unknown> = {}) => ({
  name: 'orders',
  kind: 'postgres-elastic-cluster',
  resourceId: PG_ID,
  mode: 'manual',
  limits,
  ...extra,
});
const doc = (...targets: unknown[]) => ({ version: 1, targets });

function errorsOf(raw: unknown, serviceMaximums = {}) {
  const result = validateConfig(raw, { serviceMaximums });
  return result.ok ? [] : result.errors.map((problem) => `${problem.path}: ${problem.message}`);
}

describe('the elastic-cluster node maximum', () => {
  it('is a kind fact, 20 at general availability, with the setting that raises it', () => {
    expect(KIND_FACTS['postgres-elastic-cluster']).toMatchObject({ serviceMax: 20, serviceMaxSetting: SETTING });
  });

  it('refuses limits.max above it, naming the field, the value and the setting that raises it', () => {
    expect(errorsOf(doc(pg({ min: 2, max: 25 })))).toEqual([
      `targets[0].limits.max: 25 is above the service maximum of 20 nodes for an elastic cluster; set it to 20 or less, or set ${SETTING} higher if the service now allows more`,
    ]);
  });

  it('lets a target lower it', () => {
    expect(errorsOf(doc(pg({ min: 2, max: 6 })))).toEqual([]);
  });

  it('is raised by the setting: up to the raised maximum is valid, above it is refused with the raised figure', () => {
    expect(errorsOf(doc(pg({ min: 2, max: 32 })), { 'postgres-elastic-cluster': 32 })).toEqual([]);
    expect(errorsOf(doc(pg({ min: 2, max: 40 })), { 'postgres-elastic-cluster': 32 })).toEqual([
      expect.stringContaining('targets[0].limits.max: 40 is above the service maximum of 32 nodes'),
    ]);
  });

  it('bounds a scheduled instanceCount the same way', () => {
    const profile = {
      name: 'peak',
      recurrence: { timeZone: 'UTC', days: ['Monday'], start: '08:00', end: '18:00' },
      instanceCount: 24,
    };
    const raw = doc(pg({ min: 2, max: 8 }, { profiles: [profile] }));
    expect(errorsOf(raw).join('\n')).toContain(
      `targets[0].profiles[0].instanceCount: 24 is above the service maximum of 20 nodes for an elastic cluster; set it to 20 or less, or set ${SETTING} higher`,
    );
    expect(errorsOf(raw, { 'postgres-elastic-cluster': 24 }).join('\n')).not.toContain('instanceCount');
  });

  it.each([
    { text: '32', expected: { maximums: { 'postgres-elastic-cluster': 32 }, problems: [] } },
    {
      text: '12',
      expected: {
        maximums: {},
        problems: [
          `${SETTING}: 12 is below the service maximum of 20 nodes; it may only raise it: lower a target's limits.max instead, or remove the setting`,
        ],
      },
    },
    {
      text: 'thirty',
      expected: {
        maximums: {},
        problems: [`${SETTING}: "thirty" is not a whole number; set it to the service's maximum in nodes, e.g. 20`],
      },
    },
    {
      text: '5000',
      expected: {
        maximums: {},
        problems: [`${SETTING}: 5000 is above 1000, the scaler's own ceiling; set it to 1000 or less`],
      },
    },
  ])('reads $text from the setting', ({ text, expected }) => {
    expect(serviceMaximumsFrom({ [SETTING]: text })).toEqual(expected);
  });

  it('reaches the Function App: the loaded config honours the setting, and a bad value stops it with the setting named', async () => {
    const config = JSON.stringify(doc(pg({ min: 2, max: 30 })));
    const { config: loaded } = await loadConfigFromSetting({ SCALER_CONFIG: config, [SETTING]: '30' });
    expect(loaded.targets[0]?.limits.max).toBe(30);
    await expect(loadConfigFromSetting({ SCALER_CONFIG: config })).rejects.toThrow(/30 is above the service maximum/);
    await expect(loadConfigFromSetting({ SCALER_CONFIG: config, [SETTING]: '10' })).rejects.toThrow(
      `${SETTING}: 10 is below the service maximum of 20 nodes`,
    );
    expect(() =>
      parseAppSettings({
        SCALER_CONFIG: config,
        SCALER_STATE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        [SETTING]: 'x',
      }),
    ).toThrow(`${SETTING}: "x" is not a whole number`);
  });
});
