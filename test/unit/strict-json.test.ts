import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, readStrictJson, type JsonProblem } from '../../shared/strict-json.js';

function problemOf(text: string): JsonProblem {
  const reading = readStrictJson(text);
  if (reading.ok) throw new Error(`expected ${text.slice(0, 40)} to be refused`);
  return reading.problem;
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('readStrictJson', () => {
  it.each([
    { name: 'an object', text: '{"capacity": 4, "reason": "launch"}', value: { capacity: 4, reason: 'launch' } },
    {
      name: 'braces and quotes inside strings',
      text: '{"reason": "{[\\"x\\"]} , \\\\", "n": [1, {"a": "}"}]}',
      value: { reason: '{["x"]} , \\', n: [1, { a: '}' }] },
    },
    {
      name: 'the same key in sibling objects',
      text: '[{"a": 1}, {"a": 2}, {"b": {"a": 3}}]',
      value: [{ a: 1 }, { a: 2 }, { b: { a: 3 } }],
    },
    { name: 'a value equal to a key', text: '{"a": "a", "b": "a"}', value: { a: 'a', b: 'a' } },
    {
      name: 'nesting at the limit',
      text: nested(MAX_JSON_DEPTH),
      value: JSON.parse(nested(MAX_JSON_DEPTH)) as unknown,
    },
  ])('reads $name as JSON.parse does', ({ text, value }) => {
    expect(readStrictJson(text)).toEqual({ ok: true, value });
  });

  it('refuses nesting one level past the limit, saying where', () => {
    expect(problemOf(`{"data": {"x": ${nested(MAX_JSON_DEPTH - 1)}}}`)).toMatchObject({
      kind: 'too-deep',
      path: ['data', 'x', ...Array.from({ length: MAX_JSON_DEPTH - 2 }, () => 0)],
      why: `nested deeper than ${MAX_JSON_DEPTH} levels`,
    });
  });

  it('refuses a million levels of nesting without exhausting the stack', () => {
    expect(problemOf(nested(1_000_000))).toMatchObject({ kind: 'too-deep', offset: MAX_JSON_DEPTH });
    expect(problemOf('{"a":'.repeat(1_000_000))).toMatchObject({ kind: 'too-deep' });
  });

  it.each([
    { name: 'a repeated key', text: '{"dryRun": true, "dryRun": false}', path: ['dryRun'], offset: 17 },
    {
      name: 'a key repeated with an escape',
      text: '{"dryRun": true, "dry\\u0052un": false}',
      path: ['dryRun'],
      offset: 17,
    },
    {
      name: 'a repeated key deep inside',
      text: '{"data": {"essentials": [{}, {"alertId": "a", "alertId": "b"}]}}',
      path: ['data', 'essentials', 1, 'alertId'],
      offset: 46,
    },
  ])('refuses $name, naming its path', ({ text, path, offset }) => {
    expect(problemOf(text)).toEqual({ kind: 'duplicate-key', path, offset, why: 'appears twice in the same object' });
  });

  it('reports a syntax error by code and offset, never quoting the text', () => {
    const problem = problemOf('{"password": "hunter2" oops}');
    expect(problem).toMatchObject({ kind: 'syntax', why: 'InvalidSymbol', offset: 23 });
    expect(JSON.stringify(problem)).not.toContain('hunter2');
  });

  it('keeps "__proto__" as a plain key, as JSON.parse does', () => {
    const reading = readStrictJson('{"__proto__": {"polluted": true}}');
    expect(reading.ok && Object.getPrototypeOf(reading.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
