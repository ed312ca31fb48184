import { describe, expect, it } from 'vitest';
import { evaluateWindow, type WindowSpec } from '../../../shared/policy/windows.js';
import { flat, MINUTE, NOW, series, snapshot } from './builders.js';

const quality = { minWindowCoveragePercent: 80, maxLagMinutes: 10 };
const spec = (overrides: Partial<WindowSpec> = {}): WindowSpec => ({
  metric: 'cpu_percent',
  statistic: 'Average',
  timeGrainMinutes: 1,
  windowMinutes: 10,
  timeAggregation: 'Average',
  ...overrides,
});

describe('evaluateWindow', () => {
  it('averages the last complete grains of the window', () => {
    const result = evaluateWindow(snapshot(series('cpu_percent', [10, 10, ...Array(10).fill(50)])), spec(), quality);
    expect(result).toMatchObject({ status: 'ok', value: 50, grainsUsed: 10, grainsExpected: 10 });
    expect(result.windowEndMs).toBe(NOW);
  });

  it('drops the partial last grain still in progress at asOf', () => {
    // 5-minute grains; asOf is 3 minutes into a grain whose samples are hot: that grain must not count.
    const asOfMs = NOW + 3 * MINUTE;
    const metrics = { asOfMs, series: [series('cpu_percent', [...Array(10).fill(20), 99, 99, 99], { endMs: asOfMs })] };
    const result = evaluateWindow(metrics, spec({ timeGrainMinutes: 5, windowMinutes: 10 }), quality);
    expect(result).toMatchObject({ status: 'ok', value: 20, windowEndMs: NOW });
  });

  it.each([
    { name: 'an empty series list', metrics: snapshot() },
    { name: 'a series with no samples', metrics: snapshot(series('cpu_percent', [])) },
    { name: 'only null values', metrics: snapshot(flat('cpu_percent', null, 10)) },
    { name: 'only NaN values', metrics: snapshot(flat('cpu_percent', Number.NaN, 10)) },
    { name: 'another aggregation only', metrics: snapshot(flat('cpu_percent', 90, 10, { aggregation: 'Maximum' })) },
  ])('reports no data for $name', ({ metrics }) => {
    expect(evaluateWindow(metrics, spec(), quality)).toMatchObject({ status: 'no-data', value: null });
  });

  it('reports no data when metrics could not be read at all', () => {
    expect(evaluateWindow(undefined, spec(), quality)).toMatchObject({
      status: 'no-data',
      note: 'metrics could not be read',
    });
  });

  it('ignores NaN samples but keeps the rest of the grain', () => {
    const result = evaluateWindow(
      snapshot(series('cpu_percent', [Number.NaN, 40, 60, 50, 50, 50, 50, 50, 50, 50])),
      spec(),
      quality,
    );
    expect(result).toMatchObject({ status: 'ok', grainsUsed: 9, value: 50 });
  });

  it('marks a window with too few grains as insufficient', () => {
    const values = [80, 80, 80, null, null, null, 80, 80, 80, 80];
    expect(evaluateWindow(snapshot(series('cpu_percent', values)), spec(), quality)).toMatchObject({
      status: 'insufficient-data',
      grainsUsed: 7,
    });
  });

  it('ends the window at the newest data when the last minutes have not arrived yet', () => {
    const result = evaluateWindow(
      snapshot(series('cpu_percent', [...Array(10).fill(70), null, null, null])),
      spec(),
      quality,
    );
    expect(result).toMatchObject({ status: 'ok', value: 70, windowEndMs: NOW - 3 * MINUTE });
  });

  it('treats data older than the lag tolerance as missing', () => {
    const stale = snapshot(flat('cpu_percent', 70, 10, { endMs: NOW - 30 * MINUTE }));
    expect(evaluateWindow(stale, spec(), quality)).toMatchObject({ status: 'no-data' });
  });

  it.each([
    { name: 'Average across nodes', statistic: 'Average' as const, expected: 50 },
    { name: 'Maximum finds the hottest node', statistic: 'Maximum' as const, expected: 80 },
    { name: 'Minimum finds the coolest node', statistic: 'Minimum' as const, expected: 20 },
  ])('combines per-node series with the statistic: $name', ({ statistic, expected }) => {
    const metrics = snapshot(
      flat('cpu_percent', 20, 10, { aggregation: statistic, dimensions: { ServerName: 'node-0' } }),
      flat('cpu_percent', 80, 10, { aggregation: statistic, dimensions: { ServerName: 'node-1' } }),
    );
    expect(evaluateWindow(metrics, spec({ statistic }), quality).value).toBe(expected);
  });

  it.each([
    { timeAggregation: 'Average' as const, expected: 25 },
    { timeAggregation: 'Minimum' as const, expected: 10 },
    { timeAggregation: 'Maximum' as const, expected: 40 },
    { timeAggregation: 'Total' as const, expected: 100 },
    { timeAggregation: 'Count' as const, expected: 4 },
    { timeAggregation: 'Last' as const, expected: 40 },
  ])('aggregates grains over the window with $timeAggregation', ({ timeAggregation, expected }) => {
    const metrics = snapshot(series('cpu_percent', [10, 20, 30, 40]));
    expect(evaluateWindow(metrics, spec({ windowMinutes: 4, timeAggregation }), quality).value).toBe(expected);
  });

  it('sums Total samples within a grain', () => {
    const metrics = snapshot(series('connections_failed', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { aggregation: 'Total' }));
    const result = evaluateWindow(
      metrics,
      spec({
        metric: 'connections_failed',
        statistic: 'Total',
        timeGrainMinutes: 5,
        windowMinutes: 10,
        timeAggregation: 'Maximum',
      }),
      quality,
    );
    expect(result.value).toBe(40);
  });
});
