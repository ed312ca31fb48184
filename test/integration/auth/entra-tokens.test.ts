import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpAuthenticator } from '../../../shared/auth/authenticator.js';
import { entraSettingsFrom } from '../../../shared/auth/entra-settings.js';
import { ForbiddenError, UnauthorizedError } from '../../../shared/auth/errors.js';
import { parseAppSettings } from '../../../shared/config/app-settings.js';
import { ScalerError, TransientError } from '../../../shared/vocabulary/errors.js';
import { AUDIENCE, startEntraStandIn, type EntraStandIn } from '../../support/entra-standin.js';

let entra: EntraStandIn;

beforeAll(async () => {
  entra = await startEntraStandIn();
});

afterAll(async () => {
  await entra?.close();
});

const BASE = { SCALER_CONFIG: '{}', SCALER_STATE_TABLE_ENDPOINT: 'https://scaler.table.core.windows.net' };

function authenticator(extra: Record<string, string> = {}): HttpAuthenticator {
  return new HttpAuthenticator(entraSettingsFrom(parseAppSettings({ ...BASE, ...entra.settings(extra) })));
}

async function refusal(promise: Promise<unknown>): Promise<ScalerError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof ScalerError) return error;
  throw new Error(`expected a ScalerError, got ${String(error)}`);
}

describe('Entra ID bearer tokens, against locally generated keys served by a local JWKS endpoint', () => {
  it('accepts a valid token carrying the operator role and names the caller', async () => {
    const token = await entra.token({ roles: ['Scaler.Operate'], claims: { upn: 'alice@contoso.com' } });

    await expect(authenticator().authenticate('operate', `Bearer ${token}`)).resolves.toEqual({
      method: 'entra',
      name: 'alice@contoso.com',
      roles: ['Scaler.Operate'],
    });
    expect(entra.jwksFetches()).toBeGreaterThan(0);
  });

  it('accepts the Secure Webhook token of an action group, naming its app', async () => {
    const token = await entra.token({ roles: ['ActionGroupsSecureWebhook'] });

    const caller = await authenticator({ SCALER_ENTRA_ALERT_ROLE: 'ActionGroupsSecureWebhook' }).authenticate(
      'alert',
      `Bearer ${token}`,
    );

    expect(caller.name).toBe('app 461e8683-5575-4561-ac7f-899cc907d62a');
  });

  it.each([
    {
      name: 'an expired token',
      token: () => entra.token({ roles: ['Scaler.Operate'], expiresInSeconds: -3600 }),
      message: /the token expired at \d{4}-\d\d-\d\dT.*; get a new token/,
    },
    {
      name: 'a token for another audience',
      token: () => entra.token({ roles: ['Scaler.Operate'], audience: 'api://someone-else' }),
      message: /audience "api:\/\/someone-else" is not accepted/,
    },
    {
      name: 'a token from another issuer',
      token: () =>
        entra.token({ roles: ['Scaler.Operate'], issuer: 'https://login.microsoftonline.com/another-tenant/v2.0' }),
      message: /issuer "https:\/\/login.microsoftonline.com\/another-tenant\/v2.0" is not accepted/,
    },
    {
      name: 'a token with a bad signature',
      token: () => entra.token({ roles: ['Scaler.Operate'], forgeSignature: true }),
      message: /signature does not verify against the tenant's signing keys/,
    },
    {
      name: 'an unsigned token (alg none)',
      token: async () => entra.unsignedToken({ roles: ['Scaler.Operate'] }),
      message: /algorithm "none" is not accepted; tokens must be signed with RS256/,
    },
    { name: 'a token that is not a JWT', token: async () => 'not-a-jwt', message: /not a well-formed signed JWT/ },
  ])('refuses $name with 401 and says which check failed', async ({ token, message }) => {
    const error = await refusal(authenticator().authenticate('operate', `Bearer ${await token()}`));

    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.message).toMatch(message);
    expect((error as UnauthorizedError).challenge).toMatch(/^Bearer realm="elastic-scaler", error="invalid_token"/);
  });

  it.each([
    {
      name: 'no Authorization header',
      header: undefined,
      message: /no bearer token; send "Authorization: Bearer <token>"/,
    },
    { name: 'a Basic credential', header: 'Basic YWxpY2U6c2VjcmV0', message: /not a bearer token/ },
  ])('refuses $name with 401', async ({ header, message }) => {
    const error = await refusal(authenticator().authenticate('read', header));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.message).toMatch(message);
  });

  it('refuses a valid token without the role with 403, naming the role it lacks', async () => {
    const token = await entra.token({ roles: ['Scaler.Read'], claims: { upn: 'bob@contoso.com' } });

    const error = await refusal(authenticator().authenticate('operate', `Bearer ${token}`));

    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toBe(
      "authorization failed: bob@contoso.com lacks the app role 'Scaler.Operate' (it has Scaler.Read); assign the role to this caller on the scaler's app registration",
    );
  });

  it.each([
    { name: 'the alert webhook', kind: 'alert' as const, role: 'ActionGroupsSecureWebhook' },
    { name: 'status', kind: 'read' as const, role: "'Scaler.Read' or 'Scaler.Operate'" },
    { name: 'an operator endpoint', kind: 'operate' as const, role: 'Scaler.Operate' },
  ])('refuses a valid token with no roles at all with 403 on $name, by default', async ({ kind, role }) => {
    const error = await refusal(
      authenticator().authenticate(kind, `Bearer ${await entra.token({ claims: { upn: 'mallory@contoso.com' } })}`),
    );

    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toContain(
      `mallory@contoso.com lacks the app role ${role.startsWith("'") ? role : `'${role}'`} (it has none)`,
    );
  });

  it('lets the reader role read but not operate', async () => {
    const token = `Bearer ${await entra.token({ roles: ['Scaler.Read'] })}`;
    const readers = authenticator({ SCALER_ENTRA_READER_ROLE: 'Scaler.Read' });

    await expect(readers.authenticate('read', token)).resolves.toMatchObject({ method: 'entra' });
    await expect(readers.authenticate('operate', token)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('requires tokens only where SCALER_ENTRA_APPLY_TO says', async () => {
    const alertsOnly = authenticator({ SCALER_ENTRA_APPLY_TO: 'alerts' });

    await expect(alertsOnly.authenticate('operate', undefined)).resolves.toMatchObject({ method: 'function-key' });
    await expect(alertsOnly.authenticate('alert', undefined)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('relies on function keys alone when Entra ID validation is off', async () => {
    const keysOnly = new HttpAuthenticator(entraSettingsFrom(parseAppSettings(BASE)));

    await expect(keysOnly.authenticate('operate', undefined)).resolves.toEqual({
      method: 'function-key',
      name: 'operator (function key)',
      roles: [],
    });
  });

  it('reports unreadable signing keys as an outage to retry, not as a bad token', async () => {
    const unreachable = new HttpAuthenticator(
      entraSettingsFrom(
        parseAppSettings({
          ...BASE,
          ...entra.settings({ SCALER_ENTRA_JWKS_URI: 'http://127.0.0.1:9/discovery/v2.0/keys' }),
        }),
      ),
    );

    const error = await refusal(
      unreachable.authenticate('operate', `Bearer ${await entra.token({ roles: ['Scaler.Operate'] })}`),
    );

    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toMatch(
      /^authentication failed: the signing keys could not be read from http:\/\/127.0.0.1:9\/discovery\/v2.0\/keys: .*; retry shortly$/,
    );
  });

  it('never puts the token into an error message', async () => {
    const expired = await entra.token({ roles: ['Scaler.Operate'], expiresInSeconds: -3600 });
    const forged = await entra.token({ forgeSignature: true });
    for (const token of [expired, forged, entra.unsignedToken()]) {
      const error = await refusal(authenticator().authenticate('operate', `Bearer ${token}`));
      expect(error.message).not.toContain(token.split('.')[1]);
    }
  });
});

describe('Entra ID app settings', () => {
  it('accepts the tenant v2.0 and v1 issuers by default and reads the audiences as a list', () => {
    const settings = entraSettingsFrom(
      parseAppSettings({
        ...BASE,
        SCALER_ENTRA_TENANT_ID: '11111111-2222-3333-4444-555555555555',
        SCALER_ENTRA_AUDIENCES: `${AUDIENCE}, 0d6c3d1e-0000-4000-8000-000000000001`,
      }),
    );

    expect(settings).toMatchObject({
      audiences: [AUDIENCE, '0d6c3d1e-0000-4000-8000-000000000001'],
      issuers: [
        'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0',
        'https://sts.windows.net/11111111-2222-3333-4444-555555555555/',
      ],
    });
    expect(settings?.jwksUri.href).toBe(
      'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/discovery/v2.0/keys',
    );
  });

  it.each([
    {
      name: 'a tenant without audiences',
      env: { SCALER_ENTRA_TENANT_ID: '11111111-2222-3333-4444-555555555555' },
      message: /SCALER_ENTRA_AUDIENCES: not set; with SCALER_ENTRA_TENANT_ID set, list/,
    },
    {
      name: 'audiences without a tenant',
      env: { SCALER_ENTRA_AUDIENCES: AUDIENCE },
      message: /SCALER_ENTRA_AUDIENCES: has no effect without SCALER_ENTRA_TENANT_ID/,
    },
    {
      name: 'a tenant that is no GUID',
      env: { SCALER_ENTRA_TENANT_ID: 'contoso', SCALER_ENTRA_AUDIENCES: AUDIENCE },
      message: /SCALER_ENTRA_TENANT_ID: not a tenant id/,
    },
    {
      name: 'an alert role without a tenant',
      env: { SCALER_ENTRA_ALERT_ROLE: 'ActionGroupsSecureWebhook' },
      message: /SCALER_ENTRA_ALERT_ROLE: has no effect without SCALER_ENTRA_TENANT_ID, so no token is checked/,
    },
    {
      name: 'a scope without a tenant',
      env: { SCALER_ENTRA_APPLY_TO: 'all' },
      message: /SCALER_ENTRA_APPLY_TO: has no effect without SCALER_ENTRA_TENANT_ID/,
    },
    {
      name: 'roles without a tenant',
      env: { SCALER_ENTRA_OPERATOR_ROLE: 'Scaler.Operate', SCALER_ENTRA_READER_ROLE: 'Scaler.Read' },
      message: /SCALER_ENTRA_OPERATOR_ROLE: has no effect .*\nSCALER_ENTRA_READER_ROLE: has no effect/s,
    },
    {
      name: 'a misspelt tenant setting',
      env: { SCALER_ENTRA_TENANT: '11111111-2222-3333-4444-555555555555', SCALER_ENTRA_AUDIENCES: AUDIENCE },
      message: /SCALER_ENTRA_TENANT: not a setting the scaler reads; did you mean SCALER_ENTRA_TENANT_ID\?/,
    },
    {
      name: 'an unknown scope',
      env: {
        ...{ SCALER_ENTRA_TENANT_ID: '11111111-2222-3333-4444-555555555555', SCALER_ENTRA_AUDIENCES: AUDIENCE },
        SCALER_ENTRA_APPLY_TO: 'everyone',
      },
      message: /SCALER_ENTRA_APPLY_TO: must be all, alerts or operators/,
    },
  ])('names the setting to fix for $name', ({ env, message }) => {
    expect(() => parseAppSettings({ ...BASE, ...env })).toThrow(message);
  });

  it('refuses signing keys over plain HTTP from anywhere but loopback', () => {
    const settings = parseAppSettings({
      ...BASE,
      ...entra.settings({ SCALER_ENTRA_JWKS_URI: 'http://keys.example.com/keys' }),
    });
    expect(() => entraSettingsFrom(settings)).toThrow(/SCALER_ENTRA_JWKS_URI: http:\/\/keys.example.com is not HTTPS/);
  });
});
