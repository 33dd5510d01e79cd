/**
 * Seeded random numbers. All randomness in numdl flows through an `Rng` built
 * here on `seedrandom`'s ARC4 generator, so the same seed gives bit-identical
 * streams on the same machine; there is no global generator.
 */
import seedrandom from 'seedrandom';
import { checkPositiveInt, checkSize, fail } from './errors.js';

/** A seeded random stream. */
export interface Rng {
  /** The seed this stream was created with. */
  readonly seed: string;
  /** Uniform on [0, 1), 53 bits of randomness. */
  uniform(): number;
  /** Standard normal N(0, 1) (Box–Muller; caches the second variate). */
  normal(): number;
  /** Uniform integer in {0, …, n−1}. */
  randi(n: number): number;
  /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
  randperm(n: number): Int32Array;
  /** Shuffle an array in place (Fisher–Yates) and return it. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T;
  /** `n` uniform samples on [lo, hi). */
  uniformArray(n: number, lo?: number, hi?: number): Float64Array;
  /** `n` standard normal samples (times `scale`). */
  normalArray(n: number, scale?: number): Float64Array;
  /** An independent child stream, derived deterministically from this one. */
  fork(label?: string): Rng;
}

/**
 * Create a seeded random stream.
 * @param seed any number or string; equal seeds give equal streams
 * @example createRng(42).uniform() === createRng(42).uniform() // true
 */
export function createRng(seed: number | string): Rng {
  if (typeof seed !== 'number' && typeof seed !== 'string') fail('createRng', `seed must be a number or string, got ${typeof seed}`);
  if (typeof seed === 'number' && !Number.isFinite(seed)) fail('createRng', `seed must be finite, got ${seed}`);
  const seedStr = String(seed);
  // seedrandom's ARC4 key schedule repeats the key cyclically, so the raw seeds
  // "1", "11" and "111" would give one and the same stream. Prefixing the
  // length makes distinct seeds distinct keys.
  const prng = seedrandom(`numdl:${seedStr.length}:${seedStr}`);
  let spare = NaN;
  const uniform = (): number => prng.double();
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = NaN;
      return s;
    }
    // Box–Muller on (0,1]: u1 = 1 − U avoids log(0).
    const u1 = 1 - prng.double();
    const u2 = prng.double();
    const r = Math.sqrt(-2 * Math.log(u1));
    spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  };
  const randi = (n: number): number => {
    checkPositiveInt('randi', 'n', n);
    return Math.floor(prng.double() * n);
  };
  const shuffle = <T extends { length: number; [i: number]: any }>(a: T): T => {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(prng.double() * (i + 1));
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  };
  let forks = 0;
  const rng: Rng = {
    seed: seedStr,
    uniform,
    normal,
    randi,
    randperm(n: number): Int32Array {
      checkSize('randperm', 'n', n);
      const p = new Int32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      return shuffle(p);
    },
    shuffle,
    uniformArray(n: number, lo = 0, hi = 1): Float64Array {
      checkSize('uniformArray', 'n', n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * prng.double();
      return out;
    },
    normalArray(n: number, scale = 1): Float64Array {
      checkSize('normalArray', 'n', n);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = scale * normal();
      return out;
    },
    fork(label = ''): Rng {
      forks++;
      // A child seed drawn from this stream plus a counter: deterministic and distinct.
      return createRng(`${seedStr}/${label}/${forks}/${prng.int32()}`);
    },
  };
  return rng;
}
