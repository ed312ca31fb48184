/**
 * Parsing of what callers send: JSON bodies, route parameters and query strings. Every problem becomes an
 * `InvalidInputError` naming the field, the value and the fix (HTTP 400); nothing here touches state.
 */
import { z } from 'zod';
import { InvalidInputError, UnreadableBodyError } from '../vocabulary/errors.js';
import { formatPath, suggest } from '../config/fields/problems.js';
import { readStrictJson, type JsonProblem } from '../strict-json.js';
import type { RuntimePauses } from '../policy/input.js';

/** Azure Monitor caps a common-schema payload at 256 KB; nothing the API accepts comes near 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
const MAX_CAPACITY = 1000;

/** What the scaler needs of an HTTP request to read its body; `@azure/functions`' HttpRequest is one. */
export interface BodySource {
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array> | null;
}

export interface BodyOptions {
  /** Turn an empty body into `{}` (endpoints whose fields are all optional). */
  allowEmpty?: boolean;
  maxBytes?: number;
}

/** An operator's request is a few fields; a reason is at most 500 characters. */
export const OPERATOR_BODY_BYTES = 16 * 1024;

/**
 * Reads a request's JSON body at bounded cost: a `Content-Length` over the limit is refused before reading (413),
 * a body without one stops being read at the limit (413), a `Content-Type` other than JSON is refused (415), and
 * the text goes through `parseJsonBody`.
 */
export async function readJsonBody(request: BodySource, options: BodyOptions = {}): Promise<unknown> {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(`Content-Length ${Number(declared)}`, maxBytes);
  const mediaType = mediaTypeOf(request.headers.get('content-type'));
  if (mediaType !== undefined && !isJson(mediaType))
    throw notJson(`Content-Type ${JSON.stringify(mediaType.slice(0, 80))} is not JSON`);
  const text = await readBounded(request.body, maxBytes);
  if (text.length > 0 && mediaType === undefined) throw notJson('no Content-Type');
  return parseJsonBody(text, { ...options, maxBytes });
}

/** Parses a JSON body (strictly: see shared/strict-json.ts); `allowEmpty` turns an empty body into `{}`. */
export function parseJsonBody(text: string, options: BodyOptions = {}): unknown {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes)
    throw new InvalidInputError(
      `body: ${bytes} bytes is more than the ${maxBytes} this API accepts; send a smaller JSON document`,
    );
  if (text.trim().length === 0) {
    if (options.allowEmpty) return {};
    throw new InvalidInputError('body: empty; send a JSON object with Content-Type: application/json');
  }
  const reading = readStrictJson(text);
  if (reading.ok) return reading.value;
  const problem = {
    ...reading.problem,
    path: reading.problem.path.map((key) =>
      typeof key === 'string' && key.length > 60 ? `${key.slice(0, 57)}...` : key,
    ),
  };
  throw new InvalidInputError(bodyProblem(problem), {
    details: { errors: [{ field: fieldPath(problem.path), message: problem.why }] },
  });
}

/** Says what and where, never quoting the body (it could hold anything). */
function bodyProblem(problem: JsonProblem): string {
  const at = `at character ${problem.offset + 1}`;
  switch (problem.kind) {
    case 'syntax':
      return `body: not valid JSON (${problem.why} ${at}); send a JSON object with Content-Type: application/json`;
    case 'too-deep':
      return `${fieldPath(problem.path)}: ${problem.why} (${at}); no request the scaler reads nests that deep, send the documented fields`;
    case 'duplicate-key':
      return `${fieldPath(problem.path)}: ${problem.why} (${at}); send each field once`;
  }
}

function mediaTypeOf(header: string | null): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** `application/json`, or a JSON-based type such as `application/problem+json`. */
function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType);
}

async function readBounded(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  if (!stream) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel();
      throw tooLarge('the body', maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(what: string, maxBytes: number): UnreadableBodyError {
  return new UnreadableBodyError(
    413,
    `body: ${what} is more than the ${maxBytes} bytes this API accepts; nothing was read, send a smaller JSON document`,
  );
}

function notJson(why: string): UnreadableBodyError {
  return new UnreadableBodyError(415, `body: ${why}; send the body as JSON with Content-Type: application/json`);
}

const reason = z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters');

const scaleBodySchema = z
  .strictObject({
    capacity: z.number().int('must be a whole number of nodes or instances').min(0).max(MAX_CAPACITY).optional(),
    delta: z
      .number()
      .int('must be a whole number of units')
      .min(-MAX_CAPACITY)
      .max(MAX_CAPACITY)
      .refine((delta) => delta !== 0, 'must not be 0; ask for at least one unit more or less')
      .optional(),
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
    throw new InvalidInputError(`body.reason: ${message}`, {
      details: { errors: [{ field: 'body.reason', message }] },
    });
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
  throw new InvalidInputError(
    `query decisions: ${JSON.stringify(value.slice(0, 40))} is not a whole number from 0 to ${MAX_DECISIONS}; ask for fewer decisions`,
  );
}

/** A route parameter; the Functions host only routes requests that have it, so empty means a bad URL. */
export function routeParameter(name: string, value: string | undefined): string {
  if (value === undefined || value.length === 0 || value.length > 256)
    throw new InvalidInputError(`path: the ${name} is missing or too long; check the URL`);
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
  throw new InvalidInputError(errors.map((error) => `${error.field}: ${error.message}`).join('; '), {
    details: { errors },
  });
}

const MISSING_HINTS: Record<string, string> = {
  reason: 'say why (kept in the ledger with the decision)',
};

function describeIssue(issue: z.core.$ZodIssue, fields: readonly string[]): Array<{ field: string; message: string }> {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const hint = suggest(key, fields);
      return {
        field: fieldPath([...issue.path, key]),
        message: `unknown field${hint ? `; did you mean "${hint}"?` : `; the fields are ${fields.join(', ')}`}`,
      };
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
