/**
 * The emulator's notion of "now". Every time-based behaviour (LRO completion, metric timestamps, what counts as
 * the future) reads this clock and never the wall clock, so a test can simulate hours in microseconds.
 */
export class EmulatorClock {
  #nowMs: number;

  constructor(start: Date) {
    this.#nowMs = start.getTime();
  }

  now(): Date {
    return new Date(this.#nowMs);
  }

  nowMs(): number {
    return this.#nowMs;
  }

  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`clock.advance: ${ms} is not a non-negative number of milliseconds`);
    this.#nowMs += ms;
    return this.now();
  }

  /** Moves the clock to `date`. Time only moves forward: running operations were started against the old "now". */
  set(date: Date): Date {
    const target = date.getTime();
    if (Number.isNaN(target)) throw new RangeError('clock.set: invalid date');
    if (target < this.#nowMs) {
      throw new RangeError(
        `clock.set: ${date.toISOString()} is before the current ${this.now().toISOString()}; the clock only moves forward`,
      );
    }
    this.#nowMs = target;
    return this.now();
  }
}
