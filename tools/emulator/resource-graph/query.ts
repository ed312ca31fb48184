/**
 * The subset of the Resource Graph query language (KQL) the scaler sends, evaluated over the emulator's own
 * resources: `resources | where <condition> [and <condition>...] | project <column>[, <column>...]`, where a
 * condition is `<column> in~ ('a', 'b', ...)` or `<column> =~ 'a'` (both case-insensitive, as in KQL). Anything
 * else is refused the way the service refuses a query it cannot parse (400 `InvalidQuery`).
 */
import { ArmError } from '../arm.js';

export type GraphRow = Record<string, unknown>;

interface Condition {
  column: string;
  /** Lower-cased: both operators compare case-insensitively. */
  values: ReadonlySet<string>;
}

export interface GraphQuery {
  table: string;
  conditions: readonly Condition[];
  /** Columns to keep, in order; undefined keeps every column. */
  project: readonly string[] | undefined;
}

const STRING_LITERAL = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;

export function parseGraphQuery(text: string): GraphQuery {
  const [source = '', ...stages] = text.split('|').map((part) => part.trim());
  const table = source.toLowerCase();
  if (table !== 'resources') throw invalidQuery(`the emulator knows only the 'resources' table, not '${source}'`);
  const conditions: Condition[] = [];
  let project: string[] | undefined;
  for (const stage of stages) {
    const [operator = '', ...rest] = stage.split(/\s+/);
    const body = rest.join(' ');
    if (operator.toLowerCase() === 'where') conditions.push(...parseWhere(body));
    else if (operator.toLowerCase() === 'project') project = body.split(',').map((column) => column.trim());
    else throw invalidQuery(`the emulator does not support the '${operator}' operator`);
  }
  return { table, conditions, project };
}

export function evaluateGraphQuery(query: GraphQuery, rows: readonly GraphRow[]): GraphRow[] {
  return rows
    .filter((row) => query.conditions.every((condition) => matches(row, condition)))
    .map((row) => (query.project ? projected(row, query.project) : row));
}

function parseWhere(body: string): Condition[] {
  return splitOnAnd(body).map((clause) => {
    const found = /^([A-Za-z_][\w.]*)\s*(in~|=~)\s*(.+)$/s.exec(clause.trim());
    if (!found) throw invalidQuery(`the emulator cannot evaluate the condition '${clause.trim()}'`);
    const [, column = '', operator, operand = ''] = found;
    const values = literals(operand);
    if (operator === '=~' && values.length !== 1) throw invalidQuery(`'=~' takes one string, got '${operand}'`);
    if (operator === 'in~' && !/^\(.*\)$/s.test(operand.trim()))
      throw invalidQuery(`'in~' takes a parenthesized list, got '${operand}'`);
    return { column, values: new Set(values.map((value) => value.toLowerCase())) };
  });
}

/** Splits on ` and ` outside string literals. */
function splitOnAnd(body: string): string[] {
  const masked = body.replace(STRING_LITERAL, (literal) => '_'.repeat(literal.length));
  const parts: string[] = [];
  let start = 0;
  for (const found of masked.matchAll(/\s+and\s+/gi)) {
    parts.push(body.slice(start, found.index));
    start = (found.index ?? 0) + found[0].length;
  }
  parts.push(body.slice(start));
  return parts;
}

function literals(operand: string): string[] {
  return [...operand.matchAll(STRING_LITERAL)].map((found) => (found[1] ?? found[2] ?? '').replace(/\\(.)/g, '$1'));
}

function matches(row: GraphRow, condition: Condition): boolean {
  const value = row[condition.column];
  return typeof value === 'string' && condition.values.has(value.toLowerCase());
}

function projected(row: GraphRow, columns: readonly string[]): GraphRow {
  return Object.fromEntries(columns.map((column) => [column, row[column] ?? null]));
}

/** The service's answer to a query it cannot run: 400 BadRequest with an InvalidQuery detail. */
export function invalidQuery(reason: string): ArmError {
  return new ArmError(400, {
    code: 'BadRequest',
    message: `Please provide below info when asking for support: Query is invalid: ${reason}.`,
    additionalInfo: [
      {
        type: 'QueryError',
        info: {
          code: 'InvalidQuery',
          message:
            'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.',
        },
      },
    ],
  });
}
