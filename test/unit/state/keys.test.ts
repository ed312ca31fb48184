import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../shared/vocabulary/errors.js';
import {
  alertReceiptRowKey,
  encodeKey,
  reverseTimeKey,
  tableNamesFor,
  timeOrderedRowKey,
} from '../../../shared/state/keys.js';

describe('encodeKey', () => {
  it.each([
    { name: 'a plain target name', value: 'pg-prod.west_1', encoded: 'pg-prod.west_1' },
    { name: 'a slash, hash and question mark', value: 'a/b#c?d', encoded: 'a~2Fb~23c~3Fd' },
    { name: 'a backslash and a quote', value: "a\\b'c", encoded: 'a~5Cb~27c' },
    { name: 'a tilde, so escapes cannot collide with names', value: 'a~2F', encoded: 'a~7E2F' },
    { name: 'a non-ASCII letter, per UTF-8 byte', value: 'ü', encoded: '~C3~BC' },
  ])('escapes $name', ({ value, encoded }) => {
    expect(encodeKey(value)).toBe(encoded);
  });

  it('refuses an empty name and a name too long for a key', () => {
    expect(() => encodeKey('', 'target')).toThrow(InvalidInputError);
    expect(() => encodeKey('/'.repeat(200), 'target')).toThrow(/target: .* too long to store/);
  });
});

describe('reverseTimeKey', () => {
  it('sorts later times first', () => {
    const times = [
      '2025-03-01T10:00:00.001Z',
      '1999-12-31T23:59:59.999Z',
      '2025-03-01T10:00:00.000Z',
      '2100-01-01T00:00:00Z',
    ];

    const byKey = [...times].sort((a, b) => (reverseTimeKey(new Date(a)) < reverseTimeKey(new Date(b)) ? -1 : 1));

    expect(byKey).toEqual([
      '2100-01-01T00:00:00Z',
      '2025-03-01T10:00:00.001Z',
      '2025-03-01T10:00:00.000Z',
      '1999-12-31T23:59:59.999Z',
    ]);
  });

  it('keeps a fixed width so that lexical order is time order', () => {
    expect(reverseTimeKey(new Date(0))).toHaveLength(16);
    expect(reverseTimeKey(new Date('2999-01-01T00:00:00Z'))).toHaveLength(16);
  });

  it('breaks ties within a millisecond by id', () => {
    const time = new Date('2025-03-01T10:00:00Z');
    expect(timeOrderedRowKey(time, 'a') < timeOrderedRowKey(time, 'b')).toBe(true);
  });
});

describe('alertReceiptRowKey', () => {
  const key = { alertId: '/subscriptions/x/alerts/1', monitorCondition: 'Fired', firedAt: '2025-03-01T10:00:00Z' };

  it('is the same for a redelivery and differs when any part differs', () => {
    expect(alertReceiptRowKey({ ...key })).toBe(alertReceiptRowKey(key));
    expect(alertReceiptRowKey({ ...key, monitorCondition: 'Resolved' })).not.toBe(alertReceiptRowKey(key));
    expect(alertReceiptRowKey({ ...key, firedAt: '2025-03-01T10:05:00Z' })).not.toBe(alertReceiptRowKey(key));
  });

  it('does not let parts run into each other', () => {
    expect(alertReceiptRowKey({ alertId: 'ab', monitorCondition: 'c', firedAt: 'd' })).not.toBe(
      alertReceiptRowKey({ alertId: 'a', monitorCondition: 'bc', firedAt: 'd' }),
    );
  });

  it('is a valid row key', () => {
    expect(alertReceiptRowKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('tableNamesFor', () => {
  it('names one table per kind under the prefix', () => {
    expect(tableNamesFor('prod1')).toEqual({
      leases: 'prod1Leases',
      operations: 'prod1Operations',
      decisions: 'prod1Decisions',
      pauses: 'prod1Pauses',
      alertReceipts: 'prod1AlertReceipts',
      followUps: 'prod1FollowUps',
      loadHistory: 'prod1LoadHistory',
    });
  });

  it.each(['1scaler', 'scaler-prod', ''])(
    'refuses the prefix %j, which would not make a valid table name',
    (prefix) => {
      expect(() => tableNamesFor(prefix)).toThrow(/state\.tablePrefix/);
    },
  );
});
