/**
 * The follow-up's part of the composition root: the steps' dependencies (activities), the pause/resume use cases
 * (the HTTP API), built once from what the rest of the app already built.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { TargetDirectory } from '../../shared/targets/target-directory.js';
import type { StateStore } from '../../shared/state/state-store.port.js';
import type { ArmClients } from '../../shared/targets/azure-clients.js';
import type { Logger } from '../../shared/logging.js';
import { AzureClusterAccess, type ClusterAccess } from '../../shared/follow-up/cluster-access.js';
import { RebalanceControl } from '../../shared/follow-up/pause-resume.js';
import type { FollowUpDependencies } from '../../shared/follow-up/steps/dependencies.js';

export interface FollowUpServices {
  /** What the activities run with. */
  dependencies: FollowUpDependencies;
  /** `pauseRebalance(target, request)` / `resumeRebalance(target, request)` for the HTTP API. */
  rebalance: RebalanceControl;
}

export interface FollowUpOverrides {
  /** How to reach the clusters (tests: the Citus stand-in). */
  cluster?: ClusterAccess;
  settingsVisibleWithinMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface FollowUpParts {
  targets: TargetDirectory;
  state: StateStore;
  arm: ArmClients;
  credential: TokenCredential;
  env: Readonly<Record<string, string | undefined>>;
  clock: () => Date;
  log: Logger;
}

export function followUpServices(parts: FollowUpParts, overrides: FollowUpOverrides = {}): FollowUpServices {
  const cluster =
    overrides.cluster ?? new AzureClusterAccess({ arm: parts.arm, credential: parts.credential, env: parts.env });
  const { targets, state, clock, log } = parts;
  const dependencies: FollowUpDependencies = {
    targets,
    state,
    cluster,
    clock,
    log,
    settingsVisibleWithinMs: overrides.settingsVisibleWithinMs,
    sleep: overrides.sleep,
  };
  return { dependencies, rebalance: new RebalanceControl({ targets, state, cluster, clock, log }) };
}
