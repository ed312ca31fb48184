import type { Decision } from '../policy/decision.js';
import type { OperationRecord } from '../state/state-store.port.js';
import type { ErrorCategory } from '../vocabulary/errors.js';

/** What happened to one target in one evaluation: the answer of every acting use case. */
export interface TargetOutcome {
  target: string;
  resourceId: string;
  decisionId?: string | undefined;
  decision?: Decision | undefined;
  /** The operation this evaluation started, if it started one. */
  operation?: OperationRecord | undefined;
  acted: boolean;
  /** Set when the target could not be evaluated; nothing was changed. */
  error?: { category: ErrorCategory; message: string } | undefined;
}

export interface TickReport {
  now: Date;
  outcomes: TargetOutcome[];
}
