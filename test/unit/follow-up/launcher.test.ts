/**
 * The durable launcher against a fake of the one port it uses, the Durable Functions client (getStatus,
 * startNew): one instance per target, adopted when it already follows the operation.
 */
import { describe, expect, it } from 'vitest';
import {
  currentDurableClient,
  DurableFollowUpLauncher,
  type DurableStarter,
} from '../../../functions/orchestration/launcher.js';
import { failureMessage } from '../../../functions/orchestration/orchestrator.js';
import { postgresTargetSchema } from '../../../shared/config/schema/schema.js';
import type { OperationRecord } from '../../../shared/state/state-store.port.js';
import { ScalerError, TransientError } from '../../../shared/vocabulary/errors.js';

const target = postgresTargetSchema.parse({
  name: 'orders',
  kind: 'postgres-elastic-cluster',
  resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders',
  mode: 'manual',
  limits: { min: 2, max: 8 },
});
const operation = (id: string): OperationRecord => ({
  id,
  target: 'orders',
  trigger: 'timer',
  direction: 'out',
  from: 2,
  to: 4,
  startedAt: new Date('2026-01-05T08:00:00Z'),
  arm: {},
  initiator: 'timer',
  reason: 'cpu',
  status: 'running',
  updatedAt: new Date('2026-01-05T08:00:01Z'),
  history: [],
});

/** Instances by id, like the task hub keeps them; startNew refuses to replace a running one, as the extension does. */
function fakeClient(
  instances: Record<string, { runtimeStatus: string; input: unknown; [field: string]: unknown }> = {},
  options: { raceOnStart?: { runtimeStatus: string; input: unknown } } = {},
) {
  const started: Array<{ instanceId: string; input: unknown }> = [];
  const client = {
    async getStatus(instanceId: string) {
      const instance = instances[instanceId];
      if (!instance)
        throw new Error(
          `DurableClient error: Durable Functions extension replied with HTTP 404 response. ${instanceId}`,
        );
      return { name: 'followUpOrchestrator', instanceId, ...instance };
    },
    async startNew(_name: string, start?: { instanceId?: string; input?: unknown }) {
      const instanceId = start?.instanceId ?? '';
      if (options.raceOnStart) {
        instances[instanceId] = options.raceOnStart;
        throw new Error('The operation failed with an unexpected status code: 409');
      }
      started.push({ instanceId, input: start?.input });
      instances[instanceId] = { runtimeStatus: 'Pending', input: start?.input };
      return instanceId;
    },
  } as unknown as DurableStarter;
  return { client, started, instances };
}

describe('DurableFollowUpLauncher', () => {
  it("starts one instance per target, with a deterministic id and the operation's follow-up input", async () => {
    const hub = fakeClient();
    await new DurableFollowUpLauncher(() => hub.client).launch(target, operation('op-1'));
    expect(hub.started).toEqual([
      {
        instanceId: 'follow-up-orders',
        input: expect.objectContaining({ schemaVersion: 1, target: 'orders', operationId: 'op-1', from: 2, to: 4 }),
      },
    ]);
  });

  it.each([
    { name: 'running', runtimeStatus: 'Running' },
    { name: 'continued as new (its input is the carried state)', runtimeStatus: 'ContinuedAsNew', carried: true },
  ])(
    'adopts an instance of the same operation that is $name instead of starting another',
    async ({ runtimeStatus, carried }) => {
      const input = carried ? { resume: { input: { operationId: 'op-1' } } } : { operationId: 'op-1' };
      const hub = fakeClient({ 'follow-up-orders': { runtimeStatus, input } });
      await new DurableFollowUpLauncher(() => hub.client).launch(target, operation('op-1'));
      expect(hub.started).toEqual([]);
    },
  );

  it.each(['Failed', 'Terminated', 'Completed'])(
    'starts again over an instance of the same operation that is %s (a relaunch the reconcile asked for)',
    async (runtimeStatus) => {
      const hub = fakeClient({ 'follow-up-orders': { runtimeStatus, input: { operationId: 'op-1' } } });
      await new DurableFollowUpLauncher(() => hub.client).launch(target, operation('op-1'));
      expect(hub.started).toHaveLength(1);
    },
  );

  it('reports the instance for the reconcile: status, the operation it follows, output, custom status and when it last changed', async () => {
    const hub = fakeClient({
      'follow-up-orders': {
        runtimeStatus: 'Failed',
        input: { resume: { input: { operationId: 'op-1' } } },
        output: 'the follow-up of operation op-1 ended succeeded but could not record it',
        customStatus: { phase: 'done', unrecordedOutcome: { operationId: 'op-1', status: 'succeeded' } },
        lastUpdatedTime: '2026-01-05T09:00:00Z',
      },
    });
    await expect(new DurableFollowUpLauncher(() => hub.client).inspect(target)).resolves.toEqual({
      instanceId: 'follow-up-orders',
      runtimeStatus: 'Failed',
      operationId: 'op-1',
      output: 'the follow-up of operation op-1 ended succeeded but could not record it',
      customStatus: { phase: 'done', unrecordedOutcome: { operationId: 'op-1', status: 'succeeded' } },
      lastUpdatedAt: new Date('2026-01-05T09:00:00Z'),
    });
    await expect(new DurableFollowUpLauncher(() => fakeClient().client).inspect(target)).resolves.toBeUndefined();
  });

  it('starts the follow-up of a new operation once the previous one has completed', async () => {
    const hub = fakeClient({ 'follow-up-orders': { runtimeStatus: 'Completed', input: { operationId: 'op-1' } } });
    await new DurableFollowUpLauncher(() => hub.client).launch(target, operation('op-2'));
    expect(hub.started.map((start) => (start.input as { operationId: string }).operationId)).toEqual(['op-2']);
  });

  it("does not start a second instance while the previous operation's follow-up still runs", async () => {
    const hub = fakeClient({ 'follow-up-orders': { runtimeStatus: 'Running', input: { operationId: 'op-1' } } });
    const launch = new DurableFollowUpLauncher(() => hub.client).launch(target, operation('op-2'));
    await expect(launch).rejects.toBeInstanceOf(TransientError);
    await expect(launch).rejects.toThrow(
      'the follow-up follow-up-orders still runs for operation op-1; operation op-2 gets its own once that one ends (the next evaluation tries again)',
    );
  });

  it('adopts the instance another launcher started between its status read and its start', async () => {
    const hub = fakeClient({}, { raceOnStart: { runtimeStatus: 'Pending', input: { operationId: 'op-1' } } });
    await expect(
      new DurableFollowUpLauncher(() => hub.client).launch(target, operation('op-1')),
    ).resolves.toBeUndefined();
  });

  it('says how to fix a function registered without the durable client input', () => {
    expect(() => currentDurableClient()).toThrow(ScalerError);
    expect(() => currentDurableClient()).toThrow(
      /register the function with extraInputs \[durableClientInput\] and wrap its handler in withDurableClient/,
    );
  });
});

describe('failureMessage', () => {
  it.each([
    {
      name: "the extension's reason and details",
      error: new Error(
        "Activity function 'followUp_startRebalance' failed: citus_rebalance_start failed: lock held \n at stack",
      ),
      expected: 'citus_rebalance_start failed: lock held',
    },
    {
      name: 'a TaskFailedError',
      error: new Error('ProviderError: the login was refused'),
      expected: 'the login was refused',
    },
    { name: 'anything thrown', error: 'plain text', expected: 'plain text' },
  ])("keeps the activity's own message from $name", ({ error, expected }) => {
    expect(failureMessage(error)).toBe(expected);
  });
});
