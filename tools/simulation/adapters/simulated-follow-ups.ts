/**
 * The `FollowUpLauncher` port for the simulation: it plays the durable follow-up's part. The executor launches
 * it once ARM accepted an update; when the model says the operation's effect is complete (ARM done, and for an
 * elastic cluster the rebalance done), it moves the operation to `succeeded` at that minute, which is when the
 * product's follow-up ends it and the cooldown starts.
 */
import type { TargetConfig } from '../../../shared/config/schema/schema.js';
import type { FollowUpLauncher } from '../../../shared/follow-up.port.js';
import type { OperationRecord, StateStore } from '../../../shared/state/state-store.port.js';
import type { SettledOperation } from '../model/cluster-model.js';
import { MINUTE_MS } from '../trace.js';
import { modelOperationOf } from './simulated-scale-target.js';
import { simulationOf } from '../kinds/registry.js';

export class SimulatedFollowUps implements FollowUpLauncher {
  private readonly launched = new Map<number, { target: string; operationId: string; kind: TargetConfig['kind'] }>();

  constructor(
    private readonly state: StateStore,
    private readonly startMs: number,
  ) {}

  async launch(target: TargetConfig, operation: OperationRecord): Promise<void> {
    const modelOperation = modelOperationOf(operation.arm.resumeToken);
    if (modelOperation === undefined)
      throw new Error(`simulated follow-up: operation ${operation.id} has no simulated resume token`);
    this.launched.set(modelOperation, { target: target.name, operationId: operation.id, kind: target.kind });
  }

  /** Ends the operations whose effect completed, at the minute it did. */
  async complete(settled: readonly SettledOperation[]): Promise<void> {
    for (const { operationId, minute } of settled) {
      const launched = this.launched.get(operationId);
      if (!launched) continue;
      this.launched.delete(operationId);
      const message = simulationOf(launched.kind).completionMessage;
      await this.state.updateOperationStatus(launched.target, launched.operationId, {
        status: 'succeeded',
        at: new Date(this.startMs + minute * MINUTE_MS),
        message,
      });
    }
  }
}
