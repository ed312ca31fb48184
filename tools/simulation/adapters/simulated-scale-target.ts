/**
 * The `ScaleTarget` port backed by a cluster model, so the real executor (shared/scaling/scale-executor.ts) acts on a simulated
 * cluster exactly as it acts on ARM: `read` reports what ARM would (capacity, busy while an update runs, SKU
 * bounds, ADX's own autoscale off), `startScale` is refused with the same errors ARM's answers map to (409 ->
 * OperationInProgressError, scale-in of an elastic cluster -> NotSupportedError), `pollScale` follows the update.
 */
import type { TargetConfig } from '../../../shared/config/schema/schema.js';
import { NotSupportedError, ProviderError } from '../../../shared/vocabulary/errors.js';
import type {
  LiveTargetState,
  ScaleProgress,
  ScaleStart,
  ScaleTarget,
} from '../../../shared/targets/scale-target.port.js';
import { OperationInProgressError } from '../../../shared/targets/errors.js';
import type { SimulatedCluster } from '../simulated-cluster.js';
import { simulationFor } from '../kinds/registry.js';
import { kindDefinition } from '../../../shared/kinds/registry.js';

export const SIMULATED_REGION = 'simulated';
const TOKEN_PREFIX = 'simulated-operation:';

export function modelOperationOf(resumeToken: string | undefined): number | undefined {
  if (!resumeToken?.startsWith(TOKEN_PREFIX)) return undefined;
  const id = Number(resumeToken.slice(TOKEN_PREFIX.length));
  return Number.isInteger(id) ? id : undefined;
}

export class SimulatedScaleTarget implements ScaleTarget {
  constructor(
    readonly config: TargetConfig,
    private readonly cluster: SimulatedCluster,
  ) {}

  /** The simulation has no Resource Graph: a bulk read is the model read as it stands. */
  fromGraph(): Promise<LiveTargetState> {
    return this.read();
  }

  async read(): Promise<LiveTargetState> {
    const { model } = this.cluster;
    const busy = model.armBusy;
    const base = {
      resourceId: this.config.resourceId,
      region: SIMULATED_REGION,
      capacity: model.armCapacity,
      operationInProgress: busy
        ? {
            description: `an ARM operation is in progress (${kindDefinition(this.config.kind).words.resource} state Updating)`,
          }
        : undefined,
      details: { simulated: true },
    };
    const simulation = simulationFor(this.config);
    const status = simulation.armStatus(busy);
    if (!simulation.reportsSkuAndAutoscaler) return { ...base, status };
    return {
      ...base,
      status,
      capacityBounds: model.serviceBounds,
      conflictingAutoscaler: { name: 'ADX optimized autoscale', enabled: false },
    };
  }

  async startScale(to: number): Promise<ScaleStart> {
    const options = simulationFor(this.config).changeOptions(this.config);
    const result = this.cluster.request(to, options);
    if (result.accepted)
      return { resumeToken: `${TOKEN_PREFIX}${result.operationId}`, arm: { operationId: String(result.operationId) } };
    const message = `${this.config.resourceId}: ${result.message}`;
    if (result.reason === 'busy') throw new OperationInProgressError(message);
    if (result.reason === 'unsupported') throw new NotSupportedError(message);
    throw new ProviderError(message);
  }

  async pollScale(start: ScaleStart): Promise<ScaleProgress> {
    const id = modelOperationOf(start.resumeToken);
    if (id === undefined) return { status: 'failed', message: `unknown simulated operation ${start.resumeToken}` };
    return { status: this.cluster.model.armStatus(id) };
  }
}
