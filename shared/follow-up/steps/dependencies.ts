/** What the follow-up's steps (the activities) need; built once in the composition root. */
import type { TargetConfig } from '../../config/schema/schema.js';
import type { CitusTarget } from '../../kinds/registry.js';
import { kindOf } from '../../kinds/registry.js';
import type { ScaleTarget } from '../../targets/scale-target.port.js';
import type { TargetDirectory } from '../../targets/target-directory.js';
import type { StateStore } from '../../state/state-store.port.js';
import type { Logger } from '../../logging.js';
import type { ClusterAccess } from '../cluster-access.js';
import { FollowUpProgressStore, type FollowUpProgressDocument } from '../progress.js';
import { NotFoundError, ScalerError } from '../../vocabulary/errors.js';

export interface FollowUpDependencies {
  targets: TargetDirectory;
  state: StateStore;
  cluster: ClusterAccess;
  clock: () => Date;
  log: Logger;
  /** How long to wait for the coordinator to see server parameters ARM has applied (default 30 s). */
  settingsVisibleWithinMs?: number | undefined;
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Helpers every step uses. */
export class StepContext {
  readonly progress: FollowUpProgressStore;

  constructor(readonly deps: FollowUpDependencies) {
    this.progress = new FollowUpProgressStore(deps.state);
  }

  target(name: string): TargetConfig {
    const target = this.deps.targets.find(name);
    if (!target) throw new NotFoundError(`target "${name}" is not in the config any more; its follow-up cannot go on`);
    return target;
  }

  /** The target, where its kind runs the Citus steps after a scale-out (an elastic cluster). */
  citusTarget(name: string): CitusTarget {
    const configured = this.target(name);
    const target = kindOf(configured).citusTarget(configured);
    if (!target) throw new ScalerError('internal', `target "${name}" is a ${configured.kind}, not an elastic cluster`);
    return target;
  }

  scaleTarget(name: string): ScaleTarget {
    return this.deps.targets.scaleTargetOf({ name });
  }

  log(target: TargetConfig, operationId: string): Logger {
    return this.deps.log.child({ target: target.name, resourceId: target.resourceId, operationId });
  }

  record(
    target: TargetConfig,
    operationId: string,
    phase: string,
    change: (document: FollowUpProgressDocument) => void = () => undefined,
  ): Promise<FollowUpProgressDocument> {
    return this.progress.update(
      { target: target.name, operationId, kind: target.kind },
      this.deps.clock(),
      (document) => {
        document.phase = phase;
        change(document);
      },
    );
  }

  sleep(ms: number): Promise<void> {
    return (this.deps.sleep ?? ((delay: number) => new Promise<void>((resolve) => setTimeout(resolve, delay))))(ms);
  }
}
