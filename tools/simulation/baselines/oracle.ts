/**
 * The oracle knows the whole trace and the model's delays. Each minute it asks for the capacity the coming
 * lead time will need, where the lead time is what a new unit takes to carry load fully: provisioning plus cache
 * warm-up (Azure Data Explorer) or provisioning plus the rebalance (elastic cluster; the longest one, adding one
 * node to the smallest cluster). It may run updates concurrently, which ARM would refuse a real controller: the
 * oracle is a bound, not a controller.
 *
 * Because warm-up and rebalances cost capacity while they run, and a bigger step rebalances for longer, that plan
 * can still leave overloaded minutes. The plan is then repaired and re-simulated on the same model, one episode
 * of overloaded minutes at a time: first by ordering that episode's capacity earlier, then by keeping one more
 * unit for it. A repair is kept only if it removes overloaded minutes of its episode; an episode no repair helps
 * is left alone (on an elastic cluster, which never scales in, one more unit for one minute is one more unit for
 * the rest of the trace, so an unhelpful repair would otherwise drive the whole plan to the maximum).
 *
 * Some overload no schedule from the common starting capacity avoids: a rebalance or warm-up that must start
 * while the load is already within its cost of the capacity. The oracle knows the future, so it may then start
 * larger (paying for those units from the first minute); it takes the smallest start that overloads no more than
 * any start up to the static peak. Among the plans it finds it keeps the one with the fewest overloaded minutes,
 * then the cheapest; never overloading for the peak is one of them, so it never costs more than static-peak with
 * the same overload. A practical lower bound of cost, not a proven optimum.
 */
import type { TargetKind } from '../../../shared/vocabulary/kinds.js';
import type { SimulationParameters } from '../model/parameters.js';
import { createClusterModel } from '../simulated-cluster.js';
import { needSeries, type Trace } from '../trace.js';
import { clamp, unitsFor, type Controller } from '../policy-runner.js';
import { staticPeakCapacity } from './static-peak.js';
import { simulationOf } from '../kinds/registry.js';
import { kindDefinition } from '../../../shared/kinds/registry.js';

const MAX_REPAIRS = 48;
/** Repairs of an episode that only move its orders earlier, before any extra unit is kept for it. */
const EARLIER_REPAIRS = 6;
/** Bridge attempts (each twice as far back, from one lead time) before an episode is given up. */
const BRIDGE_ATTEMPTS = 3;
const EARLIER_STEP_MINUTES = 15;
/** Overloaded minutes closer than this belong to one episode (one rebalance or warm-up). */
const EPISODE_GAP_MINUTES = 30;
/** A larger starting capacity is tried only for overload within this many lead times of the start. */
const START_WINDOW_LEADS = 4;

export interface OracleInput {
  kind: TargetKind;
  trace: Trace;
  parameters: SimulationParameters;
  limits: { min: number; max: number };
  initialCapacity: number;
}

export interface OraclePlan {
  /** The capacity to have asked for at each minute. */
  orders: Int32Array;
  /** The capacity the cluster starts with: the common start, or more when that avoids overload. */
  initialCapacity: number;
  leadMinutes: number;
  repairs: number;
  /** Overloaded minutes no repair could remove (load above the maximum, or before the first order could land). */
  unavoidableOverloadMinutes: number;
  nodeHours: number;
}

interface Evaluation {
  orders: Int32Array;
  overloaded: number[];
  nodeMinutes: number;
}

/** How an episode is being repaired: order earlier, keep one more unit, then keep its level through the valley before it. */
type Stage = 'earlier' | 'more' | 'bridge';

interface Episode {
  first: number;
  last: number;
  stage: Stage;
  attempts: number;
  /** Bridge stage: how far back the episode's level is kept. */
  bridgeMinutes: number;
  stuck: boolean;
  /** Minutes the last repair changed, to undo it. */
  changed?: { from: number; to: number };
}

export function oracleLeadMinutes(
  kind: TargetKind,
  parameters: SimulationParameters,
  limits: { min: number; max: number },
): number {
  return simulationOf(kind).baselines.oracleLeadMinutes(parameters, limits);
}

export function planOracle(input: OracleInput): OraclePlan {
  const need = needSeries(input.trace, input.kind);
  const leadMinutes = oracleLeadMinutes(input.kind, input.parameters, input.limits);
  const peak = Math.max(input.initialCapacity, staticPeakCapacity(need, input.limits));
  // Holding the peak from the first minute: what static-peak does, and the fallback every plan must beat.
  const holdPeak = evaluate(input, need, peak, new Int32Array(need.length).fill(peak));
  let best: { start: number; repairs: number; evaluation: Evaluation } = {
    start: peak,
    repairs: 0,
    evaluation: holdPeak,
  };
  for (let start = input.initialCapacity; start < peak; start += 1) {
    const repaired = repairedPlan(input, need, start, leadMinutes);
    if (better(repaired.evaluation, best.evaluation)) best = { start, ...repaired };
    if (best.evaluation.overloaded.length <= holdPeak.overloaded.length) break;
    // A larger start only helps overload near the start (the first operations); later episodes are the repairs' job.
    const first = repaired.evaluation.overloaded[0];
    if (first === undefined || first > START_WINDOW_LEADS * leadMinutes) break;
  }
  const { evaluation } = best;
  return {
    orders: evaluation.orders,
    initialCapacity: best.start,
    leadMinutes,
    repairs: best.repairs,
    unavoidableOverloadMinutes: evaluation.overloaded.length,
    nodeHours: evaluation.nodeMinutes / 60,
  };
}

/** Fewer overloaded minutes first, then fewer node-minutes. */
function better(candidate: Evaluation, incumbent: Evaluation): boolean {
  if (candidate.overloaded.length !== incumbent.overloaded.length)
    return candidate.overloaded.length < incumbent.overloaded.length;
  return candidate.nodeMinutes < incumbent.nodeMinutes;
}

function repairedPlan(
  input: OracleInput,
  need: Float64Array,
  start: number,
  leadMinutes: number,
): { repairs: number; evaluation: Evaluation } {
  const required = Int32Array.from(need, (value) => clamp(unitsFor(value), input.limits));
  const lead = new Int32Array(need.length).fill(leadMinutes);
  let current = evaluate(input, need, start, orderCurve(required, lead, input.kind));
  let best = { repairs: 0, evaluation: current };
  let episodes = episodesOf(current.overloaded, []);
  let repairs = 0;
  while (repairs < MAX_REPAIRS) {
    const open = episodes.filter((episode) => !episode.stuck);
    if (open.length === 0) break;
    const savedRequired = required.slice();
    const savedLead = lead.slice();
    for (const episode of open) repairEpisode(episode, current.overloaded, required, lead, input.limits.max);
    const candidate = evaluate(input, need, start, orderCurve(required, lead, input.kind));
    // Undo the repairs that did not reduce their own episode's overload; those episodes go on to the next stage,
    // or are given up. A kept repair may cause overload elsewhere (a larger warm-up, a later scale-in): those
    // minutes become episodes of their own on the next pass.
    let reverted = false;
    for (const episode of open) {
      if (countIn(candidate.overloaded, episode) < countIn(current.overloaded, episode)) continue;
      restore(episode, required, savedRequired, lead, savedLead);
      reverted = true;
      nextStage(episode, leadMinutes);
    }
    current = reverted ? evaluate(input, need, start, orderCurve(required, lead, input.kind)) : candidate;
    repairs += 1;
    if (better(current, best.evaluation)) best = { repairs, evaluation: current };
    episodes = episodesOf(current.overloaded, episodes);
  }
  return best;
}

function repairEpisode(
  episode: Episode,
  overloaded: number[],
  required: Int32Array,
  lead: Int32Array,
  max: number,
): void {
  const minutes = overloaded.filter((minute) => minute >= episode.first && minute <= episode.last);
  if (episode.stage === 'earlier' && episode.attempts >= EARLIER_REPAIRS) nextStage(episode, 0);
  episode.attempts += 1;
  episode.changed = { from: episode.first, to: episode.last };
  switch (episode.stage) {
    case 'earlier':
      for (const minute of minutes) lead[minute] = (lead[minute] as number) + EARLIER_STEP_MINUTES;
      return;
    case 'more':
      for (const minute of minutes) required[minute] = Math.min(max, (required[minute] as number) + 1);
      return;
    case 'bridge': {
      // One unit more than the episode needs, held from before it: a warm-up or rebalance that starts from a
      // larger base costs less of what is left to serve the load.
      let level = 0;
      for (let minute = episode.first; minute <= episode.last; minute += 1)
        level = Math.max(level, required[minute] as number);
      level = Math.min(max, level + 1);
      const from = Math.max(0, episode.first - episode.bridgeMinutes);
      for (let minute = from; minute <= episode.last; minute += 1)
        required[minute] = Math.max(required[minute] as number, level);
      episode.changed = { from, to: episode.last };
    }
  }
}

/** The current stage did not help this episode: try the next one, or give it up. */
function nextStage(episode: Episode, leadMinutes: number): void {
  if (episode.stage === 'earlier') {
    episode.stage = 'more';
    episode.attempts = 0;
  } else if (episode.stage === 'more') {
    episode.stage = 'bridge';
    episode.bridgeMinutes = Math.max(leadMinutes, 1);
    episode.attempts = 0;
  } else if (episode.attempts >= BRIDGE_ATTEMPTS) {
    episode.stuck = true;
  } else {
    episode.bridgeMinutes *= 2;
  }
}

function restore(
  episode: Episode,
  required: Int32Array,
  savedRequired: Int32Array,
  lead: Int32Array,
  savedLead: Int32Array,
): void {
  const { from, to } = episode.changed ?? { from: episode.first, to: episode.last };
  for (let minute = from; minute <= to; minute += 1) {
    required[minute] = savedRequired[minute] as number;
    lead[minute] = savedLead[minute] as number;
  }
}

/** Groups overloaded minutes into episodes, keeping what earlier passes learnt about the same minutes. */
function episodesOf(overloaded: number[], previous: Episode[]): Episode[] {
  const episodes: Episode[] = [];
  for (const minute of overloaded) {
    const last = episodes[episodes.length - 1];
    if (last && minute - last.last <= EPISODE_GAP_MINUTES) last.last = minute;
    else episodes.push({ first: minute, last: minute, stage: 'earlier', attempts: 0, bridgeMinutes: 0, stuck: false });
  }
  for (const episode of episodes) {
    const known = previous.find((old) => old.first <= episode.last && old.last >= episode.first);
    if (known)
      Object.assign(episode, {
        stage: known.stage,
        attempts: known.attempts,
        bridgeMinutes: known.bridgeMinutes,
        stuck: known.stuck,
      });
  }
  return episodes;
}

function countIn(overloaded: number[], episode: Episode): number {
  let count = 0;
  for (const minute of overloaded) if (minute >= episode.first && minute <= episode.last) count += 1;
  return count;
}

/** orders[i] = the most any minute s with i <= s <= i + lead[s] requires; never decreasing for an elastic cluster. */
export function orderCurve(required: Int32Array, lead: Int32Array, kind: TargetKind): Int32Array {
  const orders = new Int32Array(required.length);
  for (let minute = 0; minute < required.length; minute += 1) {
    const level = required[minute] as number;
    const from = Math.max(0, minute - (lead[minute] as number));
    for (let earlier = from; earlier <= minute; earlier += 1)
      if ((orders[earlier] as number) < level) orders[earlier] = level;
  }
  // A kind that cannot scale in keeps every unit it has ordered.
  if (!kindDefinition(kind).facts.canScaleIn)
    for (let minute = 1; minute < orders.length; minute += 1)
      orders[minute] = Math.max(orders[minute] as number, orders[minute - 1] as number);
  return orders;
}

function evaluate(input: OracleInput, need: Float64Array, start: number, orders: Int32Array): Evaluation {
  const model = createClusterModel(input.kind, input.parameters, start);
  const overloaded: number[] = [];
  let nodeMinutes = 0;
  for (let minute = 0; minute < need.length; minute += 1) {
    model.advanceTo(minute);
    const order = orders[minute] as number;
    if (order !== model.requestedCapacity) model.requestChange(order, { concurrent: true });
    if ((need[minute] as number) > model.effectiveCapacity() + 1e-9) overloaded.push(minute);
    nodeMinutes += model.billedUnits;
  }
  return { orders, overloaded, nodeMinutes };
}

export class Oracle implements Controller {
  readonly policy = 'oracle' as const;
  readonly changeOptions = { concurrent: true };

  constructor(private readonly plan: OraclePlan) {}

  reason(): string {
    return `hindsight: what the next ${this.plan.leadMinutes} min (lead time) need`;
  }

  decide(minute: number): number | undefined {
    return this.plan.orders[minute];
  }
}
