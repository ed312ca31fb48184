import { InvalidInputError } from '../vocabulary/errors.js';
import type { DecisionEvidence } from '../policy/decision.js';
import { MAX_JSON_DOCUMENT_CHARS } from './entity-fields.js';
import type { EvidenceTrim } from './state-store.port.js';

/**
 * Turning documents into JSON that fits in one entity. Three policies, one per kind of document:
 * keep whole or refuse (follow-up progress, operation history), keep a preview (alert payload summaries), and
 * cut the evidence lists (decision evidence, which must always be recorded).
 */

/** The JSON text of `value`; refuses values JSON cannot represent. */
export function toJsonText(value: unknown, field: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidInputError(
      `${field}: cannot be stored as JSON (${error instanceof Error ? error.message : String(error)}); pass plain data`,
    );
  }
  if (text === undefined)
    throw new InvalidInputError(`${field}: cannot be stored as JSON (it is ${typeof value}); pass plain data`);
  return text;
}

export function jsonWithinLimit(value: unknown, field: string, maxChars: number = MAX_JSON_DOCUMENT_CHARS): string {
  const text = toJsonText(value, field);
  if (text.length > maxChars) {
    throw new InvalidInputError(
      `${field}: ${text.length} characters of JSON is more than the ${maxChars} one stored row can hold; store less`,
    );
  }
  return text;
}

export const TRIMMED_MARKER = '$trimmed';
const PREVIEW_CHARS = 2_000;

/** The JSON text, or a small marker object with a preview when the text is longer than `maxChars`. */
export function jsonOrPreview(value: unknown, field: string, maxChars: number): string {
  const text = toJsonText(value, field);
  if (text.length <= maxChars) return text;
  return JSON.stringify({ [TRIMMED_MARKER]: true, originalChars: text.length, preview: text.slice(0, PREVIEW_CHARS) });
}

export interface FittedEvidence {
  text: string;
  trim?: EvidenceTrim | undefined;
}

/**
 * The evidence as JSON, cutting signals and guard notes from the end (halving the larger list each round)
 * until it fits. The scalar parts (mode, limits, proposal) are always kept.
 */
export function fitEvidence(evidence: DecisionEvidence, maxChars: number = MAX_JSON_DOCUMENT_CHARS): FittedEvidence {
  const full = toJsonText(evidence, 'decision.evidence');
  if (full.length <= maxChars) return { text: full };
  let signalsKept = evidence.signals.length;
  let guardsKept = evidence.guards.length;
  for (;;) {
    if (signalsKept === 0 && guardsKept === 0) {
      throw new InvalidInputError(
        `decision.evidence: ${full.length} characters of JSON do not fit in one ledger row even without signals and guard notes; shorten its messages`,
      );
    }
    const signalChars = JSON.stringify(evidence.signals.slice(0, signalsKept)).length;
    const guardChars = JSON.stringify(evidence.guards.slice(0, guardsKept)).length;
    if (signalChars >= guardChars) signalsKept = Math.floor(signalsKept / 2);
    else guardsKept = Math.floor(guardsKept / 2);
    const cut = {
      ...evidence,
      signals: evidence.signals.slice(0, signalsKept),
      guards: evidence.guards.slice(0, guardsKept),
    };
    const text = JSON.stringify(cut);
    if (text.length <= maxChars) {
      const trim: EvidenceTrim = {
        originalChars: full.length,
        storedChars: text.length,
        signalsKept,
        signalsTotal: evidence.signals.length,
        guardsKept,
        guardsTotal: evidence.guards.length,
      };
      return { text, trim };
    }
  }
}

const MAX_MESSAGE_CHARS = 4_000;

/** Operation messages quote ARM errors, which can be long; keep the start and say what was cut. */
export function shortenMessage(message: string): string {
  if (message.length <= MAX_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_MESSAGE_CHARS)} ...[${message.length - MAX_MESSAGE_CHARS} characters trimmed]`;
}
