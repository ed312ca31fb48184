/**
 * The one place a target is looked up by name: its config, and the scale target (the ARM adapter) built for it.
 * Every use case, the follow-up's steps and the HTTP handlers ask here.
 */
import type { ScalerConfig, TargetConfig } from '../config/schema/schema.js';
import type { ScaleTarget } from './scale-target.port.js';
import { NotFoundError, ScalerError } from '../vocabulary/errors.js';

export class TargetDirectory {
  private readonly byName: ReadonlyMap<string, TargetConfig>;

  constructor(
    config: Pick<ScalerConfig, 'targets'>,
    private readonly scaleTargets: ReadonlyMap<string, ScaleTarget>,
  ) {
    this.all = config.targets;
    this.byName = new Map(config.targets.map((target) => [target.name, target]));
  }

  /** Every configured target, in config order. */
  readonly all: readonly TargetConfig[];

  find(name: string): TargetConfig | undefined {
    return this.byName.get(name);
  }

  /** The target an operator or an alert named; a name not in the config is a 404 that says where to look. */
  named(name: string): TargetConfig {
    const target = this.find(name);
    // The answer never lists the configured targets: a caller who may read them asks GET /api/targets.
    if (!target)
      throw new NotFoundError(
        `target ${JSON.stringify(name.slice(0, 80))} is not configured; check the name (GET /api/targets lists the targets)`,
      );
    return target;
  }

  /** The adapter that reads and scales the target's resource; one is built for every configured target. */
  scaleTargetOf(target: Pick<TargetConfig, 'name'>): ScaleTarget {
    const scaleTarget = this.scaleTargets.get(target.name);
    if (!scaleTarget) throw new ScalerError('internal', `no scale target was built for target "${target.name}"`);
    return scaleTarget;
  }
}
