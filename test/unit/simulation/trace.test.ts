import { describe, expect, it } from 'vitest';
import { needAt, parseTraceCsv, traceToCsv, TraceError } from '../../../tools/simulation/trace.js';
import { generateScenario } from '../../../tools/simulation/scenarios.js';

const HEADER = 'timestamp,demand,cacheDemand,ingestionDemand';

function problemsOf(text: string): string[] {
  try {
    parseTraceCsv(text, 'load.csv');
  } catch (error) {
    if (error instanceof TraceError) return error.problems;
    throw error;
  }
  throw new Error('the trace parsed without a problem');
}

describe('parseTraceCsv', () => {
  it('reads one row per minute with the optional columns', () => {
    const trace = parseTraceCsv(
      `${HEADER}\n2026-01-05T00:00:00Z,3.5,1,0.5\n2026-01-05T00:01:00Z,4,1.2,0.7\n`,
      'load.csv',
    );
    expect(trace).toMatchObject({ name: 'load.csv', startMs: Date.UTC(2026, 0, 5) });
    expect([...trace.demand]).toEqual([3.5, 4]);
    expect([...(trace.cacheDemand ?? [])]).toEqual([1, 1.2]);
    expect([...(trace.ingestionDemand ?? [])]).toEqual([0.5, 0.7]);
  });

  it('accepts offsets, CRLF line ends and blank lines, and leaves optional columns out when absent', () => {
    const trace = parseTraceCsv('timestamp,demand\r\n2026-01-05T01:00+01:00,2\r\n\r\n2026-01-05T00:01:00.000Z,3\r\n');
    expect(trace.startMs).toBe(Date.UTC(2026, 0, 5));
    expect([...trace.demand]).toEqual([2, 3]);
    expect(trace.cacheDemand).toBeUndefined();
  });

  it('reads back exactly what traceToCsv wrote', () => {
    const original = generateScenario('noisy-flat', { days: 1 });
    const copy = parseTraceCsv(traceToCsv(original), 'noisy-flat');
    expect(copy.startMs).toBe(original.startMs);
    expect(copy.demand).toEqual(original.demand);
    expect(copy.cacheDemand).toEqual(original.cacheDemand);
    expect(copy.ingestionDemand).toEqual(original.ingestionDemand);
  });

  it.each([
    {
      name: 'a timestamp that is not ISO 8601',
      row: '05/01/2026 00:01,3',
      expected:
        'line 3: timestamp "05/01/2026 00:01" is not an ISO 8601 date-time with an offset; write it like 2026-01-05T14:00:00Z',
    },
    {
      name: 'a timestamp without an offset',
      row: '2026-01-05T00:01:00,3',
      expected: 'line 3: timestamp "2026-01-05T00:01:00" is not an ISO 8601 date-time with an offset',
    },
    {
      name: 'a timestamp off the minute',
      row: '2026-01-05T00:01:30Z,3',
      expected: 'line 3: timestamp "2026-01-05T00:01:30Z" is not on a minute boundary',
    },
    {
      name: 'a gap',
      row: '2026-01-05T00:03:00Z,3',
      expected:
        'line 3: timestamp "2026-01-05T00:03:00Z" leaves a gap; rows must be consecutive minutes, this one should be 2026-01-05T00:01:00.000Z',
    },
    {
      name: 'a repeated minute',
      row: '2026-01-05T00:00:00Z,3',
      expected: 'line 3: timestamp "2026-01-05T00:00:00Z" is out of order or repeated',
    },
    {
      name: 'a value that is not a number',
      row: '2026-01-05T00:01:00Z,lots',
      expected: 'line 3: demand "lots" is not a non-negative number; give the load in node-equivalents, e.g. 3.5',
    },
    {
      name: 'a negative value',
      row: '2026-01-05T00:01:00Z,-1',
      expected: 'line 3: demand "-1" is not a non-negative number',
    },
    {
      name: 'an empty value',
      row: '2026-01-05T00:01:00Z,',
      expected: 'line 3: demand "" is not a non-negative number',
    },
    {
      name: 'too many values',
      row: '2026-01-05T00:01:00Z,3,4',
      expected: 'line 3: 3 value(s) for 2 column(s) (timestamp,demand); give one value per column',
    },
  ])('names the line of $name', ({ row, expected }) => {
    const [problem] = problemsOf(`timestamp,demand\n2026-01-05T00:00:00Z,2\n${row}\n`);
    expect(problem).toContain(expected);
  });

  it.each([
    {
      name: 'an empty file',
      text: '',
      expected: 'the file is empty; expected a header "timestamp,demand[,cacheDemand][,ingestionDemand]"',
    },
    {
      name: 'a header without rows',
      text: 'timestamp,demand\n',
      expected: 'line 1: the header is not followed by any row',
    },
    {
      name: 'a misspelled column',
      text: 'timestamp,demnad\n2026-01-05T00:00:00Z,2\n',
      expected: 'line 1: unknown column "demnad" (did you mean "demand"?)',
    },
    {
      name: 'a missing demand column',
      text: 'timestamp,cacheDemand\n2026-01-05T00:00:00Z,2\n',
      expected: 'line 1: the header lacks "demand"',
    },
    {
      name: 'a duplicated column',
      text: 'timestamp,demand,demand\n',
      expected: 'line 1: column "demand" appears twice',
    },
  ])('explains $name', ({ text, expected }) => {
    expect(problemsOf(text)[0]).toContain(expected);
  });

  it('reports every bad row at once, keeps counting minutes past them, and lists at most 20', () => {
    const rows = Array.from(
      { length: 50 },
      (_, minute) => `2026-01-05T00:${String(minute).padStart(2, '0')}:00Z,${minute % 2 === 0 ? 'x' : '1'}`,
    );
    const problems = problemsOf(`timestamp,demand\n${rows.join('\n')}\n`);
    expect(problems).toHaveLength(21);
    expect(problems[0]).toContain('line 2: demand "x"');
    expect(problems[1]).toContain('line 4: demand "x"');
    expect(problems[20]).toBe('... and 5 more');
  });

  it('says which file failed in the error message', () => {
    expect(() => parseTraceCsv('timestamp,demand\nnot-a-time,1\n', 'spiky.csv')).toThrow(
      /^spiky\.csv: 1 problem\(s\) in the trace:\n {2}line 2: timestamp "not-a-time"/,
    );
  });
});

describe('needAt', () => {
  const trace = {
    name: 't',
    startMs: 0,
    demand: Float64Array.of(3),
    cacheDemand: Float64Array.of(5),
    ingestionDemand: Float64Array.of(4),
  };

  it('is the CPU demand for an elastic cluster', () => {
    expect(needAt(trace, 'postgres-elastic-cluster', 0)).toBe(3);
  });

  it('is the largest of CPU, cache and ingestion demand for Azure Data Explorer', () => {
    expect(needAt(trace, 'kusto-cluster', 0)).toBe(5);
  });
});
