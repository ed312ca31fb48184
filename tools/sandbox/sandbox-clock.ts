/**
 * The sandbox's one notion of "now": the Azure emulator's clock, moved forward by the sandbox (accelerated in a
 * live run, minute by minute in a smoke run). Whatever else keeps time (the Citus stand-in) follows through
 * `onAdvance`. In-process follow-ups wait on it with `until`, never on a real timer.
 */
import type { EmulatorClock } from '../emulator/index.js';

interface Waiter {
  atMs: number;
  resolve: () => void;
}

export class SandboxClock {
  readonly #waiters: Waiter[] = [];

  constructor(
    private readonly emulatorClock: EmulatorClock,
    private readonly onAdvance: (elapsedMs: number) => Promise<void> = () => Promise.resolve(),
  ) {}

  now(): Date {
    return this.emulatorClock.now();
  }

  nowMs(): number {
    return this.emulatorClock.nowMs();
  }

  /** How many callers are waiting in `until` right now. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves once the clock has reached `time` (at once when it already has). */
  until(time: Date): Promise<void> {
    if (time.getTime() <= this.nowMs()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ atMs: time.getTime(), resolve }));
  }

  /** Moves time forward; waiters whose time has come are released (and no longer count as waiting) at once. */
  async advance(elapsedMs: number): Promise<void> {
    if (elapsedMs <= 0) return;
    this.emulatorClock.advance(elapsedMs);
    await this.onAdvance(elapsedMs);
    const nowMs = this.nowMs();
    for (let index = this.#waiters.length - 1; index >= 0; index -= 1) {
      const waiter = this.#waiters[index];
      if (waiter && waiter.atMs <= nowMs) {
        this.#waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }
}
