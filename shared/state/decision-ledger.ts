/**
 * The decision ledger: every decision, "none" included, with its evidence. Laid out in a few partitions shared by
 * the fleet (see keys.ts), so a tick's rows go out as a few batch transactions and a target's rows are one key range.
 */
import { StateConflictError } from '../vocabulary/errors.js';
import { decisionEntity, decisionFromRow } from './entities.js';
import type { DecisionEntity } from './entities.js';
import { partitionBatches, RowPreconditionFailed, entitySizeBytes, takeRows } from './entity-table.port.js';
import type { EntityTable, EntityWrite } from './entity-table.port.js';
import { ledgerPartition, ledgerRowPrefix } from './keys.js';
import type { DecisionRecord, EvidenceTrim, NewDecisionRecord } from './state-store.port.js';
import { MAX_PAGE_SIZE, newestRows, purgeRows, requireDate, requireLimit, requireText, rowFrom } from './store-rows.js';

export class DecisionLedger {
  constructor(private readonly table: EntityTable) {}

  async append(record: NewDecisionRecord): Promise<DecisionRecord> {
    const { entity, trim } = checkedDecision(record);
    try {
      await this.table.create(entity);
      return this.recorded(record, entity, trim);
    } catch (error) {
      if (!(error instanceof RowPreconditionFailed)) throw error;
      const existing = await this.table.get(entity.partitionKey, entity.rowKey);
      throw new StateConflictError(
        `Recording decision '${record.id}' for target '${record.target}' failed: a decision with this id is already recorded at ${record.decidedAt.toISOString()}; use a new id`,
        existing === undefined ? undefined : decisionFromRow(this.table.name, existing),
      );
    }
  }

  async appendMany(records: readonly NewDecisionRecord[]): Promise<PromiseSettledResult<DecisionRecord>[]> {
    const results: PromiseSettledResult<DecisionRecord>[] = new Array(records.length);
    const pending: { index: number; entity: EntityWrite; trim: EvidenceTrim | undefined }[] = [];
    records.forEach((record, index) => {
      try {
        pending.push({ index, ...checkedDecision(record) });
      } catch (error) {
        results[index] = { status: 'rejected', reason: error };
      }
    });
    await Promise.all(
      partitionBatches(
        pending,
        ({ entity }) => entity.partitionKey,
        ({ entity }) => entitySizeBytes(entity) + BATCH_WRITE_OVERHEAD_BYTES,
      ).map(async (batch) => {
        try {
          await this.table.writeBatch(batch.map(({ entity }) => ({ kind: 'create', entity })));
          for (const { index, entity, trim } of batch)
            results[index] = { status: 'fulfilled', value: this.recorded(records[index]!, entity, trim) };
        } catch {
          // A batch is all or none and its error does not say which row failed: each row is tried alone, which
          // writes the others and gives the one that fails its own error.
          const alone = await Promise.allSettled(batch.map(({ index }) => this.append(records[index]!)));
          batch.forEach(({ index }, position) => (results[index] = alone[position]!));
        }
      }),
    );
    return results;
  }

  /** The record as stored: the one given, unless its evidence had to be trimmed to fit (then as read back). */
  private recorded(record: NewDecisionRecord, entity: EntityWrite, trim: EvidenceTrim | undefined): DecisionRecord {
    return trim === undefined ? { ...record } : decisionFromRow(this.table.name, rowFrom(entity, ''));
  }

  /**
   * Newest first from the target's range of its ledger partition, and from the partition of the target's own name
   * where rows were written before the ledger was shared (until the retention purge has removed them).
   */
  async list(target: string, limit: number): Promise<DecisionRecord[]> {
    requireLimit(limit);
    const pageSize = Math.min(limit, MAX_PAGE_SIZE);
    const [shared, ownPartition] = await Promise.all([
      takeRows(
        this.table.query({ partitionKey: ledgerPartition(target), rowKeyPrefix: ledgerRowPrefix(target), pageSize }),
        limit,
      ),
      newestRows(this.table, target, [], limit),
    ]);
    return [...shared, ...ownPartition]
      .map((row) => decisionFromRow(this.table.name, row))
      .sort((a, b) => b.decidedAt.getTime() - a.decidedAt.getTime())
      .slice(0, limit);
  }

  async purgeOlderThan(cutoff: Date): Promise<number> {
    requireDate('cutoff', cutoff);
    return purgeRows(this.table, undefined, { property: 'decidedAt', op: 'lt', value: cutoff });
  }
}

function checkedDecision(record: NewDecisionRecord): DecisionEntity {
  requireText('decision id', record.id);
  requireDate('decidedAt', record.decidedAt);
  return decisionEntity(record);
}

/** What a write adds to a batch request beyond the entity itself (its part headers). */
const BATCH_WRITE_OVERHEAD_BYTES = 1024;
