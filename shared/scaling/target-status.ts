/**
 * The read side: what an operator sees of a target (`GET /api/targets[/{name}]`) and of an operation
 * (`GET /api/operations/{id}`). Effective limits, cooldowns left and merged pauses come from the policy's own
 * functions, so the status always says what the guards would apply.
 */
import type { TargetConfig } from '../config/schema/schema.js';
import { effectiveBounds, profileEvidence } from '../policy/decide.js';
import type { ProfileEvidence } from '../policy/decision.js';
import { activeProfile, targetUnderProfile } from '../policy/schedule.js';
import { cooldownStatus, type CooldownStatus } from '../policy/guards/cooldown.js';
import { mergedPauses } from '../policy/guards/paused.js';
import type { RuntimePauses, ScaleHistory } from '../policy/input.js';
import type { DecisionRecord, FollowUpProgress, OperationRecord, PauseState } from '../state/state-store.port.js';
import type { LiveTargetState } from '../targets/scale-target.port.js';
import { mapWithConcurrency } from '../concurrency.js';
import type { ScalingDependencies } from './dependencies.js';
import { toError } from './evaluation.js';

/** Which directions are paused, and by whom: the config, the API, or both. */
export interface TargetPauses extends RuntimePauses {
  byConfig: RuntimePauses;
  /** Pause flags set through the API; undefined when never set. */
  byApi: PauseState | undefined;
}

export interface TargetStatus {
  target: TargetConfig;
  /** When the status was taken. */
  now: Date;
  /** The live resource, or why it could not be read. */
  live: LiveTargetState | Error;
  /** The active profile's limits narrowed by the service bounds of the live resource; undefined while it cannot be read. */
  effectiveLimits: { min: number; max: number; default: number } | undefined;
  /** The schedule profile in force now, what it does, and every profile's name. */
  schedule: ScheduleStatus;
  pauses: TargetPauses;
  cooldown: CooldownStatus;
  history: ScaleHistory;
  operationInProgress: OperationRecord | undefined;
  /** Newest first. */
  decisions: DecisionRecord[];
}

export interface ScheduleStatus extends ProfileEvidence {
  mode: TargetConfig['mode'] | 'instance-count';
  limits: TargetConfig['limits'];
  profiles: string[];
}

/** An operation found by its id, with the progress its follow-up reported (e.g. the Citus rebalance). */
export interface OperationLookup {
  operation: OperationRecord;
  followUp?: FollowUpProgress | undefined;
}

export function targetPauses(target: TargetConfig, byApi: PauseState | undefined): TargetPauses {
  return {
    ...mergedPauses(target.paused, byApi),
    byConfig: { scaleOut: target.paused.scaleOut, scaleIn: target.paused.scaleIn },
    byApi,
  };
}

export class TargetQueries {
  constructor(private readonly deps: ScalingDependencies) {}

  /** One target as an operator sees it, with its `decisions` newest ledger entries. */
  statusOf(name: string, decisions: number): Promise<TargetStatus> {
    return this.status(this.deps.targets.named(name), decisions);
  }

  /** Every configured target, in config order; a target whose resource cannot be read says why in `live`. */
  statusOfAll(decisions: number): Promise<TargetStatus[]> {
    return mapWithConcurrency(this.deps.targets.all, this.deps.options.concurrency, (target) =>
      this.status(target, decisions),
    );
  }

  async findOperation(operationId: string): Promise<OperationLookup | undefined> {
    const operation = await this.deps.state.findOperation(operationId);
    if (!operation) return undefined;
    return { operation, followUp: await this.deps.state.getFollowUpProgress(operation.target, operation.id) };
  }

  private async status(target: TargetConfig, decisions: number): Promise<TargetStatus> {
    const { state } = this.deps;
    const [live, pauses, history, operationInProgress, recent] = await Promise.all([
      this.deps.targets.scaleTargetOf(target).read().catch(toError),
      state.getPauses(target.name),
      state.getScaleHistory(target.name),
      state.getOperationInProgress(target.name),
      decisions > 0 ? state.listDecisions(target.name, decisions) : Promise.resolve([]),
    ]);
    const now = this.deps.clock();
    const profile = activeProfile(target, now.getTime());
    return {
      target,
      now,
      live,
      history,
      operationInProgress,
      decisions: recent,
      effectiveLimits:
        live instanceof Error
          ? undefined
          : effectiveBounds({ target: targetUnderProfile(target, profile), observed: live }),
      schedule: {
        ...profileEvidence(profile),
        mode: profile.settings.instanceCount === undefined ? profile.settings.mode : 'instance-count',
        limits: profile.settings.limits,
        profiles: target.profiles.map((entry) => entry.name),
      },
      pauses: targetPauses(target, pauses),
      cooldown: cooldownStatus({ target, history, nowMs: now.getTime() }),
    };
  }
}
