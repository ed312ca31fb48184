/**
 * Workload traces: one value per minute of load, in node-equivalents (the number of nodes that would run at
 * 100 % CPU). Elastic clusters use `demand`; Azure Data Explorer also uses `cacheDemand` (hot data, in nodes'
 * worth of cache) and `ingestionDemand` (ingestion slots, in nodes' worth), when the trace has them.
 *
 * CSV: a header naming the columns, then one row per minute, consecutive, in order:
 *   timestamp,demand,cacheDemand,ingestionDemand
 *   2026-01-05T00:00:00Z,3.2,1.1,0.9
 */
import type { TargetKind } from '../../shared/vocabulary/kinds.js';
import { InvalidInputError } from '../../shared/vocabulary/errors.js';
import { suggest } from '../../shared/config/fields/problems.js';
import { simulationOf } from './kinds/registry.js';

export const MINUTE_MS = 60_000;

export interface Trace {
  name: string;
  /** Start of the first minute, epoch ms, on a minute boundary. */
  startMs: number;
  demand: Float64Array;
  cacheDemand?: Float64Array | undefined;
  ingestionDemand?: Float64Array | undefined;
}

export function traceMinutes(trace: Trace): number {
  return trace.demand.length;
}

/**
 * What the cluster must deliver in minute `index`, in node-equivalents: the CPU demand for an elastic cluster;
 * for Azure Data Explorer the largest of CPU, cache and ingestion demand (any one of them saturating overloads
 * the cluster).
 */
export function needAt(trace: Trace, kind: TargetKind, index: number): number {
  const demand = trace.demand[index] ?? 0;
  if (!simulationOf(kind).servesSecondaryDemand) return demand;
  return Math.max(demand, trace.cacheDemand?.[index] ?? 0, trace.ingestionDemand?.[index] ?? 0);
}

export function needSeries(trace: Trace, kind: TargetKind): Float64Array {
  const need = new Float64Array(traceMinutes(trace));
  for (let index = 0; index < need.length; index += 1) need[index] = needAt(trace, kind, index);
  return need;
}

const REQUIRED_COLUMNS = ['timestamp', 'demand'] as const;
const OPTIONAL_COLUMNS = ['cacheDemand', 'ingestionDemand'] as const;
const KNOWN_COLUMNS: readonly string[] = [...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS];
/** Errors beyond this many are counted, not listed: a wrong file usually fails on every row. */
const MAX_LISTED_ERRORS = 20;
/** ISO 8601 date-time with an explicit offset; seconds optional. */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export class TraceError extends InvalidInputError {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      `${source}: ${problems.length} problem(s) in the trace:\n${problems.map((problem) => `  ${problem}`).join('\n')}`,
    );
  }
}

/** Parses a trace CSV; every bad row is reported with its line number, at most 20 of them listed. */
export function parseTraceCsv(text: string, source = 'trace'): Trace {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0)
    throw new TraceError(source, [
      'the file is empty; expected a header "timestamp,demand[,cacheDemand][,ingestionDemand]" and one row per minute',
    ]);
  const columns = parseHeader(lines[headerIndex] as string, headerIndex + 1);
  if (typeof columns === 'string') throw new TraceError(source, [columns]);

  const problems: string[] = [];
  const values: Record<string, number[]> = Object.fromEntries(columns.names.map((name) => [name, []]));
  let startMs: number | undefined;
  // The last readable timestamp and its row: the next row must be exactly that many minutes later.
  let anchor: { ms: number; row: number } | undefined;
  let rows = 0;
  for (let index = headerIndex + 1; index < lines.length; index += 1) {
    const line = (lines[index] as string).trim();
    if (line === '') continue;
    const expectedMs = anchor === undefined ? undefined : anchor.ms + (rows - anchor.row) * MINUTE_MS;
    const row = parseRow(line, index + 1, columns.names, expectedMs);
    if (row.timestampMs !== undefined) {
      anchor = { ms: row.timestampMs, row: rows };
      startMs ??= row.timestampMs - rows * MINUTE_MS;
    }
    if (row.problem !== undefined) problems.push(row.problem);
    else for (const name of columns.names) if (name !== 'timestamp') values[name]?.push(row.fields[name] ?? 0);
    rows += 1;
  }
  if (rows === 0)
    problems.push(`line ${headerIndex + 1}: the header is not followed by any row; add one row per minute`);
  if (problems.length > 0) throw new TraceError(source, listed(problems));

  return {
    name: source,
    startMs: startMs as number,
    demand: Float64Array.from(values.demand ?? []),
    ...(values.cacheDemand ? { cacheDemand: Float64Array.from(values.cacheDemand) } : {}),
    ...(values.ingestionDemand ? { ingestionDemand: Float64Array.from(values.ingestionDemand) } : {}),
  };
}

/** The CSV form of a trace (what `parseTraceCsv` reads), e.g. to save a generated scenario. */
export function traceToCsv(trace: Trace): string {
  const columns = [
    'timestamp',
    'demand',
    ...(trace.cacheDemand ? ['cacheDemand'] : []),
    ...(trace.ingestionDemand ? ['ingestionDemand'] : []),
  ];
  const rows = [columns.join(',')];
  for (let index = 0; index < trace.demand.length; index += 1) {
    const timestamp = new Date(trace.startMs + index * MINUTE_MS).toISOString().replace('.000Z', 'Z');
    const cells = [timestamp, format(trace.demand[index])];
    if (trace.cacheDemand) cells.push(format(trace.cacheDemand[index]));
    if (trace.ingestionDemand) cells.push(format(trace.ingestionDemand[index]));
    rows.push(cells.join(','));
  }
  return `${rows.join('\n')}\n`;
}

function format(value: number | undefined): string {
  // Shortest round-trip representation: a trace written and read back is bit-for-bit the same.
  return String(value ?? 0);
}

function parseHeader(line: string, lineNumber: number): { names: string[] } | string {
  const names = line.split(',').map((cell) => cell.trim());
  for (const name of names) {
    if (!KNOWN_COLUMNS.includes(name)) {
      const hint = suggest(name, KNOWN_COLUMNS);
      return `line ${lineNumber}: unknown column "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; the columns are timestamp, demand and optionally cacheDemand, ingestionDemand`;
    }
  }
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) return `line ${lineNumber}: column "${duplicate}" appears twice; keep one`;
  const missing = REQUIRED_COLUMNS.filter((name) => !names.includes(name));
  if (missing.length > 0)
    return `line ${lineNumber}: the header lacks ${missing.map((name) => `"${name}"`).join(' and ')}; it must name timestamp and demand (found "${line.trim()}")`;
  return { names };
}

interface ParsedRow {
  /** Set whenever the timestamp itself could be read, even if another cell is bad. */
  timestampMs?: number | undefined;
  fields: Record<string, number>;
  problem?: string | undefined;
}

function parseRow(line: string, lineNumber: number, names: string[], expectedMs: number | undefined): ParsedRow {
  const cells = line.split(',').map((cell) => cell.trim());
  const fields: Record<string, number> = {};
  const timestampCell = cells[names.indexOf('timestamp')] ?? '';
  const timestamp = parseTimestamp(timestampCell, lineNumber, expectedMs);
  const timestampMs = typeof timestamp === 'number' ? timestamp : timestamp.ms;
  if (cells.length !== names.length) {
    return {
      timestampMs,
      fields,
      problem: `line ${lineNumber}: ${cells.length} value(s) for ${names.length} column(s) (${names.join(',')}); give one value per column`,
    };
  }
  if (typeof timestamp !== 'number') return { timestampMs, fields, problem: timestamp.problem };
  for (const [position, name] of names.entries()) {
    if (name === 'timestamp') continue;
    const cell = cells[position] as string;
    const value = cell === '' ? Number.NaN : Number(cell);
    if (!Number.isFinite(value) || value < 0) {
      return {
        timestampMs,
        fields,
        problem: `line ${lineNumber}: ${name} "${cell}" is not a non-negative number; give the load in node-equivalents, e.g. 3.5`,
      };
    }
    fields[name] = value;
  }
  return { timestampMs, fields };
}

/** The timestamp in ms, or why the row's timestamp is wrong (with the ms when it could still be read). */
function parseTimestamp(
  cell: string,
  lineNumber: number,
  expectedMs: number | undefined,
): number | { problem: string; ms?: number | undefined } {
  const ms = ISO_TIMESTAMP.test(cell) ? Date.parse(cell) : Number.NaN;
  if (!Number.isFinite(ms))
    return {
      problem: `line ${lineNumber}: timestamp "${cell}" is not an ISO 8601 date-time with an offset; write it like 2026-01-05T14:00:00Z`,
    };
  if (ms % MINUTE_MS !== 0)
    return {
      problem: `line ${lineNumber}: timestamp "${cell}" is not on a minute boundary; rows are one per minute, at :00 seconds`,
    };
  if (expectedMs !== undefined && ms !== expectedMs) {
    const expected = new Date(expectedMs).toISOString();
    const why = ms < expectedMs ? 'is out of order or repeated' : 'leaves a gap';
    return {
      ms,
      problem: `line ${lineNumber}: timestamp "${cell}" ${why}; rows must be consecutive minutes, this one should be ${expected}`,
    };
  }
  return ms;
}

function listed(problems: string[]): string[] {
  if (problems.length <= MAX_LISTED_ERRORS) return problems;
  return [...problems.slice(0, MAX_LISTED_ERRORS), `... and ${problems.length - MAX_LISTED_ERRORS} more`];
}
