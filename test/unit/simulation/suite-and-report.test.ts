import { describe, expect, it } from 'vitest';
import { OVERLOAD_MARK_COLOR } from '../../../tools/simulation/report/svg.js';
import { EFFECTIVE_CAPACITY_COLOR, htmlReport, POLICY_COLORS } from '../../../tools/simulation/report/html.js';
import { outcomeTable, totalsByPolicy } from '../../../tools/simulation/report/table.js';
import { runSuite, selectTarget, type SuiteResult } from '../../../tools/simulation/suite.js';
import { POLICIES } from '../../../tools/simulation/policy-runner.js';
import { config, kustoTarget, parameters, pgTarget, step, trace } from './builders.js';

const scalerConfig = config([pgTarget(), kustoTarget()]);

async function smallSuite(): Promise<SuiteResult> {
  const traces = [trace(step(480, 120, 3, 7), { name: 'up' }), trace(step(480, 120, 7, 3), { name: '<down & out>' })];
  return runSuite({
    kind: 'kusto-cluster',
    config: scalerConfig,
    target: selectTarget(scalerConfig, 'kusto-cluster'),
    traces,
    parameters: parameters(),
  });
}

describe('runSuite', () => {
  it('runs every policy on every trace, in order, and prices each against the oracle on the same trace', async () => {
    const suite = await smallSuite();
    expect(suite.runs.map((run) => `${run.scenario}/${run.policy}`)).toEqual([
      ...POLICIES.map((policy) => `up/${policy}`),
      ...POLICIES.map((policy) => `<down & out>/${policy}`),
    ]);
    for (const run of suite.runs) {
      const oracle = suite.runs.find(
        (candidate) => candidate.scenario === run.scenario && candidate.policy === 'oracle',
      );
      expect(run.costVsOracle).toBeCloseTo(run.outcomes.nodeHours / (oracle?.outcomes.nodeHours ?? Number.NaN), 9);
    }
    const totals = totalsByPolicy(suite);
    const elastic = totals.find((run) => run.policy === 'elastic-scaler');
    expect(elastic?.scenario).toBe('all 2');
    expect(elastic?.outcomes.nodeHours).toBeCloseTo(
      suite.runs.filter((run) => run.policy === 'elastic-scaler').reduce((sum, run) => sum + run.outcomes.nodeHours, 0),
      9,
    );
  });

  it('prints one aligned row per run under a header', async () => {
    const table = outcomeTable((await smallSuite()).runs).split('\n');
    expect(table[0]).toMatch(
      /^scenario\s+policy\s+node-hours\s+x oracle\s+overload min\s+unserved node-min\s+min >80% CPU\s+ops\s+reversals$/,
    );
    expect(table).toHaveLength(13);
    // Numbers are right-aligned under their header.
    const end = (table[0] ?? '').indexOf('node-hours') + 'node-hours'.length;
    for (const row of table.slice(1)) expect(row.slice(end - 1, end + 1)).toMatch(/^\d $/);
    expect(table[1]).toMatch(/^up\s+elastic-scaler\s+\d+\s+\d+\.\d\dx/);
  });
});

describe('selectTarget', () => {
  it.each([
    { name: 'the first target of the kind', kind: 'kusto-cluster' as const, target: undefined, expected: 'telemetry' },
    { name: 'a named target', kind: 'postgres-elastic-cluster' as const, target: 'orders', expected: 'orders' },
  ])('picks $name', ({ kind, target, expected }) => {
    expect(selectTarget(scalerConfig, kind, target).name).toBe(expected);
  });

  it.each([
    {
      name: 'an unknown name',
      kind: 'kusto-cluster' as const,
      target: 'nope',
      message: 'target "nope" is not in the config; its targets are orders, telemetry',
    },
    {
      name: 'a target of the other kind',
      kind: 'kusto-cluster' as const,
      target: 'orders',
      message:
        'target "orders" is a postgres-elastic-cluster, not a kusto-cluster; pass --kind postgres-elastic-cluster or another target',
    },
  ])('explains $name', ({ kind, target, message }) => {
    expect(() => selectTarget(scalerConfig, kind, target)).toThrow(message);
  });

  it('explains a config without a target of the kind', () => {
    expect(() => selectTarget(config([pgTarget()]), 'kusto-cluster')).toThrow(
      'the config has no kusto-cluster target; add one, or pass --kind postgres-elastic-cluster',
    );
  });
});

describe('htmlReport', () => {
  it('is one self-contained page: inline SVG charts, no script, no external asset, names escaped', async () => {
    const suite = await smallSuite();
    const html = htmlReport({
      title: 'Simulation <test>',
      subtitle: 'two hand-made traces',
      suites: [suite],
      parameters: parameters(),
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    // Per trace: 4 bar charts and one timeline per policy, plus a 12-hour zoom on the worst window of each run that overloaded.
    const zooms = html.match(/y: node-equivalents, x: hours/g)?.length ?? 0;
    expect(zooms).toBeGreaterThanOrEqual(suite.runs.filter((run) => run.outcomes.overloadMinutes > 0).length);
    expect(html.match(/<svg /g)).toHaveLength(2 * (4 + POLICIES.length) + zooms);
    expect(html).toContain('Simulation &lt;test&gt;');
    expect(html).toContain('&lt;down &amp; out&gt;');
    expect(html).not.toContain('<down & out>');
    expect(html).toContain('<code>kusto.cacheWarmupMinutes</code></td><td>60</td>');
  });

  it('draws effective capacity in a colour no policy uses and names the units of its timeline axes', async () => {
    const html = htmlReport({
      title: 'Simulation',
      subtitle: 'two hand-made traces',
      suites: [await smallSuite()],
      parameters: parameters(),
    });
    const distance = (a: string, b: string) =>
      [1, 3, 5].reduce(
        (sum, at) => sum + Math.abs(parseInt(a.slice(at, at + 2), 16) - parseInt(b.slice(at, at + 2), 16)),
        0,
      );
    for (const color of Object.values(POLICY_COLORS))
      expect(distance(EFFECTIVE_CAPACITY_COLOR, color), color).toBeGreaterThan(120);
    expect(html).toContain(`stroke="${EFFECTIVE_CAPACITY_COLOR}"`);
    expect(html.match(/y: node-equivalents, x: days/g)).toHaveLength(2 * POLICIES.length);
  });

  it('marks overloaded minutes in red and zooms on the worst window of a policy that overloaded', async () => {
    const suite = await smallSuite();
    const overloaded = suite.runs.filter((run) => run.outcomes.overloadMinutes > 0);
    expect(overloaded.length).toBeGreaterThan(0);
    const html = htmlReport({
      title: 'Simulation',
      subtitle: 'two hand-made traces',
      suites: [suite],
      parameters: parameters(),
    });
    expect(html).toContain(`fill="${OVERLOAD_MARK_COLOR}"`);
    expect(html).toMatch(/worst window: day \d+, \d\d:\d\d UTC \+ 12 h; up to [\d.,]+ node-equivalents unserved/);
  });

  it("lists each run's operations with time, from -> to and the reason the policy gave", async () => {
    const suite = await smallSuite();
    const ours = suite.runs.find((run) => run.policy === 'elastic-scaler' && run.scenario === 'up');
    expect(ours?.operations.length).toBeGreaterThan(0);
    const first = ours?.operations[0];
    expect(first?.to).toBeGreaterThan(first?.from ?? Infinity);
    expect(first?.reason).toMatch(/^[A-Za-z]+: .+/);
    for (const run of suite.runs) expect(run.operations).toHaveLength(run.outcomes.operations);
    const html = htmlReport({ title: 'Simulation', subtitle: 'ops', suites: [suite], parameters: parameters() });
    expect(html).toContain('<th>time (UTC)</th><th>from &rarr; to</th><th>reason</th>');
    expect(html).toMatch(/<td>day 0 \d\d:\d\d<\/td><td>\d+ &rarr; \d+<\/td><td class="reason">[A-Za-z]+: /);
  });
});
