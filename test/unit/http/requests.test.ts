import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, parseDecisionsQuery, parseJsonBody, parsePauseBody, parseScaleBody, pauseUpdate } from '../../../shared/http/requests.js';
import { InvalidInputError } from '../../../shared/errors.js';

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
    { name: 'a cut-off document', text: '{"capacity": ', message: /^body: not valid JSON \(ValueExpected at character 14\)/ },
    { name: 'a trailing comma', text: '{"capacity": 4,}', message: /^body: not valid JSON \(PropertyNameExpected at character 16\)/ },
  ])('refuses $name, saying where', ({ text, message }) => {
    expect(refusal(() => parseJsonBody(text)).message).toMatch(message);
  });

  it('never quotes the body back, which could hold anything', () => {
    expect(refusal(() => parseJsonBody('{"password": "hunter2" oops}')).message).not.toContain('hunter2');
  });

  it('refuses a body larger than the API accepts', () => {
    expect(refusal(() => parseJsonBody(`"${'x'.repeat(MAX_BODY_BYTES)}"`)).message).toMatch(/is more than the 1048576 this API accepts/);
  });

  it('lets an endpoint treat an empty body as an empty object', () => {
    expect(parseJsonBody('', { allowEmpty: true })).toEqual({});
  });
});

describe('parseScaleBody', () => {
  it.each([
    { name: 'a capacity', body: { capacity: 6, reason: 'launch' }, parsed: { capacity: 6, reason: 'launch', dryRun: false, ignoreCooldown: false } },
    { name: 'a negative delta with options', body: { delta: -1, reason: ' quiet ', dryRun: true, ignoreCooldown: true }, parsed: { delta: -1, reason: 'quiet', dryRun: true, ignoreCooldown: true } },
  ])('reads $name', ({ body, parsed }) => {
    expect(parseScaleBody(body)).toEqual(parsed);
  });

  it.each([
    { name: 'neither capacity nor delta', body: { reason: 'x' }, field: 'body.capacity', message: /set exactly one of capacity .* or delta/ },
    { name: 'both capacity and delta', body: { capacity: 3, delta: 1, reason: 'x' }, field: 'body.capacity', message: /set exactly one/ },
    { name: 'no reason', body: { capacity: 3 }, field: 'body.reason', message: /^missing; say why/ },
    { name: 'a blank reason', body: { capacity: 3, reason: '   ' }, field: 'body.reason', message: /must not be empty/ },
    { name: 'a fractional capacity', body: { capacity: 3.5, reason: 'x' }, field: 'body.capacity', message: /whole number/ },
    { name: 'a capacity as text', body: { capacity: '4', reason: 'x' }, field: 'body.capacity', message: /expected number/ },
    { name: 'a zero delta', body: { delta: 0, reason: 'x' }, field: 'body.delta', message: /must not be 0/ },
    { name: 'a dryRun that is not a boolean', body: { capacity: 3, reason: 'x', dryRun: 'yes' }, field: 'body.dryRun', message: /expected boolean/ },
    { name: 'a misspelled field', body: { capacity: 3, reason: 'x', ignoreCooldwon: true }, field: 'body.ignoreCooldwon', message: /unknown field; did you mean "ignoreCooldown"/ },
    { name: 'an array', body: [1, 2], field: 'body', message: /expected object/ },
  ])('refuses $name, naming the field', ({ body, field, message }) => {
    const error = refusal(() => parseScaleBody(body));
    const problem = (error.details['errors'] as Array<{ field: string; message: string }>).find((one) => one.field === field);
    expect(problem?.message, error.message).toMatch(message);
    expect(error.message).toContain(`${field}: `);
  });
});

describe('parsePauseBody', () => {
  it('pauses both directions unless told otherwise', () => {
    expect(parsePauseBody({ reason: 'incident 42' }, { reasonRequired: true })).toEqual({ direction: 'both', reason: 'incident 42' });
  });

  it('asks why a target is paused', () => {
    expect(refusal(() => parsePauseBody({ direction: 'out' }, { reasonRequired: true })).message).toMatch(/^body.reason: missing; say why the target is paused/);
  });

  it('resumes without a reason', () => {
    expect(parsePauseBody({}, { reasonRequired: false })).toEqual({ direction: 'both', reason: undefined });
  });

  it('refuses a direction it does not know', () => {
    expect(refusal(() => parsePauseBody({ direction: 'up', reason: 'x' }, { reasonRequired: true })).message).toMatch(/body.direction: must be out, in or both/);
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
