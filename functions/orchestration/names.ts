/** Function names of the follow-up, as the Durable Functions extension knows them. */
import type { ActivityName } from '../../shared/follow-up/activity-contract.js';

export const FOLLOW_UP_ORCHESTRATION = 'followUpOrchestrator';

export function activityFunctionName(name: ActivityName): string {
  return `followUp_${name}`;
}
