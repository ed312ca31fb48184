/** Every request the emulator received, so tests can assert "exactly one PATCH" or "N monitor requests". */

export interface RequestMatcher {
  method?: string;
  /** A RegExp tested against the decoded path, or a case-insensitive substring of it. */
  path?: string | RegExp;
  status?: number;
}

export type FaultKind = 'throttled' | 'server-error' | 'forbidden' | 'connection-reset' | 'answer-lost';

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  apiVersion: string | undefined;
  query: Readonly<Record<string, string>>;
  body: unknown;
  /** 0 when the connection was reset instead of answered. */
  status: number;
  /** Set when an injected fault produced the answer. */
  fault?: FaultKind;
  /** Wall-clock arrival (ms since epoch): only for checking how clients space their retries. */
  receivedAtMs: number;
  /** Emulator-clock time the request was handled at. */
  emulatorTime: string;
}

interface Waiter {
  matcher: RequestMatcher;
  count: number;
  resolve: (matches: RecordedRequest[]) => void;
}

interface AnswerHook {
  matcher: RequestMatcher;
  run: () => Promise<void> | void;
}

export class RequestLog {
  readonly #entries: RecordedRequest[] = [];
  #waiters: Waiter[] = [];
  #hooks: AnswerHook[] = [];

  /**
   * Runs `run` once, for the first matching request, after the emulator carried it out and before the answer
   * leaves: e.g. to take Table Storage away at the exact moment ARM accepted an update.
   */
  beforeAnswer(matcher: RequestMatcher, run: () => Promise<void> | void): void {
    this.#hooks.push({ matcher, run });
  }

  /** Used by the server: the hook for this answered request, if one matches (consumed). */
  async runBeforeAnswer(entry: { method: string; path: string; status: number }): Promise<void> {
    const index = this.#hooks.findIndex((hook) => matches(entry, hook.matcher));
    if (index < 0) return;
    const [hook] = this.#hooks.splice(index, 1);
    await hook?.run();
  }

  record(entry: Omit<RecordedRequest, 'seq'>): void {
    this.#entries.push({ ...entry, seq: this.#entries.length + 1 });
    this.#notifyWaiters();
  }

  all(): readonly RecordedRequest[] {
    return [...this.#entries];
  }

  filter(matcher: RequestMatcher = {}): RecordedRequest[] {
    return this.#entries.filter((entry) => matches(entry, matcher));
  }

  count(matcher: RequestMatcher = {}): number {
    return this.filter(matcher).length;
  }

  clear(): void {
    this.#entries.length = 0;
  }

  /** Resolves once at least `count` matching requests were answered: event-driven, no polling of the wall clock. */
  waitFor(matcher: RequestMatcher, count = 1): Promise<RecordedRequest[]> {
    const found = this.filter(matcher);
    if (found.length >= count) return Promise.resolve(found);
    return new Promise((resolve) => this.#waiters.push({ matcher, count, resolve }));
  }

  #notifyWaiters(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      const found = this.filter(waiter.matcher);
      if (found.length < waiter.count) return true;
      waiter.resolve(found);
      return false;
    });
  }
}

export function matches(entry: { method: string; path: string; status?: number }, matcher: RequestMatcher): boolean {
  if (matcher.method !== undefined && matcher.method.toUpperCase() !== entry.method) return false;
  if (matcher.status !== undefined && matcher.status !== entry.status) return false;
  if (matcher.path === undefined) return true;
  return typeof matcher.path === 'string'
    ? entry.path.toLowerCase().includes(matcher.path.toLowerCase())
    : matcher.path.test(entry.path);
}
