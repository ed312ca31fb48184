/** What the scaling use cases are built from, once, in the composition root (or a tool's own root). */
import type { ScalerConfig } from '../config/schema/schema.js';
import type { MetricsSource } from '../metrics/metrics-source.port.js';
import type { StateStore } from '../state/state-store.port.js';
import type { Logger } from '../logging.js';
import type { FollowUpLauncher } from '../follow-up.port.js';
import type { TargetDirectory } from '../targets/target-directory.js';
import type { ForecastInputs } from '../forecasting.js';
import type { FleetReader } from '../targets/fleet-reader.port.js';

export interface ScalingOptions {
  /** Targets evaluated at once by a tick. */
  concurrency: number;
  /** How long a lease protects one act; longer than a PATCH can take, short enough to recover from a crash. */
  leaseSeconds: number;
  /** How far instance clocks may disagree: another instance's lease is taken over only this long after it expired. */
  maxClockSkewSeconds: number;
  /** An operation whose start left no trace in ARM (crash or lost answer in between) is given up after this long. */
  staleStartMinutes: number;
}

export const DEFAULT_SCALING_OPTIONS: ScalingOptions = {
  concurrency: 128,
  leaseSeconds: 120,
  maxClockSkewSeconds: 30,
  staleStartMinutes: 15,
};

export interface ScalingDependencies {
  config: ScalerConfig;
  targets: TargetDirectory;
  metrics: MetricsSource;
  state: StateStore;
  clock: () => Date;
  newId: () => string;
  /** Identity of this scaler instance, used as the lease holder. */
  instanceId: string;
  log: Logger;
  /**
   * Carries operations to their end (Durable Functions). Without it, each timer tick polls ARM and completes
   * the operation itself (no rebalance follow-up).
   */
  followUps?: FollowUpLauncher | undefined;
  /**
   * Reads the whole fleet's live state in bulk for the timer (Resource Graph). Without it, or when it fails, each
   * target is read with its own ARM GET.
   */
  fleet?: FleetReader | undefined;
  /** The forecasts' history reader and cache (shared/forecasting.ts), shared by every evaluation of this instance. */
  forecasts: ForecastInputs;
  options: ScalingOptions;
}
