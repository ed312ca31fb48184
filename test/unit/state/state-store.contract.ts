import { beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  NotFoundError,
  ScalerError,
  StateConflictError,
} from '../../../shared/vocabulary/errors.js';
import type { Decision, DecisionEvidence, SignalEvidence } from '../../../shared/policy/decision.js';
import {
  alertReceiptEntity,
  decisionEntity,
  failureResetEntity,
  followUpEntity,
  leaseEntity,
  metricHistoryEntity,
  operationEntity,
  operationIndexEntity,
  pausesEntity,
} from '../../../shared/state/entities.js';
import { MAX_JSON_DOCUMENT_CHARS } from '../../../shared/state/entity-fields.js';
import type { EntityWrite } from '../../../shared/state/entity-table.port.js';
import { ledgerPartition, timeOrderedRowKey } from '../../../shared/state/keys.js';
import type { TableKind } from '../../../shared/state/keys.js';
import type {
  Lease,
  MetricHistory,
  NewOperation,
  OperationRecord,
  StateStore,
} from '../../../shared/state/state-store.port.js';
import { TARGET_SUMMARY_WINDOW } from '../../../shared/state/state-store.port.js';

/** What each implementation under test provides: a fresh, empty store, and a way around it to plant raw rows. */
export interface StateStoreHarness {
  store: StateStore;
  tableName(kind: TableKind): string;
  /** Writes a row straight into the table, bypassing the store (to plant rows from another schema version). */
  plantRow(kind: TableKind, entity: EntityWrite): Promise<void>;
}

const T0 = new Date('2025-03-01T10:00:00.000Z');
const TARGET = 'pg-prod';

function at(minutes: number): Date {
  return new Date(T0.getTime() + minutes * 60_000);
}

/**
 * One behavioural contract for every StateStore: the in-memory fake runs it in test/unit, the Table Storage
 * adapter against a real Azurite in test/integration.
 */
export function describeStateStoreContract(name: string, createHarness: () => Promise<StateStoreHarness>): void {
  describe(`StateStore contract: ${name}`, () => {
    let harness: StateStoreHarness;
    let store: StateStore;

    beforeEach(async () => {
      harness = await createHarness();
      store = harness.store;
    });

    describe('leases', () => {
      it('grants a free target and reports when the lease expires', async () => {
        const lease = await store.acquireLease(TARGET, 'invocation-a', T0, 60);

        expect(lease).toMatchObject({ target: TARGET, holder: 'invocation-a', acquiredAt: T0, expiresAt: at(1) });
        expect(lease.etag).not.toBe('');
      });

      it('refuses a second holder while the lease is unexpired and carries the current lease', async () => {
        await store.acquireLease(TARGET, 'invocation-a', T0, 60);

        const error = await captureError(store.acquireLease(TARGET, 'invocation-b', at(0.5), 60));

        expect(error).toBeInstanceOf(StateConflictError);
        expect((error as StateConflictError<Lease>).current).toMatchObject({
          holder: 'invocation-a',
          expiresAt: at(1),
        });
        expect((error as Error).message).toContain("'invocation-a' holds it until 2025-03-01T10:01:00.000Z");
      });

      it('lets another holder take over a lease once it has expired', async () => {
        await store.acquireLease(TARGET, 'invocation-a', T0, 60);

        const lease = await store.acquireLease(TARGET, 'invocation-b', at(1), 60);

        expect(lease).toMatchObject({ holder: 'invocation-b', expiresAt: at(2) });
      });

      it('refuses a takeover within the grace the taker asks for, and allows it after', async () => {
        await store.acquireLease(TARGET, 'invocation-a', T0, 60);

        const early = await captureError(
          store.acquireLease(TARGET, 'invocation-b', at(1.25), 60, { takeoverGraceSeconds: 30 }),
        );
        const late = await store.acquireLease(TARGET, 'invocation-b', at(1.5), 60, { takeoverGraceSeconds: 30 });

        expect(early).toBeInstanceOf(StateConflictError);
        expect(late).toMatchObject({ holder: 'invocation-b', acquiredAt: at(1.5) });
      });

      it('lets the holder renew its own lease whatever grace it asks for', async () => {
        await store.acquireLease(TARGET, 'invocation-a', T0, 60);
        await expect(
          store.acquireLease(TARGET, 'invocation-a', at(1.25), 60, { takeoverGraceSeconds: 30 }),
        ).resolves.toMatchObject({ holder: 'invocation-a', expiresAt: at(2.25) });
      });

      it('rejects a negative takeover grace', async () => {
        await expect(
          store.acquireLease(TARGET, 'invocation-a', T0, 60, { takeoverGraceSeconds: -1 }),
        ).rejects.toBeInstanceOf(InvalidInputError);
      });

      it('lets the holder renew its own unexpired lease', async () => {
        const first = await store.acquireLease(TARGET, 'invocation-a', T0, 60);

        const renewed = await store.acquireLease(TARGET, 'invocation-a', at(0.5), 120);

        expect(renewed.expiresAt).toEqual(at(2.5));
        expect(renewed.etag).not.toBe(first.etag);
      });

      it('keeps leases of different targets apart', async () => {
        await store.acquireLease('pg-prod', 'invocation-a', T0, 60);

        await expect(store.acquireLease('adx-prod', 'invocation-b', T0, 60)).resolves.toMatchObject({
          holder: 'invocation-b',
        });
      });

      it('frees the target on release so another holder can take it at once', async () => {
        const lease = await store.acquireLease(TARGET, 'invocation-a', T0, 60);

        await store.releaseLease(lease);

        await expect(store.acquireLease(TARGET, 'invocation-b', at(0.1), 60)).resolves.toMatchObject({
          holder: 'invocation-b',
        });
      });

      it('renews on the token it holds, and still refuses when that token is stale and another holder has it', async () => {
        const first = await store.acquireLease(TARGET, 'invocation-a', T0, 60);
        const renewed = await store.acquireLease(TARGET, 'invocation-a', at(0.5), 60, { current: first });
        const takenOver = await store.acquireLease(TARGET, 'invocation-b', at(3), 60);

        expect(renewed.etag).not.toBe(first.etag);
        expect(renewed.expiresAt).toEqual(new Date(at(0.5).getTime() + 60_000));
        const error = await captureError(store.acquireLease(TARGET, 'invocation-a', at(3.5), 60, { current: renewed }));
        expect(error).toBeInstanceOf(StateConflictError);
        expect((error as StateConflictError<Lease>).current).toMatchObject({
          holder: 'invocation-b',
          etag: takenOver.etag,
        });
      });

      it('refuses a release by another holder and keeps the lease', async () => {
        const lease = await store.acquireLease(TARGET, 'invocation-a', T0, 60);

        const error = await captureError(store.releaseLease({ ...lease, holder: 'invocation-b' }));

        expect(error).toBeInstanceOf(StateConflictError);
        expect((error as StateConflictError<Lease>).current).toMatchObject({ holder: 'invocation-a' });
        await expect(store.acquireLease(TARGET, 'invocation-c', at(0.5), 60)).rejects.toBeInstanceOf(
          StateConflictError,
        );
      });

      it('refuses a release with the token of a lease that was taken over after it expired', async () => {
        const stale = await store.acquireLease(TARGET, 'invocation-a', T0, 60);
        await store.acquireLease(TARGET, 'invocation-b', at(2), 60);

        await expect(store.releaseLease(stale)).rejects.toBeInstanceOf(StateConflictError);
        await expect(store.acquireLease(TARGET, 'invocation-c', at(2.5), 60)).rejects.toBeInstanceOf(
          StateConflictError,
        );
      });

      it('refuses a release with a token from before the holder renewed', async () => {
        const first = await store.acquireLease(TARGET, 'invocation-a', T0, 60);
        const renewed = await store.acquireLease(TARGET, 'invocation-a', at(0.5), 60);

        await expect(store.releaseLease(first)).rejects.toBeInstanceOf(StateConflictError);
        await expect(store.releaseLease(renewed)).resolves.toBeUndefined();
      });

      it('treats releasing a lease that is already gone as done', async () => {
        const lease = await store.acquireLease(TARGET, 'invocation-a', T0, 60);
        await store.releaseLease(lease);

        await expect(store.releaseLease(lease)).resolves.toBeUndefined();
      });

      it('gives a free target to exactly one of 20 concurrent acquirers', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, index) => store.acquireLease(TARGET, `invocation-${index}`, T0, 60)),
        );

        expectOneWinner(results);
      });

      it('gives an expired lease to exactly one of 20 concurrent takers', async () => {
        await store.acquireLease(TARGET, 'invocation-old', T0, 60);

        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, index) => store.acquireLease(TARGET, `invocation-${index}`, at(5), 60)),
        );

        expectOneWinner(results);
      });

      it('rejects a lease with a non-positive time to live', async () => {
        await expect(store.acquireLease(TARGET, 'invocation-a', T0, 0)).rejects.toBeInstanceOf(InvalidInputError);
      });
    });

    describe('operations', () => {
      it('records a new operation as started and in progress', async () => {
        const created = await store.createOperation(newOperation({ message: 'PATCH accepted' }));

        expect(created).toMatchObject({ id: 'op-1', status: 'started', from: 2, to: 4, startedAt: T0, updatedAt: T0 });
        expect(created.history).toEqual([{ status: 'started', at: T0, message: 'PATCH accepted' }]);
        expect(created.completedAt).toBeUndefined();
        await expect(store.getOperation(TARGET, 'op-1')).resolves.toEqual(created);
        await expect(store.getOperationInProgress(TARGET)).resolves.toEqual(created);
      });

      it('updates an operation from the record the caller wrote, as from the stored one', async () => {
        const created = await store.createOperation(newOperation());
        await store.createOperation(newOperation({ id: 'op-2', direction: 'in', startedAt: at(-60), from: 4, to: 2 }));

        const running = await store.updateOperationStatus(
          TARGET,
          'op-1',
          { status: 'running', at: at(1), arm: { operationId: 'def' } },
          created,
        );

        expect(running).toMatchObject({ status: 'running', updatedAt: at(1), arm: { operationId: 'def' } });
        await expect(store.getOperation(TARGET, 'op-1')).resolves.toEqual(running);
        await expect(store.getOperationInProgress(TARGET)).resolves.toEqual(running);
      });

      it('goes by the stored operation when the record the caller holds is out of date', async () => {
        const created = await store.createOperation(newOperation());
        await store.updateOperationStatus(TARGET, 'op-1', { status: 'running', at: at(1) });
        const ended = await store.updateOperationStatus(TARGET, 'op-1', { status: 'succeeded', at: at(2) });

        await expect(
          store.updateOperationStatus(TARGET, 'op-1', { status: 'cancelled', at: at(3) }, created),
        ).rejects.toMatchObject({ current: ended });
        const cancelledAfterRunning = await store.createOperation(newOperation({ id: 'op-3', startedAt: at(4) }));
        await store.updateOperationStatus(TARGET, 'op-3', { status: 'running', at: at(5) });
        const cancelled = await store.updateOperationStatus(
          TARGET,
          'op-3',
          { status: 'cancelled', at: at(6) },
          cancelledAfterRunning,
        );
        expect(cancelled.history.map((entry) => entry.status)).toEqual(['started', 'running', 'cancelled']);
      });

      it('keeps the ARM operation details, initiator, reason and decision id', async () => {
        await store.createOperation(newOperation());

        const stored = await store.getOperation(TARGET, 'op-1');

        expect(stored).toMatchObject({
          trigger: 'timer',
          initiator: 'timer',
          reason: 'CPU above 80% for 60 minutes',
          decisionId: 'decision-1',
          arm: {
            asyncOperationUrl:
              'https://management.azure.com/providers/Microsoft.DBforPostgreSQL/locations/westeurope/azureAsyncOperation/abc?api-version=2024-08-01',
            operationId: 'abc',
          },
        });
      });

      it('pulls a completion stamped in the future back to now and stores it, leaving earlier ones alone', async () => {
        await store.createOperation(newOperation({ id: 'op-early', startedAt: at(0) }));
        await store.updateOperationStatus(TARGET, 'op-early', { status: 'succeeded', at: at(5), message: 'done' });
        await store.createOperation(newOperation({ id: 'op-skewed', startedAt: at(10) }));
        await store.updateOperationStatus(TARGET, 'op-skewed', {
          status: 'succeeded',
          at: at(600),
          message: 'done by a clock ten hours ahead',
        });

        await expect(store.clampFutureCompletions(TARGET, at(20), 10)).resolves.toBe(1);

        expect((await store.getOperation(TARGET, 'op-skewed'))?.completedAt).toEqual(at(20));
        expect((await store.getOperation(TARGET, 'op-early'))?.completedAt).toEqual(at(5));
        expect((await store.getScaleHistory(TARGET)).lastScaleOut?.completedAt).toEqual(at(20));
        await expect(store.clampFutureCompletions(TARGET, at(21), 10)).resolves.toBe(0);
      });

      it('walks started -> running -> succeeded, recording each transition and the completion time', async () => {
        await store.createOperation(newOperation());

        await store.updateOperationStatus(TARGET, 'op-1', {
          status: 'running',
          at: at(1),
          message: 'ARM reports Updating',
        });
        const done = await store.updateOperationStatus(TARGET, 'op-1', {
          status: 'succeeded',
          at: at(20),
          arm: { requestId: 'req-9' },
        });

        expect(done.status).toBe('succeeded');
        expect(done.completedAt).toEqual(at(20));
        expect(done.updatedAt).toEqual(at(20));
        expect(done.arm).toMatchObject({ operationId: 'abc', requestId: 'req-9' });
        expect(done.history).toEqual([
          { status: 'started', at: T0 },
          { status: 'running', at: at(1), message: 'ARM reports Updating' },
          { status: 'succeeded', at: at(20) },
        ]);
        await expect(store.getOperation(TARGET, 'op-1')).resolves.toEqual(done);
        await expect(store.getOperationInProgress(TARGET)).resolves.toBeUndefined();
      });

      it.each([
        { status: 'timed-out', message: 'the rebalance did not end within 90 min' },
        { status: 'abandoned', message: 'abandoned by ops@example.com: the cluster was restored from a backup' },
      ] as const)(
        'ends a running operation as $status with its completion time, which frees the target and starts the cooldown',
        async ({ status, message }) => {
          await store.createOperation(newOperation());
          await store.updateOperationStatus(TARGET, 'op-1', { status: 'running', at: at(1) });

          const ended = await store.updateOperationStatus(TARGET, 'op-1', { status, at: at(90), message });

          expect(ended).toMatchObject({ status, completedAt: at(90), updatedAt: at(90) });
          expect(ended.history.at(-1)).toEqual({ status, at: at(90), message });
          await expect(store.getOperation(TARGET, 'op-1')).resolves.toEqual(ended);
          await expect(store.findOperation('op-1')).resolves.toEqual(ended);
          await expect(store.getOperationInProgress(TARGET)).resolves.toBeUndefined();
          await expect(store.getScaleHistory(TARGET)).resolves.toEqual({
            lastScaleOut: { direction: 'out', from: 2, to: 4, startedAt: T0, completedAt: at(90) },
          });
        },
      );

      it.each([
        { name: 'a timed-out operation', path: ['running', 'timed-out'], next: 'succeeded' },
        { name: 'an abandoned operation', path: ['abandoned'], next: 'timed-out' },
        { name: 'an operation that already succeeded', path: ['succeeded'], next: 'running' },
        { name: 'a failed operation', path: ['failed'], next: 'succeeded' },
        { name: 'a running operation back to started', path: ['running'], next: 'started' },
      ] as const)('refuses to move $name', async ({ path, next }) => {
        await store.createOperation(newOperation());
        for (const status of path) await store.updateOperationStatus(TARGET, 'op-1', { status, at: at(1) });

        const error = await captureError(store.updateOperationStatus(TARGET, 'op-1', { status: next, at: at(2) }));

        expect(error).toBeInstanceOf(StateConflictError);
        expect((error as StateConflictError).current).toMatchObject({ id: 'op-1', status: path[path.length - 1] });
      });

      it('reports an unknown operation as not found', async () => {
        await expect(store.updateOperationStatus(TARGET, 'nope', { status: 'running', at: T0 })).rejects.toBeInstanceOf(
          NotFoundError,
        );
        await expect(store.getOperation(TARGET, 'nope')).resolves.toBeUndefined();
      });

      it('refuses a second operation with the same id, even started at another time', async () => {
        await store.createOperation(newOperation());

        const error = await captureError(store.createOperation(newOperation({ startedAt: at(3) })));

        expect(error).toBeInstanceOf(StateConflictError);
        expect((error as StateConflictError).current).toMatchObject({ id: 'op-1', startedAt: T0 });
      });

      it('refuses an operation whose direction disagrees with its capacities', async () => {
        await expect(store.createOperation(newOperation({ direction: 'in' }))).rejects.toBeInstanceOf(
          InvalidInputError,
        );
      });

      it('lists operations most recently started first, up to the limit, per target', async () => {
        await store.createOperation(newOperation({ id: 'op-a', startedAt: at(0) }));
        await store.createOperation(newOperation({ id: 'op-c', startedAt: at(20) }));
        await store.createOperation(newOperation({ id: 'op-b', startedAt: at(10) }));
        await store.createOperation(newOperation({ id: 'op-other', target: 'adx-prod', startedAt: at(30) }));

        const listed = await store.listOperations(TARGET, 2);

        expect(listed.map((operation) => operation.id)).toEqual(['op-c', 'op-b']);
      });

      it('reports the last operation per direction with start and completion times for cooldowns', async () => {
        await store.createOperation(newOperation({ id: 'out-old', startedAt: at(0) }));
        await store.updateOperationStatus(TARGET, 'out-old', { status: 'succeeded', at: at(15) });
        await store.createOperation(newOperation({ id: 'in-1', direction: 'in', from: 4, to: 3, startedAt: at(60) }));
        await store.updateOperationStatus(TARGET, 'in-1', { status: 'failed', at: at(70), message: 'Conflict' });
        await store.createOperation(newOperation({ id: 'out-new', from: 3, to: 5, startedAt: at(120) }));
        await store.updateOperationStatus(TARGET, 'out-new', { status: 'running', at: at(121) });

        const history = await store.getScaleHistory(TARGET);

        expect(history).toEqual({
          lastScaleOut: { direction: 'out', from: 3, to: 5, startedAt: at(120) },
          lastScaleIn: { direction: 'in', from: 4, to: 3, startedAt: at(60), completedAt: at(70) },
          unfinished: { direction: 'out', from: 3, to: 5, startedAt: at(120) },
        });
      });

      it('reports an unfinished operation that hides behind a newer finished one of the same direction', async () => {
        await store.createOperation(newOperation({ id: 'out-running', startedAt: at(0) }));
        await store.updateOperationStatus(TARGET, 'out-running', { status: 'running', at: at(1) });
        await store.createOperation(newOperation({ id: 'out-refused', startedAt: at(5) }));
        await store.updateOperationStatus(TARGET, 'out-refused', {
          status: 'cancelled',
          at: at(6),
          message: 'ARM answered 409',
        });

        const history = await store.getScaleHistory(TARGET);

        expect(history.lastScaleOut).toMatchObject({ startedAt: at(5), completedAt: at(6) });
        expect(history.unfinished).toEqual({ direction: 'out', from: 2, to: 4, startedAt: at(0) });
      });

      it('reports an empty history for a target that never scaled', async () => {
        await expect(store.getScaleHistory(TARGET)).resolves.toEqual({});
      });

      it('finds an operation by its id alone, whatever its target, as it is now', async () => {
        await store.createOperation(newOperation({ id: 'op-pg' }));
        await store.createOperation(newOperation({ id: 'op-adx', target: 'adx-prod', startedAt: at(5) }));
        const running = await store.updateOperationStatus('adx-prod', 'op-adx', { status: 'running', at: at(6) });

        await expect(store.findOperation('op-adx')).resolves.toEqual(running);
        await expect(store.findOperation('op-pg')).resolves.toMatchObject({
          id: 'op-pg',
          target: TARGET,
          status: 'started',
        });
        await expect(store.findOperation('op-unknown')).resolves.toBeUndefined();
      });

      it('refuses an operation id another target already uses, so an id names one operation', async () => {
        await store.createOperation(newOperation());

        const error = await captureError(store.createOperation(newOperation({ target: 'adx-prod', startedAt: at(3) })));

        expect(error).toBeInstanceOf(StateConflictError);
        expect((error as StateConflictError).current).toMatchObject({ id: 'op-1', target: TARGET });
        await expect(store.listOperations('adx-prod', 5)).resolves.toEqual([]);
      });

      it('gives an operation id to exactly one of 10 concurrent creates on different targets', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, (_, index) => store.createOperation(newOperation({ target: `target-${index}` }))),
        );

        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const owner = results.find((result) => result.status === 'fulfilled');
        await expect(store.findOperation('op-1')).resolves.toMatchObject({
          target: owner?.status === 'fulfilled' ? owner.value.target : 'none',
        });
      });

      it('trims a very long status message and says so', async () => {
        await store.createOperation(newOperation());

        const failed = await store.updateOperationStatus(TARGET, 'op-1', {
          status: 'failed',
          at: at(1),
          message: 'x'.repeat(50_000),
        });

        const message = failed.history[1]?.message ?? '';
        expect(message.length).toBeLessThan(5_000);
        expect(message).toMatch(/characters trimmed\]$/);
      });
    });

    describe('decision ledger', () => {
      it('returns a decision exactly as it was recorded, evidence included', async () => {
        const decision = decisionFixture({ signals: 3 });
        await store.appendDecision({ id: 'd-1', target: TARGET, trigger: 'timer', decidedAt: T0, decision });

        const [stored] = await store.listDecisions(TARGET, 10);

        expect(stored).toEqual({ id: 'd-1', target: TARGET, trigger: 'timer', decidedAt: T0, decision });
      });

      it('lists decisions newest first, up to the limit, per target', async () => {
        for (const [id, minute] of [
          ['d-a', 0],
          ['d-c', 10],
          ['d-b', 5],
          ['d-d', 15],
        ] as const) {
          await store.appendDecision({
            id,
            target: TARGET,
            trigger: 'timer',
            decidedAt: at(minute),
            decision: decisionFixture(),
          });
        }
        await store.appendDecision({
          id: 'd-other',
          target: 'adx-prod',
          trigger: 'alert',
          decidedAt: at(20),
          decision: decisionFixture(),
        });

        const listed = await store.listDecisions(TARGET, 3);

        expect(listed.map((record) => record.id)).toEqual(['d-d', 'd-c', 'd-b']);
      });

      it('refuses to record the same decision id at the same time twice', async () => {
        const record = {
          id: 'd-1',
          target: TARGET,
          trigger: 'manual' as const,
          decidedAt: T0,
          decision: decisionFixture(),
        };
        await store.appendDecision(record);

        await expect(store.appendDecision(record)).rejects.toBeInstanceOf(StateConflictError);
      });

      it("appends many targets' decisions at once, one result per record in order, each listed with its target", async () => {
        const records = Array.from({ length: 230 }, (_, index) => ({
          id: `d-${index}`,
          target: `target-${index % 23}`,
          trigger: 'timer' as const,
          decidedAt: at(Math.floor(index / 23)),
          decision: decisionFixture(),
        }));

        const results = await store.appendDecisions(records);

        expect(results.map((result) => (result.status === 'fulfilled' ? result.value.id : 'failed'))).toEqual(
          records.map((record) => record.id),
        );
        const listed = await store.listDecisions('target-4', 20);
        expect(listed.map((record) => record.id)).toEqual(
          records
            .filter((record) => record.target === 'target-4')
            .reverse()
            .map((record) => record.id),
        );
        expect(listed[0]).toEqual(records[9 * 23 + 4]);
      });

      it('appends more decisions of one ledger partition than one batch transaction holds, by count and by size', async () => {
        const [first, second] = twoTargetsSharingALedgerPartition();
        const many = Array.from({ length: 150 }, (_, index) => ({
          id: `d-${index}`,
          target: index % 2 === 0 ? first : second,
          trigger: 'timer' as const,
          decidedAt: at(index),
          decision: decisionFixture(),
        }));
        const large = Array.from({ length: 12 }, (_, index) => ({
          id: `large-${index}`,
          target: first,
          trigger: 'timer' as const,
          decidedAt: at(1_000 + index),
          decision: decisionWithEvidenceChars(350_000, MAX_JSON_DOCUMENT_CHARS),
        }));

        const results = await store.appendDecisions([...many, ...large]);

        expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
        expect(await store.listDecisions(second, 100)).toHaveLength(75);
        const firstListed = await store.listDecisions(first, 100);
        expect(firstListed).toHaveLength(87);
        expect(firstListed[0]?.decision.evidence).toEqual(large[11]?.decision.evidence);
      });

      it('fails only the records that cannot be written, and writes the others', async () => {
        const recorded = {
          id: 'd-1',
          target: TARGET,
          trigger: 'timer' as const,
          decidedAt: T0,
          decision: decisionFixture(),
        };
        await store.appendDecision(recorded);
        const fresh = { ...recorded, id: 'd-2' };
        const invalid = { ...recorded, id: '' };

        const results = await store.appendDecisions([fresh, recorded, invalid]);

        expect(results[0]).toEqual({ status: 'fulfilled', value: fresh });
        expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(StateConflictError) });
        expect(results[2]).toMatchObject({ status: 'rejected', reason: expect.any(InvalidInputError) });
        expect((await store.listDecisions(TARGET, 10)).map((record) => record.id).sort()).toEqual(['d-1', 'd-2']);
      });

      it("never lists another target's decisions, even one whose name starts with this one's", async () => {
        const [short, long] = twoTargetsSharingALedgerPartition((index) => (index === 0 ? 'pg' : `pg-${index}`));
        await store.appendDecisions([
          { id: 'd-short', target: short, trigger: 'timer', decidedAt: T0, decision: decisionFixture() },
          { id: 'd-long', target: long, trigger: 'timer', decidedAt: at(1), decision: decisionFixture() },
        ]);

        expect((await store.listDecisions(short, 10)).map((record) => record.id)).toEqual(['d-short']);
        expect((await store.listDecisions(long, 10)).map((record) => record.id)).toEqual(['d-long']);
      });

      it("lists decisions written before the ledger was shared, in the partition of the target's name", async () => {
        const legacy = {
          id: 'd-old',
          target: TARGET,
          trigger: 'timer' as const,
          decidedAt: at(1),
          decision: decisionFixture(),
        };
        const entity = decisionEntity(legacy).entity;
        await harness.plantRow('decisions', {
          ...entity,
          partitionKey: TARGET,
          rowKey: timeOrderedRowKey(legacy.decidedAt, legacy.id),
        });
        await store.appendDecision({ ...legacy, id: 'd-new', decidedAt: at(2) });
        await store.appendDecision({ ...legacy, id: 'd-first', decidedAt: at(0) });

        expect((await store.listDecisions(TARGET, 10)).map((record) => record.id)).toEqual([
          'd-new',
          'd-old',
          'd-first',
        ]);
        expect((await store.listDecisions(TARGET, 2)).map((record) => record.id)).toEqual(['d-new', 'd-old']);
        await expect(store.purgeDecisionsOlderThan(at(5))).resolves.toBe(3);
      });

      it('answers concurrent single appends each on its own, a duplicate among them refused alone', async () => {
        const recorded = {
          id: 'd-0',
          target: TARGET,
          trigger: 'alert' as const,
          decidedAt: T0,
          decision: decisionFixture(),
        };
        await store.appendDecision(recorded);
        const others = Array.from({ length: 30 }, (_, index) => ({
          ...recorded,
          id: `d-${index + 1}`,
          target: `target-${index}`,
        }));

        const results = await Promise.allSettled([recorded, ...others].map((record) => store.appendDecision(record)));

        expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.any(StateConflictError) });
        expect(results.slice(1)).toEqual(others.map((value) => ({ status: 'fulfilled', value })));
        for (const other of others) await expect(store.listDecisions(other.target, 5)).resolves.toEqual([other]);
      });

      it('purges decisions of every target decided before the cutoff, and only those', async () => {
        await store.appendDecision({
          id: 'old-1',
          target: TARGET,
          trigger: 'timer',
          decidedAt: at(-60 * 24 * 40),
          decision: decisionFixture(),
        });
        await store.appendDecision({
          id: 'old-2',
          target: 'adx-prod',
          trigger: 'timer',
          decidedAt: at(-1),
          decision: decisionFixture(),
        });
        await store.appendDecision({
          id: 'edge',
          target: TARGET,
          trigger: 'timer',
          decidedAt: at(0),
          decision: decisionFixture(),
        });
        await store.appendDecision({
          id: 'new',
          target: 'adx-prod',
          trigger: 'timer',
          decidedAt: at(1),
          decision: decisionFixture(),
        });

        const purged = await store.purgeDecisionsOlderThan(T0);

        expect(purged).toBe(2);
        expect((await store.listDecisions(TARGET, 10)).map((record) => record.id)).toEqual(['edge']);
        expect((await store.listDecisions('adx-prod', 10)).map((record) => record.id)).toEqual(['new']);
      });

      it('purges more decisions than one result page or one delete batch holds', async () => {
        const old = Array.from({ length: 1_030 }, (_, index) => ({
          id: `old-${index}`,
          target: index % 2 === 0 ? TARGET : 'adx-prod',
          trigger: 'timer' as const,
          decidedAt: at(-1 - index),
          decision: decisionFixture(),
        }));
        for (let start = 0; start < old.length; start += 50) {
          await Promise.all(old.slice(start, start + 50).map((record) => store.appendDecision(record)));
        }
        await store.appendDecision({
          id: 'kept',
          target: TARGET,
          trigger: 'timer',
          decidedAt: T0,
          decision: decisionFixture(),
        });

        await expect(store.purgeDecisionsOlderThan(T0)).resolves.toBe(1_030);
        expect((await store.listDecisions(TARGET, 10)).map((record) => record.id)).toEqual(['kept']);
        await expect(store.listDecisions('adx-prod', 10)).resolves.toEqual([]);
      });

      it('stores large evidence whole by spreading it over several properties', async () => {
        const decision = decisionFixture({ signals: 400 });
        expect(JSON.stringify(decision.evidence).length).toBeGreaterThan(150_000);

        const recorded = await store.appendDecision({
          id: 'd-big',
          target: TARGET,
          trigger: 'timer',
          decidedAt: T0,
          decision,
        });
        const [stored] = await store.listDecisions(TARGET, 1);

        expect(recorded.evidenceTrimmed).toBeUndefined();
        expect(stored?.decision).toEqual(decision);
      });

      it('stores evidence right up to the row budget whole', async () => {
        const decision = decisionWithEvidenceChars(MAX_JSON_DOCUMENT_CHARS - 2_000, MAX_JSON_DOCUMENT_CHARS);

        const recorded = await store.appendDecision({
          id: 'd-full',
          target: TARGET,
          trigger: 'timer',
          decidedAt: T0,
          decision,
        });
        const [stored] = await store.listDecisions(TARGET, 1);

        expect(recorded.evidenceTrimmed).toBeUndefined();
        expect(stored?.decision).toEqual(decision);
      });

      it('trims evidence too large for one row, keeps the first signals and marks the cut', async () => {
        const decision = decisionFixture({ signals: 3_000 });

        const recorded = await store.appendDecision({
          id: 'd-huge',
          target: TARGET,
          trigger: 'timer',
          decidedAt: T0,
          decision,
        });
        const [stored] = await store.listDecisions(TARGET, 1);

        expect(recorded.evidenceTrimmed).toMatchObject({ signalsTotal: 3_000, guardsTotal: 1 });
        expect(stored?.evidenceTrimmed).toEqual(recorded.evidenceTrimmed);
        const kept = stored?.evidenceTrimmed?.signalsKept ?? 0;
        expect(kept).toBeGreaterThan(0);
        expect(kept).toBeLessThan(3_000);
        expect(stored?.decision.evidence.signals).toEqual(decision.evidence.signals.slice(0, kept));
        expect(stored?.decision).toMatchObject({ action: 'scale-out', reason: 'ScaleOutRuleFired', from: 2, to: 4 });
      });
    });

    describe('pause flags', () => {
      it('reports no pauses for a target nobody paused', async () => {
        await expect(store.getPauses(TARGET)).resolves.toBeUndefined();
      });

      it('keeps the flags with who set them, why and when, and replaces them on the next change', async () => {
        await store.setPauses(
          TARGET,
          { scaleOut: false, scaleIn: true },
          { by: 'alice@contoso.com', reason: 'month-end close' },
          T0,
        );
        const resumed = await store.setPauses(
          TARGET,
          { scaleOut: false, scaleIn: false },
          { by: 'bob@contoso.com', reason: 'close done' },
          at(60),
        );

        const stored = await store.getPauses(TARGET);

        expect(stored).toEqual({
          target: TARGET,
          scaleOut: false,
          scaleIn: false,
          updatedBy: 'bob@contoso.com',
          reason: 'close done',
          updatedAt: at(60),
        });
        expect(resumed).toEqual(stored);
        await expect(store.getPauses('adx-prod')).resolves.toBeUndefined();
      });

      it('changes only the flags it is given and keeps the other as stored', async () => {
        await store.updatePauses(TARGET, { scaleIn: true }, { by: 'alice', reason: 'month-end close' }, T0);

        const updated = await store.updatePauses(
          TARGET,
          { scaleOut: true },
          { by: 'bob', reason: 'incident 42' },
          at(5),
        );

        expect(updated).toEqual({
          target: TARGET,
          scaleOut: true,
          scaleIn: true,
          updatedBy: 'bob',
          reason: 'incident 42',
          updatedAt: at(5),
        });
        await expect(store.getPauses(TARGET)).resolves.toEqual(updated);
      });

      it('keeps every flag when several directions are paused at the same moment', async () => {
        await Promise.all([
          store.updatePauses(TARGET, { scaleOut: true }, { by: 'alice', reason: 'a' }, T0),
          store.updatePauses(TARGET, { scaleIn: true }, { by: 'bob', reason: 'b' }, T0),
        ]);

        await expect(store.getPauses(TARGET)).resolves.toMatchObject({ scaleOut: true, scaleIn: true });
      });
    });

    describe('operations summaries', () => {
      /** The fleet read's summary answers exactly what the per-target queries answer. */
      async function expectSummaryMatchesQueries(target = TARGET): Promise<void> {
        const summary = (await store.listTargetSummaries()).get(target);
        expect(summary).toEqual({
          target,
          history: await store.getScaleHistory(target),
          recentFinished: (await store.getFailureHistory(target, TARGET_SUMMARY_WINDOW)).recent,
        });
      }

      it('follows every start and end, an older operation still running behind newer ones included', async () => {
        await store.createOperation(newOperation({ id: 'op-a', startedAt: T0 }));
        await expectSummaryMatchesQueries();
        await store.updateOperationStatus(TARGET, 'op-a', { status: 'running', at: at(1) });
        await store.updateOperationStatus(TARGET, 'op-a', { status: 'failed', at: at(5), message: 'QuotaExceeded' });
        await store.createOperation(newOperation({ id: 'op-b', startedAt: at(60), direction: 'in', from: 4, to: 3 }));
        await store.createOperation(newOperation({ id: 'op-c', startedAt: at(120) }));
        await store.updateOperationStatus(TARGET, 'op-c', { status: 'succeeded', at: at(125) });
        // Started by an instance whose clock runs behind: older than op-b and op-c, recorded after them.
        await store.createOperation(newOperation({ id: 'op-d', startedAt: at(30) }));
        await store.createOperation(newOperation({ id: 'op-other', target: 'adx-prod', startedAt: at(10) }));
        await expectSummaryMatchesQueries();
        await store.updateOperationStatus(TARGET, 'op-b', { status: 'cancelled', at: at(130), message: 'ARM 409' });
        await expectSummaryMatchesQueries();
        await store.updateOperationStatus(TARGET, 'op-d', { status: 'abandoned', at: at(140) });

        await expectSummaryMatchesQueries();
        await expectSummaryMatchesQueries('adx-prod');
        expect((await store.listTargetSummaries()).get(TARGET)?.history.unfinished).toBeUndefined();
      });

      it('keeps the failure window to the most recently started operations', async () => {
        for (let index = 0; index < TARGET_SUMMARY_WINDOW + 2; index += 1) {
          await store.createOperation(newOperation({ id: `op-${index}`, startedAt: at(index) }));
          await store.updateOperationStatus(TARGET, `op-${index}`, { status: 'failed', at: at(index + 0.5) });
        }

        const summary = (await store.listTargetSummaries()).get(TARGET);

        expect(summary?.recentFinished).toHaveLength(TARGET_SUMMARY_WINDOW);
        await expectSummaryMatchesQueries();
      });

      it('is never read as an operation', async () => {
        const created = await store.createOperation(newOperation());

        await expect(store.listOperations(TARGET, 10)).resolves.toEqual([created]);
        await expect(store.getOperationInProgress(TARGET)).resolves.toEqual(created);
        await expect(store.getFailureHistory(TARGET, 10)).resolves.toEqual({ recent: [] });
      });

      it('is written, from the operations, by the first change of a target that had none', async () => {
        const finished: OperationRecord = {
          ...newOperation({ id: 'op-old', startedAt: T0 }),
          status: 'succeeded',
          updatedAt: at(5),
          completedAt: at(5),
          history: [
            { status: 'started', at: T0 },
            { status: 'succeeded', at: at(5), message: 'done' },
          ],
        };
        const running: OperationRecord = {
          ...newOperation({ id: 'op-running', startedAt: at(60), direction: 'in', from: 4, to: 3 }),
          status: 'running',
          updatedAt: at(61),
          history: [{ status: 'running', at: at(61) }],
        };
        await harness.plantRow('operations', operationEntity(finished));
        await harness.plantRow('operations', operationEntity(running));
        expect((await store.listTargetSummaries()).has(TARGET)).toBe(false);

        await store.updateOperationStatus(TARGET, 'op-running', { status: 'succeeded', at: at(70) });

        await expectSummaryMatchesQueries();
        expect((await store.listTargetSummaries()).get(TARGET)?.history.lastScaleOut?.completedAt).toEqual(at(5));
      });

      it('is written on request for a target that had none, and then found by the fleet read', async () => {
        const planted: OperationRecord = {
          ...newOperation({ id: 'op-old', startedAt: T0 }),
          status: 'failed',
          updatedAt: at(5),
          completedAt: at(5),
          history: [
            { status: 'started', at: T0 },
            { status: 'failed', at: at(5), message: 'QuotaExceeded' },
          ],
        };
        await harness.plantRow('operations', operationEntity(planted));

        const written = await store.ensureTargetSummary(TARGET);
        const neverScaled = await store.ensureTargetSummary('adx-prod');

        await expectSummaryMatchesQueries();
        expect((await store.listTargetSummaries()).get(TARGET)).toEqual(written);
        expect(neverScaled).toEqual({ target: 'adx-prod', history: {}, recentFinished: [] });
        expect((await store.listTargetSummaries()).get('adx-prod')).toEqual(neverScaled);
        await expect(store.ensureTargetSummary(TARGET)).resolves.toEqual(written);
      });

      it('follows a completion pulled back from the future', async () => {
        await store.createOperation(newOperation({ id: 'op-skewed', startedAt: at(0) }));
        await store.updateOperationStatus(TARGET, 'op-skewed', { status: 'succeeded', at: at(600) });

        await expect(store.clampFutureCompletions(TARGET, at(20), 10)).resolves.toBe(1);

        await expectSummaryMatchesQueries();
        expect((await store.listTargetSummaries()).get(TARGET)?.history.lastScaleOut?.completedAt).toEqual(at(20));
      });
    });

    describe('failure history', () => {
      async function ended(
        id: string,
        startedAt: Date,
        status: 'succeeded' | 'failed' | 'cancelled',
        message: string,
        overrides: Partial<NewOperation> = {},
      ) {
        await store.createOperation(newOperation({ id, startedAt, ...overrides }));
        await store.updateOperationStatus(TARGET, id, { status: 'running', at: startedAt });
        return store.updateOperationStatus(TARGET, id, {
          status,
          at: new Date(startedAt.getTime() + 5 * 60_000),
          message,
        });
      }

      it('reports finished operations newest first with how they ended, and leaves out the one still running', async () => {
        await ended('op-a', T0, 'succeeded', 'ARM reports the update finished');
        await ended('op-b', at(60), 'failed', 'ARM reports the update failed: QuotaExceeded: no quota', {
          from: 4,
          to: 5,
        });
        await ended('op-c', at(120), 'cancelled', 'ARM refused: another operation is in progress', { from: 4, to: 5 });
        await store.createOperation(newOperation({ id: 'op-d', startedAt: at(180), from: 4, to: 5 }));

        const history = await store.getFailureHistory(TARGET, 10);

        expect(history.resetAt).toBeUndefined();
        expect(history.recent).toEqual([
          {
            direction: 'out',
            from: 4,
            to: 5,
            startedAt: at(120),
            completedAt: at(125),
            status: 'cancelled',
            message: 'ARM refused: another operation is in progress',
          },
          {
            direction: 'out',
            from: 4,
            to: 5,
            startedAt: at(60),
            completedAt: at(65),
            status: 'failed',
            message: 'ARM reports the update failed: QuotaExceeded: no quota',
          },
          {
            direction: 'out',
            from: 2,
            to: 4,
            startedAt: T0,
            completedAt: at(5),
            status: 'succeeded',
            message: 'ARM reports the update finished',
          },
        ]);
        expect((await store.getFailureHistory(TARGET, 2)).recent.map((operation) => operation.status)).toEqual([
          'cancelled',
        ]);
        await expect(store.getFailureHistory('adx-prod', 10)).resolves.toEqual({ recent: [] });
      });

      it('keeps the last failure reset with who made it and why, replacing the one before', async () => {
        await expect(store.getFailureReset(TARGET)).resolves.toBeUndefined();
        await store.resetFailures(TARGET, { by: 'alice@contoso.com', reason: 'quota raised' }, T0);

        const reset = await store.resetFailures(TARGET, { by: 'bob@contoso.com', reason: 'size fixed' }, at(30));

        expect(reset).toEqual({ target: TARGET, resetAt: at(30), by: 'bob@contoso.com', reason: 'size fixed' });
        await expect(store.getFailureReset(TARGET)).resolves.toEqual(reset);
        await expect(store.getFailureHistory(TARGET, 10)).resolves.toEqual({ recent: [], resetAt: at(30) });
        await expect(store.getFailureReset('adx-prod')).resolves.toBeUndefined();
      });

      it('keeps a failure reset apart from the pause flags beside it', async () => {
        await store.setPauses(TARGET, { scaleOut: true, scaleIn: false }, { by: 'alice', reason: 'incident' }, T0);
        await store.resetFailures(TARGET, { by: 'bob', reason: 'quota raised' }, at(1));

        await expect(store.getPauses(TARGET)).resolves.toMatchObject({ scaleOut: true, updatedBy: 'alice' });
        await expect(store.getFailureReset(TARGET)).resolves.toMatchObject({ by: 'bob' });
      });

      it("lists every target's pause flags and failure reset in one read, leaving out targets with neither", async () => {
        await store.setPauses(TARGET, { scaleOut: true, scaleIn: false }, { by: 'alice', reason: 'incident' }, T0);
        await store.resetFailures(TARGET, { by: 'bob', reason: 'quota raised' }, at(1));
        await store.resetFailures('adx/prod west', { by: 'carol', reason: 'fixed' }, at(2));
        await store.setPauses('pg-dev', { scaleOut: false, scaleIn: true }, { by: 'dave', reason: 'test' }, at(3));

        const controls = await store.listTargetControls();

        expect([...controls.keys()].sort()).toEqual(['adx/prod west', 'pg-dev', TARGET].sort());
        expect(controls.get(TARGET)).toEqual({
          pauses: await store.getPauses(TARGET),
          failureReset: await store.getFailureReset(TARGET),
        });
        expect(controls.get('adx/prod west')).toEqual({ failureReset: await store.getFailureReset('adx/prod west') });
        expect(controls.get('pg-dev')?.pauses).toMatchObject({ scaleIn: true, updatedBy: 'dave' });
      });

      it("reads one target's pause flags and failure reset in one query of its partition", async () => {
        await store.setPauses(TARGET, { scaleOut: true, scaleIn: false }, { by: 'alice', reason: 'incident' }, T0);
        await store.resetFailures(TARGET, { by: 'bob', reason: 'quota raised' }, at(1));
        await store.resetFailures('adx/prod west', { by: 'carol', reason: 'fixed' }, at(2));

        await expect(store.getTargetControls(TARGET)).resolves.toEqual({
          pauses: await store.getPauses(TARGET),
          failureReset: await store.getFailureReset(TARGET),
        });
        await expect(store.getTargetControls('adx/prod west')).resolves.toEqual({
          failureReset: await store.getFailureReset('adx/prod west'),
        });
        await expect(store.getTargetControls('pg-dev')).resolves.toEqual({});
      });

      it('refuses a reset without who made it', async () => {
        await expect(store.resetFailures(TARGET, { by: ' ', reason: 'x' }, T0)).rejects.toBeInstanceOf(
          InvalidInputError,
        );
        await expect(store.getFailureReset(TARGET)).resolves.toBeUndefined();
      });
    });

    describe('alert receipts', () => {
      const key = {
        alertId:
          '/subscriptions/11111111-1111-1111-1111-111111111111/providers/Microsoft.AlertsManagement/alerts/b9569717-bc32-442f-add5-83a997729330',
        monitorCondition: 'Fired',
        firedAt: '2025-03-01T09:59:30.123Z',
      };

      it('reports the first delivery as new and a retry of it as a duplicate carrying the first receipt', async () => {
        const first = await store.recordAlertReceipt(key, { rule: 'cpu-high', severity: 'Sev2' }, T0);
        const retry = await store.recordAlertReceipt(key, { rule: 'cpu-high', severity: 'Sev2' }, at(1));

        expect(first).toEqual({
          isNew: true,
          receipt: { key, payloadSummary: { rule: 'cpu-high', severity: 'Sev2' }, receivedAt: T0 },
        });
        expect(retry).toEqual({ isNew: false, receipt: first.receipt });
      });

      it('treats the resolution of an alert as a new delivery', async () => {
        await store.recordAlertReceipt(key, {}, T0);

        const resolved = await store.recordAlertReceipt({ ...key, monitorCondition: 'Resolved' }, {}, at(5));

        expect(resolved.isNew).toBe(true);
      });

      it('accepts alert ids with characters keys may not hold', async () => {
        const odd = { alertId: "a/b\\c#d?e'f", monitorCondition: 'Fired', firedAt: '2025-03-01T10:00:00Z' };

        await expect(store.recordAlertReceipt(odd, null, T0)).resolves.toMatchObject({
          isNew: true,
          receipt: { key: odd },
        });
      });

      it('reports exactly one of 20 concurrent deliveries as new', async () => {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, index) => store.recordAlertReceipt(key, { delivery: index }, at(index))),
        );

        expect(results.filter((result) => result.isNew)).toHaveLength(1);
        const firstSummary = results.find((result) => result.isNew)?.receipt.payloadSummary;
        expect(
          results.every((result) => JSON.stringify(result.receipt.payloadSummary) === JSON.stringify(firstSummary)),
        ).toBe(true);
      });

      it('keeps a preview with a marker of a payload summary too large for one row', async () => {
        const summary = { blob: 'y'.repeat(200_000) };

        const result = await store.recordAlertReceipt(key, summary, T0);

        expect(result.receipt.payloadSummary).toMatchObject({
          $trimmed: true,
          originalChars: JSON.stringify(summary).length,
        });
      });

      it('forgets one delivery on request, so its retry counts as new, and leaves the others', async () => {
        await store.recordAlertReceipt(key, {}, T0);
        await store.recordAlertReceipt({ ...key, monitorCondition: 'Resolved' }, {}, T0);

        await expect(store.deleteAlertReceipt(key)).resolves.toBe(true);
        await expect(store.deleteAlertReceipt(key)).resolves.toBe(false);
        await expect(store.recordAlertReceipt(key, {}, at(1))).resolves.toMatchObject({ isNew: true });
        await expect(
          store.recordAlertReceipt({ ...key, monitorCondition: 'Resolved' }, {}, at(1)),
        ).resolves.toMatchObject({ isNew: false });
      });

      it('purges receipts received before the cutoff, so a much later redelivery counts as new', async () => {
        await store.recordAlertReceipt(key, {}, at(-10));
        await store.recordAlertReceipt({ ...key, monitorCondition: 'Resolved' }, {}, at(10));

        await expect(store.purgeAlertReceiptsOlderThan(T0)).resolves.toBe(1);
        await expect(store.recordAlertReceipt(key, {}, at(20))).resolves.toMatchObject({ isNew: true });
        await expect(
          store.recordAlertReceipt({ ...key, monitorCondition: 'Resolved' }, {}, at(20)),
        ).resolves.toMatchObject({ isNew: false });
      });
    });

    describe('follow-up progress', () => {
      it('returns the stored document for the operation, and nothing for another', async () => {
        const document = {
          step: 'rebalancing',
          jobId: 42,
          nodes: ['w0', 'w1'],
          details: { tasks: { done: 3, running: 1 } },
          note: null,
        };

        const saved = await store.putFollowUpProgress(TARGET, 'op-1', document, T0);

        expect(saved).toEqual({ target: TARGET, operationId: 'op-1', document, updatedAt: T0 });
        await expect(store.getFollowUpProgress(TARGET, 'op-1')).resolves.toEqual(saved);
        await expect(store.getFollowUpProgress(TARGET, 'op-2')).resolves.toBeUndefined();
        await expect(store.getFollowUpProgress('adx-prod', 'op-1')).resolves.toBeUndefined();
      });

      it('replaces the document on each step, including documents larger than one property', async () => {
        await store.putFollowUpProgress(TARGET, 'op-1', { step: 'waiting-for-arm' }, T0);
        const big = {
          step: 'done',
          log: Array.from({ length: 2_000 }, (_, index) => `moved shard ${index} from w0 to w3`),
        };

        await store.putFollowUpProgress(TARGET, 'op-1', big, at(30));

        await expect(store.getFollowUpProgress(TARGET, 'op-1')).resolves.toEqual({
          target: TARGET,
          operationId: 'op-1',
          document: big,
          updatedAt: at(30),
        });
      });

      it('refuses a document that is not JSON', async () => {
        await expect(store.putFollowUpProgress(TARGET, 'op-1', undefined, T0)).rejects.toBeInstanceOf(
          InvalidInputError,
        );
      });
    });

    describe('metric history', () => {
      const history = (overrides: Partial<MetricHistory> = {}): MetricHistory => ({
        target: TARGET,
        resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Kusto/clusters/c',
        intervalMinutes: 60,
        startMs: T0.getTime(),
        throughMs: T0.getTime() + 3 * 3_600_000,
        metrics: { CPU: [40, null, 55.5] },
        ...overrides,
      });

      it('returns the stored history of the target, and nothing for another', async () => {
        await store.putMetricHistory(history(), T0);

        await expect(store.getMetricHistory(TARGET)).resolves.toEqual(history());
        await expect(store.getMetricHistory('adx-prod')).resolves.toBeUndefined();
      });

      it('replaces it, including thirty days of three metrics', async () => {
        await store.putMetricHistory(history(), T0);
        const month = Array.from({ length: 30 * 24 }, (_, hour) => 50 + Math.round(Math.sin(hour) * 4000) / 100);
        const big = history({ metrics: { CPU: month, CacheUtilizationFactor: month, IngestionUtilization: month } });

        await store.putMetricHistory(big, at(60));

        await expect(store.getMetricHistory(TARGET)).resolves.toEqual(big);
      });
    });

    describe('keys', () => {
      it('stores targets and ids containing characters Table Storage keys may not hold', async () => {
        const target = "team/pg #1?\\'ü";

        await store.acquireLease(target, 'invocation-a', T0, 60);
        await store.createOperation(newOperation({ target, id: 'op/1#?' }));
        await store.putFollowUpProgress(target, 'op/1#?', { ok: true }, T0);

        await expect(store.acquireLease(target, 'invocation-b', T0, 60)).rejects.toBeInstanceOf(StateConflictError);
        await expect(store.getOperation(target, 'op/1#?')).resolves.toMatchObject({ target, id: 'op/1#?' });
        await expect(store.findOperation('op/1#?')).resolves.toMatchObject({ target, id: 'op/1#?' });
        await expect(store.getFollowUpProgress(target, 'op/1#?')).resolves.toMatchObject({ document: { ok: true } });
      });
    });

    describe('versioned entities', () => {
      it.each(plantableRows())(
        'fails loudly on a $kind row with an unknown schemaVersion',
        async ({ kind, entity, read }) => {
          await harness.plantRow(kind, { ...entity, properties: { ...entity.properties, schemaVersion: 99 } });

          const error = await captureError(read(store));

          expect(error).toBeInstanceOf(ScalerError);
          expect((error as ScalerError).category).toBe('internal');
          const message = (error as Error).message;
          expect(message).toContain(harness.tableName(kind));
          expect(message).toContain(`RowKey '${entity.rowKey}'`);
          expect(message).toContain(`PartitionKey '${entity.partitionKey}'`);
          expect(message).toContain('schemaVersion 99');
        },
      );

      it('reads operation rows of version 1, and refuses a version 1 row carrying a status only version 2 knows', async () => {
        const operation = {
          ...newOperation(),
          status: 'failed' as const,
          updatedAt: at(5),
          completedAt: at(5),
          history: [
            { status: 'started' as const, at: T0 },
            { status: 'failed' as const, at: at(5) },
          ],
        };
        const entity = operationEntity(operation);
        expect(entity.properties['schemaVersion']).toBe(1);
        await harness.plantRow('operations', entity);
        await expect(store.getOperation(TARGET, 'op-1')).resolves.toMatchObject({
          status: 'failed',
          completedAt: at(5),
        });

        await harness.plantRow('operations', { ...entity, properties: { ...entity.properties, status: 'timed-out' } });
        await expect(store.getOperation(TARGET, 'op-1')).rejects.toThrow(
          /property status is 'timed-out', expected one of started, running, succeeded, failed, cancelled/,
        );
      });

      it('writes an operation that ended with a status of version 2 as a version 2 row', async () => {
        const operation = {
          ...newOperation(),
          status: 'abandoned' as const,
          updatedAt: at(5),
          completedAt: at(5),
          history: [
            { status: 'started' as const, at: T0 },
            { status: 'abandoned' as const, at: at(5) },
          ],
        };
        const entity = operationEntity(operation);
        expect(entity.properties['schemaVersion']).toBe(2);
        await harness.plantRow('operations', entity);

        await expect(store.getOperation(TARGET, 'op-1')).resolves.toMatchObject({
          status: 'abandoned',
          completedAt: at(5),
        });
      });

      it('fails loudly on an operation id index row with an unknown schemaVersion', async () => {
        const entity = operationIndexEntity({ operationId: 'op-1', target: TARGET, startedAt: T0 });
        await harness.plantRow('operations', { ...entity, properties: { ...entity.properties, schemaVersion: 99 } });

        await expect(store.findOperation('op-1')).rejects.toThrow(/schemaVersion 99/);
      });

      it('fails loudly on a row missing a property, naming it', async () => {
        const entity = leaseEntity({ target: TARGET, holder: 'x', acquiredAt: T0, expiresAt: at(1) });
        const { holder: _holder, ...withoutHolder } = entity.properties;
        await harness.plantRow('leases', { ...entity, properties: withoutHolder });

        await expect(store.acquireLease(TARGET, 'invocation-a', T0, 60)).rejects.toThrow(/property holder is missing/);
      });
    });
  });
}

function plantableRows(): { kind: TableKind; entity: EntityWrite; read: (store: StateStore) => Promise<unknown> }[] {
  const operation = {
    ...newOperation(),
    status: 'started' as const,
    updatedAt: T0,
    history: [{ status: 'started' as const, at: T0 }],
  };
  const receiptKey = { alertId: 'alert-1', monitorCondition: 'Fired', firedAt: '2025-03-01T10:00:00Z' };
  const decision = { id: 'd-1', target: TARGET, trigger: 'timer' as const, decidedAt: T0, decision: decisionFixture() };
  const pauses = { target: TARGET, scaleOut: true, scaleIn: true, updatedBy: 'a', reason: 'b', updatedAt: T0 };
  return [
    {
      kind: 'leases',
      entity: leaseEntity({ target: TARGET, holder: 'x', acquiredAt: T0, expiresAt: at(1) }),
      read: (s) => s.acquireLease(TARGET, 'y', T0, 60),
    },
    { kind: 'operations', entity: operationEntity(operation), read: (s) => s.getOperation(TARGET, 'op-1') },
    { kind: 'decisions', entity: decisionEntity(decision).entity, read: (s) => s.listDecisions(TARGET, 5) },
    { kind: 'pauses', entity: pausesEntity(pauses), read: (s) => s.getPauses(TARGET) },
    {
      kind: 'pauses',
      entity: failureResetEntity({ target: TARGET, resetAt: T0, by: 'a', reason: 'b' }),
      read: (s) => s.getFailureHistory(TARGET, 5),
    },
    {
      kind: 'alertReceipts',
      entity: alertReceiptEntity({ key: receiptKey, receivedAt: T0 }, '{}'),
      read: (s) => s.recordAlertReceipt(receiptKey, {}, T0),
    },
    {
      kind: 'followUps',
      entity: followUpEntity({ target: TARGET, operationId: 'op-1', updatedAt: T0 }, '{}'),
      read: (s) => s.getFollowUpProgress(TARGET, 'op-1'),
    },
    {
      kind: 'loadHistory',
      entity: metricHistoryEntity(
        { target: TARGET, resourceId: 'r', intervalMinutes: 60, startMs: 0, throughMs: 0, metrics: {} },
        T0,
        '{"resourceId":"r","intervalMinutes":60,"startMs":0,"throughMs":0,"metrics":{}}',
      ),
      read: (s) => s.getMetricHistory(TARGET),
    },
  ];
}

function newOperation(overrides: Partial<NewOperation> = {}): NewOperation {
  return {
    id: 'op-1',
    target: TARGET,
    trigger: 'timer',
    direction: 'out',
    from: 2,
    to: 4,
    startedAt: T0,
    arm: {
      asyncOperationUrl:
        'https://management.azure.com/providers/Microsoft.DBforPostgreSQL/locations/westeurope/azureAsyncOperation/abc?api-version=2024-08-01',
      operationId: 'abc',
    },
    initiator: 'timer',
    reason: 'CPU above 80% for 60 minutes',
    decisionId: 'decision-1',
    ...overrides,
  };
}

export function decisionFixture(options: { signals?: number } = {}): Decision {
  const signals = Array.from({ length: options.signals ?? 1 }, (_, index) => signalFixture(index));
  const evidence: DecisionEvidence = {
    mode: 'custom',
    trigger: 'timer',
    now: T0.toISOString(),
    limits: { min: 2, max: 10, default: 3 },
    signals,
    proposal: {
      action: 'scale-out',
      to: 4,
      reason: 'ScaleOutRuleFired',
      message: 'cpu_percent averaged 91% over 10 minutes',
    },
    guards: [{ guard: 'cooldown', verdict: 'passed', detail: 'last scale-out completed 3 hours ago' }],
  };
  return {
    action: 'scale-out',
    from: 2,
    to: 4,
    reason: 'ScaleOutRuleFired',
    message: 'Scaling out from 2 to 4 nodes: cpu_percent high',
    evidence,
  };
}

/** Two target names (from `name`) whose decisions share one ledger partition. */
function twoTargetsSharingALedgerPartition(name = (index: number) => `target-${index}`): [string, string] {
  const first = name(0);
  let index = 1;
  while (ledgerPartition(name(index)) !== ledgerPartition(first)) index += 1;
  return [first, name(index)];
}

/** A decision whose evidence JSON is between `minChars` and `maxChars` long. */
function decisionWithEvidenceChars(minChars: number, maxChars: number): Decision {
  const decision = decisionFixture({ signals: 1 });
  const signals = decision.evidence.signals;
  const charsPerSignal = JSON.stringify(signalFixture(10_000)).length + 1;
  const length = (): number => JSON.stringify(decision.evidence).length;
  while (length() < minChars) {
    const missing = Math.max(1, Math.floor((minChars - length()) / charsPerSignal));
    for (let added = 0; added < missing; added += 1) signals.push(signalFixture(signals.length));
  }
  expect(length()).toBeLessThanOrEqual(maxChars);
  return decision;
}

function signalFixture(index: number): SignalEvidence {
  return {
    name: `cpu-high-${index} on node group with a long descriptive rule name that operators wrote`,
    direction: 'out',
    metric: 'cpu_percent',
    statistic: 'Average',
    timeAggregation: 'Average',
    operator: 'GreaterThan',
    threshold: 80,
    timeGrainMinutes: 1,
    windowMinutes: 10,
    windowStart: '2025-03-01T09:50:00.000Z',
    windowEnd: '2025-03-01T10:00:00.000Z',
    grainsUsed: 10,
    grainsExpected: 10,
    value: 91.25 + index,
    status: 'ok',
    fired: true,
    projectedValue: 45.5,
  };
}

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

function expectOneWinner(results: PromiseSettledResult<Lease>[]): void {
  const winners = results.filter((result) => result.status === 'fulfilled');
  const losers = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
  expect(winners).toHaveLength(1);
  expect(losers).toHaveLength(results.length - 1);
  for (const loser of losers) expect(loser.reason).toBeInstanceOf(StateConflictError);
}
