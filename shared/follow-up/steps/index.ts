/**
 * The follow-up's steps by activity name: what functions/orchestration registers as Durable activities. Each
 * step is a use case here in shared/; the activity wrapper only parses and logs.
 */
import type { ActivityContract, ActivityName } from '../activity-contract.js';
import { StepContext, type FollowUpDependencies } from './dependencies.js';
import { checkArm, finish } from './arm-steps.js';
import { inspectNodes, reconcileConnections } from './cluster-steps.js';
import {
  checkControl,
  pollRebalance,
  preflight,
  raiseExecutors,
  restoreExecutors,
  startRebalance,
} from './rebalance-steps.js';

export type FollowUpSteps = {
  [Name in ActivityName]: (input: ActivityContract[Name][0]) => Promise<ActivityContract[Name][1]>;
};

export function createFollowUpSteps(deps: FollowUpDependencies): FollowUpSteps {
  const context = new StepContext(deps);
  return {
    checkArm: (input) => checkArm(context, input),
    inspectNodes: (input) => inspectNodes(context, input),
    reconcileConnections: (input) => reconcileConnections(context, input),
    preflight: (input) => preflight(context, input),
    raiseExecutors: (input) => raiseExecutors(context, input),
    startRebalance: (input) => startRebalance(context, input),
    pollRebalance: (input) => pollRebalance(context, input),
    checkControl: (input) => checkControl(context, input),
    restoreExecutors: (input) => restoreExecutors(context, input),
    finish: (input) => finish(context, input),
  };
}

export type { FollowUpDependencies };
