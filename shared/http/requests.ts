/**
 * Parsing of what callers send: JSON bodies, route parameters and query strings. Every problem becomes an
 * `InvalidInputError` naming the field, the value and the fix (HTTP 400); nothing here touches state.
 */
import { z } from 'zod';
import { parse as locateJsonError, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { InvalidInputError } from '../errors.js';
import { formatPath, suggest } from '../config/problems.js';
import type { RuntimePauses } from '../policy/input.js';

/** Azure Monitor caps a common-schema payload at 256 KB; nothing the API accepts comes near 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_CAPACITY = 1000;

/** Parses a JSON body; `allowEmpty` turns an empty body into `{}`. */
export function parseJsonBody(text: string, options: { allowEmpty?: boolean } = {}): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_BODY_BYTES) throw new InvalidInputError(`body: ${bytes} bytes is more than the ${MAX_BODY_BYTES} this API accepts; send a smaller JSON document`);
  if (text.trim().length === 0) {
    if (options.allowEmpty) return {};
    throw new InvalidInputError('body: empty; send a JSON object with Content-Type: application/json');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes the body; say only what and where.
    const errors: ParseError[] = [];
    locateJsonError(text, errors, { disallowComments: true, allowTrailingComma: false });
    const first = errors[0];
    const where = first ? `${printParseErrorCode(first.error)} at character ${first.offset + 1}` : 'it does not parse';
    throw new InvalidInputError(`body: not valid JSON (${where}); send a JSON object with Content-Type: application/json`);
  }
}

const reason = z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters');

const scaleBodySchema = z
  .strictObject({
    capacity: z.number().int('must be a whole number of nodes or instances').min(0).max(MAX_CAPACITY).optional(),
    delta: z.number().int('must be a whole number of units').min(-MAX_CAPACITY).max(MAX_CAPACITY).refine((delta) => delta !== 0, 'must not be 0; ask for at least one unit more or less').optional(),
    reason,
    dryRun: z.boolean().default(false),
    ignoreCooldown: z.boolean().default(false),
  })
  .refine((body) => (body.capacity === undefined) !== (body.delta === undefined), {
    message: 'set exactly one of capacity (the capacity to go to) or delta (units to add; negative to remove)',
    path: ['capacity'],
  });

export type ScaleBody = z.output<typeof scaleBodySchema>;

/** `POST /api/targets/{name}/scale`: `{ capacity } | { delta }`, `reason`, optional `dryRun`, `ignoreCooldown`. */
export function parseScaleBody(body: unknown): ScaleBody {
  return parseWith(scaleBodySchema, body, 'capacity');
}

const PAUSE_DIRECTIONS = ['out', 'in', 'both'] as const;

const pauseBodySchema = z.strictObject({
  direction: z.enum(PAUSE_DIRECTIONS, { error: 'must be out, in or both' }).default('both'),
  reason: reason.optional(),
});

export interface PauseBody {
  direction: (typeof PAUSE_DIRECTIONS)[number];
  reason: string | undefined;
}

/** `POST /api/targets/{name}/pause` (reason required) and `/resume` (reason optional). */
export function parsePauseBody(body: unknown, options: { reasonRequired: boolean }): PauseBody {
  const parsed = parseWith(pauseBodySchema, body, 'direction');
  if (options.reasonRequired && parsed.reason === undefined) {
    const message = 'missing; say why the target is paused (kept with the pause flags and shown in its status)';
    throw new InvalidInputError(`body.reason: ${message}`, { details: { errors: [{ field: 'body.reason', message }] } });
  }
  return { direction: parsed.direction, reason: parsed.reason };
}

/** The pause flags a pause (`to: true`) or resume (`to: false`) of `direction` changes; the others stay. */
export function pauseUpdate(direction: PauseBody['direction'], to: boolean): Partial<RuntimePauses> {
  if (direction === 'out') return { scaleOut: to };
  if (direction === 'in') return { scaleIn: to };
  return { scaleOut: to, scaleIn: to };
}

const rebalanceControlSchema = z.object({ reason });

/** `POST /api/targets/{name}/failures/reset`: `{ reason }`, required (what the operator fixed). */
export function parseFailureResetBody(body: unknown): { reason: string } {
  return parseWith(rebalanceControlSchema, body, 'reason');
}

/** `POST /api/targets/{name}/rebalance/pause` and `/rebalance/resume`: `{ reason }`, required. */
export function parseRebalanceControlBody(body: unknown): { reason: string } {
  return parseWith(rebalanceControlSchema, body, 'reason');
}

/** `POST /api/operations/{id}/abandon`: `{ reason }`, required. */
export function parseAbandonBody(body: unknown): { reason: string } {
  return parseWith(rebalanceControlSchema, body, 'reason');
}

export const DEFAULT_DECISIONS = 5;
const MAX_DECISIONS = 50;

/** `?decisions=N`: how many ledger entries the status shows per target. */
export function parseDecisionsQuery(value: string | null): number {
  if (value === null || value === '') return DEFAULT_DECISIONS;
  const count = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (count >= 0 && count <= MAX_DECISIONS) return count;
  throw new InvalidInputError(`query decisions: ${JSON.stringify(value.slice(0, 40))} is not a whole number from 0 to ${MAX_DECISIONS}; ask for fewer decisions`);
}

/** A route parameter; the Functions host only routes requests that have it, so empty means a bad URL. */
export function routeParameter(name: string, value: string | undefined): string {
  if (value === undefined || value.length === 0 || value.length > 256) throw new InvalidInputError(`path: the ${name} is missing or too long; check the URL`);
  return value;
}

const FIELD_HINTS: Record<string, readonly string[]> = {
  capacity: ['capacity', 'delta', 'reason', 'dryRun', 'ignoreCooldown'],
  direction: ['direction', 'reason'],
};

function parseWith<T extends z.ZodType>(schema: T, body: unknown, fieldsOf: keyof typeof FIELD_HINTS): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.flatMap((issue) => describeIssue(issue, FIELD_HINTS[fieldsOf] ?? []));
  throw new InvalidInputError(errors.map((error) => `${error.field}: ${error.message}`).join('; '), { details: { errors } });
}

const MISSING_HINTS: Record<string, string> = {
  reason: 'say why (kept in the ledger with the decision)',
};

function describeIssue(issue: z.core.$ZodIssue, fields: readonly string[]): Array<{ field: string; message: string }> {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const hint = suggest(key, fields);
      return { field: fieldPath([...issue.path, key]), message: `unknown field${hint ? `; did you mean "${hint}"?` : `; the fields are ${fields.join(', ')}`}` };
    });
  }
  const last = issue.path.at(-1);
  if (issue.code === 'invalid_type' && / received undefined$/.test(issue.message)) {
    const hint = typeof last === 'string' ? MISSING_HINTS[last] : undefined;
    return [{ field: fieldPath(issue.path), message: `missing${hint ? `; ${hint}` : ''}` }];
  }
  return [{ field: fieldPath(issue.path), message: issue.message }];
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'body' : `body.${formatPath(path)}`;
}
