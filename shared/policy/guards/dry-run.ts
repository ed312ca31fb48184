/** Dry-run targets decide and record everything, but never act. The ledger keeps what would have happened. */
import { noteGuard, type Stage } from '../proposal.js';

export const dryRunGuard: Stage = (proposal, context) => {
  if (!context.target.dryRun || proposal.to === proposal.from) return noteGuard(proposal, 'dry-run');
  return noteGuard(proposal, 'dry-run', {
    to: proposal.from,
    reason: 'DryRun',
    message: `dry run: would have gone from ${proposal.from} to ${proposal.to} (${proposal.reason}: ${proposal.message})`,
  });
};
