/** The outcome table printed by `scaler simulate`, `scaler backtest` and the benchmark. */
import type { RunResult } from '../run.js';
import type { SuiteResult } from '../suite.js';

interface Column {
  title: string;
  align: 'left' | 'right';
  cell: (run: RunResult) => string;
}

const COLUMNS: Column[] = [
  { title: 'scenario', align: 'left', cell: (run) => run.scenario },
  { title: 'policy', align: 'left', cell: (run) => run.policy },
  { title: 'node-hours', align: 'right', cell: (run) => run.outcomes.nodeHours.toFixed(0) },
  {
    title: 'x oracle',
    align: 'right',
    cell: (run) => (run.costVsOracle === undefined ? '-' : `${run.costVsOracle.toFixed(2)}x`),
  },
  { title: 'overload min', align: 'right', cell: (run) => String(run.outcomes.overloadMinutes) },
  { title: 'unserved node-min', align: 'right', cell: (run) => run.outcomes.unservedNodeMinutes.toFixed(0) },
  { title: 'min >80% CPU', align: 'right', cell: (run) => String(run.outcomes.hotMinutes) },
  { title: 'ops', align: 'right', cell: (run) => String(run.outcomes.operations) },
  { title: 'reversals', align: 'right', cell: (run) => String(run.outcomes.reversals) },
];

export function outcomeTable(runs: readonly RunResult[]): string {
  const rows = runs.map((run) => COLUMNS.map((column) => column.cell(run)));
  const widths = COLUMNS.map((column, index) =>
    Math.max(column.title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) =>
        COLUMNS[index]?.align === 'left' ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map((column) => column.title)), ...rows.map(line)].join('\n');
}

/** Per policy, over every trace of the comparison: sums, and the cost relative to the oracle's sum. */
export function totalsByPolicy(suite: SuiteResult): RunResult[] {
  const byPolicy = new Map<string, RunResult[]>();
  for (const run of suite.runs) byPolicy.set(run.policy, [...(byPolicy.get(run.policy) ?? []), run]);
  const oracleHours = sum(byPolicy.get('oracle') ?? [], (run) => run.outcomes.nodeHours);
  return [...byPolicy.values()].map((runs) => {
    const first = runs[0] as RunResult;
    const nodeHours = sum(runs, (run) => run.outcomes.nodeHours);
    return {
      ...first,
      scenario: runs.length > 1 ? `all ${runs.length}` : first.scenario,
      costVsOracle: oracleHours > 0 ? nodeHours / oracleHours : undefined,
      outcomes: {
        nodeHours,
        overloadMinutes: sum(runs, (run) => run.outcomes.overloadMinutes),
        unservedNodeMinutes: sum(runs, (run) => run.outcomes.unservedNodeMinutes),
        hotMinutes: sum(runs, (run) => run.outcomes.hotMinutes),
        operations: sum(runs, (run) => run.outcomes.operations),
        reversals: sum(runs, (run) => run.outcomes.reversals),
        peakUnits: Math.max(...runs.map((run) => run.outcomes.peakUnits)),
      },
    };
  });
}

function sum(runs: readonly RunResult[], value: (run: RunResult) => number): number {
  return runs.reduce((total, run) => total + value(run), 0);
}

/** Problems a reader must see next to the numbers: failed evaluations of the real scaler. */
export function runWarnings(runs: readonly RunResult[]): string[] {
  return runs.flatMap((run) => (run.notes.errors ?? []).map((error) => `${run.scenario} / ${run.policy}: ${error}`));
}
