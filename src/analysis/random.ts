/**
 * A seeded pseudo-random number generator for the analysis (bootstrap resampling, simulations): xoshiro128** seeded
 * through SplitMix64. Both are defined by integer arithmetic only (`Math.imul`, shifts, BigInt), so a seed gives the
 * same stream on every Node version and platform; `Math.random()` gives no such promise and cannot be seeded. A
 * published bootstrap interval records its seed, so anyone can reproduce it bit for bit.
 *
 * References: D. Blackman & S. Vigna (2021), "Scrambled linear pseudorandom number generators", ACM Trans. Math.
 * Softw. 47(4), 36 (xoshiro128**, and SplitMix64 as the recommended seeder); G. Steele, D. Lea & C. Flood (2014),
 * "Fast splittable pseudorandom number generators", OOPSLA (SplitMix64).
 */
import { BenchError } from "../errors.js";

/** A stream of pseudo-random numbers. */
export interface RandomSource {
  /** The seed the stream was made from (recorded next to every result that used it). */
  readonly seed: number;
  /** The next 32-bit output as an unsigned integer in [0, 2³²). */
  nextUint32(): number;
  /** A uniform double in [0, 1) with 53 random bits (two 32-bit outputs). */
  nextDouble(): number;
  /** A uniform integer in [0, n) for 1 ≤ n ≤ 2³², by rejection so that no value is favoured. */
  nextInt(n: number): number;
}

const MASK64 = (1n << 64n) - 1n;

/**
 * The first `count` outputs of SplitMix64 from `seed` (Steele, Lea & Flood 2014), as unsigned 64-bit BigInts. Used only
 * to spread a small seed over xoshiro's 128-bit state, as Blackman & Vigna recommend.
 */
export function splitMix64(seed: bigint, count: number): bigint[] {
  let state = seed & MASK64;
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    state = (state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    out.push(z ^ (z >> 31n));
  }
  return out;
}

/**
 * xoshiro128** (Blackman & Vigna 2021) from an explicit 128-bit state of four unsigned 32-bit words (not all zero).
 * Returns a function giving the next output; exposed so the published test vectors can be checked.
 */
export function xoshiro128StarStar(state: readonly [number, number, number, number]): () => number {
  if (state.every((word) => word >>> 0 === 0)) {
    throw new BenchError("InvalidArgument", "xoshiro128** state is all zero, which gives only zeros", {
      fix: "seed the generator with seededRandom(seed)",
    });
  }
  let [s0, s1, s2, s3] = state.map((word) => word >>> 0) as [number, number, number, number];
  return () => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A {@link RandomSource} from a seed (an integer in [0, 2⁵³)): SplitMix64 of the seed fills xoshiro128**'s state.
 */
export function seededRandom(seed: number): RandomSource {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new BenchError("InvalidArgument", `random seed ${seed} is not an integer in [0, 2^53)`, {
      fix: "pass a non-negative whole number as the seed",
    });
  }
  const [a, b] = splitMix64(BigInt(seed), 2) as [bigint, bigint];
  const words = [a & 0xffffffffn, a >> 32n, b & 0xffffffffn, b >> 32n].map(Number) as [number, number, number, number];
  const next = xoshiro128StarStar(words);
  return {
    seed,
    nextUint32: next,
    nextDouble: () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992,
    nextInt(n: number): number {
      if (!Number.isInteger(n) || n < 1 || n > 4294967296) {
        throw new BenchError("InvalidArgument", `nextInt(${n}) needs a whole number in [1, 2^32]`);
      }
      // Lemire-style rejection: drop the top partial block of 2³² so every residue is equally likely.
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const x = next();
        if (x < limit) return x % n;
      }
    },
  };
}

/**
 * A standard normal variate by the Box–Muller transform (Box & Muller 1958, Ann. Math. Statist. 29, 610–611), for
 * simulations. Uses `Math.log`, `Math.sqrt` and `Math.cos`, which V8 implements with fdlibm ports, so it too is
 * reproducible, though not bit-specified by ECMAScript as the integer stream is.
 */
export function standardNormal(random: RandomSource): number {
  const u = 1 - random.nextDouble(); // (0, 1], so the logarithm is finite
  const v = random.nextDouble();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
