/** Pause flags from the config or set at run time through the HTTP API. */
import { noteGuard, type Stage } from '../proposal.js';
import type { RuntimePauses } from '../input.js';

/** A direction is paused when the config or the API pauses it. */
export function mergedPauses(byConfig: RuntimePauses, byApi: RuntimePauses | undefined): RuntimePauses {
  return {
    scaleOut: byConfig.scaleOut || (byApi?.scaleOut ?? false),
    scaleIn: byConfig.scaleIn || (byApi?.scaleIn ?? false),
  };
}

export const pausedGuard: Stage = (proposal, context) => {
  const { from, to } = proposal;
  if (to === from) return noteGuard(proposal, 'paused');
  const direction = to > from ? 'scaleOut' : 'scaleIn';
  const byConfig = context.target.paused[direction];
  if (!mergedPauses(context.target.paused, context.paused)[direction]) return noteGuard(proposal, 'paused');
  const label = direction === 'scaleOut' ? 'scale-out' : 'scale-in';
  return noteGuard(proposal, 'paused', {
    to: from,
    reason: 'Paused',
    message: `${label} is paused ${byConfig ? 'in the config' : 'through the API'}; not going from ${from} to ${to}`,
  });
};
