/** Pause flags from the config or set at run time through the HTTP API. */
import { noteGuard, type Stage } from '../proposal.js';

export const pausedGuard: Stage = (proposal, context) => {
  const { from, to } = proposal;
  if (to === from) return noteGuard(proposal, 'paused');
  const direction = to > from ? 'scaleOut' : 'scaleIn';
  const byConfig = context.target.paused[direction];
  if (!byConfig && !context.paused[direction]) return noteGuard(proposal, 'paused');
  const label = direction === 'scaleOut' ? 'scale-out' : 'scale-in';
  return noteGuard(proposal, 'paused', {
    to: from,
    reason: 'Paused',
    message: `${label} is paused ${byConfig ? 'in the config' : 'through the API'}; not going from ${from} to ${to}`,
  });
};
