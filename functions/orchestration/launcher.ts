/**
 * Starts the follow-up orchestration of an operation through the Durable Functions client, one instance per target
 * with a deterministic id: a launch that finds the instance already running for the same operation adopts it
 * instead of starting a second one. The client comes from the invocation that launches (its `durableClient`
 * input binding), carried here by `withDurableClient`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as df from 'durable-functions';
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import type { FollowUpLauncher } from '../../shared/follow-up.port.js';
import type { FollowUpInstanceReport } from '../../shared/follow-up/reconcile.js';
import type { TargetConfig } from '../../shared/config/schema/schema.js';
import type { OperationRecord } from '../../shared/state/state-store.port.js';
import { followUpInputFor, followUpInstanceId } from '../../shared/follow-up/input.js';
import { ScalerError, TransientError, describeError } from '../../shared/vocabulary/errors.js';
import { FOLLOW_UP_ORCHESTRATION } from './names.js';

export type DurableStarter = Pick<DurableClient, 'getStatus' | 'startNew' | 'terminate'>;

const invocations = new AsyncLocalStorage<InvocationContext>();

/** The binding a function needs so that the follow-ups it launches can start. */
export const durableClientInput = df.input.durableClient();

/** Runs `handler` with its invocation's durable client available to the launcher. */
export function withDurableClient<Trigger, Result>(
  handler: (trigger: Trigger, context: InvocationContext) => Promise<Result>,
) {
  return (trigger: Trigger, context: InvocationContext): Promise<Result> =>
    invocations.run(context, () => handler(trigger, context));
}

/** The durable client of the invocation in progress. */
export function currentDurableClient(): DurableStarter {
  const context = invocations.getStore();
  if (!context) {
    throw new ScalerError(
      'internal',
      'no durable client in this invocation: register the function with extraInputs [durableClientInput] and wrap its handler in withDurableClient; the next timer tick starts the follow-up',
    );
  }
  return df.getClient(context);
}

const ACTIVE = new Set<string>(['Running', 'Pending', 'ContinuedAsNew', 'Suspended']);

export class DurableFollowUpLauncher implements FollowUpLauncher {
  constructor(private readonly client: () => DurableStarter = currentDurableClient) {}

  async launch(target: TargetConfig, operation: OperationRecord): Promise<void> {
    const client = this.client();
    const instanceId = followUpInstanceId(target.name);
    const existing = await statusOf(client, instanceId);
    // Only a live instance is adopted: one that ended (even for this operation) is replaced, so a relaunch runs.
    if (existing && operationOf(existing) === operation.id && ACTIVE.has(existing.runtimeStatus)) return;
    if (existing && ACTIVE.has(existing.runtimeStatus)) {
      throw new TransientError(
        `the follow-up ${instanceId} still runs for operation ${operationOf(existing) ?? 'unknown'}; operation ${operation.id} gets its own once that one ends (the next evaluation tries again)`,
      );
    }
    try {
      await client.startNew(FOLLOW_UP_ORCHESTRATION, { instanceId, input: followUpInputFor(target, operation) });
    } catch (error) {
      // Another launcher won the race: adopt what it started.
      const now = await statusOf(client, instanceId).catch(() => undefined);
      if (now && ACTIVE.has(now.runtimeStatus) && operationOf(now) === operation.id) return;
      throw new TransientError(
        `starting the follow-up ${instanceId} of operation ${operation.id} failed: ${describeError(error)}; the next evaluation tries again`,
        { cause: error },
      );
    }
  }

  async stop(target: TargetConfig, operation: OperationRecord, reason: string): Promise<void> {
    const client = this.client();
    const instanceId = followUpInstanceId(target.name);
    const status = await statusOf(client, instanceId);
    if (!status || !ACTIVE.has(status.runtimeStatus) || operationOf(status) !== operation.id) return;
    // The client puts the reason into the URL as it is.
    await client.terminate(instanceId, encodeURIComponent(reason.slice(0, 200)));
  }

  /** The instance as the durable client reports it, for the executor's reconcile (shared/follow-up/reconcile.ts). */
  async inspect(target: TargetConfig): Promise<FollowUpInstanceReport | undefined> {
    const instanceId = followUpInstanceId(target.name);
    const status = await statusOf(this.client(), instanceId);
    if (!status) return undefined;
    const updated = new Date(status.lastUpdatedTime);
    return {
      instanceId,
      runtimeStatus: String(status.runtimeStatus),
      operationId: operationOf(status),
      output: status.output,
      customStatus: status.customStatus,
      lastUpdatedAt: Number.isNaN(updated.getTime()) ? undefined : updated,
    };
  }
}

async function statusOf(client: DurableStarter, instanceId: string): Promise<DurableOrchestrationStatus | undefined> {
  try {
    return await client.getStatus(instanceId, { showInput: true });
  } catch (error) {
    if (/HTTP 404/.test(describeError(error))) return undefined;
    throw new TransientError(
      `reading the status of the follow-up ${instanceId} failed: ${describeError(error)}; the next evaluation tries again`,
      { cause: error },
    );
  }
}

/** The operation an instance follows: in its input, or in the state it continued with. */
function operationOf(status: DurableOrchestrationStatus): string | undefined {
  const input = status.input as
    { operationId?: unknown; resume?: { input?: { operationId?: unknown } } } | null | undefined;
  const id = input?.operationId ?? input?.resume?.input?.operationId;
  return typeof id === 'string' ? id : undefined;
}
