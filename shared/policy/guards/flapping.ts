/**
 * Flapping projection, as Azure Monitor autoscale does it: before scaling in, estimate each scale-out signal at
 * the smaller capacity by spreading the same load over fewer units (value x from / to). Shrink the step until no
 * scale-out signal would fire, or skip the scale-in. An operator's explicit request is not second-guessed.
 */
import { noteGuard, unitsOf, type ProjectableSignal, type Proposal, type Stage } from '../proposal.js';

export const flappingGuard: Stage = (proposal, context) => {
  const { from, to } = proposal;
  if (to >= from || context.request?.source === 'manual' || proposal.origin === 'limits')
    return noteGuard(proposal, 'flapping');

  const blind = proposal.signals.filter(
    (signal) => signal.direction === 'out' && signal.status !== 'ok' && !signal.notReported,
  );
  if (blind.length > 0) {
    return noteGuard(proposal, 'flapping', {
      to: from,
      reason: 'FlappingAvoided',
      message: `not scaling in: cannot project ${blind.map((signal) => signal.name).join(', ')} without data`,
    });
  }
  for (let candidate = to; candidate < from; candidate += 1) {
    if (!wouldFireAt(proposal, candidate)) {
      return candidate === to
        ? withProjection(noteGuard(proposal, 'flapping'), to)
        : reduced(proposal, candidate, context.target);
    }
  }
  const hottest = proposal.projectable
    .map((signal) => `${signal.name} ${project(signal, from, from - 1).toFixed(1)} > ${signal.threshold}`)
    .join(', ');
  return withProjection(
    noteGuard(proposal, 'flapping', {
      to: from,
      reason: 'FlappingAvoided',
      message: `not scaling in: even one unit fewer would make a scale-out signal fire (${hottest})`,
    }),
    from - 1,
  );
};

function project(signal: ProjectableSignal, from: number, to: number): number {
  return (signal.value * from) / to;
}

function fires(signal: ProjectableSignal, value: number): boolean {
  return signal.inclusive ? value >= signal.threshold : value > signal.threshold;
}

function wouldFireAt(proposal: Proposal, capacity: number): boolean {
  return proposal.projectable.some((signal) => fires(signal, project(signal, proposal.from, capacity)));
}

function reduced(proposal: Proposal, candidate: number, target: Parameters<typeof unitsOf>[0]): Proposal {
  const message = `${proposal.message}; reduced to ${unitsOf(target, candidate)} because going to ${proposal.to} would make a scale-out signal fire`;
  return withProjection(
    noteGuard(proposal, 'flapping', { to: candidate, reason: 'ScaleInReduced', message }),
    candidate,
  );
}

/** Records the projected values at the capacity finally chosen (or the one refused). */
function withProjection(proposal: Proposal, capacity: number): Proposal {
  const byName = new Map(proposal.projectable.map((signal) => [signal.name, project(signal, proposal.from, capacity)]));
  const signals = proposal.signals.map((signal) => {
    const projected = byName.get(signal.name);
    return projected === undefined ? signal : { ...signal, projectedValue: projected };
  });
  return { ...proposal, signals };
}
