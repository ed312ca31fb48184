/**
 * A profile that holds a fixed instance count (Azure Monitor's "scale to a specific instance count"): capacity
 * goes to the count in one operation, like a pull back inside the limits, and stays there. Guards still apply:
 * cooldowns, pauses, dry-run, and the one-way door (an elastic cluster above the count keeps its nodes).
 */
import { type PolicyContext, type Proposal, unitsOf } from './proposal.js';

export function proposeInstanceCount(context: PolicyContext, count: number): Proposal {
  const from = context.observed.capacity;
  const to = Math.min(context.bounds.max, Math.max(context.bounds.min, count));
  const base = {
    from,
    to,
    origin: 'schedule' as const,
    signals: [],
    projectable: [],
    guards: [],
    metricsUnavailable: false,
  };
  const profile = `profile "${context.profile.name}" holds ${unitsOf(context.target, count)}`;
  const narrowed = to === count ? '' : ` (the service allows ${unitsOf(context.target, to)})`;
  if (to === from)
    return { ...base, reason: 'AtScheduledInstanceCount', message: `${profile}${narrowed}, which the target has` };
  const verb = to > from ? 'scaling out' : 'scaling in';
  return {
    ...base,
    reason: 'ScheduledInstanceCount',
    message: `${profile}${narrowed}; ${verb} from ${from} to ${unitsOf(context.target, to)}`,
  };
}
