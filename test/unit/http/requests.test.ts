import { describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  parseDecisionsQuery,
  parseJsonBody,
  parsePauseBody,
  parseScaleBody,
  pauseUpdate,
  readJsonBody,
} from '../../../shared/http/requests.js';
import { InvalidInputError, UnreadableBodyError, httpStatusFor } from '../../../shared/vocabulary/errors.js';
import { MAX_JSON_DEPTH } from '../../../shared/strict-json.js';

function refusal(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected the input to be refused');
}

describe('parseJsonBody', () => {
  it('parses a JSON document', () => {
    expect(parseJsonBody('{"capacity": 4, "reason": "launch"}')).toEqual({ capacity: 4, reason: 'launch' });
  });

  it.each([
    { name: 'an empty body', text: '  ', message: /^body: empty; send a JSON object/ },
    {
      name: 'a cut-off document',
      text: '{"capacity": ',
      message: /^body: not valid JSON \(ValueExpected at character 14\)/,
    },
    {
      name: 'a trailing comma',
      text: '{"capacity": 4,}',
      message: /^body: not valid JSON \(PropertyNameExpected at character 16\)/,
    },
  ])('refuses $name, saying where', ({ text, message }) => {
    expect(refusal(() => parseJsonBody(text)).message).toMatch(message);
  });

  it('never quotes the body back, which could hold anything', () => {
    expect(refusal(() => parseJsonBody('{"password": "hunter2" oops}')).message).not.toContain('hunter2');
  });

  it('refuses a body larger than the API accepts', () => {
    expect(refusal(() => parseJsonBody(`"${'x'.repeat(MAX_BODY_BYTES)}"`)).message).toMatch(
      /is more than the 1048576 this API accepts/,
    );
  });

  it('lets an endpoint treat an empty body as an empty object', () => {
    expect(parseJsonBody('', { allowEmpty: true })).toEqual({});
  });
  it('refuses a body nested deeper than the limit with 400, naming where', () => {
    const error = refusal(() => parseJsonBody(`{"capacity": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`));
    expect(error.message).toMatch(
      new RegExp(
        `^body.capacity\\[0\\](\\[0\\])*: nested deeper than ${MAX_JSON_DEPTH} levels \\(at character \\d+\\)`,
      ),
    );
    expect(httpStatusFor(error)).toBe(400);
  });

  it('refuses a repeated field instead of letting the last one win', () => {
    const error = refusal(() => parseJsonBody('{"delta": 1, "reason": "x", "dryRun": true, "dryRun": false}'));
    expect(error.message).toBe('body.dryRun: appears twice in the same object (at character 45); send each field once');
    expect(error.details).toEqual({ errors: [{ field: 'body.dryRun', message: 'appears twice in the same object' }] });
  });
});

/** A real fetch `Request`, the same class the Functions runtime's HttpRequest wraps. */
function request(body: string | ReadableStream<Uint8Array> | undefined, headers: Record<string, string>): Request {
  return new Request('https://scaler.example/api/alerts', {
    method: 'POST',
    headers,
    ...(body === undefined ? {} : { body, duplex: 'half' }),
  } as RequestInit);
}

async function bodyRefusal(promise: Promise<unknown>): Promise<InvalidInputError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof InvalidInputError) return error;
  throw new Error(`expected the body to be refused, got ${String(error)}`);
}

describe('readJsonBody', () => {
  it.each([
    { name: 'application/json', type: 'application/json' },
    { name: 'a charset parameter', type: 'application/json; charset=utf-8' },
    { name: 'a +json type in capitals', type: 'Application/Problem+JSON' },
  ])('reads a JSON body sent as $name', async ({ type }) => {
    await expect(readJsonBody(request('{"delta": 1}', { 'content-type': type }))).resolves.toEqual({ delta: 1 });
  });

  it.each([
    {
      name: 'form data',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      message:
        /^body: Content-Type "application\/x-www-form-urlencoded" is not JSON; send the body as JSON with Content-Type: application\/json$/,
    },
    {
      name: 'text',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      message: /Content-Type "text\/plain" is not JSON/,
    },
    { name: 'no Content-Type', headers: {}, message: /^body: no Content-Type; send the body as JSON/ },
  ])('refuses $name with 415', async ({ headers }) => {
    const error = await bodyRefusal(readJsonBody(request('{"delta": 1}', headers)));
    expect(error).toBeInstanceOf(UnreadableBodyError);
    expect(httpStatusFor(error)).toBe(415);
  });

  it('lets an endpoint with optional fields take an empty body without a Content-Type', async () => {
    await expect(readJsonBody(request(undefined, {}), { allowEmpty: true })).resolves.toEqual({});
  });

  it('refuses a Content-Length over the limit with 413 before reading a byte', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          pulled += 1;
          controller.enqueue(new TextEncoder().encode('{}'));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );

    const error = await bodyRefusal(
      readJsonBody(
        request(stream, { 'content-type': 'application/json', 'content-length': String(MAX_BODY_BYTES + 1) }),
      ),
    );

    expect(httpStatusFor(error)).toBe(413);
    expect(error.message).toBe(
      `body: Content-Length ${MAX_BODY_BYTES + 1} is more than the ${MAX_BODY_BYTES} bytes this API accepts; nothing was read, send a smaller JSON document`,
    );
    expect(pulled).toBe(0);
  });

  it('stops reading a body without a Content-Length at the limit, with 413', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        },
      },
      { highWaterMark: 0 },
    );

    const error = await bodyRefusal(
      readJsonBody(request(endless, { 'content-type': 'application/json' }), { maxBytes: 256 * 1024 }),
    );

    expect(httpStatusFor(error)).toBe(413);
    expect(sent).toBeLessThanOrEqual(256 * 1024 + 2 * chunk.byteLength);
  });
});

describe('parseScaleBody', () => {
  it.each([
    {
      name: 'a capacity',
      body: { capacity: 6, reason: 'launch' },
      parsed: { capacity: 6, reason: 'launch', dryRun: false, ignoreCooldown: false },
    },
    {
      name: 'a negative delta with options',
      body: { delta: -1, reason: ' quiet ', dryRun: true, ignoreCooldown: true },
      parsed: { delta: -1, reason: 'quiet', dryRun: true, ignoreCooldown: true },
    },
  ])('reads $name', ({ body, parsed }) => {
    expect(parseScaleBody(body)).toEqual(parsed);
  });

  it.each([
    {
      name: 'neither capacity nor delta',
      body: { reason: 'x' },
      field: 'body.capacity',
      message: /set exactly one of capacity .* or delta/,
    },
    {
      name: 'both capacity and delta',
      body: { capacity: 3, delta: 1, reason: 'x' },
      field: 'body.capacity',
      message: /set exactly one/,
    },
    { name: 'no reason', body: { capacity: 3 }, field: 'body.reason', message: /^missing; say why/ },
    {
      name: 'a blank reason',
      body: { capacity: 3, reason: '   ' },
      field: 'body.reason',
      message: /must not be empty/,
    },
    {
      name: 'a fractional capacity',
      body: { capacity: 3.5, reason: 'x' },
      field: 'body.capacity',
      message: /whole number/,
    },
    {
      name: 'a capacity as text',
      body: { capacity: '4', reason: 'x' },
      field: 'body.capacity',
      message: /expected number/,
    },
    { name: 'a zero delta', body: { delta: 0, reason: 'x' }, field: 'body.delta', message: /must not be 0/ },
    {
      name: 'a dryRun that is not a boolean',
      body: { capacity: 3, reason: 'x', dryRun: 'yes' },
      field: 'body.dryRun',
      message: /expected boolean/,
    },
    {
      name: 'a misspelled field',
      body: { capacity: 3, reason: 'x', ignoreCooldwon: true },
      field: 'body.ignoreCooldwon',
      message: /unknown field; did you mean "ignoreCooldown"/,
    },
    { name: 'an array', body: [1, 2], field: 'body', message: /expected object/ },
  ])('refuses $name, naming the field', ({ body, field, message }) => {
    const error = refusal(() => parseScaleBody(body));
    const problem = (error.details['errors'] as Array<{ field: string; message: string }>).find(
      (one) => one.field === field,
    );
    expect(problem?.message, error.message).toMatch(message);
    expect(error.message).toContain(`${field}: `);
  });
});

describe('parsePauseBody', () => {
  it('pauses both directions unless told otherwise', () => {
    expect(parsePauseBody({ reason: 'incident 42' }, { reasonRequired: true })).toEqual({
      direction: 'both',
      reason: 'incident 42',
    });
  });

  it('asks why a target is paused', () => {
    expect(refusal(() => parsePauseBody({ direction: 'out' }, { reasonRequired: true })).message).toMatch(
      /^body.reason: missing; say why the target is paused/,
    );
  });

  it('resumes without a reason', () => {
    expect(parsePauseBody({}, { reasonRequired: false })).toEqual({ direction: 'both', reason: undefined });
  });

  it('refuses a direction it does not know', () => {
    expect(refusal(() => parsePauseBody({ direction: 'up', reason: 'x' }, { reasonRequired: true })).message).toMatch(
      /body.direction: must be out, in or both/,
    );
  });

  it.each([
    { direction: 'out', to: true, update: { scaleOut: true } },
    { direction: 'in', to: false, update: { scaleIn: false } },
    { direction: 'both', to: true, update: { scaleOut: true, scaleIn: true } },
  ] as const)('changes only the flags of direction $direction', ({ direction, to, update }) => {
    expect(pauseUpdate(direction, to)).toEqual(update);
  });
});

describe('parseDecisionsQuery', () => {
  it.each([
    { value: null, count: 5 },
    { value: '0', count: 0 },
    { value: '50', count: 50 },
  ])('reads $value as $count', ({ value, count }) => {
    expect(parseDecisionsQuery(value)).toBe(count);
  });

  it.each(['51', '-1', 'many', '2.5'])('refuses %j', (value) => {
    expect(() => parseDecisionsQuery(value)).toThrow(/query decisions: .* is not a whole number from 0 to 50/);
  });
});
