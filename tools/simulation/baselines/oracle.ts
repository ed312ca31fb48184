/**
 * The oracle knows the whole trace and the model's delays. Each minute it asks for the capacity the coming
 * lead time will need, where the lead time is what a new unit takes to carry load fully: provisioning plus cache
 * warm-up (Azure Data Explorer) or provisioning plus the rebalance (elastic cluster; the longest one, adding one
 * node to the smallest cluster). It may run updates concurrently, which ARM would refuse a real controller: the
 * oracle is a bound, not a controller.
 *
 * Because warm-up and rebalances cost capacity while they run, and a bigger step rebalances for longer, that plan
 * can still leave overloaded minutes. The plan is then repaired and re-simulated on the same model until no
 * minute is overloaded: first by ordering those minutes' capacity earlier, then by keeping one more unit for
 * them. The result is the cheapest schedule this search finds that never overloads: a practical lower bound of
 * cost, not a proven optimum.
 */
import type { TargetKind } from '../../../shared/config/kinds.js';
import type { SimulationParameters } from '../model/parameters.js';
import { ElasticClusterModel } from '../model/elastic-cluster-model.js';
import { createClusterModel } from '../simulated-cluster.js';
import { needSeries, type Trace } from '../trace.js';
import { clamp, unitsFor, type Controller } from '../policy-runner.js';

const MAX_REPAIRS = 24;
/** Repairs that only move orders earlier, before any extra unit is kept. */
const EARLIER_REPAIRS = 6;
const EARLIER_STEP_MINUTES = 15;

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
  leadMinutes: number;
  repairs: number;
  /** Overloaded minutes no repair could remove (load above the maximum, or before the first order could land). */
  unavoidableOverloadMinutes: number;
}

export function oracleLeadMinutes(kind: TargetKind, parameters: SimulationParameters, limits: { min: number; max: number }): number {
  if (kind === 'kusto-cluster') return parameters.kusto.provisioningMinutes + parameters.kusto.cacheWarmupMinutes;
  const model = new ElasticClusterModel(parameters.elastic, limits.min);
  return parameters.elastic.provisioningMinutes + model.rebalanceMinutes(limits.min, 1, parameters.elastic.defaultRebalanceParallelism);
}

export function planOracle(input: OracleInput): OraclePlan {
  const need = needSeries(input.trace, input.kind);
  const required = Int32Array.from(need, (value) => clamp(unitsFor(value), input.limits));
  const leadMinutes = oracleLeadMinutes(input.kind, input.parameters, input.limits);
  const lead = new Int32Array(need.length).fill(leadMinutes);
  let orders = orderCurve(required, lead, input.kind);
  let overloaded = overloadedMinutes(input, need, orders);
  let repairs = 0;
  while (overloaded.length > 0 && repairs < MAX_REPAIRS) {
    const changed = repairs < EARLIER_REPAIRS ? orderEarlier(lead, overloaded) : keepOneMore(required, overloaded, input.limits.max);
    if (!changed && repairs >= EARLIER_REPAIRS) break;
    repairs += 1;
    orders = orderCurve(required, lead, input.kind);
    overloaded = overloadedMinutes(input, need, orders);
  }
  return { orders, leadMinutes, repairs, unavoidableOverloadMinutes: overloaded.length };
}

/** orders[i] = the most any minute s with i <= s <= i + lead[s] requires; never decreasing for an elastic cluster. */
export function orderCurve(required: Int32Array, lead: Int32Array, kind: TargetKind): Int32Array {
  const orders = new Int32Array(required.length);
  for (let minute = 0; minute < required.length; minute += 1) {
    const level = required[minute] as number;
    const from = Math.max(0, minute - (lead[minute] as number));
    for (let earlier = from; earlier <= minute; earlier += 1) if ((orders[earlier] as number) < level) orders[earlier] = level;
  }
  if (kind === 'postgres-elastic-cluster') for (let minute = 1; minute < orders.length; minute += 1) orders[minute] = Math.max(orders[minute] as number, orders[minute - 1] as number);
  return orders;
}

function overloadedMinutes(input: OracleInput, need: Float64Array, orders: Int32Array): number[] {
  const model = createClusterModel(input.kind, input.parameters, input.initialCapacity);
  const overloaded: number[] = [];
  for (let minute = 0; minute < need.length; minute += 1) {
    model.advanceTo(minute);
    const order = orders[minute] as number;
    if (order !== model.requestedCapacity) model.requestChange(order, { concurrent: true });
    if ((need[minute] as number) > model.effectiveCapacity() + 1e-9) overloaded.push(minute);
  }
  return overloaded;
}

function orderEarlier(lead: Int32Array, overloaded: number[]): boolean {
  for (const minute of overloaded) lead[minute] = (lead[minute] as number) + EARLIER_STEP_MINUTES;
  return overloaded.length > 0;
}

function keepOneMore(required: Int32Array, overloaded: number[], max: number): boolean {
  let changed = false;
  for (const minute of overloaded) {
    if ((required[minute] as number) < max) {
      required[minute] = (required[minute] as number) + 1;
      changed = true;
    }
  }
  return changed;
}

export class Oracle implements Controller {
  readonly policy = 'oracle' as const;
  readonly changeOptions = { concurrent: true };

  constructor(private readonly plan: OraclePlan) {}

  decide(minute: number): number | undefined {
    return this.plan.orders[minute];
  }
}
