/**
 * The port every scale target (the ARM adapter of one target kind) implements, like KEDA's Scaler: few methods,
 * each with a written contract. Scale targets read and act; they never decide (that is shared/policy's job).
 */
import type { TargetConfig } from '../config/schema/schema.js';
import type { ObservedTarget } from '../policy/input.js';
import type { ArmOperationDetails } from '../state/state-store.port.js';

/** The live resource as ARM reports it, in the terms the policy needs plus what an operator wants to see. */
export interface LiveTargetState extends ObservedTarget {
  /** ARM id as ARM spells it. */
  resourceId: string;
  /** Normalized region name (e.g. `canadacentral`), used to route metrics queries. */
  region: string;
  /** The resource's own state words, e.g. `Ready`, `Updating`, `Running/Succeeded`. */
  status: string;
  /** Provider-specific facts for logs and the status API (SKU, high availability, replica role, ...). */
  details: Record<string, unknown>;
}

/** One resource as the bulk read returns it: the ARM body's top-level fields, `properties` not flattened. */
export interface FleetResource {
  id: string;
  location?: string | undefined;
  sku?: Record<string, unknown> | undefined;
  properties?: Record<string, unknown> | undefined;
}

/** What a scale target returns once ARM accepted a change; enough to poll it later from another invocation. */
export interface ScaleStart {
  /** Serialized long-running-operation state (core-lro `poller.toString()`), to resume polling anywhere. */
  resumeToken: string;
  arm: ArmOperationDetails;
  /** Set when the update also turned off another autoscaler (ADX optimized autoscale, on take-over). */
  disabledAutoscaler?: string | undefined;
}

export type ScaleProgress =
  { status: 'running' } | { status: 'succeeded' } | { status: 'failed' | 'cancelled'; message: string };

export interface ScaleTarget {
  readonly config: TargetConfig;

  /**
   * Reads the live resource from ARM. Never cached: the executor re-reads right before acting.
   * Throws `ProviderError` (403 names the missing role, 404 names the resource) or `TransientError`.
   */
  read(): Promise<LiveTargetState>;

  /**
   * The live state from a bulk read's row of this target's resource (Resource Graph), the same as `read()` would
   * report for that body. Throws `ProviderError` when the row is not a resource this target can scale.
   */
  fromGraph(resource: FleetResource): Promise<LiveTargetState>;

  /**
   * Starts changing capacity to `to` and returns as soon as ARM accepted the request, without waiting for the
   * operation to finish. Throws `OperationInProgressError` when ARM answers 409 because another update runs,
   * `NotSupportedError` for a change the resource cannot make (scale-in of an elastic cluster).
   */
  startScale(to: number, live: LiveTargetState): Promise<ScaleStart>;

  /** Polls a started operation once. Never throws for a failed operation: that is a `failed` progress. */
  pollScale(start: ScaleStart): Promise<ScaleProgress>;
}
