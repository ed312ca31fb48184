/**
 * The fleet's live state from Azure Resource Graph: one query per at most 1,000 targets (all their subscriptions
 * at once), paged with `$skipToken`. Resource Graph answers only for resources the identity may read, so no
 * subscription-wide role is needed. Rows are turned into live state by each target's own adapter (`fromGraph`), so
 * this file knows no target kind.
 */
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TargetConfig } from '../../config/schema/schema.js';
import { normalizeResourceId, parseResourceId } from '../../vocabulary/resource-id.js';
import { mapWithConcurrency } from '../../concurrency.js';
import { chunk } from '../../chunk.js';
import type { FleetReader, FleetResource } from '../fleet-reader.port.js';
import type { LiveTargetState, ScaleTarget } from '../scale-target.port.js';
import { armCall } from '../arm-errors.js';

/** Ids per query: the service's largest page, so a batch is one request unless a page is cut short. */
export const IDS_PER_QUERY = 1000;
const QUERIES_AT_ONCE = 4;

export class ResourceGraphFleetReader implements FleetReader {
  /** Queries sent so far (pages included), for the bench. */
  requests = 0;

  constructor(
    private readonly client: ResourceGraphClient,
    /** The adapter of every configured target, by name: it turns a row into live state. */
    private readonly scaleTargets: ReadonlyMap<string, ScaleTarget>,
  ) {}

  async read(targets: readonly TargetConfig[]): Promise<Map<string, LiveTargetState>> {
    const byId = new Map(targets.map((target) => [normalizeResourceId(target.resourceId), target]));
    const batches = chunk([...byId.values()], IDS_PER_QUERY);
    const rows = (await mapWithConcurrency(batches, QUERIES_AT_ONCE, (batch) => this.query(batch))).flat();
    const found = new Map<string, LiveTargetState>();
    for (const row of rows) {
      const target = byId.get(normalizeResourceId(row.id));
      const scaleTarget = target && this.scaleTargets.get(target.name);
      if (target && scaleTarget) found.set(target.name, await scaleTarget.fromGraph(row));
    }
    return found;
  }

  private async query(batch: readonly TargetConfig[]): Promise<FleetResource[]> {
    const subscriptions = [...new Set(batch.map((target) => parseResourceId(target.resourceId)?.subscriptionId ?? ''))];
    const types = [
      ...new Set(batch.map((target) => (parseResourceId(target.resourceId)?.resourceType ?? '').toLowerCase())),
    ];
    const query =
      `resources | where type in~ (${types.map(quoted).join(', ')}) and id in~ (${batch.map((target) => quoted(target.resourceId)).join(', ')})` +
      ' | project id, location, sku, properties';
    const rows: FleetResource[] = [];
    let skipToken: string | undefined;
    do {
      const page = await armCall(
        { action: 'querying Resource Graph for', resourceId: `${batch.length} target(s)`, role: 'Reader' },
        () => {
          this.requests += 1;
          return this.client.resources({
            subscriptions,
            query,
            options: skipToken ? { skipToken } : { top: IDS_PER_QUERY },
          });
        },
      );
      rows.push(...(page.data as FleetResource[]));
      skipToken = page.skipToken;
    } while (skipToken);
    return rows;
  }
}

/** A KQL string literal: single quotes, with quotes and backslashes escaped. */
function quoted(value: string): string {
  return `'${value.replace(/[\\']/g, (char) => `\\${char}`)}'`;
}
