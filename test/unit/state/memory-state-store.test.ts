import { MemoryStateStore } from '../../../tools/memory-state/memory-state-store.js';
import { MemoryTables } from '../../../tools/memory-state/memory-entity-table.js';
import { tableNamesFor } from '../../../shared/state/keys.js';
import { describeStateStoreContract } from './state-store.contract.js';

describeStateStoreContract('in-memory fake', async () => {
  const tables = new MemoryTables();
  const names = tableNamesFor('scaler');
  return {
    store: new MemoryStateStore({ tables, tablePrefix: 'scaler' }),
    tableName: (kind) => names[kind],
    plantRow: async (kind, entity) => {
      await tables.table(names[kind]).upsert(entity);
    },
  };
});
