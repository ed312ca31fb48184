/**
 * Registers the follow-up with the Durable Functions extension: the orchestrator and one activity per step.
 * `functions/register.ts` calls this with `df.app`; tests pass a host that keeps what was registered.
 */
import type * as df from 'durable-functions';
import type { Services } from '../composition-root.js';
import { ACTIVITY_NAMES } from '../../shared/follow-up/activity-contract.js';
import { followUpOrchestrator } from './orchestrator.js';
import { followUpActivityHandler } from './activities.js';
import { activityFunctionName, FOLLOW_UP_ORCHESTRATION } from './names.js';

export type DurableHost = Pick<typeof df.app, 'orchestration' | 'activity'>;

export function registerFollowUpFunctions(durable: DurableHost, services: () => Promise<Services>): void {
  durable.orchestration(FOLLOW_UP_ORCHESTRATION, followUpOrchestrator);
  for (const name of ACTIVITY_NAMES) {
    durable.activity(activityFunctionName(name), { handler: followUpActivityHandler(name, services) });
  }
}
