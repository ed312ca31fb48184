import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpHandler } from '@azure/functions';
import { pgResourceId, servicesFor, startHarness, type Harness, type LogLine } from '../support/scaler-harness.js';
import { callApi, type ApiAnswer } from '../support/http-api.js';
import { alertFixture, alertFor, alertId } from '../support/alert-fixtures.js';
import { startEntraStandIn, type EntraStandIn } from '../support/entra-standin.js';
import { createLogger } from '../../shared/logging.js';
import { alertWebhookHandler } from '../../functions/http/alert-webhook.js';
import { getTargetHandler, scaleTargetHandler } from '../../functions/http/targets.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';

let harness: Harness;
let entra: EntraStandIn;

beforeAll(async () => {
  [harness, entra] = await Promise.all([startHarness(), startEntraStandIn()]);
});

afterAll(async () => {
  await Promise.all([harness?.stop(), entra?.close()]);
});

const FUNCTION_KEY = 'fk-7Qh3VZr9wN2mXk5pLd8sTz1yBc4=';

describe('secrets never reach the logs or the answers', () => {
  it('keeps tokens, function keys, signing keys and connection strings out of every log line and response', async () => {
    harness.emulator.postgres.addCluster({
      resourceGroup: 'rg-data',
      name: 'secretive',
      location: 'westeurope',
      clusterSize: 3,
    });
    harness.emulator.postgres.addCluster({
      resourceGroup: 'rg-data',
      name: 'forbidden-pg',
      location: 'westeurope',
      clusterSize: 3,
    });
    const target = (name: string) => ({
      name,
      kind: 'postgres-elastic-cluster',
      resourceId: pgResourceId(name),
      mode: 'manual',
      limits: { min: 2, max: 10 },
    });
    const serviceLogs: LogLine[] = [];
    const log = createLogger((level, message, fields) => serviceLogs.push({ level, message, fields }));
    const services = await servicesFor(
      harness.emulator,
      harness.azurite,
      { version: 1, targets: [target('secretive'), target('forbidden-pg')] } as ConfigInput,
      entra.settings({ SCALER_ENTRA_ALERT_ROLE: 'ActionGroupsSecureWebhook' }),
      { log },
    );
    const provide = () => Promise.resolve(services);
    const handlers = {
      alert: alertWebhookHandler(provide),
      scale: scaleTargetHandler(provide),
      status: getTargetHandler(provide),
    };

    const operatorToken = await entra.token({ roles: ['Scaler.Operate'], claims: { upn: 'alice@contoso.com' } });
    const webhookToken = await entra.token({ roles: ['ActionGroupsSecureWebhook'] });
    const tokens = [
      operatorToken,
      webhookToken,
      await entra.token({ roles: ['Scaler.Operate'], expiresInSeconds: -7200 }),
      await entra.token({ roles: ['Scaler.Operate'], forgeSignature: true }),
      entra.unsignedToken({ roles: ['Scaler.Operate'] }),
      await entra.token({ roles: ['Reader'] }),
    ];
    const secrets = [
      FUNCTION_KEY,
      harness.azurite.accountKey,
      harness.azurite.connectionString,
      String(entra.privateJwk.d),
      ...tokens.flatMap(tokenParts),
    ];

    const call = (
      handler: HttpHandler,
      path: string,
      token: string | undefined,
      body?: unknown,
      params: Record<string, string> = {},
    ) =>
      callApi(handler, {
        method: body === undefined ? 'GET' : 'POST',
        path: `${path}?code=${encodeURIComponent(FUNCTION_KEY)}`,
        params,
        body,
        headers: { 'x-functions-key': FUNCTION_KEY, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    harness.emulator.faults.forbid({ method: 'PATCH', path: '/forbidden-pg' });

    const answers: ApiAnswer[] = [];
    for (const token of tokens) {
      answers.push(
        await call(
          handlers.scale,
          '/api/targets/secretive/scale',
          token,
          { delta: 1, reason: `attempt ${answers.length}` },
          { name: 'secretive' },
        ),
      );
      answers.push(
        await call(
          handlers.alert,
          '/api/alerts',
          token,
          alertFor({
            resourceId: pgResourceId('secretive'),
            alertId: alertId(`secret-${answers.length}`),
            customProperties: { 'scaler.direction': 'out' },
          }),
        ),
      );
    }
    answers.push(
      await call(
        handlers.scale,
        '/api/targets/secretive/scale',
        operatorToken,
        { delta: 1, reason: 'while running' },
        { name: 'secretive' },
      ),
    );
    answers.push(
      await call(
        handlers.scale,
        '/api/targets/forbidden-pg/scale',
        operatorToken,
        { delta: 1, reason: 'ARM says no' },
        { name: 'forbidden-pg' },
      ),
    );
    answers.push(
      await call(handlers.scale, '/api/targets/secretive/scale', operatorToken, '{"delta": 1, "reason": ', {
        name: 'secretive',
      }),
    );
    answers.push(await call(handlers.alert, '/api/alerts', webhookToken, alertFixture('legacyMetric')));
    answers.push(
      await call(handlers.status, '/api/targets/secretive', operatorToken, undefined, { name: 'secretive' }),
    );
    harness.emulator.faults.clear();

    // The run covered successes and every kind of refusal, so the logs hold what each path writes.
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200, 202, 400, 401, 403, 409, 502]));
    const written = [...serviceLogs, ...answers.flatMap((answer) => answer.logs)].map(
      (line) => `${line.level} ${line.message} ${JSON.stringify(line.fields ?? {})}`,
    );
    expect(written.length).toBeGreaterThan(20);
    const answered = answers.map((answer) => `${answer.text} ${JSON.stringify([...answer.headers.entries()])}`);
    for (const secret of secrets) {
      for (const text of [...written, ...answered]) expect(text).not.toContain(secret);
    }
    expect(written.join('\n')).not.toMatch(/code=|x-functions-key|Bearer ey/i);
  });
});

/** A JWT's payload and signature: either alone would be enough to recognise a leaked token. */
function tokenParts(token: string): string[] {
  return token
    .split('.')
    .slice(1)
    .filter((part) => part.length > 10);
}
