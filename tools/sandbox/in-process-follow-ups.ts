/**
 * The sandbox's follow-up: the same pure state machine the durable orchestrator interprets, and the same registered
 * activity handlers, run in this process. Timers and retry back-off wait on the sandbox's clock. It keeps the
 * promise the launcher contract asks for: one follow-up per target, a second launch for the same operation adopts
 * the running one. What it does not give is durability: a restart of the sandbox forgets running follow-ups.
 */
import { randomUUID } from 'node:crypto';
import functions from '@azure/functions';
import type { FollowUpLauncher } from '../../shared/follow-up.port.js';
import type { TargetConfig } from '../../shared/config/schema/schema.js';
import type { OperationRecord } from '../../shared/state/state-store.port.js';
import { followUpInputFor, followUpInstanceId, type FollowUpInput } from '../../shared/follow-up/input.js';
import {
  afterActivity,
  afterActivityFailure,
  afterTimer,
  nextCommand,
  startFollowUp,
} from '../../shared/follow-up/machine.js';
import type { ActivityCall, FollowUpResult, FollowUpState } from '../../shared/follow-up/machine-state.js';
import { TransientError } from '../../shared/vocabulary/errors.js';
import { activityRetryOptions, failureMessage } from '../../functions/orchestration/orchestrator.js';
import { activityFunctionName } from '../../functions/orchestration/names.js';
import type { ActivityHandler } from '../../functions/orchestration/activities.js';
import type { InvocationLogHandler } from './local-host.js';
import type { SandboxClock } from './sandbox-clock.js';

const { InvocationContext } = functions;

export interface FinishedFollowUp {
  result: FollowUpResult;
  state: FollowUpState;
}

export interface InProcessFollowUpOptions {
  clock: SandboxClock;
  /** The registered activity handlers, by function name (`followUp_checkArm`, ...). */
  activity: (functionName: string) => ActivityHandler | undefined;
  logHandler: InvocationLogHandler;
}

export class InProcessFollowUps implements FollowUpLauncher {
  readonly finished: FinishedFollowUp[] = [];
  readonly #running = new Map<string, { operationId: string; done: Promise<void> }>();
  #changed: Array<() => void> = [];

  constructor(private readonly options: InProcessFollowUpOptions) {}

  launch(target: TargetConfig, operation: OperationRecord): Promise<void> {
    const instanceId = followUpInstanceId(target.name);
    const running = this.#running.get(instanceId);
    if (running?.operationId === operation.id) return Promise.resolve();
    if (running) {
      return Promise.reject(
        new TransientError(
          `the follow-up ${instanceId} still runs for operation ${running.operationId}; operation ${operation.id} gets its own once that one ends (the next evaluation tries again)`,
        ),
      );
    }
    const done = this.run(instanceId, followUpInputFor(target, operation)).finally(() => {
      this.#running.delete(instanceId);
      this.notify();
    });
    this.#running.set(instanceId, { operationId: operation.id, done });
    return Promise.resolve();
  }

  get runningCount(): number {
    return this.#running.size;
  }

  /** Resolves once every running follow-up waits on the clock (or none runs): time may move on. */
  whenWaiting(): Promise<void> {
    if (this.isQuiet()) return Promise.resolve();
    return new Promise((resolve) => this.#changed.push(resolve));
  }

  /** Resolves once every follow-up running now has ended (used when the sandbox stops). */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.#running.values()].map((run) => run.done));
  }

  private isQuiet(): boolean {
    return this.#running.size <= this.options.clock.waiting;
  }

  private notify(): void {
    if (!this.isQuiet()) return;
    const waiting = this.#changed;
    this.#changed = [];
    for (const resolve of waiting) resolve();
  }

  private async waitUntil(time: Date): Promise<void> {
    const reached = this.options.clock.until(time);
    this.notify();
    await reached;
  }

  private async run(instanceId: string, input: FollowUpInput): Promise<void> {
    const { clock } = this.options;
    let state = startFollowUp(input, clock.now());
    for (;;) {
      const command = nextCommand(state, clock.now());
      if (command.kind === 'complete') {
        this.finished.push({ result: command.result, state });
        return;
      }
      if (command.kind === 'fail') {
        // As a Failed orchestration would: the outcome could not be recorded; the next evaluation reconciles.
        this.options.logHandler('error', `follow-up ${instanceId} failed: ${command.message}`);
        this.finished.push({ result: command.result, state });
        return;
      }
      if (command.kind === 'continue-as-new') {
        state = command.state;
      } else if (command.kind === 'timer') {
        await this.waitUntil(new Date(command.fireAt));
        state = afterTimer(state);
      } else {
        state = await this.runActivity(instanceId, state, command);
      }
    }
  }

  private async runActivity(instanceId: string, state: FollowUpState, command: ActivityCall): Promise<FollowUpState> {
    const { clock } = this.options;
    try {
      const result = await this.callWithRetry(instanceId, command);
      return afterActivity(state, command, result, clock.now());
    } catch (error) {
      return afterActivityFailure(state, command, failureMessage(error), clock.now());
    }
  }

  /** The orchestrator's retry options, with the back-off waited on the sandbox's clock. */
  private async callWithRetry(instanceId: string, command: ActivityCall): Promise<unknown> {
    const retry = activityRetryOptions();
    const functionName = activityFunctionName(command.name);
    const handler = this.options.activity(functionName);
    if (!handler) throw new Error(`sandbox follow-up: no activity ${functionName} is registered`);
    let delayMs = retry.firstRetryIntervalInMilliseconds;
    for (let attempt = 1; ; attempt += 1) {
      const context = new InvocationContext({
        invocationId: randomUUID(),
        functionName,
        logHandler: this.options.logHandler,
      });
      try {
        return await handler(command.input, context);
      } catch (error) {
        if (attempt >= retry.maxNumberOfAttempts) throw error;
        this.options.logHandler(
          'warn',
          `${instanceId}: ${functionName} attempt ${attempt} failed, retrying: ${failureMessage(error)}`,
        );
        await this.waitUntil(new Date(this.options.clock.nowMs() + delayMs));
        delayMs = Math.min(delayMs * retry.backoffCoefficient, retry.maxRetryIntervalInMilliseconds);
      }
    }
  }
}
