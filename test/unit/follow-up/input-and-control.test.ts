import { describe, expect, it } from 'vitest';
import { followUpInputFor, followUpInstanceId } from '../../../shared/follow-up/input.js';
import { pauseIsPending, pausedSince, resumeRequested } from '../../../shared/follow-up/progress.js';
import {
  pauseRebalance,
  resumeRebalance,
  type RebalanceControlDependencies,
} from '../../../shared/follow-up/pause-resume.js';
import type { ClusterAccess } from '../../../shared/follow-up/cluster-access.js';
import { configSchema, targetSchema } from '../../../shared/config/schema/schema.js';
import { MemoryStateStore } from '../../../tools/memory-state/memory-state-store.js';
import type { OperationRecord } from '../../../shared/state/state-store.port.js';
import { silentLogger } from '../../../shared/logging.js';
import { TargetDirectory } from '../../../shared/targets/target-directory.js';
import { NotFoundError, NotSupportedError } from '../../../shared/vocabulary/errors.js';
import { RebalanceNotRunningError } from '../../../shared/citus/errors.js';

const PG_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DBforPostgreSQL/flexibleServers/orders';
const ADX_ID = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kusto/clusters/adx';
const pg = (overrides: Record<string, unknown> = {}) => ({
  name: 'orders',
  kind: 'postgres-elastic-cluster',
  resourceId: PG_ID,
  mode: 'manual',
  limits: { min: 2, max: 8 },
  ...overrides,
});
const adx = {
  name: 'adx',
  kind: 'kusto-cluster',
  resourceId: ADX_ID,
  mode: 'manual',
  limits: { min: 2, max: 8 },
  followUp: { pollIntervalSeconds: 60, timeoutMinutes: 45 },
};
const operation = (overrides: Partial<OperationRecord> = {}): OperationRecord => ({
  id: 'op-1',
  target: 'orders',
  trigger: 'timer',
  direction: 'out',
  from: 2,
  to: 5,
  startedAt: new Date('2026-01-05T08:00:00Z'),
  arm: {},
  initiator: 'timer',
  reason: 'cpu',
  status: 'running',
  updatedAt: new Date('2026-01-05T08:00:00Z'),
  history: [],
  ...overrides,
});

describe('followUpInputFor', () => {
  it('copies what the orchestrator decides on, with parallelism auto resolved to the nodes added', () => {
    const input = followUpInputFor(
      targetSchema.parse(
        pg({
          rebalance: { parallelism: 'auto', pollIntervalSeconds: 15 },
          connections: { policy: 'formula', reservedConnections: 10 },
        }),
      ),
      operation(),
    );
    expect(input).toEqual({
      schemaVersion: 1,
      target: 'orders',
      kind: 'postgres-elastic-cluster',
      resourceId: PG_ID,
      operationId: 'op-1',
      direction: 'out',
      from: 2,
      to: 5,
      operationStartedAt: '2026-01-05T08:00:00.000Z',
      pollIntervalSeconds: 15,
      readyTimeoutMinutes: 90,
      haReadyTimeoutMinutes: 180,
      connections: { policy: 'formula', reservedConnections: 10 },
      rebalance: {
        strategy: 'by_disk_size',
        shardTransferMode: 'auto',
        parallelism: 3,
        maxAttempts: 3,
        minFreeDiskPercent: 20,
        stuckScheduledMinutes: 10,
      },
    });
    expect(followUpInstanceId('orders')).toBe('follow-up-orders');
  });

  it('has no rebalance when it is turned off, and only waits for ARM for ADX', () => {
    expect(
      followUpInputFor(targetSchema.parse(pg({ rebalance: { enabled: false } })), operation()).rebalance,
    ).toBeUndefined();
    const kusto = followUpInputFor(targetSchema.parse(adx), operation({ target: 'adx' }));
    expect(kusto).toMatchObject({ kind: 'kusto-cluster', pollIntervalSeconds: 60, readyTimeoutMinutes: 45 });
    expect(kusto.rebalance ?? kusto.connections).toBeUndefined();
  });
});

describe('pause and resume requests', () => {
  const at = (minute: number) => ({
    requestedAt: `2026-01-05T08:${String(minute).padStart(2, '0')}:00.000Z`,
    by: 'ops',
    reason: 'r',
  });

  it.each([
    { name: 'nothing asked', control: {}, pending: false, resume: false },
    { name: 'a pause', control: { pause: at(10) }, pending: true, resume: false },
    { name: 'a pause then a resume', control: { pause: at(10), resume: at(12) }, pending: false, resume: true },
    { name: 'a resume then a new pause', control: { pause: at(14), resume: at(12) }, pending: true, resume: false },
  ])('reads $name', ({ control, pending, resume }) => {
    expect(pauseIsPending(control)).toBe(pending);
    expect(resumeRequested(control)).toBe(resume);
  });

  it('counts a pause only for the job that started before it', () => {
    expect(pausedSince({ pause: at(10) }, '2026-01-05T08:05:00.000Z')).toBe(true);
    expect(pausedSince({ pause: at(10) }, '2026-01-05T08:11:00.000Z')).toBe(false);
  });
});

describe('pauseRebalance and resumeRebalance refuse what they cannot do', () => {
  const noCluster: ClusterAccess = {
    facts: () => Promise.reject(new Error('not reached')),
    sql: () => Promise.reject(new Error('not reached')),
    parameters: () => {
      throw new Error('not reached');
    },
    executorSettings: () => {
      throw new Error('not reached');
    },
  };
  async function deps(state = new MemoryStateStore()): Promise<RebalanceControlDependencies> {
    const config = configSchema.parse({ version: 1, targets: [pg(), adx] });
    return {
      targets: new TargetDirectory(config, new Map()),
      state,
      cluster: noCluster,
      clock: () => new Date('2026-01-05T09:00:00Z'),
      log: silentLogger,
    };
  }
  const request = { by: 'ops@example.com', reason: 'test' };

  it.each([
    {
      name: 'an unknown target',
      target: 'nope',
      error: NotFoundError,
      message: /^target "nope" is not configured; check the name \(GET \/api\/targets lists the targets\)$/,
    },
    {
      name: 'an ADX cluster',
      target: 'adx',
      error: NotSupportedError,
      message: /only elastic clusters have a rebalance to pause or resume/,
    },
    {
      name: 'a cluster with no operation in progress',
      target: 'orders',
      error: RebalanceNotRunningError,
      message: /has no operation in progress/,
    },
  ])('refuses $name', async ({ target, error, message }) => {
    const control = await deps();
    await expect(pauseRebalance(control, target, request)).rejects.toBeInstanceOf(error);
    await expect(resumeRebalance(control, target, request)).rejects.toThrow(message);
  });

  it('refuses to pause before the rebalance runs, and to resume what is not paused', async () => {
    const state = new MemoryStateStore();
    const { id, ...rest } = operation();
    await state.createOperation({ id, ...rest, startedAt: rest.startedAt });
    await state.updateOperationStatus('orders', id, { status: 'running', at: new Date('2026-01-05T08:00:01Z') });
    await state.putFollowUpProgress(
      'orders',
      id,
      {
        schemaVersion: 1,
        target: 'orders',
        operationId: id,
        kind: 'postgres-elastic-cluster',
        phase: 'wait-arm',
        updatedAt: '2026-01-05T08:01:00Z',
      },
      new Date(),
    );
    const control = await deps(state);
    await expect(pauseRebalance(control, 'orders', request)).rejects.toThrow(
      'pausing the rebalance of orders: no rebalance job runs now (the follow-up of operation op-1 is at step wait-arm); a rebalance can be paused while it runs',
    );
    await expect(resumeRebalance(control, 'orders', request)).rejects.toThrow(
      'resuming the rebalance of orders: it is not paused',
    );
  });
});
