/** Parsing and validating the query string of `metrics:getBatch` (api-version 2024-02-01). */
import { randomUUID } from 'node:crypto';
import { ArmError } from '../arm.js';
import type { Aggregation, MetricDefinition } from './catalog.js';
import { MINUTE_MS } from './load.js';

const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const RETENTION_MS = 93 * DAY_MS;
const DEFAULT_TIMESPAN_MS = HOUR_MS;

/** The time grains Azure Monitor keeps for platform metrics (metricAvailabilities in MetricDefinitions_List). */
const GRAINS_MS: Readonly<Record<string, number>> = {
  PT1M: MINUTE_MS,
  PT5M: 5 * MINUTE_MS,
  PT15M: 15 * MINUTE_MS,
  PT30M: 30 * MINUTE_MS,
  PT1H: HOUR_MS,
  PT6H: 6 * HOUR_MS,
  PT12H: 12 * HOUR_MS,
  P1D: DAY_MS,
};

const AGGREGATIONS: readonly Aggregation[] = ['average', 'minimum', 'maximum', 'total', 'count'];

export type Interval = { kind: 'grain'; ms: number; iso: string } | { kind: 'full' };

/** `ServerName eq 'a' or ServerName eq 'b'` becomes `servername -> {a, b}`; `eq '*'` keeps every value. */
export type DimensionFilter = ReadonlyMap<string, { name: string; values: ReadonlySet<string> | '*' }>;

export interface MetricsQuery {
  namespace: string;
  metricNames: string[];
  startMs: number;
  endMs: number;
  interval: Interval;
  /** Undefined when the query names none: each metric then answers with its primary aggregation. */
  aggregations: Aggregation[] | undefined;
  filter: string | undefined;
  top: number;
  orderBy: { aggregation: Aggregation; descending: boolean } | undefined;
  rollUpBy: string[];
}

/** A 400 in the metrics service's own shape (see the `default` response of MetricsBatch_QueryResources_Example1). */
export function metricsBadRequest(message: string): ArmError {
  return new ArmError(
    400,
    {
      code: 'BadRequest',
      message: `${message}, traceId: {${randomUUID()}}`,
      additionalInfo: [
        { type: 'string', info: `TraceId={${randomUUID()}}` },
        { type: 'string', info: 'ExceptionType=Microsoft.Online.Metrics.MetricsMP.Utilities.RPRequestFormatException' },
      ],
    },
    { 'x-ms-error-code': 'BadRequest' },
  );
}

export function parseMetricsQuery(query: URLSearchParams, nowMs: number): MetricsQuery {
  if (query.has('timespan')) {
    throw metricsBadRequest(
      'Detected invalid time range parameters for API version 2024-02-01. Please use only starttime and endtime to specify a time range.',
    );
  }
  const namespace = required(query, 'metricnamespace');
  const metricNames = required(query, 'metricnames')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const { startMs, endMs } = parseTimeRange(query, nowMs);
  return {
    namespace,
    metricNames,
    startMs,
    endMs,
    interval: parseInterval(query.get('interval')),
    aggregations: parseAggregations(query.get('aggregation')),
    filter: query.get('filter') ?? undefined,
    top: parseTop(query.get('top')),
    orderBy: parseOrderBy(query.get('orderby')),
    rollUpBy: (query.get('rollupby') ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  };
}

function required(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (!value) throw metricsBadRequest(`Query parameter '${name}' is required`);
  return value;
}

function parseTimeRange(query: URLSearchParams, nowMs: number): { startMs: number; endMs: number } {
  const endText = query.get('endtime');
  const startText = query.get('starttime');
  const endMs = endText ? parseTime(endText, 'endtime') : nowMs;
  const startMs = startText ? parseTime(startText, 'starttime') : endMs - DEFAULT_TIMESPAN_MS;
  if (endMs <= startMs) throw metricsBadRequest(`Query starttime: ${startText} must be before endtime: ${endText}`);
  if (endMs < nowMs - RETENTION_MS) {
    throw metricsBadRequest(
      `Query endTime: ${new Date(endMs).toISOString()} is out of the Max metrics retention period: 93.00:00:00`,
    );
  }
  return { startMs, endMs };
}

function parseTime(text: string, name: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw metricsBadRequest(`Query parameter '${name}' has an invalid date: '${text}'`);
  return ms;
}

function parseInterval(text: string | null): Interval {
  const iso = (text ?? 'PT1M').toUpperCase();
  if (iso === 'FULL') return { kind: 'full' };
  const ms = GRAINS_MS[iso];
  if (ms === undefined) {
    throw metricsBadRequest(
      `Invalid time grain '${text}'. Supported time grains are: ${Object.keys(GRAINS_MS).join(', ')}, FULL`,
    );
  }
  return { kind: 'grain', ms, iso };
}

function parseAggregations(text: string | null): Aggregation[] | undefined {
  if (!text) return undefined;
  return text.split(',').map((name) => {
    const aggregation = AGGREGATIONS.find((known) => known === name.trim().toLowerCase());
    if (!aggregation)
      throw metricsBadRequest(`Invalid aggregation '${name}'. Valid aggregations: ${AGGREGATIONS.join(', ')}`);
    return aggregation;
  });
}

function parseTop(text: string | null): number {
  if (text === null) return 10;
  const top = Number.parseInt(text, 10);
  if (!Number.isInteger(top) || top < 1) throw metricsBadRequest(`Invalid top value '${text}'`);
  return top;
}

function parseOrderBy(text: string | null): MetricsQuery['orderBy'] {
  if (!text) return undefined;
  const [name = '', direction = 'asc'] = text.trim().toLowerCase().split(/\s+/);
  const aggregation = name === 'sum' ? 'total' : AGGREGATIONS.find((known) => known === name);
  if (!aggregation) throw metricsBadRequest(`Invalid orderby '${text}'`);
  return { aggregation, descending: direction === 'desc' };
}

/** Parses a `$filter` against one metric's dimensions. Only `eq` is supported, as `and`/`or` terms. */
export function parseDimensionFilter(filter: string, definition: MetricDefinition): DimensionFilter {
  const result = new Map<string, { name: string; values: Set<string> | '*' }>();
  for (const term of filter.split(/\s+(?:and|or)\s+/i)) {
    const match = /^\s*\(?\s*([\w.]+)\s+eq\s+'([^']*)'\s*\)?\s*$/i.exec(term);
    if (!match?.[1] || match[2] === undefined)
      throw metricsBadRequest(
        `The $filter '${filter}' is invalid: '${term}' is not of the form "Dimension eq 'value'"`,
      );
    const dimension = definition.dimensions.find((known) => known.toLowerCase() === match[1]?.toLowerCase());
    if (!dimension) {
      throw metricsBadRequest(
        `Metric: ${definition.name} does not support requested dimension combination: ${match[1]}, supported ones are: ${definition.dimensions.join(',') || 'none'}`,
      );
    }
    addFilterValue(result, dimension, match[2]);
  }
  return result;
}

function addFilterValue(
  filter: Map<string, { name: string; values: Set<string> | '*' }>,
  dimension: string,
  value: string,
): void {
  const key = dimension.toLowerCase();
  const entry = filter.get(key) ?? { name: dimension, values: new Set<string>() };
  if (value === '*') entry.values = '*';
  else if (entry.values !== '*') entry.values.add(value.toLowerCase());
  filter.set(key, entry);
}

export function grainToIso(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const hours = Math.floor((ms % DAY_MS) / HOUR_MS);
  const minutes = Math.floor((ms % HOUR_MS) / MINUTE_MS);
  const seconds = Math.floor((ms % MINUTE_MS) / 1000);
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : days ? '' : 'T0S'}`;
}
