import { describe, expect, it } from 'vitest';
import { filterFor } from '../../../shared/state/azure-entity-table.js';

describe('filterFor', () => {
  it('quotes and escapes values and joins conditions with and', () => {
    expect(
      filterFor({
        partitionKey: "it's",
        where: [
          { property: 'decidedAt', op: 'lt', value: new Date('2025-03-01T00:00:00Z') },
          { property: 'inProgress', op: 'eq', value: true },
        ],
      }),
    ).toBe("PartitionKey eq 'it''s' and decidedAt lt datetime'2025-03-01T00:00:00.000Z' and inProgress eq true");
  });

  it('turns a row key prefix into the range of keys that start with it', () => {
    expect(filterFor({ partitionKey: '~ledger-3', rowKeyPrefix: 'pg-prod!' })).toBe(
      "PartitionKey eq '~ledger-3' and RowKey ge 'pg-prod!' and RowKey lt 'pg-prod\"'",
    );
  });

  it('refuses a property name that could inject a filter', () => {
    expect(() => filterFor({ where: [{ property: 'a or 1 eq 1', op: 'eq', value: 1 }] })).toThrow(
      /not a plain property name/,
    );
  });
});
