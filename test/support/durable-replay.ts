/**
 * A small stand-in for the Durable Task host, built on durable-functions' own replay machinery: it invokes the
 * orchestration handler exactly as registered (wrapped by durable-functions' `createOrchestrator`, with a
 * `DurableOrchestrationInput` holding the history), runs the actions it schedules (the registered activity
 * handlers, for real), and feeds the results back as history events built with durable-functions' own event
 * classes, episode by episode, like the extension does:
 *
 *   [OrchestratorStarted, ExecutionStarted] -> TaskScheduled, OrchestratorCompleted
 *   [OrchestratorStarted, TaskCompleted]    -> TimerCreated, OrchestratorCompleted
 *   [OrchestratorStarted, TimerFired]       -> ...
 *
 * Activities with retry options are retried the way durable-functions' RetryableTask expects the history to look
 * (TaskFailed, TimerCreated, TimerFired, TaskScheduled, ...). Every episode's history and the actions the
 * orchestrator returned for it are recorded, so a test can replay any prefix and compare.
 */
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import { InvocationContext as InvocationContextClass } from './functions-runtime.js';

const require = createRequire(import.meta.url);

type Handler = (trigger: unknown, context: unknown) => Promise<OrchestratorState>;
interface OrchestratorState {
  isDone: boolean;
  actions: unknown[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}
interface EventOptions {
  eventId: number;
  timestamp: Date;
  isPlayed?: boolean;
  [key: string]: unknown;
}
type EventClass = new (options: EventOptions) => object;

const testing = require('durable-functions/lib/src/util/testingUtils.js') as {
  createOrchestrator(handler: unknown): Handler;
  DurableOrchestrationInput: new (instanceId: string, history: unknown[], input: unknown) => object;
  DummyOrchestrationContext: new (
    functionName?: string,
    invocationId?: string,
    logHandler?: (level: string, ...args: unknown[]) => void,
  ) => object;
};
const historyClass = (name: string) =>
  (require(`durable-functions/lib/src/history/${name}.js`) as Record<string, EventClass>)[name] as EventClass;
const Events = {
  OrchestratorStarted: historyClass('OrchestratorStartedEvent'),
  OrchestratorCompleted: historyClass('OrchestratorCompletedEvent'),
  ExecutionStarted: historyClass('ExecutionStartedEvent'),
  TaskScheduled: historyClass('TaskScheduledEvent'),
  TaskCompleted: historyClass('TaskCompletedEvent'),
  TaskFailed: historyClass('TaskFailedEvent'),
  TimerCreated: historyClass('TimerCreatedEvent'),
  TimerFired: historyClass('TimerFiredEvent'),
};

/** ActionType in durable-functions (lib/src/actions/ActionType.js). */
const ACTION = { CallActivity: 0, CallActivityWithRetry: 1, ContinueAsNew: 4, CreateTimer: 5 } as const;

export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: Date | string;
  retryOptions?: { maxNumberOfAttempts: number };
}

export type ActivityFunction = (input: unknown, context: InvocationContext) => Promise<unknown>;

export interface ReplayClock {
  now(): Date;
  /** Lets time pass until `time` (emulator, stand-in, ...). Never called with a time in the past. */
  advanceTo(time: Date): Promise<void>;
}

export interface HostFunctions {
  /** The raw orchestration function, as registered with df.app.orchestration; wrapped here like durable-functions does. */
  orchestration: unknown;
  activities: Readonly<Record<string, ActivityFunction>>;
}

export interface Episode {
  execution: number;
  /** JSON of the history the orchestrator was given. */
  history: string;
  /** JSON of every action it returned (all actions of this execution, scheduled before or now). */
  actions: string;
  isDone: boolean;
}

export interface ActivityCall {
  name: string;
  input: unknown;
  outcome: 'completed' | 'failed' | 'lost';
  result?: unknown;
  error?: string;
}

export interface ReplayOptions {
  instanceId: string;
  orchestrationName: string;
  clock: ReplayClock;
  /** After an activity ran (e.g. to inject a fault into the job it started). */
  afterActivity?: (call: ActivityCall) => Promise<void> | void;
  /** Simulate a host crash after the activity ran but before its result was stored: it runs again. */
  loseResult?: (call: ActivityCall, attempt: number) => boolean;
  /**
   * The host reports this delivery of the activity failed, with the returned message, without running it (its
   * worker died, or what it needs is down). Undefined lets the activity run.
   */
  failDelivery?: (call: { name: string; input: unknown }) => string | undefined;
}

/** Where durable-functions appends the orchestrator's state to the message of an orchestration that failed. */
const OUT_OF_PROC_DATA = '\n\n$OutOfProcData$:';

export class ReplayDriver {
  readonly episodes: Episode[] = [];
  readonly calls: ActivityCall[] = [];
  readonly logs: string[] = [];
  history: object[] = [];
  output: unknown;
  customStatus: unknown;
  failure: Error | undefined;
  /** The message a failed orchestration ends with, as the extension records it (the instance's output). */
  failureMessage: string | undefined;
  /** What activities logged, with their fields. */
  readonly logLines: Array<{ level: string; message: string; fields: unknown }> = [];
  done = false;
  private orchestrator: Handler;
  private activities: Readonly<Record<string, ActivityFunction>>;
  private incoming: object[] = [];
  private sequence = 0;
  private handled = 0;
  private execution = 1;
  private input: unknown;

  constructor(
    host: HostFunctions,
    private readonly options: ReplayOptions,
  ) {
    this.orchestrator = testing.createOrchestrator(host.orchestration);
    this.activities = host.activities;
  }

  /** A host restart: the same history, replayed by freshly registered functions. */
  restartWith(host: HostFunctions): void {
    this.orchestrator = testing.createOrchestrator(host.orchestration);
    this.activities = host.activities;
  }

  start(input: unknown): void {
    this.input = input;
    this.incoming = [
      new Events.ExecutionStarted({
        eventId: -1,
        timestamp: this.options.clock.now(),
        name: this.options.orchestrationName,
        input: JSON.stringify(input),
      }),
    ];
  }

  /** Runs episodes until the orchestration completes, fails, or `until` says stop (checked after each episode). */
  async run(until: (driver: ReplayDriver) => boolean = () => false, maxEpisodes = 5_000): Promise<void> {
    for (let count = 0; count < maxEpisodes && !this.done; count++) {
      await this.episode();
      if (until(this)) return;
    }
    if (!this.done) throw new Error(`the orchestration did not complete within ${maxEpisodes} episodes`);
  }

  /** Runs the orchestrator once more on `episode`'s history, with the functions registered now; returns its actions. */
  async replay(episode: Episode): Promise<{ actions: string; isDone: boolean }> {
    const history = JSON.parse(episode.history) as object[];
    const state = await this.invoke(history, episode.execution === this.execution ? this.input : this.inputOf(history));
    return { actions: JSON.stringify(state.actions.flat()), isDone: state.isDone };
  }

  callsOf(name: string): ActivityCall[] {
    return this.calls.filter((call) => call.name === name);
  }

  private async episode(): Promise<void> {
    this.history.push(
      new Events.OrchestratorStarted({ eventId: -1, timestamp: this.options.clock.now() }),
      ...this.incoming,
    );
    this.incoming = [];
    const snapshot = JSON.stringify(this.history);
    let state: OrchestratorState;
    try {
      state = await this.invoke(JSON.parse(snapshot) as object[], this.input);
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.recordFailure(this.failure.message);
      this.done = true;
      return;
    }
    const actions = state.actions.flat() as Action[];
    this.episodes.push({
      execution: this.execution,
      history: snapshot,
      actions: JSON.stringify(actions),
      isDone: state.isDone,
    });
    this.customStatus = state.customStatus;
    const fresh = actions.slice(this.handled);
    this.handled = actions.length;
    const continued = fresh.find((action) => action.actionType === ACTION.ContinueAsNew);
    if (continued) return this.continueAsNew(continued.input);
    if (state.isDone) {
      this.output = state.output;
      this.done = true;
      return;
    }
    for (const action of fresh) await this.schedule(action);
    this.history.push(new Events.OrchestratorCompleted({ eventId: -1, timestamp: this.options.clock.now() }));
  }

  private async schedule(action: Action): Promise<void> {
    if (action.actionType === ACTION.CreateTimer) {
      const fireAt = new Date(action.fireAt ?? this.options.clock.now());
      const id = this.sequence++;
      this.history.push(new Events.TimerCreated({ eventId: id, timestamp: this.options.clock.now(), fireAt }));
      if (fireAt > this.options.clock.now()) await this.options.clock.advanceTo(fireAt);
      this.incoming.push(
        new Events.TimerFired({ eventId: -1, timestamp: this.options.clock.now(), timerId: id, fireAt }),
      );
      return;
    }
    if (action.actionType !== ACTION.CallActivity && action.actionType !== ACTION.CallActivityWithRetry) {
      throw new Error(`the replay driver does not run actions of type ${action.actionType}`);
    }
    const name = action.functionName ?? '';
    const attempts =
      action.actionType === ACTION.CallActivityWithRetry ? (action.retryOptions?.maxNumberOfAttempts ?? 1) : 1;
    let id = this.sequence++;
    this.history.push(
      new Events.TaskScheduled({
        eventId: id,
        timestamp: this.options.clock.now(),
        name,
        input: JSON.stringify(action.input),
      }),
    );
    for (let attempt = 1; ; attempt++) {
      const call = await this.runActivity(name, action.input);
      const now = this.options.clock.now();
      if (call.outcome === 'completed') {
        this.incoming.push(
          new Events.TaskCompleted({
            eventId: -1,
            timestamp: now,
            taskScheduledId: id,
            result: JSON.stringify(call.result ?? null),
          }),
        );
        return;
      }
      this.incoming.push(
        new Events.TaskFailed({
          eventId: -1,
          timestamp: now,
          taskScheduledId: id,
          reason: `Activity function '${name}' failed: ${call.error}`,
          details: 'stack',
        }),
      );
      // durable-functions' RetryableTask waits on a timer after every failed attempt, the last one included.
      const timer = this.sequence++;
      this.incoming.push(
        new Events.TimerCreated({ eventId: timer, timestamp: now, fireAt: now }),
        new Events.TimerFired({ eventId: -1, timestamp: now, timerId: timer, fireAt: now }),
      );
      if (attempt >= attempts) return;
      id = this.sequence++;
      this.incoming.push(
        new Events.TaskScheduled({ eventId: id, timestamp: now, name, input: JSON.stringify(action.input) }),
      );
    }
  }

  private async runActivity(name: string, input: unknown): Promise<ActivityCall> {
    const activity = this.activities[name];
    if (!activity) throw new Error(`no activity named ${name} is registered`);
    for (let delivery = 1; ; delivery++) {
      const context = new InvocationContextClass({
        invocationId: randomUUID(),
        functionName: name,
        logHandler: (level, ...args) => {
          this.logs.push(`${level}: ${String(args[0])}`);
          this.logLines.push({ level, message: String(args[0]), fields: args[1] });
        },
      });
      const refused = this.options.failDelivery?.({ name, input });
      if (refused !== undefined) {
        const call: ActivityCall = { name, input, outcome: 'failed', error: refused };
        this.calls.push(call);
        return call;
      }
      let call: ActivityCall;
      try {
        const result = await activity(JSON.parse(JSON.stringify(input)) as unknown, context);
        call = { name, input, outcome: 'completed', result: JSON.parse(JSON.stringify(result ?? null)) as unknown };
      } catch (error) {
        call = { name, input, outcome: 'failed', error: error instanceof Error ? error.message : String(error) };
      }
      if (this.options.loseResult?.(call, delivery)) {
        this.calls.push({ ...call, outcome: 'lost' });
        continue;
      }
      this.calls.push(call);
      await this.options.afterActivity?.(call);
      return call;
    }
  }

  /** Reads the failure as the extension does: the state's error becomes the output, its custom status stays. */
  private recordFailure(text: string): void {
    const at = text.indexOf(OUT_OF_PROC_DATA);
    if (at < 0) {
      this.failureMessage = text;
      return;
    }
    const state = JSON.parse(text.slice(at + OUT_OF_PROC_DATA.length)) as { error?: string; customStatus?: unknown };
    this.failureMessage = state.error ?? text.slice(0, at);
    this.customStatus = state.customStatus;
  }

  private continueAsNew(input: unknown): void {
    this.execution += 1;
    this.input = JSON.parse(JSON.stringify(input)) as unknown;
    this.history = [];
    this.sequence = 0;
    this.handled = 0;
    this.start(this.input);
  }

  private inputOf(history: object[]): unknown {
    const started = history.find((event) => (event as { EventType?: number }).EventType === 0) as
      { Input?: string } | undefined;
    return started?.Input === undefined ? undefined : JSON.parse(started.Input);
  }

  private async invoke(history: object[], input: unknown): Promise<OrchestratorState> {
    const trigger = new testing.DurableOrchestrationInput(this.options.instanceId, history, input);
    const context = new testing.DummyOrchestrationContext(
      this.options.orchestrationName,
      randomUUID(),
      () => undefined,
    );
    return this.orchestrator(trigger, context);
  }
}
