import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../shared/vocabulary/errors.js';
import type { DecisionEvidence } from '../../../shared/policy/decision.js';
import { fitEvidence, jsonOrPreview, jsonWithinLimit, shortenMessage } from '../../../shared/state/json-fit.js';
import { decisionFixture } from './state-store.contract.js';

function evidenceWith(signals: number, guards: number): DecisionEvidence {
  const evidence = decisionFixture({ signals }).evidence;
  evidence.guards = Array.from({ length: guards }, (_, index) => ({
    guard: `guard-${index}`,
    verdict: 'passed',
    detail: 'd'.repeat(200),
  }));
  return evidence;
}

describe('fitEvidence', () => {
  it('keeps evidence that fits untouched', () => {
    const evidence = evidenceWith(5, 2);

    expect(fitEvidence(evidence, 100_000)).toEqual({ text: JSON.stringify(evidence) });
  });

  it('cuts signals and guard notes from the end until the evidence fits, and reports the cut', () => {
    const evidence = evidenceWith(200, 100);

    const fitted = fitEvidence(evidence, 20_000);
    const stored = JSON.parse(fitted.text) as DecisionEvidence;

    expect(fitted.text.length).toBeLessThanOrEqual(20_000);
    expect(fitted.trim).toMatchObject({
      signalsTotal: 200,
      guardsTotal: 100,
      originalChars: JSON.stringify(evidence).length,
      storedChars: fitted.text.length,
    });
    expect(stored.signals).toEqual(evidence.signals.slice(0, fitted.trim?.signalsKept));
    expect(stored.guards).toEqual(evidence.guards.slice(0, fitted.trim?.guardsKept));
    expect(stored.proposal).toEqual(evidence.proposal);
    expect(stored.limits).toEqual(evidence.limits);
  });

  it('refuses evidence whose fixed parts alone are too large', () => {
    const evidence = evidenceWith(1, 0);
    evidence.proposal.message = 'm'.repeat(5_000);

    expect(() => fitEvidence(evidence, 1_000)).toThrow(InvalidInputError);
  });
});

describe('jsonWithinLimit', () => {
  it('refuses values JSON cannot carry and documents over the limit', () => {
    expect(() => jsonWithinLimit(() => 1, 'progress')).toThrow(/progress: cannot be stored as JSON/);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => jsonWithinLimit(cyclic, 'progress')).toThrow(InvalidInputError);
    expect(() => jsonWithinLimit('x'.repeat(50), 'progress', 10)).toThrow(/more than the 10 one stored row can hold/);
  });
});

describe('jsonOrPreview', () => {
  it('replaces an oversized document by a marked preview', () => {
    const text = jsonOrPreview({ payload: 'p'.repeat(10_000) }, 'summary', 5_000);

    const stored = JSON.parse(text) as Record<string, unknown>;
    expect(stored).toMatchObject({ $trimmed: true, originalChars: 10_014 });
    expect(String(stored['preview'])).toHaveLength(2_000);
  });
});

describe('shortenMessage', () => {
  it('keeps short messages and marks how much of a long one was cut', () => {
    expect(shortenMessage('Conflict')).toBe('Conflict');
    expect(shortenMessage('e'.repeat(4_010))).toBe(`${'e'.repeat(4_000)} ...[10 characters trimmed]`);
  });
});
