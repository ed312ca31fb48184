import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { MINUTE_MS, plateau } from '../../tools/emulator/index.js';
import { pgResourceId, servicesFor, startHarness, tick, type Harness } from '../support/scaler-harness.js';
import { scalerApi } from '../support/api-services.js';
import { alertFor, alertId } from '../support/alert-fixtures.js';
import type { ConfigInput } from '../../shared/config/schema/schema.js';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.stop();
});

const ALERTS = 50;
const NOT_ACTING = ['LeaseHeld', 'OperationInProgress'];

describe('exactly one scale operation per need', () => {
  it('turns 50 concurrent distinct alerts, a timer tick and a manual invoke into exactly one ARM update', async () => {
    const { id } = harness.emulator.postgres.addCluster({
      resourceGroup: 'rg-data',
      name: 'burst',
      location: 'westeurope',
      clusterSize: 3,
    });
    const since = new Date(harness.emulator.clock.nowMs() - 70 * MINUTE_MS);
    harness.emulator.metrics.set(
      id,
      'cpu_percent',
      plateau({ from: since, minutes: 100_000, value: 95, otherwise: 30 }),
    );
    const config = {
      version: 1,
      targets: [
        {
          name: 'burst',
          kind: 'postgres-elastic-cluster',
          resourceId: pgResourceId('burst'),
          mode: 'custom',
          limits: { min: 2, max: 10 },
          rules: [
            { metric: 'cpu_percent', operator: 'GreaterThan', threshold: 80, direction: 'out', windowMinutes: 10 },
          ],
          alerts: { allowRules: ['test-metricAlertRule'] },
        },
      ],
    } as ConfigInput;
    // Three Function App instances sharing one state store, as a scaled-out app would.
    const prefix = `once${randomBytes(4).toString('hex')}`;
    const hosts = await Promise.all(
      [1, 2, 3].map(() =>
        servicesFor(harness.emulator, harness.azurite, config, { SCALER_STATE_TABLE_PREFIX: prefix }),
      ),
    );
    const apis = hosts.map((services) => scalerApi(services));
    const apiOf = (index: number) => apis[index % apis.length] ?? apis[0]!;

    const alerts = Array.from({ length: ALERTS }, (_, index) =>
      apiOf(index).alert(
        alertFor({
          resourceId: pgResourceId('burst'),
          alertId: alertId(`burst-${index}`),
          customProperties: { 'scaler.direction': 'out' },
        }),
      ),
    );
    const [timer, manual, ...alertAnswers] = await Promise.all([
      tick(hosts[0]!),
      apiOf(1).scale('burst', { delta: 1, reason: 'operator saw the spike' }),
      ...alerts,
    ]);

    const armUpdates = harness.emulator.requests
      .filter({ method: 'PATCH' })
      .filter((request) => request.path.endsWith('/burst'));
    expect(armUpdates).toHaveLength(1);
    expect(armUpdates[0]?.body).toEqual({ properties: { cluster: { clusterSize: 4 } } });

    const alertTargets = alertAnswers.map((answer) => {
      expect(answer.status).toBe(202);
      return (answer.body['targets'] as Array<{ acted: boolean; reason: string; message: string }>)[0];
    });
    for (const target of alertTargets.filter((one) => !one?.acted)) {
      expect(NOT_ACTING).toContain(target?.reason);
      expect(target?.message).toMatch(/lease held|still in progress|not changing capacity while/);
    }
    const manualActed = manual.status === 202;
    if (!manualActed) {
      expect(manual.status).toBe(409);
      expect(NOT_ACTING).toContain(manual.body['reason']);
    }

    const ledger = await hosts[0]!.state.listDecisions('burst', 100);
    expect(ledger).toHaveLength(ALERTS + 2);
    const acting = ledger.filter((record) => record.decision.action !== 'none');
    expect(acting).toHaveLength(1);
    expect(
      ledger
        .filter((record) => record.decision.action === 'none')
        .every((record) => NOT_ACTING.includes(record.decision.reason)),
    ).toBe(true);
    const actedByAlerts = alertTargets.filter((target) => target?.acted).length;
    const actedByTimer = acting[0]?.trigger === 'timer' ? 1 : 0;
    expect(actedByAlerts + (manualActed ? 1 : 0) + actedByTimer).toBe(1);
    expect(timer.some((line) => /evaluated 1 target\(s\)/.test(line.message))).toBe(true);
    expect(await hosts[0]!.state.listOperations('burst', 10)).toHaveLength(1);
  });
});
