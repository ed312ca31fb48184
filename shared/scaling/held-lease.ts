/**
 * A target's lease while one evaluation acts on it. Every take and renewal reads the clock at that moment: a
 * lease timed from the start of a long tick could already be expired when it is written. The executor confirms it
 * right before the PATCH, so a lease that expired and was taken over meanwhile stops the PATCH.
 */
import { StateConflictError } from '../vocabulary/errors.js';
import type { Lease, StateStore } from '../state/state-store.port.js';

export interface LeaseTiming {
  ttlSeconds: number;
  maxClockSkewSeconds: number;
}

export class HeldLease {
  private constructor(
    private readonly state: StateStore,
    private readonly clock: () => Date,
    private readonly timing: LeaseTiming,
    private current: Lease,
  ) {}

  private released: Promise<void> | undefined;

  /**
   * Takes the lease now; throws `StateConflictError` when another holder has it. Another holder's lease is taken
   * over only `maxClockSkewSeconds` after it expired by our clock, so an instance whose clock runs ahead by up to
   * that much cannot take a lease that is still live.
   */
  static async take(
    state: StateStore,
    clock: () => Date,
    target: string,
    holder: string,
    timing: LeaseTiming,
  ): Promise<HeldLease> {
    const lease = await state.acquireLease(target, holder, clock(), timing.ttlSeconds, {
      takeoverGraceSeconds: timing.maxClockSkewSeconds,
    });
    return new HeldLease(state, clock, timing, lease);
  }

  /**
   * True when the lease is ours with at least half its time left, as the PATCH is sent. A lease with more than
   * half its time left is ours without asking: another holder may take it only after it expired by their clock
   * plus `maxClockSkewSeconds`. An older one is renewed; false when it expired and another holder took it.
   */
  async confirm(): Promise<boolean> {
    const remainingMs = this.current.expiresAt.getTime() - this.clock().getTime();
    if (remainingMs > (this.timing.ttlSeconds * 1000) / 2) return true;
    return this.renew();
  }

  /** Extends the lease from now; false when it expired and another holder took it in the meantime. */
  async renew(): Promise<boolean> {
    try {
      this.current = await this.state.acquireLease(
        this.current.target,
        this.current.holder,
        this.clock(),
        this.timing.ttlSeconds,
        { current: this.current },
      );
      return true;
    } catch (error) {
      if (error instanceof StateConflictError) return false;
      throw error;
    }
  }

  /** Releases the lease once: a second call answers with the first one's promise. */
  release(): Promise<void> {
    this.released ??= this.state.releaseLease(this.current);
    return this.released;
  }
}
