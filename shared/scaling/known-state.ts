/**
 * What the state store remembers about a target, as the policy needs it: scale history, recent failures and the
 * pause flags set through the API. Read once per evaluation; an operation the executor itself ends is folded in
 * (`withEnded`) instead of reading back the row it just wrote.
 */
import type { TargetConfig } from '../config/schema/schema.js';
import type {
  FailureHistory,
  FinishedOperation,
  OperationSummary,
  RuntimePauses,
  ScaleHistory,
} from '../policy/input.js';
import type { OperationRecord, StateStore, TargetControls, TargetSummary } from '../state/state-store.port.js';
import { TARGET_SUMMARY_WINDOW, isInFlight } from '../state/state-store.port.js';
import { finishedOperationOf, operationSummaryOf } from '../state/operation-summaries.js';
import type { Logger } from '../logging.js';

export interface KnownState {
  history: ScaleHistory;
  failures: FailureHistory;
  paused: RuntimePauses;
  /** The newest operations (at most OPERATIONS_READ), newest first, as read: the forecast learns its lead time from them. */
  operations?: readonly OperationRecord[] | undefined;
}

/**
 * Operations read for the failure backoff: more than the longest streak it counts (maxConsecutiveFailures <= 20).
 * The same window as the target summaries', so a summary answers exactly what the query would.
 */
export const FAILURE_HISTORY_WINDOW = TARGET_SUMMARY_WINDOW;
/** Operations read per evaluation, in one query: the failure window and the forecast's lead time both come from them. */
export const OPERATIONS_READ = 100;

/** What the caller read for the whole fleet at once: the target's controls and its operations summary. */
export interface FleetKnown {
  controls?: TargetControls | undefined;
  summary?: TargetSummary | undefined;
  /** The fleet's summaries were read and this target had none: write it now, so the next tick finds it. */
  summaryMissing?: boolean | undefined;
}

/**
 * The target's known state: from its operations summary when the caller read the fleet's (written now when the
 * target has none yet), otherwise from one
 * query of its newest operations (the scale history derived from them, and read on its own only when an operation
 * it names may be older than those read); plus its controls (pause flags, failure reset), given or read here.
 */
export async function loadKnownState(
  state: StateStore,
  target: TargetConfig,
  now: Date,
  log: Logger,
  fleet: FleetKnown = {},
): Promise<KnownState> {
  const [fromOperations, { pauses, failureReset }] = await Promise.all([
    fromSummaryOrOperations(state, target.name, fleet),
    fleet.controls ? Promise.resolve(fleet.controls) : readControls(state, target.name),
  ]);
  const { history, recent, operations } = fromOperations;
  return {
    history: await withoutFutureCompletions(state, target, now, log, history),
    failures: failureReset === undefined ? { recent } : { recent, resetAt: failureReset.resetAt },
    paused: { scaleOut: pauses?.scaleOut ?? false, scaleIn: pauses?.scaleIn ?? false },
    operations,
  };
}

interface FromOperations {
  history: ScaleHistory;
  recent: FinishedOperation[];
  operations?: readonly OperationRecord[] | undefined;
}

async function fromSummaryOrOperations(state: StateStore, target: string, fleet: FleetKnown): Promise<FromOperations> {
  const summary = fleet.summary ?? (fleet.summaryMissing ? await state.ensureTargetSummary(target) : undefined);
  if (summary === undefined) return fromNewestOperations(state, target);
  return { history: summary.history, recent: summary.recentFinished };
}

async function fromNewestOperations(state: StateStore, target: string): Promise<FromOperations> {
  const operations = await state.listOperations(target, OPERATIONS_READ);
  const history = historyOf(operations) ?? (await state.getScaleHistory(target));
  const recent = operations.slice(0, FAILURE_HISTORY_WINDOW).flatMap((operation) => {
    const finished = finishedOperationOf(operation);
    return finished ? [finished] : [];
  });
  return { history, recent, operations };
}

function readControls(state: StateStore, target: string): Promise<TargetControls> {
  return state.getTargetControls(target);
}

/**
 * The scale history as `StateStore.getScaleHistory` defines it, from the newest operations: exact when fewer
 * operations exist than were read, or when each part was found among them; otherwise read on its own.
 */
function historyOf(operations: readonly OperationRecord[]): ScaleHistory | undefined {
  const newest = (matches: (operation: OperationRecord) => boolean) => operations.find(matches);
  const out = newest((operation) => operation.direction === 'out');
  const scaleIn = newest((operation) => operation.direction === 'in');
  const unfinished = newest((operation) => isInFlight(operation.status));
  const complete = operations.length < OPERATIONS_READ || (out && scaleIn && unfinished);
  if (!complete) return undefined;
  return {
    ...(out ? { lastScaleOut: operationSummaryOf(out) } : {}),
    ...(scaleIn ? { lastScaleIn: operationSummaryOf(scaleIn) } : {}),
    ...(unfinished ? { unfinished: operationSummaryOf(unfinished) } : {}),
  };
}

/**
 * The target's scale history, with any completion stamped in the future (by an instance whose clock ran ahead)
 * pulled back to now and stored so: otherwise its cooldown would not start until that clock's future arrived.
 */
async function withoutFutureCompletions(
  state: StateStore,
  target: TargetConfig,
  now: Date,
  log: Logger,
  history: ScaleHistory,
): Promise<ScaleHistory> {
  const inFuture = (operation: OperationSummary | undefined) =>
    operation?.completedAt !== undefined && operation.completedAt.getTime() > now.getTime();
  if (![history.lastScaleOut, history.lastScaleIn].some(inFuture)) return history;
  const clamped = await state.clampFutureCompletions(target.name, now, FAILURE_HISTORY_WINDOW);
  log.log(
    'warn',
    `${clamped} operation(s) had a completion time after this instance's clock (${now.toISOString()}); pulled back to now so cooldowns can end. Check the clocks of the instances writing to this state store`,
    { target: target.name, resourceId: target.resourceId },
  );
  const pulledBack = (operation: OperationSummary | undefined) =>
    operation && inFuture(operation) ? { ...operation, completedAt: now } : operation;
  return withoutUndefined({
    lastScaleOut: pulledBack(history.lastScaleOut),
    lastScaleIn: pulledBack(history.lastScaleIn),
    unfinished: history.unfinished,
  });
}

export function hasUnfinishedOperation(history: ScaleHistory): boolean {
  return [history.unfinished, history.lastScaleOut, history.lastScaleIn].some(
    (operation) => operation !== undefined && operation.completedAt === undefined,
  );
}

/**
 * The known state once the executor has ended `operation` (the newest unfinished one): its summary completes,
 * it stops being unfinished, and the failure backoff counts it. No other operation is in progress beside it: the
 * in-progress guard let none start.
 */
export function withEnded(known: KnownState, operation: OperationRecord): KnownState {
  const summary = operationSummaryOf(operation);
  const last = operation.direction === 'out' ? 'lastScaleOut' : 'lastScaleIn';
  const history: ScaleHistory = withoutUndefined({
    ...known.history,
    [last]: isSameOperation(known.history[last], operation) ? summary : known.history[last],
    unfinished: isSameOperation(known.history.unfinished, operation) ? undefined : known.history.unfinished,
  });
  const finished = finishedOperationOf(operation);
  return {
    ...known,
    history,
    failures: finished
      ? { ...known.failures, recent: newestStartedFirst(known.failures.recent, finished) }
      : known.failures,
  };
}

function isSameOperation(summary: OperationSummary | undefined, operation: OperationRecord): boolean {
  return (
    summary !== undefined &&
    summary.direction === operation.direction &&
    summary.from === operation.from &&
    summary.to === operation.to &&
    summary.startedAt.getTime() === operation.startedAt.getTime()
  );
}

function newestStartedFirst(recent: readonly FinishedOperation[], finished: FinishedOperation): FinishedOperation[] {
  const index = recent.findIndex((operation) => operation.startedAt.getTime() < finished.startedAt.getTime());
  return index === -1 ? [...recent, finished] : [...recent.slice(0, index), finished, ...recent.slice(index)];
}

function withoutUndefined(history: { [K in keyof ScaleHistory]: OperationSummary | undefined }): ScaleHistory {
  return Object.fromEntries(Object.entries(history).filter(([, operation]) => operation !== undefined)) as ScaleHistory;
}
