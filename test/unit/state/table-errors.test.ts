import { RestError } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { ProviderError, ScalerError, StateConflictError, TransientError } from '../../../shared/vocabulary/errors.js';
import { displayEndpoint, redact, translateTableError } from '../../../shared/state/table-errors.js';

const context = {
  endpoint: 'https://acct.table.core.windows.net',
  table: 'scalerLeases',
  operation: 'read',
  requestTimeoutMs: 30_000,
};

function answered(statusCode: number, code: string): RestError {
  return new RestError(`The service said no`, { statusCode, code });
}

describe('translateTableError', () => {
  it.each([
    {
      name: 'a refused connection',
      error: new RestError('connect ECONNREFUSED 10.0.0.4:443', { code: 'ECONNREFUSED' }),
      cause: 'connect ECONNREFUSED 10.0.0.4:443',
    },
    {
      name: 'a failed DNS lookup',
      error: Object.assign(new Error('getaddrinfo ENOTFOUND acct.table.core.windows.net'), { code: 'ENOTFOUND' }),
      cause: 'getaddrinfo ENOTFOUND',
    },
    {
      name: 'a request past its deadline',
      error: Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' }),
      cause: 'no answer within 30000 ms',
    },
  ])('reports $name as Table Storage unreachable, a transient error', ({ error, cause }) => {
    const translated = translateTableError(error, context);

    expect(translated).toBeInstanceOf(TransientError);
    expect(translated.message).toContain(`Table Storage unreachable at https://acct.table.core.windows.net: ${cause}`);
    expect(translated.message).toContain(
      'nothing will scale until it answers, because leases and cooldowns cannot be enforced',
    );
  });

  it.each([
    { name: 'throttling', status: 429, category: 'transient' },
    { name: 'a busy server', status: 503, category: 'transient' },
    { name: 'a missing role', status: 403, category: 'forbidden' },
    { name: 'a bad key', status: 401, category: 'unauthorized' },
    { name: 'a row the service cannot hold', status: 400, category: 'internal' },
  ])('maps $name to category $category', ({ status, category }) => {
    expect(translateTableError(answered(status, 'Code'), context).category).toBe(category);
  });

  it('tells how to fix a missing role', () => {
    expect(translateTableError(answered(403, 'AuthorizationPermissionMismatch'), context).message).toBe(
      "Table Storage at https://acct.table.core.windows.net refused read on table scalerLeases: 403 AuthorizationPermissionMismatch; grant the Function App's identity the 'Storage Table Data Contributor' role on the storage account, or check its firewall",
    );
  });

  it('reports other refusals as provider errors', () => {
    expect(translateTableError(answered(409, 'TableBeingDeleted'), context)).toBeInstanceOf(ProviderError);
  });

  it('passes the scaler’s own errors through unchanged', () => {
    const conflict = new StateConflictError('lost the race');

    expect(translateTableError(conflict, context)).toBe(conflict);
  });

  it('treats a bug in the call as internal, not as an outage', () => {
    const translated = translateTableError(new TypeError('Unknown EDM type object'), context);

    expect(translated).toBeInstanceOf(ScalerError);
    expect(translated.category).toBe('internal');
  });

  it('keeps credentials out of the message and the cause', () => {
    const error = new RestError(
      'connect ECONNREFUSED https://acct.table.core.windows.net/t?sv=2024&sig=SECRETSIG AccountKey=SECRETKEY;',
      { code: 'ECONNREFUSED' },
    );

    const translated = translateTableError(error, context);

    expect(translated.message).not.toMatch(/SECRET/);
    expect(String((translated.cause as Error).message)).not.toMatch(/SECRET/);
  });
});

describe('redact', () => {
  it('removes keys, SAS signatures and query strings', () => {
    expect(redact('AccountKey=abc==;TableEndpoint=https://a.table.core.windows.net/?sv=1&sig=xyz; sig=qq')).toBe(
      'AccountKey=<redacted>;TableEndpoint=https://a.table.core.windows.net/ sig=<redacted>',
    );
  });
});

describe('displayEndpoint', () => {
  it('shows scheme, host and path only', () => {
    expect(displayEndpoint('https://user:pw@acct.table.core.windows.net/?sv=2024&sig=abc')).toBe(
      'https://acct.table.core.windows.net',
    );
    expect(displayEndpoint('http://127.0.0.1:10002/devstoreaccount1')).toBe('http://127.0.0.1:10002/devstoreaccount1');
  });
});
