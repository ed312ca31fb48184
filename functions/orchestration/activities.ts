/**
 * The follow-up's activities: each parses its input, runs one step (a use case in shared/follow-up/steps) with
 * the invocation's logger, and returns the result. Failures are thrown as they are: the orchestrator's retry
 * options then apply, and its state machine decides what a step that keeps failing means.
 */
import type { InvocationContext } from '@azure/functions';
import type { Services } from '../composition-root.js';
import { invocationLogger } from '../logging.js';
import type { ActivityContract, ActivityName } from '../../shared/follow-up/activity-contract.js';
import { createFollowUpSteps } from '../../shared/follow-up/steps/index.js';
import { InvalidInputError } from '../../shared/vocabulary/errors.js';

export type ActivityHandler = (input: unknown, context: InvocationContext) => Promise<unknown>;

export function followUpActivityHandler<Name extends ActivityName>(
  name: Name,
  services: () => Promise<Services>,
): ActivityHandler {
  return async (input, context) => {
    const { followUp } = await services();
    const steps = createFollowUpSteps({ ...followUp.dependencies, log: invocationLogger(context) });
    const step = steps[name] as (input: ActivityContract[Name][0]) => Promise<ActivityContract[Name][1]>;
    return step(addressed(name, input) as ActivityContract[Name][0]);
  };
}

/** Every step's input names its target and operation; anything else did not come from the orchestrator. */
function addressed(name: ActivityName, input: unknown): { target: string; operationId: string } {
  const value = input as { target?: unknown; operationId?: unknown } | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.target !== 'string' ||
    typeof value.operationId !== 'string'
  ) {
    throw new InvalidInputError(
      `follow-up activity ${name}: its input has no target and operationId; it must be called by the follow-up orchestrator`,
    );
  }
  return value as { target: string; operationId: string };
}
