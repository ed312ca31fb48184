import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { validateConfig } from '../../../shared/config/validate.js';
import { validateConfigText } from '../../../shared/config/load.js';
import type { ConfigProblem } from '../../../shared/config/fields/problems.js';

const PG_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders';
const KUSTO_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Kusto/clusters/telemetry';

const pg = (overrides: Record<string, unknown> = {}) => ({
  name: 'orders',
  kind: 'postgres-elastic-cluster',
  resourceId: PG_ID,
  mode: 'optimized',
  limits: { min: 2, max: 8 },
  ...overrides,
});
const kusto = (overrides: Record<string, unknown> = {}) => ({
  name: 'telemetry',
  kind: 'kusto-cluster',
  resourceId: KUSTO_ID,
  mode: 'optimized',
  limits: { min: 2, max: 8 },
  ...overrides,
});
const doc = (...targets: unknown[]) => ({ version: 1, targets });
const rule = (overrides: Record<string, unknown> = {}) => ({
  metric: 'cpu_percent',
  operator: 'GreaterThan',
  threshold: 80,
  direction: 'out',
  ...overrides,
});

function errorsOf(raw: unknown): ConfigProblem[] {
  const result = validateConfig(raw);
  return result.ok ? [] : result.errors;
}

describe('validateConfig', () => {
  it('accepts a minimal document and fills every default', () => {
    const result = validateConfig(doc(pg(), kusto()));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [orders, telemetry] = result.config.targets;
    expect(orders).toMatchObject({
      limits: { min: 2, max: 8, default: 2 },
      cooldowns: { scaleOutMinutes: 15, scaleInMinutes: 60 },
      maxStep: { out: 4, in: 10 },
      dryRun: false,
      rebalance: { strategy: 'by_disk_size', shardTransferMode: 'auto', parallelism: 4 },
      connections: { policy: 'service-default' },
    });
    expect(telemetry).toMatchObject({
      onConflictingAutoscaler: 'refuse',
      optimized: {
        scaleOut: { cacheUtilizationPercent: 80 },
        scaleIn: { cpuPercent: 50, cacheUtilizationPercent: 75 },
      },
    });
    expect(result.config.settings.minThresholdGapPercent).toBe(20);
  });

  it.each([
    { name: 'a missing version', raw: { targets: [pg()] }, path: 'version', message: /expected 1/ },
    { name: 'an unknown version', raw: { version: 2, targets: [pg()] }, path: 'version', message: /got 2/ },
    { name: 'no targets', raw: { version: 1, targets: [] }, path: 'targets', message: /at least one target/ },
    {
      name: 'a name that is not URL-safe',
      raw: doc(pg({ name: 'Orders DB' })),
      path: 'targets[0].name',
      message: /lowercase letters/,
    },
    {
      name: 'an unknown kind',
      raw: doc(pg({ kind: 'redis' })),
      path: 'targets[0].kind',
      message: /postgres-elastic-cluster/,
    },
    {
      name: 'an unknown mode',
      raw: doc(pg({ mode: 'auto' })),
      path: 'targets[0].mode',
      message: /manual.*custom.*optimized/,
    },
    {
      name: 'a resource id that is not one',
      raw: doc(pg({ resourceId: 'orders' })),
      path: 'targets[0].resourceId',
      message: /not an ARM resource id/,
    },
    {
      name: 'a resource id of the other kind',
      raw: doc(pg({ resourceId: KUSTO_ID })),
      path: 'targets[0].resourceId',
      message: /Microsoft.Kusto\/clusters id, but kind postgres-elastic-cluster/,
    },
    {
      name: 'an elastic cluster above 20 nodes',
      raw: doc(pg({ limits: { min: 2, max: 25 } })),
      path: 'targets[0].limits.max',
      message: /25 is above the service maximum of 20 nodes for an elastic cluster/,
    },
    {
      name: 'an elastic cluster below 2 nodes',
      raw: doc(pg({ limits: { min: 1, max: 4 } })),
      path: 'targets[0].limits.min',
      message: /below the service minimum of 2/,
    },
    {
      name: 'a Kusto cluster below 2 instances',
      raw: doc(kusto({ limits: { min: 1, max: 4 } })),
      path: 'targets[0].limits.min',
      message: /2 instances for a Kusto cluster/,
    },
    {
      name: 'a negative minimum',
      raw: doc(pg({ limits: { min: -1, max: 4 } })),
      path: 'targets[0].limits.min',
      message: /^is below the service minimum \(2 nodes or 2 instances\); set it to 2 or more \(got -1\)$/,
    },
    {
      name: "a negative cooldown, in the user's terms",
      raw: doc(pg({ cooldowns: { scaleOutMinutes: -5 } })),
      path: 'targets[0].cooldowns.scaleOutMinutes',
      message: /^must be 0 or more \(got -5\)$/,
    },
    {
      name: 'a time grain above its maximum',
      raw: doc(
        pg({
          mode: 'custom',
          rules: [
            { metric: 'cpu_percent', operator: 'GreaterThan', threshold: 80, direction: 'out', timeGrainMinutes: 90 },
          ],
        }),
      ),
      path: 'targets[0].rules[0].timeGrainMinutes',
      message: /^must be 60 or less \(got 90\)$/,
    },
    {
      name: 'min above max',
      raw: doc(kusto({ limits: { min: 6, max: 4 } })),
      path: 'targets[0].limits',
      message: /min 6 is greater than max 4/,
    },
    {
      name: 'a default outside the limits',
      raw: doc(kusto({ limits: { min: 2, max: 4, default: 9 } })),
      path: 'targets[0].limits.default',
      message: /outside min 2..max 4/,
    },
    {
      name: 'a scale-in rule on an elastic cluster',
      raw: doc(pg({ mode: 'custom', rules: [rule(), rule({ operator: 'LessThan', threshold: 20, direction: 'in' })] })),
      path: 'targets[0].rules[1].direction',
      message: /Azure does not offer scale-in for elastic clusters/,
    },
    {
      name: 'custom mode without rules',
      raw: doc(pg({ mode: 'custom' })),
      path: 'targets[0].rules',
      message: /at least one rule/,
    },
    {
      name: 'a misspelled metric',
      raw: doc(pg({ mode: 'custom', rules: [rule({ metric: 'cpu_precent' })] })),
      path: 'targets[0].rules[0].metric',
      message: /did you mean "cpu_percent"/,
    },
    {
      name: 'a metric of the other kind',
      raw: doc(pg({ mode: 'custom', rules: [rule({ metric: 'CacheUtilizationFactor' })] })),
      path: 'targets[0].rules[0].metric',
      message: /not a metric of Microsoft.DBforPostgreSQL/,
    },
    {
      name: 'an aggregation Azure does not offer',
      raw: doc(pg({ mode: 'custom', rules: [rule({ metric: 'connections_failed', statistic: 'Average' })] })),
      path: 'targets[0].rules[0].statistic',
      message: /use one of Total/,
    },
    {
      name: 'a window that is not whole grains',
      raw: doc(pg({ mode: 'custom', rules: [rule({ timeGrainMinutes: 5, windowMinutes: 12 })] })),
      path: 'targets[0].rules[0].windowMinutes',
      message: /multiple of timeGrainMinutes/,
    },
    {
      name: 'a negative cooldown',
      raw: doc(pg({ cooldowns: { scaleOutMinutes: -5 } })),
      path: 'targets[0].cooldowns.scaleOutMinutes',
      message: /got -5/,
    },
    {
      name: 'a misspelled field',
      raw: doc(pg({ cooldown: { scaleOutMinutes: 5 } })),
      path: 'targets[0].cooldown',
      message: /did you mean "cooldowns"/,
    },
    {
      name: 'a misspelled nested field',
      raw: doc(pg({ limits: { min: 2, max: 4, defualt: 3 } })),
      path: 'targets[0].limits.defualt',
      message: /did you mean "default"/,
    },
    {
      name: 'duplicate names',
      raw: doc(pg(), kusto({ name: 'orders' })),
      path: 'targets[1].name',
      message: /already used by targets\[0\]/,
    },
    {
      name: 'the same cluster twice, in another case',
      raw: doc(
        pg(),
        pg({ name: 'orders-2', resourceId: PG_ID.toUpperCase().replace('SUBSCRIPTIONS', 'subscriptions') }),
      ),
      path: 'targets[1].resourceId',
      message: /already used by targets\[0\]/,
    },
    {
      name: 'a rebalance block on a Kusto cluster',
      raw: doc(kusto({ rebalance: {} })),
      path: 'targets[0].rebalance',
      message: /unknown field/,
    },
    {
      name: 'an invalid rebalance strategy',
      raw: doc(pg({ rebalance: { strategy: 'by disk; drop table' } })),
      path: 'targets[0].rebalance.strategy',
      message: /got/,
    },
    {
      name: 'a fixed connections policy without values',
      raw: doc(pg({ connections: { policy: 'fixed' } })),
      path: 'targets[0].connections.maxClientConnections',
      message: /is required: a whole number of at least 1/,
    },
  ])('reports $name at its path', ({ raw, path, message }) => {
    const problem = errorsOf(raw).find((one) => one.path === path);
    expect(problem, `no error at ${path}; got ${JSON.stringify(errorsOf(raw))}`).toBeDefined();
    expect(problem?.message).toMatch(message);
  });

  it('reports every problem of a broken document at once, including behind a structural error', async () => {
    const result = validateConfigText(await readFile('examples/broken.config.json', 'utf8'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((problem) => problem.path)).toEqual([
      'targets[0].name',
      'targets[0].cooldown',
      'targets[0].resourceId',
      'targets[0].limits.min',
      'targets[0].limits.max',
      'targets[0].rules[0].metric',
      'targets[0].rules[1].direction',
      'targets[1].rules[1].statistic',
      'targets[1].limits.default',
      'targets[1].rules[0].windowMinutes',
      'targets[2].kind',
      'targets[2].name',
    ]);
  });

  it('warns, without failing, when scale-out and scale-in thresholds invite flapping', () => {
    const rules = [
      rule({ metric: 'CPU', threshold: 70 }),
      rule({ metric: 'CPU', operator: 'LessThan', threshold: 65, direction: 'in' }),
    ];
    const result = validateConfig(doc(kusto({ mode: 'custom', rules })));
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        path: 'targets[0].rules[1].threshold',
        message: expect.stringMatching(/capacity may flap; widen the gap to at least 14/),
      }),
    ]);
  });

  it('lets the flapping gap be configured', () => {
    const rules = [
      rule({ metric: 'CPU', threshold: 70 }),
      rule({ metric: 'CPU', operator: 'LessThan', threshold: 65, direction: 'in' }),
    ];
    const result = validateConfig({
      ...doc(kusto({ mode: 'custom', rules })),
      settings: { minThresholdGapPercent: 5 },
    });
    expect(result.warnings).toEqual([]);
  });

  it('warns about optimized thresholds that are too close', () => {
    const result = validateConfig(
      doc(kusto({ optimized: { scaleOut: { cpuPercent: 60 }, scaleIn: { cpuPercent: 55 } } })),
    );
    expect(result.warnings.map((problem) => problem.path)).toEqual(['targets[0].optimized.scaleIn.cpuPercent']);
  });

  it('does not warn about the published ADX defaults', () => {
    expect(validateConfig(doc(kusto())).warnings).toEqual([]);
  });

  it('warns that rules are ignored outside custom mode', () => {
    expect(validateConfig(doc(pg({ rules: [rule()] }))).warnings[0]?.message).toMatch(/ignored in optimized mode/);
  });

  it("warns that an elastic cluster's rebalance cannot log in without database.user", () => {
    const result = validateConfig(doc(pg()));
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        path: 'targets[0].database.user',
        message: expect.stringMatching(/rebalance after a scale-out cannot log in/),
      }),
    ]);
    expect(validateConfig(doc(pg({ database: { user: 'id-scaler' } }))).warnings).toEqual([]);
    expect(validateConfig(doc(pg({ rebalance: { enabled: false } }))).warnings).toEqual([]);
  });

  it('rejects input that is not an object', () => {
    expect(errorsOf('hello')[0]?.path).toBe('(root)');
    expect(errorsOf(null)[0]?.path).toBe('(root)');
  });
});

describe('upper bounds on numbers', () => {
  it.each([
    {
      name: 'an ADX maximum of 1e15 instances',
      raw: kusto({ limits: { min: 2, max: 1e15 } }),
      path: 'targets[0].limits.max',
      message: /must be 1000 or less \(got 1000000000000000\)/,
    },
    {
      name: 'a cooldown of a century',
      raw: pg({ cooldowns: { scaleOutMinutes: 52_560_000 } }),
      path: 'targets[0].cooldowns.scaleOutMinutes',
      message: /must be 43200 or less/,
    },
    {
      name: 'a step of a million',
      raw: kusto({ maxStep: { out: 1_000_000 } }),
      path: 'targets[0].maxStep.out',
      message: /must be 1000 or less/,
    },
    {
      name: 'a connection budget past what PostgreSQL allows',
      raw: pg({ connections: { policy: 'formula', connectionBudget: 10_000_000 } }),
      path: 'targets[0].connections.connectionBudget',
      message: /must be 262143 or less/,
    },
    {
      name: 'a threshold of 1e300',
      raw: pg({
        mode: 'custom',
        rules: [{ metric: 'cpu_percent', operator: 'GreaterThan', threshold: 1e300, direction: 'out' }],
      }),
      path: 'targets[0].rules[0].threshold',
      message: /<=1000000000000000/,
    },
  ])('refuses $name, naming the field', ({ raw, path, message }) => {
    expect(errorsOf(doc(raw)).find((problem) => problem.path === path)?.message).toMatch(message);
  });
});

describe('validateConfigText', () => {
  it('reports a JSON syntax error with its line and column', () => {
    const result = validateConfigText('{\n  "version": 1,\n  "targets": [,]\n}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toMatch(/not valid JSON: ValueExpected at line 3, column 15/);
  });

  it('refuses a field nested deeper than any config needs, naming it, instead of overflowing the stack', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const result = validateConfigText(`{"version": 1, "targets": [{"name": ${deep}}]}`);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors[0]).toMatchObject({
        path: expect.stringMatching(/^targets\[0\]\.name(\[0\])+$/),
        message: expect.stringMatching(
          /^nested deeper than 32 levels \(line 1, column \d+\); no config field nests that deep/,
        ),
      });
  });

  it('refuses a field given twice, which JSON.parse would silently read as the last one', () => {
    const result = validateConfigText(JSON.stringify(doc(pg())).replace('"max":8', '"max":8,"max":800'));
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors).toEqual([
        {
          severity: 'error',
          path: 'targets[0].limits.max',
          message: expect.stringMatching(
            /^appears twice in the same object \(line 1, column \d+\), so only one of its values would count; keep one$/,
          ),
        },
      ]);
  });
});
