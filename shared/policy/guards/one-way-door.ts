/** Some targets can only grow: Azure does not offer scale-in for elastic clusters. */
import { KIND_FACTS } from '../../vocabulary/kinds.js';
import { noteGuard, type Stage } from '../proposal.js';

export const oneWayDoorGuard: Stage = (proposal, context) => {
  if (proposal.to >= proposal.from || KIND_FACTS[context.target.kind].canScaleIn)
    return noteGuard(proposal, 'one-way-door');
  return noteGuard(proposal, 'one-way-door', {
    to: proposal.from,
    reason: 'ScaleInUnsupported',
    message: `not scaling in from ${proposal.from} to ${proposal.to}: Azure does not offer scale-in for elastic clusters (nodes can only be added)`,
  });
};
