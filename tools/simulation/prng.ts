/**
 * The simulator's own seeded randomness, so every trace and every metric's noise is reproducible bit for bit
 * (Math.random cannot be seeded). Two flavours:
 * - `SeededRandom`: a stream (sfc32, the "Small Fast Counting" generator from PractRand), for the generator;
 * - `normalAt(seed, index)`: a counter-based draw, for metric noise, so the noise of minute 512 is the same
 *   whatever was asked before it (every policy sees the same noise on the same minute).
 * Only integer arithmetic and Math.imul/log/sqrt/cos/sin are used; V8 ships its own implementations of them
 * (no platform libm), so the suite is the same on every machine.
 */

/** A 32-bit seed from any mix of strings and numbers (FNV-1a). */
export function hashSeed(...parts: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    const text = `${typeof part}:${part};`;
    for (let index = 0; index < text.length; index += 1) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
  }
  return hash >>> 0;
}

/** The murmur3 finalizer: a well-mixed 32-bit value from a 32-bit input. */
export function mix32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const TWO_POW_32 = 4_294_967_296;

export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    this.a = mix32(seed ^ 0x9e3779b9);
    this.b = mix32(seed ^ 0x243f6a88);
    this.c = mix32(seed ^ 0xb7e15162);
    this.d = 1;
    // Discard the first outputs, as the sfc32 reference does, so nearby seeds diverge.
    for (let round = 0; round < 12; round += 1) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max]. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Standard normal (Box–Muller, the second value kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const [first, second] = boxMuller(this.next(), this.next());
    this.spareNormal = second;
    return first;
  }
}

/** A standard normal draw that depends only on (seed, index). */
export function normalAt(seed: number, index: number): number {
  const first = mix32(seed ^ mix32(index * 2 + 1));
  const second = mix32(seed ^ mix32(index * 2 + 2) ^ 0x5bd1e995);
  return boxMuller(first / TWO_POW_32, second / TWO_POW_32)[0];
}

function boxMuller(u1: number, u2: number): [number, number] {
  // 1 - u1 lies in (0, 1], so the logarithm is finite.
  const radius = Math.sqrt(-2 * Math.log(1 - u1));
  const angle = 2 * Math.PI * u2;
  return [radius * Math.cos(angle), radius * Math.sin(angle)];
}
