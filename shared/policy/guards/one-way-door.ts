/** Some targets can only grow: Azure does not offer scale-in for elastic clusters. */
import { noteGuard, type Stage } from '../proposal.js';
import { kindDefinition } from '../../kinds/registry.js';

export const oneWayDoorGuard: Stage = (proposal, context) => {
  if (proposal.to >= proposal.from || kindDefinition(context.target.kind).facts.canScaleIn)
    return noteGuard(proposal, 'one-way-door');
  return noteGuard(proposal, 'one-way-door', {
    to: proposal.from,
    reason: 'ScaleInUnsupported',
    message: `not scaling in from ${proposal.from} to ${proposal.to}: Azure does not offer scale-in for elastic clusters (nodes can only be added)`,
  });
};
