import { describe, expect, it } from 'vitest';
import { finish } from '../../../shared/follow-up/steps/arm-steps.js';
import { StepContext } from '../../../shared/follow-up/steps/dependencies.js';
import { TargetDirectory } from '../../../shared/targets/target-directory.js';
import type { ClusterAccess } from '../../../shared/follow-up/cluster-access.js';
import { MemoryStateStore } from '../../../tools/memory-state/memory-state-store.js';
import { validateConfig } from '../../../shared/config/validate.js';
import { createLogger } from '../../../shared/logging.js';

const ACTIVITY_NOW = new Date('2026-03-01T10:30:00.000Z');
const KUSTO_ID =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Kusto/clusters/telemetry';

async function contextWithRunningOperation(): Promise<{ context: StepContext; state: MemoryStateStore }> {
  const validated = validateConfig({
    version: 1,
    targets: [
      { name: 'telemetry', kind: 'kusto-cluster', resourceId: KUSTO_ID, mode: 'manual', limits: { min: 2, max: 10 } },
    ],
  });
  if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
  const state = new MemoryStateStore();
  const startedAt = new Date('2026-03-01T10:00:00.000Z');
  await state.createOperation({
    id: 'op-1',
    target: 'telemetry',
    trigger: 'timer',
    direction: 'out',
    from: 3,
    to: 4,
    startedAt,
    arm: {},
    initiator: 'timer',
    reason: 'cpu high',
  });
  await state.updateOperationStatus('telemetry', 'op-1', { status: 'running', at: startedAt });
  // The finish step touches neither a cluster nor a scale target.
  const context = new StepContext({
    targets: new TargetDirectory(validated.config, new Map()),
    state,
    cluster: {} as ClusterAccess,
    clock: () => ACTIVITY_NOW,
    log: createLogger(() => undefined),
  });
  return { context, state };
}

describe('the finish step', () => {
  it('bounds a completion time from an orchestration host whose clock runs ahead by its own clock', async () => {
    const { context, state } = await contextWithRunningOperation();
    await finish(context, {
      target: 'telemetry',
      operationId: 'op-1',
      status: 'succeeded',
      message: 'ARM finished the update to 4 instance(s)',
      alert: false,
      notes: [],
      at: '2026-03-01T16:30:00.000Z',
    });
    expect((await state.getOperation('telemetry', 'op-1'))?.completedAt).toEqual(ACTIVITY_NOW);
  });

  it("keeps the orchestration's completion time when it is not ahead", async () => {
    const { context, state } = await contextWithRunningOperation();
    await finish(context, {
      target: 'telemetry',
      operationId: 'op-1',
      status: 'succeeded',
      message: 'done',
      alert: false,
      notes: [],
      at: '2026-03-01T10:25:00.000Z',
    });
    expect((await state.getOperation('telemetry', 'op-1'))?.completedAt).toEqual(new Date('2026-03-01T10:25:00.000Z'));
  });
});
