import { EntityStateStore } from '../../shared/state/entity-state-store.js';
import { perTableKind, tableNamesFor } from '../../shared/state/keys.js';
import { MemoryTables } from './memory-entity-table.js';

export interface MemoryStateStoreOptions {
  tablePrefix?: string;
  /** Pass your own to inspect or plant rows in a test; several stores may share one. */
  tables?: MemoryTables;
}

/**
 * The state store in memory, for unit tests and local runs. Same behaviour as the Table Storage adapter
 * (same store logic, same entity mappers, ETags, conflicts, ordering, size limits), proven by the shared
 * contract tests.
 */
export class MemoryStateStore extends EntityStateStore {
  constructor(options: MemoryStateStoreOptions = {}) {
    const tables = options.tables ?? new MemoryTables();
    const names = tableNamesFor(options.tablePrefix);
    super(perTableKind((kind) => tables.table(names[kind])));
  }
}
