/**
 * Reads the live state of many targets at once (Azure Resource Graph in Azure), so a timer tick needs a few bulk
 * queries instead of one ARM GET per target. The per-target GET stays the truth right before acting.
 */
import type { TargetConfig } from '../config/schema/schema.js';
import type { LiveTargetState } from './scale-target.port.js';

export type { FleetResource } from './scale-target.port.js';

export interface FleetReader {
  /**
   * The live state of every target the bulk read found, by target name. A target it did not return (the identity
   * may not see it, or it was just created) is absent: the caller reads that one with its own GET. Throws when the
   * bulk read itself fails (outage, quota used up beyond retries); the caller then falls back to per-target GETs.
   */
  read(targets: readonly TargetConfig[]): Promise<Map<string, LiveTargetState>>;
}
