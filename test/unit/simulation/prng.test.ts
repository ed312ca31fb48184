import { describe, expect, it } from 'vitest';
import { hashSeed, normalAt, SeededRandom } from '../../../tools/simulation/prng.js';

function stats(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, sd: Math.sqrt(variance) };
}

describe('SeededRandom', () => {
  it('repeats the same sequence for the same seed and another for another seed', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 5 },
        (
          (random) => () =>
            random.nextUint32()
        )(new SeededRandom(seed)),
      );
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('draws uniform values in [0, 1) and standard normals', () => {
    const random = new SeededRandom(7);
    const uniform = Array.from({ length: 20_000 }, () => random.next());
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniform)).toBeLessThan(1);
    expect(stats(uniform).mean).toBeCloseTo(0.5, 1);
    const normal = stats(Array.from({ length: 20_000 }, () => random.normal()));
    expect(normal.mean).toBeCloseTo(0, 1);
    expect(normal.sd).toBeCloseTo(1, 1);
  });

  it('keeps integers within their bounds', () => {
    const random = new SeededRandom(3);
    const drawn = new Set(Array.from({ length: 2_000 }, () => random.integer(4, 9)));
    expect([...drawn].sort()).toEqual([4, 5, 6, 7, 8, 9]);
  });
});

describe('normalAt', () => {
  it('depends only on the seed and the index, not on what was drawn before', () => {
    const forwards = [0, 1, 2, 3].map((index) => normalAt(11, index));
    const backwards = [3, 2, 1, 0].map((index) => normalAt(11, index)).reverse();
    expect(forwards).toEqual(backwards);
    expect(normalAt(11, 0)).not.toBe(normalAt(12, 0));
  });

  it('is a standard normal over many indices', () => {
    const { mean, sd } = stats(Array.from({ length: 20_000 }, (_, index) => normalAt(5, index)));
    expect(mean).toBeCloseTo(0, 1);
    expect(sd).toBeCloseTo(1, 1);
  });
});

describe('hashSeed', () => {
  it('tells apart inputs that would concatenate alike', () => {
    expect(hashSeed('ab', 'c')).not.toBe(hashSeed('a', 'bc'));
    expect(hashSeed(1, 'daily')).toBe(hashSeed(1, 'daily'));
  });
});
