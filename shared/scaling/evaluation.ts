/**
 * One evaluation of one target as a single value: who asked, when, and everything `decide()` reads. Inputs are
 * gathered in one place (`EvaluationInputs`): the live resource and the state store side by side, then the
 * metrics of every target in a few batched calls. A new input for the policy (a schedule, a forecast, a bulk
 * read) is added here and to `decideInputOf`, nowhere else.
 */
import type { MetricsSnapshot } from '../vocabulary/metric-series.js';
import type { TargetConfig } from '../config/schema/schema.js';
import { isDeepStrictEqual } from 'node:util';
import { decide } from '../policy/decide.js';
import type { Decision, Trigger } from '../policy/decision.js';
import type { DecideInput, ExecutorFacts, ScaleRequest } from '../policy/input.js';
import { requiredMetrics } from '../policy/required-metrics.js';
import type { MetricsRequest } from '../metrics/metrics-source.port.js';
import type { LiveTargetState } from '../targets/scale-target.port.js';
import type { Logger } from '../logging.js';
import { mapWithConcurrency } from '../concurrency.js';
import { loadKnownState, type FleetKnown, type KnownState } from './known-state.js';
import type { ForecastInput } from '../policy/forecast-stage.js';
import type { ForecastSubject } from '../forecasting.js';
import { describeError } from '../vocabulary/errors.js';
import type { ScalingDependencies } from './dependencies.js';
import type { TargetControls, TargetSummary } from '../state/state-store.port.js';

export interface EvaluationContext {
  trigger: Trigger;
  /** Who asked: `timer`, an alert id, an operator. */
  initiator: string;
  request?: ScaleRequest | undefined;
  invocationId?: string | undefined;
  /** The invocation's own logger (e.g. bound to the Functions InvocationContext). */
  log?: Logger | undefined;
}

/** What a decision about one target is made of. */
export interface Evaluation {
  target: TargetConfig;
  now: Date;
  context: EvaluationContext;
  /** Bound to the target and the invocation. */
  log: Logger;
  live: LiveTargetState;
  known: KnownState;
  /** Undefined when the metrics could not be read: capacity may then only rise to the default. */
  metrics: MetricsSnapshot | undefined;
  /** The forecast and learned lead time; undefined when forecasting is off or its history could not be read. */
  forecast: ForecastInput | undefined;
}

export function decideInputOf(evaluation: Evaluation, executor?: ExecutorFacts): DecideInput {
  const { now, target, live, known, metrics, forecast, context } = evaluation;
  return {
    now,
    target,
    observed: live,
    metrics,
    history: known.history,
    failures: known.failures,
    request: context.request,
    paused: known.paused,
    forecast,
    ...(executor ? { executor } : {}),
  };
}

/**
 * The decision under the lease: the first one again when the re-read left every input as it was (decide() is
 * pure, so it would answer the same), a fresh one when ARM or the state store moved on in between.
 */
export function decisionAfterReread(first: Decision, before: DecideInput, after: DecideInput): Decision {
  return isDeepStrictEqual(before, after) ? first : decide(after);
}

/** One target's reads, each possibly failed: a failure is reported for that target alone. */
export interface GatheredInputs {
  live: LiveTargetState | Error;
  known: KnownState | Error;
  /** Absent when the target needs no metrics or its resource could not be read. */
  metrics: MetricsSnapshot | Error | undefined;
  forecast: ForecastInput | undefined;
}

type ResourceAndState = Pick<GatheredInputs, 'live' | 'known'>;

export class EvaluationInputs {
  constructor(private readonly deps: ScalingDependencies) {}

  /**
   * Every target's inputs at `now`, in the order given. Only the timer (`persistForecastHistory`) writes the
   * forecasts' history cache: operator and alert requests write nothing beyond the ledger.
   */
  async gather(
    targets: readonly TargetConfig[],
    now: Date,
    log: Logger | undefined,
    { persistForecastHistory = false, bulk = false }: { persistForecastHistory?: boolean; bulk?: boolean } = {},
  ): Promise<GatheredInputs[]> {
    const logger = log ?? this.deps.log;
    // Each read starts as soon as what it needs is in: the metrics wait for the live state (its region), not
    // for the state store's bulk reads, whose pages can take longer with a large fleet.
    const lives = this.liveStates(targets, bulk, logger);
    const knowns = this.knownStates(targets, bulk, log, logger);
    const metrics = lives.then((live) =>
      this.fetchMetrics(
        targets.map((target, index) => ({ target, live: live[index] })),
        now,
      ),
    );
    const forecasts = Promise.all([lives, knowns]).then(([live, known]) =>
      this.prepareForecasts(
        targets,
        targets.map((_, index) => ({
          live: live[index] as ResourceAndState['live'],
          known: known[index] as ResourceAndState['known'],
        })),
        now,
        persistForecastHistory,
      ),
    );
    const [live, known, metricsByTarget, forecastsByTarget] = await Promise.all([lives, knowns, metrics, forecasts]);
    return targets.map((target, index) => ({
      live: live[index] as ResourceAndState['live'],
      known: known[index] as ResourceAndState['known'],
      metrics: metricsByTarget.get(target.name),
      forecast: forecastsByTarget.get(target.name),
    }));
  }

  /** Every target's live state: from the bulk read, or its own GET when the bulk read is off or missed it. */
  private async liveStates(
    targets: readonly TargetConfig[],
    bulk: boolean,
    logger: Logger,
  ): Promise<(LiveTargetState | Error)[]> {
    const fleet = bulk ? await this.readFleet(targets, logger) : new Map<string, LiveTargetState>();
    return mapWithConcurrency(
      targets,
      this.deps.options.concurrency,
      async (target): Promise<LiveTargetState | Error> => fleet.get(target.name) ?? this.readLive(target),
    );
  }

  /** What the state store remembers of every target: from the fleet's controls and summaries when read in bulk. */
  private async knownStates(
    targets: readonly TargetConfig[],
    bulk: boolean,
    log: Logger | undefined,
    logger: Logger,
  ): Promise<(KnownState | Error)[]> {
    const [controls, summaries] = bulk
      ? await Promise.all([this.readControls(logger), this.readSummaries(logger)])
      : [undefined, undefined];
    return mapWithConcurrency(targets, this.deps.options.concurrency, (target) =>
      this.known(target, log, {
        controls: controls && (controls.get(target.name) ?? {}),
        summary: summaries?.get(target.name),
        summaryMissing: summaries !== undefined && !summaries.has(target.name),
      }).catch(toError),
    );
  }

  /** The live resource and what the state store remembers, read again (under the lease, right before acting). */
  async reread(target: TargetConfig, log: Logger): Promise<{ live: LiveTargetState; known: KnownState }> {
    const [live, known] = await Promise.all([this.deps.targets.scaleTargetOf(target).read(), this.known(target, log)]);
    return { live, known };
  }

  known(target: TargetConfig, log: Logger = this.deps.log, fleetKnown?: FleetKnown): Promise<KnownState> {
    return loadKnownState(this.deps.state, target, this.deps.clock(), log, fleetKnown);
  }

  /**
   * Every target's operations summary in one query. When it fails, each target queries its own operations (a
   * target without a summary does so anyway, until its next operation change writes one).
   */
  private readSummaries(log: Logger): Promise<Map<string, TargetSummary> | undefined> {
    return orPerTarget(() => this.deps.state.listTargetSummaries(), log, {
      what: "the targets' operations summaries",
      instead: "reading each target's operations",
    });
  }

  /**
   * Every target's pause flags and failure reset in one query. When it fails, each target reads its own (and
   * reports the failure for itself if the store is down).
   */
  private readControls(log: Logger): Promise<Map<string, TargetControls> | undefined> {
    return orPerTarget(() => this.deps.state.listTargetControls(), log, {
      what: "the targets' pause flags",
      instead: 'reading them per target',
    });
  }

  /** Forecast inputs of the targets whose live state and history could be read; a failure leaves the reactive logic alone. */
  private async prepareForecasts(
    targets: readonly TargetConfig[],
    reads: readonly ResourceAndState[],
    now: Date,
    persist: boolean,
  ): Promise<Map<string, ForecastInput>> {
    const subjects: ForecastSubject[] = [];
    targets.forEach((target, index) => {
      const { live, known } = reads[index] ?? {};
      if (!live || live instanceof Error || !known || known instanceof Error) return;
      subjects.push({
        target,
        region: live.region,
        capacity: live.capacity,
        history: known.history,
        operations: known.operations,
      });
    });
    try {
      return await this.deps.forecasts.prepare(subjects, now, { persist });
    } catch (error) {
      this.deps.log.log(
        'warn',
        `forecast: preparing the forecasts failed: ${describeError(error)}; the reactive logic decides this tick`,
      );
      return new Map();
    }
  }

  /**
   * Every target's live state in a few bulk queries. A failed bulk read is not a failed tick: each target is then
   * read with its own GET, as is any target the bulk read did not return.
   */
  private async readFleet(targets: readonly TargetConfig[], log: Logger): Promise<Map<string, LiveTargetState>> {
    const { fleet } = this.deps;
    if (!fleet || targets.length === 0) return new Map();
    try {
      return await fleet.read(targets);
    } catch (error) {
      log.log(
        'warn',
        `fleet read: the bulk read of ${targets.length} target(s) failed: ${describeError(error)}; reading each target with its own ARM GET this tick`,
        { event: 'FleetReadFailed' },
      );
      return new Map();
    }
  }

  /** A target's own GET, when the bulk read did not return it: a failure is that target's alone. */
  private readLive(target: TargetConfig): Promise<LiveTargetState | Error> {
    return this.deps.targets.scaleTargetOf(target).read().catch(toError);
  }

  private async fetchMetrics(
    reads: { target: TargetConfig; live: LiveTargetState | Error | undefined }[],
    now: Date,
  ): Promise<Map<string, MetricsSnapshot | Error>> {
    const requests: MetricsRequest[] = [];
    for (const { target, live } of reads) {
      const { needs, lookbackMinutes } = requiredMetrics(target);
      if (!live || live instanceof Error || needs.length === 0) continue;
      requests.push({
        target: target.name,
        kind: target.kind,
        resourceId: target.resourceId,
        region: live.region,
        needs,
        lookbackMinutes,
      });
    }
    if (requests.length === 0) return new Map();
    return this.deps.metrics.fetch(requests, now);
  }
}

/** A bulk read of the state store, or undefined with a warning when it fails: each target then reads its own. */
async function orPerTarget<T>(
  read: () => Promise<T>,
  log: Logger,
  { what, instead }: { what: string; instead: string },
): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    log.log('warn', `reading ${what} at once failed: ${describeError(error)}; ${instead}`);
    return undefined;
  }
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
