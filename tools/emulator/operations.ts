/**
 * Asynchronous ARM operations (the LROs behind `Azure-AsyncOperation` URLs). An operation completes when the
 * emulator clock passes its start + duration; completion is evaluated lazily, whenever anyone looks.
 */
import { randomUUID } from 'node:crypto';
import type { ArmError } from './arm.js';
import { idKey } from './arm.js';
import type { EmulatorClock } from './clock.js';

export type OperationStatus = 'running' | 'succeeded' | 'failed';

export interface AsyncOperation {
  readonly id: string;
  /** What the operation changes: a server, a cluster, or a configuration of a server. */
  readonly resourceId: string;
  /** The resource that is busy while the operation runs (a configuration update keeps its server busy). */
  readonly lockedResourceId: string;
  /** Canonical region used in the monitor URLs. */
  readonly region: string;
  /** e.g. `UpsertFlexClusterManagementOperation`, `ClusterUpdate`. */
  readonly kind: string;
  readonly startedAtMs: number;
  readonly durationMs: number;
  status: OperationStatus;
  endedAtMs?: number;
  /** Why it failed; `status` is what the operation's Location URL answers. */
  failure?: ArmError;
}

export interface StartOperation {
  resourceId: string;
  lockedResourceId?: string;
  region: string;
  kind: string;
  durationMs: number;
  /** Applies the change; returns an error to make the operation fail instead. */
  complete: () => ArmError | undefined;
}

interface Entry {
  operation: AsyncOperation;
  complete: () => ArmError | undefined;
}

export class AsyncOperationStore {
  readonly #clock: EmulatorClock;
  readonly #entries = new Map<string, Entry>();
  /** The entries still running: what settle() and runningOn() look at, a few among thousands of finished ones. */
  readonly #running = new Map<string, Entry>();
  /** The running entries by the resource they keep busy: runningOn() is asked on every request. */
  readonly #runningByLock = new Map<string, Entry[]>();

  constructor(clock: EmulatorClock) {
    this.#clock = clock;
  }

  start(request: StartOperation): AsyncOperation {
    const operation: AsyncOperation = {
      id: randomUUID(),
      resourceId: request.resourceId,
      lockedResourceId: request.lockedResourceId ?? request.resourceId,
      region: request.region,
      kind: request.kind,
      startedAtMs: this.#clock.nowMs(),
      durationMs: request.durationMs,
      status: 'running',
    };
    const entry = { operation, complete: request.complete };
    this.#entries.set(operation.id, entry);
    this.#running.set(operation.id, entry);
    const lock = idKey(operation.lockedResourceId);
    this.#runningByLock.set(lock, [...(this.#runningByLock.get(lock) ?? []), entry]);
    this.settle();
    return operation;
  }

  get(id: string): AsyncOperation | undefined {
    this.settle();
    return this.#entries.get(id.toLowerCase())?.operation;
  }

  /** The operation that keeps a resource busy, if any. */
  runningOn(resourceId: string): AsyncOperation | undefined {
    this.settle();
    return this.#runningByLock.get(idKey(resourceId))?.[0]?.operation;
  }

  /** Completes, in due order, every operation whose end time the clock has reached. */
  settle(): void {
    const nowMs = this.#clock.nowMs();
    const due: Entry[] = [];
    for (const entry of this.#running.values()) if (endOf(entry.operation) <= nowMs) due.push(entry);
    due.sort((a, b) => endOf(a.operation) - endOf(b.operation));
    for (const entry of due) {
      const { operation, complete } = entry;
      this.#running.delete(operation.id);
      this.#forgetLock(entry);
      const failure = complete();
      operation.endedAtMs = endOf(operation);
      operation.status = failure ? 'failed' : 'succeeded';
      if (failure) operation.failure = failure;
    }
  }

  #forgetLock(entry: Entry): void {
    const lock = idKey(entry.operation.lockedResourceId);
    const others = (this.#runningByLock.get(lock) ?? []).filter((candidate) => candidate !== entry);
    if (others.length === 0) this.#runningByLock.delete(lock);
    else this.#runningByLock.set(lock, others);
  }
}

function endOf(operation: AsyncOperation): number {
  return operation.startedAtMs + operation.durationMs;
}
