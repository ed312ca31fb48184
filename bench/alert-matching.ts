/**
 * Alert-to-target matching at its worst: one 1 MB common-schema delivery whose 500 `alertTargetIDs` are as long as
 * the scaler compares (1024 characters: child resources of configured clusters and of look-alike node servers),
 * padded with custom properties to 1 MB, against a config of 10,000 targets. Measures what the webhook does with
 * it before any I/O: the strict JSON read, the common-schema parse and the matching, with the target index built
 * once per config (reported apart). No Azure and no storage: this is the CPU a hostile delivery can cost.
 */
import { readStrictJson } from '../shared/strict-json.js';
import { parseCommonAlert } from '../shared/alerts/common-alert-schema.js';
import { AlertTargetIndex, MAX_MATCHED_ID_LENGTH } from '../shared/alerts/target-mapping.js';
import { targetSchema, type TargetConfig } from '../shared/config/schema/schema.js';
import { pgResourceId, SUBSCRIPTION } from '../test/support/scaler-harness.js';
import { alertFor } from '../test/support/alert-fixtures.js';
import { printResult } from './report.js';
import { KIND_FACTS, TARGET_KINDS, type TargetKind } from '../shared/vocabulary/kinds.js';

/** The id of a cluster of the kind, in the harness's subscription and resource group. */
const resourceIdOf = (kind: TargetKind, name: string) =>
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-data/providers/${KIND_FACTS[kind].resourceType}/${name}`;

const TARGETS = 10_000;
const IDS = 500;
const BODY_BYTES = 1_000_000;
const RUNS = 21;

export function alertMatchingBenchmark(): Record<string, number | string> {
  const targets = Array.from({ length: TARGETS }, (_, index) => target(index));
  const indexStarted = performance.now();
  const index = new AlertTargetIndex(targets);
  const indexMs = performance.now() - indexStarted;
  const body = worstCaseAlert();
  let matched = 0;
  const totals: number[] = [];
  const matching: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const reading = readStrictJson(body);
    if (!reading.ok) throw new Error(`alert-matching: the payload does not read: ${reading.problem.why}`);
    const alert = parseCommonAlert(reading.value);
    const matchStarted = performance.now();
    matched = index.targetsFor(alert.alertTargetIds).length;
    const ended = performance.now();
    totals.push(ended - started);
    matching.push(ended - matchStarted);
  }
  return {
    bench: 'alert-matching',
    targets: TARGETS,
    ids: IDS,
    bytes: Buffer.byteLength(body),
    matched,
    ms: median(totals),
    matchMs: median(matching),
    indexMs: round(indexMs),
  };
}

function median(values: number[]): number {
  return round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0);
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function target(index: number): TargetConfig {
  const name = `bench-${index}`;
  const kind = TARGET_KINDS[index % TARGET_KINDS.length] as TargetKind;
  const resourceId = resourceIdOf(kind, name);
  return targetSchema.parse({ name, kind, resourceId, mode: 'manual', limits: { min: 2, max: 10 } });
}

/** Half the ids lie under configured clusters, half under their coordinators (not a match: only the node itself is). */
function worstCaseAlert(): string {
  const ids = Array.from({ length: IDS }, (_, index) => {
    const cluster = pgResourceId(`bench-${(index * 2) % TARGETS}`);
    const base = index % 2 === 0 ? `${cluster}/databases/` : `${cluster}-c/databases/`;
    return `${base}${'x'.repeat(MAX_MATCHED_ID_LENGTH - base.length)}`;
  });
  const payload = alertFor({ resourceId: ids[0] ?? '', customProperties: { 'scaler.direction': 'out' } });
  payload.data.essentials['alertTargetIDs'] = ids;
  const withoutPadding = Buffer.byteLength(JSON.stringify(payload));
  payload.data.customProperties = {
    'scaler.direction': 'out',
    padding: 'p'.repeat(Math.max(0, BODY_BYTES - withoutPadding - 40)),
  };
  return JSON.stringify(payload);
}

export function describeAlertMatching(result: Record<string, number | string>): string {
  return `alert matching: a ${result['bytes']}-byte alert with ${result['ids']} ids of ${MAX_MATCHED_ID_LENGTH} characters against ${result['targets']} targets: read, parsed and matched (${result['matched']} targets) in ${result['ms']} ms, of which matching ${result['matchMs']} ms (medians of ${RUNS} runs); the target index takes ${result['indexMs']} ms once per config`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = alertMatchingBenchmark();
  printResult(result, describeAlertMatching(result));
}
