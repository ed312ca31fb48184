import { describe, expect, it } from 'vitest';
import { AlertIntake, MAX_TARGETS_PER_ALERT } from '../../../shared/alerts/alert-intake.js';
import { validateConfig } from '../../../shared/config/validate.js';
import type { ScalerConfig } from '../../../shared/config/schema/schema.js';
import { MemoryStateStore } from '../../../tools/memory-state/memory-state-store.js';
import { ProviderError, TransientError } from '../../../shared/vocabulary/errors.js';
import { silentLogger } from '../../../shared/logging.js';
import type { EvaluationContext, TargetOutcome } from '../../../shared/scaling/index.js';
import { alertFor, alertId } from '../../support/alert-fixtures.js';

const SUB = '00000000-0000-0000-0000-000000000001';
const pgId = (name: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/${name}`;
const NOW = new Date('2025-04-15T18:20:00Z');

function configWith(...names: string[]): ScalerConfig {
  return configOf(names, { allowRules: ['test-metricAlertRule'] });
}

/** Every target opts in to the sample alerts' rule unless `alerts` says otherwise. */
function configOf(names: readonly string[], alerts: Record<string, unknown>): ScalerConfig {
  const result = validateConfig({
    version: 1,
    targets: names.map((name) => ({
      name,
      kind: 'postgres-elastic-cluster',
      resourceId: pgId(name),
      mode: 'manual',
      limits: { min: 2, max: 8 },
      alerts,
    })),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.config;
}

/** The intake with a fake executor at its port: records each evaluation and answers with `answer`. */
function intakeWith(config: ScalerConfig, answer: (name: string) => Promise<TargetOutcome>) {
  const calls: Array<{ name: string; context: EvaluationContext }> = [];
  const state = new MemoryStateStore();
  const intake = new AlertIntake({
    config,
    state,
    clock: () => NOW,
    log: silentLogger,
    evaluateTarget: (name, context) => {
      calls.push({ name, context });
      return answer(name);
    },
  });
  return { intake, calls, state };
}

const acted = (name: string): Promise<TargetOutcome> =>
  Promise.resolve({ target: name, resourceId: pgId(name), acted: true });

describe('AlertIntake', () => {
  it('asks the executor once per target an alert covers, as an alert with a delta of one step', async () => {
    const { intake, calls } = intakeWith(configWith('orders', 'billing'), acted);
    const payload = alertFor({
      resourceId: pgId('orders'),
      alertId: alertId('multi'),
      customProperties: { 'scaler.direction': 'out', 'scaler.step': '2' },
    });
    payload.data.essentials['alertTargetIDs'] = [pgId('orders-c'), pgId('billing')];

    const result = await intake.receive(payload);

    expect(result.kind).toBe('processed');
    expect(calls.map((call) => call.name).sort()).toEqual(['billing', 'orders']);
    expect(calls[0]?.context).toMatchObject({
      trigger: 'alert',
      initiator: alertId('multi'),
      request: { source: 'alert', delta: 2 },
    });
  });

  it('gives the receipt back and asks for a retry when a target fails for a passing reason', async () => {
    let failing = true;
    const { intake, calls } = intakeWith(configWith('orders'), (name) =>
      failing ? Promise.reject(new TransientError('ARM answered 503 after retries')) : acted(name),
    );
    const payload = alertFor({
      resourceId: pgId('orders'),
      alertId: alertId('flaky'),
      customProperties: { 'scaler.direction': 'out' },
    });

    await expect(intake.receive(payload)).rejects.toThrow(
      /alert processing failed for target 'orders': ARM answered 503 after retries; the delivery was not recorded/,
    );
    failing = false;
    const retry = await intake.receive(payload);

    expect(retry.kind).toBe('processed');
    expect(calls).toHaveLength(2);
  });

  it('keeps the receipt when a target fails for a reason a retry cannot fix, and reports it', async () => {
    const { intake, calls } = intakeWith(configWith('orders'), () =>
      Promise.reject(new ProviderError('ARM refused: 403 AuthorizationFailed')),
    );
    const payload = alertFor({
      resourceId: pgId('orders'),
      alertId: alertId('denied'),
      customProperties: { 'scaler.direction': 'out' },
    });

    const first = await intake.receive(payload);
    const retry = await intake.receive(payload);

    expect(first).toMatchObject({
      kind: 'processed',
      targets: [
        {
          kind: 'evaluated',
          outcome: { acted: false, error: { category: 'provider', message: 'ARM refused: 403 AuthorizationFailed' } },
        },
      ],
    });
    expect(retry.kind).toBe('duplicate');
    expect(calls).toHaveLength(1);
  });

  it('keeps in the receipt what the alert said and about which resources', async () => {
    const { intake, state } = intakeWith(configWith('orders'), acted);
    const payload = alertFor({
      resourceId: pgId('orders'),
      alertId: alertId('summary'),
      customProperties: { 'scaler.direction': 'out' },
    });

    await intake.receive(payload);
    const { receipt } = await state.recordAlertReceipt(
      { alertId: alertId('summary'), monitorCondition: 'Fired', firedAt: '2025-04-15T18:17:12.851Z' },
      {},
      NOW,
    );

    expect(receipt.payloadSummary).toMatchObject({
      alertRule: 'test-metricAlertRule',
      severity: 'Sev4',
      signalType: 'Metric',
      alertTargetIds: [pgId('orders')],
    });
    expect(receipt.receivedAt).toEqual(NOW);
  });

  it('records an alert for a target that did not opt in to its rule and refuses it, asking the executor nothing', async () => {
    const { intake, calls, state } = intakeWith(configOf(['orders'], {}), acted);
    const payload = alertFor({
      resourceId: pgId('orders'),
      alertId: alertId('uninvited'),
      customProperties: { 'scaler.direction': 'out' },
    });

    const result = await intake.receive(payload);
    const retry = await intake.receive(payload);

    expect(result).toMatchObject({
      kind: 'processed',
      targets: [{ target: 'orders', kind: 'skipped', reason: 'AlertRuleNotAllowed' }],
    });
    expect(calls).toEqual([]);
    expect(retry.kind).toBe('duplicate');
    expect(await state.listDecisions('orders', 5)).toEqual([]);
  });

  it(`acts on at most ${MAX_TARGETS_PER_ALERT} targets of one alert, four at a time, and says how many it left out`, async () => {
    const names = Array.from(
      { length: MAX_TARGETS_PER_ALERT + 5 },
      (_, index) => `pg-${String(index).padStart(2, '0')}`,
    );
    let inFlight = 0;
    let mostInFlight = 0;
    const { intake, calls } = intakeWith(configWith(...names), async (name) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await Promise.resolve();
      inFlight -= 1;
      return acted(name);
    });
    const payload = alertFor({
      resourceId: pgId('pg-00'),
      alertId: alertId('broad'),
      customProperties: { 'scaler.direction': 'out' },
    });
    payload.data.essentials['alertTargetIDs'] = names.map(pgId).reverse();

    const result = await intake.receive(payload);

    expect(calls.map((call) => call.name)).toEqual(names.slice(0, MAX_TARGETS_PER_ALERT));
    expect(mostInFlight).toBe(4);
    expect(result).toMatchObject({
      kind: 'processed',
      notProcessed: {
        targets: 5,
        message: expect.stringMatching(
          /covers 25 configured targets, more than the 20 one alert may act on; .* Narrow the alert rule's scope/,
        ),
      },
    });
  });
});
