import seedrandom from "seedrandom";

/** A stream of uniform pseudo-random numbers, reproducible from its seed. */
export interface RandomStream {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * Named random streams derived from one root seed.
 *
 * Each stream is seeded by the root seed and its own name only, so creating a new stream, or
 * drawing more from one, never changes the draws of another. That is what lets every strategy
 * in a scenario see exactly the same workload (common random numbers): the workload draws from
 * `workload/...` streams that no strategy touches.
 */
export class RandomStreams {
  /** The root seed every stream is derived from. */
  readonly rootSeed: number;
  private readonly created = new Set<string>();

  constructor(rootSeed: number) {
    this.rootSeed = rootSeed;
  }

  /**
   * Returns a fresh stream for `name` (e.g. `workload/arrivals`). Asking twice for the same name
   * is an error, since two users of one stream would steer each other's draws.
   */
  stream(name: string): RandomStream {
    if (this.created.has(name)) {
      throw new Error(`random stream '${name}' was already created; streams must not be shared`);
    }
    this.created.add(name);
    return createStream(`${this.rootSeed}/${name}`);
  }
}

/** Creates a stream from a seed string (alea: fast, 2^116 period, good statistical quality). */
export function createStream(seed: string): RandomStream {
  const prng = seedrandom.alea(seed);
  return {
    next: () => prng(),
    int: (n: number) => Math.floor(prng() * n),
  };
}

/**
 * A deterministic 32-bit hash of two integers and a salt, mapped to [0, 1). Used where a value
 * must depend only on a pair of identities (such as the latency between two peers), not on the
 * order in which a model asks for it.
 */
export function hashUnit(salt: number, i: number, j: number): number {
  let h = (salt ^ 0x9e3779b9) >>> 0;
  // Mix the salt on its own before i joins. XORed straight into i, a salt would only relabel
  // ids (hashUnit(s, i, j) === hashUnit(0, i ^ s, j)): different salts, the same values.
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  h = Math.imul(h ^ i, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h ^ j, 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x27d4eb2f) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  return h / 4294967296;
}
