/** One operation at a time: ARM updates and our own follow-up (a rebalance) must finish before the next. */
import { noteGuard, type Stage } from '../proposal.js';

export const inProgressGuard: Stage = (proposal, context) => {
  if (proposal.to === proposal.from) return noteGuard(proposal, 'in-progress');
  const running = context.observed.operationInProgress?.description ?? unfinishedOperation(context.history);
  if (!running) return noteGuard(proposal, 'in-progress');
  return noteGuard(proposal, 'in-progress', {
    to: proposal.from,
    reason: 'OperationInProgress',
    message: `not changing capacity while ${running} (wanted ${proposal.from} -> ${proposal.to})`,
  });
};

function unfinishedOperation(history: Parameters<Stage>[1]['history']): string | undefined {
  for (const operation of [history.unfinished, history.lastScaleOut, history.lastScaleIn]) {
    if (operation && operation.completedAt === undefined)
      return `the scale-${operation.direction} ${operation.from} -> ${operation.to} is still in progress`;
  }
  return undefined;
}
