import { describe, expect, it } from 'vitest';
import { problemResponse } from '../../../shared/http/problem.js';
import { translateTableError } from '../../../shared/state/table-errors.js';
import { ConfigError } from '../../../shared/config/load.js';
import {
  InvalidInputError,
  NotFoundError,
  NotSupportedError,
  ScalerError,
  StateConflictError,
  TransientError,
} from '../../../shared/vocabulary/errors.js';
import { ForbiddenError, UnauthorizedError } from '../../../shared/auth/errors.js';

describe('problemResponse (RFC 9457)', () => {
  it.each([
    { name: 'malformed input', error: new InvalidInputError('body.capacity: missing'), status: 400 },
    {
      name: 'no credentials',
      error: new UnauthorizedError('authentication failed: no bearer token', 'Bearer realm="elastic-scaler"'),
      status: 401,
    },
    { name: 'a missing role', error: new ForbiddenError('authorization failed: no role'), status: 403 },
    { name: 'an unknown target', error: new NotFoundError('target "x" is not configured'), status: 404 },
    { name: 'a held lease', error: new StateConflictError('lease held'), status: 409 },
    { name: 'something the target cannot do', error: new NotSupportedError('no scale-in'), status: 422 },
    { name: 'a refusal by Azure', error: new ScalerError('provider', 'ARM said 403'), status: 502 },
    { name: 'a passing outage', error: new TransientError('Table Storage unreachable'), status: 503 },
  ])('answers $name with $status and the message as detail', ({ error, status }) => {
    const response = problemResponse(error, { instance: '/api/targets/x/scale', invocationId: 'inv-1' });

    expect(response.status).toBe(status);
    expect(response.headers?.['Content-Type']).toBe('application/problem+json; charset=utf-8');
    expect(response.body).toMatchObject({
      type: `tag:elastic-scaler,2025:problem:${error.category}`,
      status,
      detail: error.message,
      instance: '/api/targets/x/scale',
      invocationId: 'inv-1',
    });
    expect((response.body as { title: string }).title.length).toBeGreaterThan(3);
  });

  it('carries the extension members an error provides, such as the decision reason', () => {
    const error = new ScalerError('unsupported', 'refused', {
      details: { reason: 'OutsideLimits', decision: { action: 'none' } },
    });

    expect(problemResponse(error).body).toMatchObject({
      reason: 'OutsideLimits',
      decision: { action: 'none' },
      status: 422,
    });
  });

  it('keeps the standard members when an error brings fields of the same name', () => {
    const error = new InvalidInputError('bad', { details: { status: 200, type: 'about:blank' } });

    expect(problemResponse(error).body).toMatchObject({
      status: 400,
      type: 'tag:elastic-scaler,2025:problem:invalid-input',
    });
  });

  it('hides the message of an unexpected error and points to the logs instead', () => {
    const response = problemResponse(new TypeError("Cannot read properties of undefined (reading 'secret')"), {
      invocationId: 'inv-9',
    });

    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain('secret');
    expect(response.body).toMatchObject({ detail: expect.stringContaining('invocation inv-9') });
  });

  it('challenges an unauthenticated caller with WWW-Authenticate', () => {
    const response = problemResponse(
      new UnauthorizedError('authentication failed: expired', 'Bearer error="invalid_token"'),
    );
    expect(response.headers?.['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
  });

  it.each([
    {
      name: 'the wait Azure asked for',
      error: new TransientError('throttled', { retryAfterMs: 30_500 }),
      retryAfter: '31',
    },
    { name: 'ten seconds when nobody said', error: new TransientError('unreachable'), retryAfter: '10' },
  ])('tells a caller of an outage to retry after $name', ({ error, retryAfter }) => {
    expect(problemResponse(error).headers?.['Retry-After']).toBe(retryAfter);
  });

  it('says 503s of any origin carry Retry-After, not only those raised as TransientError', () => {
    const response = problemResponse(
      new ScalerError('transient', "scaling target 'orders' failed: ARM answered 503 after retries"),
    );

    expect(response.status).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('10');
  });

  it('keeps storage endpoints, table names and other private details out of the body', () => {
    const outage = translateTableError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), {
      endpoint: 'https://scalerprod.table.core.windows.net',
      table: 'scalerLeases',
      operation: 'createEntity',
      requestTimeoutMs: 5000,
    });
    const refused = translateTableError(
      Object.assign(new Error('Forbidden'), { statusCode: 403, code: 'AuthorizationPermissionMismatch' }),
      {
        endpoint: 'https://scalerprod.table.core.windows.net',
        table: 'scalerDecisions',
        operation: 'upsertEntity',
        requestTimeoutMs: 5000,
      },
    );

    for (const error of [outage, refused]) {
      const text = JSON.stringify(problemResponse(error).body);
      expect(text).not.toMatch(/scalerprod|table\.core\.windows\.net|scalerLeases|scalerDecisions/);
    }
    expect(problemResponse(outage).body).toMatchObject({
      status: 503,
      detail: expect.stringMatching(/^Table Storage unreachable at \(endpoint\): /),
    });
  });

  it('says a misconfigured scaler is misconfigured without quoting its config or settings', () => {
    const error = new ConfigError('SCALER_CONFIG (inline JSON)', [
      {
        severity: 'error',
        path: 'targets[0].resourceId',
        message: '"/subscriptions/secret-sub/resourceGroups/payroll" is not an ARM resource id',
      },
    ]);
    const settings = new ScalerError(
      'configuration',
      'app settings: 1 problem(s):\nSCALER_STATE_TABLE_ENDPOINT: not a URL; set it to https://<account>.table.core.windows.net',
    );

    for (const failure of [error, settings]) {
      const response = problemResponse(failure, { invocationId: 'inv-7' });
      expect(response.status).toBe(500);
      expect(JSON.stringify(response.body)).not.toMatch(/secret-sub|payroll|SCALER_|resourceId/);
      expect(response.body).toMatchObject({
        detail:
          'the scaler is misconfigured and cannot serve requests; its administrators find every problem when they look up invocation inv-7 in its logs',
      });
    }
  });
});
