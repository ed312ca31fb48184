/**
 * Leases in Table Storage: one row per target, taken and renewed by conditional writes, deleted on release. Only
 * the holder may release one; a lease that expired may be taken over after a grace period for clock skew.
 */
import { InvalidInputError, StateConflictError } from '../vocabulary/errors.js';
import { leaseEntity, leaseFromRow, targetPartition } from './entities.js';
import { RowPreconditionFailed } from './entity-table.port.js';
import type { EntityTable, EntityWrite } from './entity-table.port.js';
import { LEASE_ROW_KEY } from './keys.js';
import type { Lease, LeaseOptions } from './state-store.port.js';
import { requireDate, requireText, rowFrom } from './store-rows.js';

export class LeaseRows {
  /**
   * The lease this store last wrote per target, exactly as it handed it out. A release with that very token is one
   * conditional delete: its ETag proves the row is still the one this store wrote for that holder. Any other
   * token (another holder's name on it, an older renewal) is checked against the row first.
   */
  private readonly issuedLeases = new Map<string, Lease>();

  constructor(private readonly table: EntityTable) {}

  async acquire(
    target: string,
    holder: string,
    now: Date,
    ttlSeconds: number,
    options: LeaseOptions = {},
  ): Promise<Lease> {
    requireText('holder', holder);
    requireDate('now', now);
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0)
      throw new InvalidInputError(`ttlSeconds: ${ttlSeconds} is not a positive number of seconds`);
    const graceMs = (options.takeoverGraceSeconds ?? 0) * 1000;
    if (!Number.isFinite(graceMs) || graceMs < 0)
      throw new InvalidInputError(
        `takeoverGraceSeconds: ${options.takeoverGraceSeconds} is not a number of seconds of 0 or more`,
      );
    const wanted = leaseEntity({
      target,
      holder,
      acquiredAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
    });
    const fast = await this.writeLeaseDirectly(wanted, options.current);
    if (fast) return fast;
    const row = await this.table.get(wanted.partitionKey, wanted.rowKey);
    try {
      if (row === undefined) return this.leaseFrom(wanted, await this.table.create(wanted));
      const current = leaseFromRow(this.table.name, row);
      if (current.holder !== holder && now.getTime() < current.expiresAt.getTime() + graceMs)
        throw leaseHeldError(current);
      return this.leaseFrom(wanted, await this.table.replace(wanted, row.etag));
    } catch (error) {
      if (error instanceof RowPreconditionFailed) throw await this.lostLeaseRace(target);
      throw error;
    }
  }

  /**
   * One request in the common cases: a renewal replaces on the ETag it holds, a take creates the row (leases are
   * deleted on release). Undefined when the row is not as assumed: the caller reads it and decides.
   */
  private async writeLeaseDirectly(wanted: EntityWrite, current: Lease | undefined): Promise<Lease | undefined> {
    try {
      const etag =
        current && current.holder === wanted.properties['holder']
          ? await this.table.replace(wanted, current.etag)
          : await this.table.create(wanted);
      return this.leaseFrom(wanted, etag);
    } catch (error) {
      if (error instanceof RowPreconditionFailed) return undefined;
      throw error;
    }
  }

  async release(lease: Lease): Promise<void> {
    const keys = { partitionKey: targetPartition(lease.target), rowKey: LEASE_ROW_KEY };
    if (this.issuedByThisStore(lease)) {
      this.issuedLeases.delete(lease.target);
      try {
        await this.table.delete(keys.partitionKey, keys.rowKey, lease.etag);
        return;
      } catch (error) {
        // Changed since (taken over once it expired, by another instance): the row is read and the answer is the same as below.
        if (!(error instanceof RowPreconditionFailed)) throw error;
      }
    }
    const row = await this.table.get(keys.partitionKey, keys.rowKey);
    if (row === undefined) return;
    const current = leaseFromRow(this.table.name, row);
    if (current.holder !== lease.holder) {
      throw new StateConflictError(
        `Releasing the lease on target '${lease.target}' failed: '${current.holder}' holds it, not '${lease.holder}'; only the holder may release it`,
        current,
      );
    }
    try {
      await this.table.delete(keys.partitionKey, keys.rowKey, lease.etag);
    } catch (error) {
      if (!(error instanceof RowPreconditionFailed)) throw error;
      throw new StateConflictError(
        `Releasing the lease on target '${lease.target}' failed: the lease changed since this token was issued (renewed or taken over); release with the current token`,
        await this.readLease(lease.target),
      );
    }
  }

  private leaseFrom(entity: EntityWrite, etag: string): Lease {
    const lease = leaseFromRow(this.table.name, rowFrom(entity, etag));
    this.issuedLeases.set(lease.target, lease);
    return lease;
  }

  private issuedByThisStore(lease: Lease): boolean {
    const issued = this.issuedLeases.get(lease.target);
    return (
      issued !== undefined &&
      issued.etag === lease.etag &&
      issued.holder === lease.holder &&
      issued.acquiredAt.getTime() === lease.acquiredAt.getTime() &&
      issued.expiresAt.getTime() === lease.expiresAt.getTime()
    );
  }

  private async readLease(target: string): Promise<Lease | undefined> {
    const row = await this.table.get(targetPartition(target), LEASE_ROW_KEY);
    return row === undefined ? undefined : leaseFromRow(this.table.name, row);
  }

  private async lostLeaseRace(target: string): Promise<StateConflictError<Lease>> {
    const current = await this.readLease(target);
    if (current !== undefined) return leaseHeldError(current);
    return new StateConflictError(
      `Taking the lease on target '${target}' failed: another holder changed it at the same moment; retry`,
    );
  }
}

function leaseHeldError(lease: Lease): StateConflictError<Lease> {
  return new StateConflictError(
    `Taking the lease on target '${lease.target}' failed: '${lease.holder}' holds it until ${lease.expiresAt.toISOString()}; ` +
      'another invocation is scaling this target, retry after the lease expires',
    lease,
  );
}
