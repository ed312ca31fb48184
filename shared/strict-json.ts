/**
 * The one way the scaler reads JSON that someone else wrote: HTTP bodies, alert payloads and config files.
 * On top of JSON.parse it refuses, in one pass over the text before any value is built:
 * - nesting deeper than `MAX_JSON_DEPTH`: every recursive walk after parsing (zod, JSON.stringify,
 *   structuredClone, the Functions host serialising an answer) would overflow the stack on it;
 * - an object that repeats a key: JSON.parse silently keeps the last one, so `"dryRun": true, "dryRun": false`
 *   would mean one thing to whoever reviewed the request and another to the scaler.
 * The scan is iterative, so no input can exhaust the stack, and costs one look at each character.
 */
import { parse as locateJsonError, printParseErrorCode, type ParseError } from 'jsonc-parser';

/** Far deeper than any document the scaler reads (a common-schema alert nests about 7 levels, the config 5). */
export const MAX_JSON_DEPTH = 32;

export type JsonPath = ReadonlyArray<string | number>;

export interface JsonProblem {
  kind: 'syntax' | 'too-deep' | 'duplicate-key';
  /** Zero-based character offset of the problem in the text. */
  offset: number;
  /** Where in the document, for duplicate keys (the repeated key last) and nesting too deep. */
  path: JsonPath;
  /** What is wrong, without quoting the document: e.g. `ValueExpected`, `appears twice in the same object`. */
  why: string;
}

export type JsonReading = { ok: true; value: unknown } | { ok: false; problem: JsonProblem };

export function readStrictJson(text: string, maxDepth = MAX_JSON_DEPTH): JsonReading {
  const structural = scanStructure(text, maxDepth);
  if (structural) return { ok: false, problem: structural };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // JSON.parse's message quotes the text; locate the error ourselves (safe: the nesting is bounded now).
    return { ok: false, problem: syntaxProblem(text) };
  }
}

interface Frame {
  kind: 'object' | 'array';
  keys: Set<string>;
  /** The key (object) or index (array) of the value being read. */
  at: string | number;
  expectKey: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Nesting depth and duplicate keys, tolerant of anything else (JSON.parse judges the syntax afterwards). */
function scanStructure(text: string, maxDepth: number): JsonProblem | undefined {
  const stack: Frame[] = [];
  for (let offset = 0; offset < text.length; offset += 1) {
    const char = text.charCodeAt(offset);
    if (char === QUOTE) {
      const end = stringEnd(text, offset);
      const top = stack.at(-1);
      if (top?.kind === 'object' && top.expectKey) {
        const key = decodeKey(text.slice(offset, end + 1));
        if (key !== undefined && top.keys.has(key)) {
          return {
            kind: 'duplicate-key',
            offset,
            path: [...pathOf(stack.slice(0, -1)), key],
            why: 'appears twice in the same object',
          };
        }
        if (key !== undefined) top.keys.add(key);
        top.at = key ?? '';
        top.expectKey = false;
      }
      offset = end;
    } else if (char === OPEN_OBJECT || char === OPEN_ARRAY) {
      if (stack.length >= maxDepth)
        return { kind: 'too-deep', offset, path: pathOf(stack), why: `nested deeper than ${maxDepth} levels` };
      stack.push({
        kind: char === OPEN_OBJECT ? 'object' : 'array',
        keys: new Set(),
        at: char === OPEN_OBJECT ? '' : 0,
        expectKey: char === OPEN_OBJECT,
      });
    } else if (char === CLOSE_OBJECT || char === CLOSE_ARRAY) {
      stack.pop();
    } else if (char === COMMA) {
      const top = stack.at(-1);
      if (top?.kind === 'object') top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
  }
  return undefined;
}

/** Index of the quote that closes the string opening at `start`, or the end of the text. */
function stringEnd(text: string, start: number): number {
  for (let quote = text.indexOf('"', start + 1); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    // A quote closes the string unless an odd number of backslashes escapes it.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
  }
  return text.length;
}

/** A key as JSON.parse will read it (`"\u0061"` is `"a"`), or undefined when it is not a valid string. */
function decodeKey(quoted: string): string | undefined {
  if (!quoted.includes('\\')) return quoted.slice(1, -1);
  try {
    const key: unknown = JSON.parse(quoted);
    return typeof key === 'string' ? key : undefined;
  } catch {
    return undefined;
  }
}

function pathOf(frames: readonly Frame[]): Array<string | number> {
  return frames.map((frame) => frame.at);
}

function syntaxProblem(text: string): JsonProblem {
  const errors: ParseError[] = [];
  locateJsonError(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  return {
    kind: 'syntax',
    offset: first?.offset ?? 0,
    path: [],
    why: first ? printParseErrorCode(first.error) : 'it does not parse',
  };
}
