/**
 * Validates a whole config document and reports every problem at once, each with its JSON path, the bad value
 * and the fix. Targets are parsed one by one so a broken target never hides another's problems.
 */
import { z } from 'zod';
import { configSchema, targetSchema, type ScalerConfig, type TargetConfig } from './schema/schema.js';
import { checkTarget } from './semantic-checks.js';
import { type ConfigProblem, formatPath, showValue, suggest } from './fields/problems.js';
import { normalizeResourceId } from '../vocabulary/resource-id.js';
import type { ServiceMaximums } from './service-maximums.js';
import { extensionSchema } from '../kinds/registry.js';

export type ConfigResult =
  | { ok: true; config: ScalerConfig; warnings: ConfigProblem[] }
  | { ok: false; errors: ConfigProblem[]; warnings: ConfigProblem[] };

const documentSchema = configSchema.extend({ targets: z.array(z.unknown()).min(1, 'list at least one target') });

export interface ValidationOptions {
  /** Service maximums raised by app settings (serviceMaximumsFrom); absent: each kind's fact. */
  serviceMaximums?: ServiceMaximums | undefined;
}

export function validateConfig(raw: unknown, options: ValidationOptions = {}): ConfigResult {
  const problems: ConfigProblem[] = [];
  const document = documentSchema.safeParse(raw);
  if (!document.success) problems.push(...zodProblems(document.error, raw, []));

  const rawTargets = isRecord(raw) && Array.isArray(raw.targets) ? (raw.targets as unknown[]) : [];
  const settings = {
    minThresholdGapPercent: document.success ? document.data.settings.minThresholdGapPercent : 20,
    serviceMaximums: options.serviceMaximums ?? {},
  };
  const targets: TargetConfig[] = [];
  rawTargets.forEach((rawTarget, index) => {
    const path = `targets[${index}]`;
    const parsed = schemaOf(rawTarget).safeParse(rawTarget);
    if (parsed.success) {
      targets.push(parsed.data);
      problems.push(...checkTarget(parsed.data, path, settings));
      return;
    }
    const structural = zodProblems(parsed.error, rawTarget, ['targets', index]);
    problems.push(...structural);
    // Still run the semantic checks on a repaired copy, so one typo does not hide the other problems.
    const repaired = parseRepaired(rawTarget, parsed.error);
    if (repaired) {
      const reported = new Set(structural.map((problem) => problem.path));
      problems.push(...checkTarget(repaired, path, settings).filter((problem) => !reported.has(problem.path)));
    }
  });
  problems.push(...checkUniqueness(rawTargets));

  const errors = problems.filter((problem) => problem.severity === 'error');
  const warnings = problems.filter((problem) => problem.severity === 'warning');
  if (errors.length > 0 || !document.success) return { ok: false, errors, warnings };
  return { ok: true, config: { ...document.data, targets }, warnings };
}

/** Drops unknown and invalid fields (defaults fill them in) and parses again; undefined if that cannot work. */
/** The schema of a raw target: a run-time kind's own (registerKind), else the built-in kinds' union. */
function schemaOf(rawTarget: unknown): z.ZodType<TargetConfig> {
  const extension = isRecord(rawTarget) ? extensionSchema(rawTarget.kind) : undefined;
  return (extension as z.ZodType<TargetConfig> | undefined) ?? targetSchema;
}

function parseRepaired(rawTarget: unknown, error: z.ZodError): TargetConfig | undefined {
  if (!isRecord(rawTarget)) return undefined;
  const copy = structuredClone(rawTarget);
  for (const issue of error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    for (const path of keys) {
      if (path.length === 1 && path[0] === 'name') copy.name = 'unnamed';
      else deleteAt(copy, path);
    }
  }
  const again = schemaOf(copy).safeParse(copy);
  return again.success ? again.data : undefined;
}

function deleteAt(root: Record<string, unknown>, path: PropertyKey[]): void {
  const parent = valueAt(root, path.slice(0, -1));
  const last = path.at(-1);
  if (parent !== null && typeof parent === 'object' && last !== undefined && !Array.isArray(parent)) {
    delete (parent as Record<PropertyKey, unknown>)[last];
  }
}

function checkUniqueness(rawTargets: unknown[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = { name: new Map<string, number>(), resourceId: new Map<string, number>() };
  rawTargets.forEach((target, index) => {
    if (!isRecord(target)) return;
    for (const field of ['name', 'resourceId'] as const) {
      const value = target[field];
      if (typeof value !== 'string') continue;
      const key = field === 'resourceId' ? normalizeResourceId(value) : value;
      const first = seen[field].get(key);
      if (first === undefined) seen[field].set(key, index);
      else
        problems.push({
          severity: 'error',
          path: `targets[${index}].${field}`,
          message: `${showValue(value)} is already used by targets[${first}]; each target needs its own ${field}`,
        });
    }
  });
  return problems;
}

function zodProblems(error: z.ZodError, raw: unknown, prefix: PropertyKey[]): ConfigProblem[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => unknownKeyProblem([...prefix, ...issue.path], key));
    }
    const path = [...prefix, ...issue.path];
    const value = valueAt(raw, issue.path);
    return [
      {
        severity: 'error' as const,
        path: formatPath(path),
        message: `${describeIssue(issue)} (got ${showValue(value)})`,
      },
    ];
  });
}

function unknownKeyProblem(path: PropertyKey[], key: string): ConfigProblem {
  const hint = suggest(key, FIELD_NAMES);
  return {
    severity: 'error',
    path: formatPath([...path, key]),
    message: `unknown field${hint ? `; did you mean "${hint}"?` : '; remove it'}`,
  };
}

/** Every field name the schema knows, for "did you mean" hints on typos. */
const FIELD_NAMES = [...collectFieldNames(configSchema)];

function collectFieldNames(schema: unknown, names = new Set<string>(), seen = new Set<unknown>()): Set<string> {
  if (seen.has(schema) || typeof schema !== 'object' || schema === null) return names;
  seen.add(schema);
  const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def ?? {};
  const shape = def.shape as Record<string, unknown> | undefined;
  if (shape) {
    for (const [name, child] of Object.entries(shape)) {
      names.add(name);
      collectFieldNames(child, names, seen);
    }
  }
  for (const child of [
    def.innerType,
    def.element,
    def.in,
    def.out,
    ...((def.options as unknown[] | undefined) ?? []),
  ]) {
    collectFieldNames(child, names, seen);
  }
  return names;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.path.length === 0) {
    return 'unknown kind: expected one of "postgres-elastic-cluster", "kusto-cluster"';
  }
  return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
