import type { RandomStream } from "../../engine/random.ts";
import { IndexedSet } from "../shared/indexedSet.ts";

/**
 * How the directory ranks relays with a free slot: `random` (any relay with a free slot),
 * `shallowest` (least depth below the source first), `nearest` (least latency among a sample).
 */
export const PARENT_POLICIES = ["random", "shallowest", "nearest"] as const;

/** One of {@link PARENT_POLICIES}. */
export type ParentPolicy = (typeof PARENT_POLICIES)[number];

/**
 * The directory's index of one tree: which connected relays are on offer, as a set (for
 * uniform picks) and as buckets by depth (for the shallowest-first policy). A node is in at
 * most one bucket, so one position array serves all buckets: memory is a few words per node
 * plus the members, however deep the tree grows.
 *
 * Order within a bucket: every update of an offered relay moves it to the end of its bucket
 * (the most recently refreshed relay last). The order only matters through the random starting
 * point of a shallowest-first pick, but it is part of what makes a run reproducible.
 */
export class RelayDirectory {
  private readonly available: IndexedSet;
  private readonly depthOf: Int32Array;
  private readonly positionOf: Int32Array;
  private readonly buckets: Int32Array[] = [];
  private readonly bucketSizes: number[] = [];

  /** @param universe node ids are in [0, universe). */
  constructor(universe: number) {
    this.available = new IndexedSet(universe);
    this.depthOf = new Int32Array(universe).fill(-1);
    this.positionOf = new Int32Array(universe);
  }

  /** Relays on offer. */
  get size(): number {
    return this.available.size;
  }

  /** True when `node` is on offer. */
  has(node: number): boolean {
    return this.available.has(node);
  }

  /** Puts `node` on offer at `depth`, or takes it off when `offer` is false. */
  update(node: number, offer: boolean, depth: number): void {
    const old = this.depthOf[node];
    if (old >= 0) this.removeFromBucket(node, old);
    if (!offer) {
      this.available.delete(node);
      return;
    }
    this.available.add(node);
    this.addToBucket(node, depth);
  }

  /**
   * Up to `count` candidates for `peer`, best first. `shallowest`: by depth, from a random
   * point within each depth (spreading load among equally shallow relays); `random`: uniform;
   * `nearest`: the least latency among a sample of 4 x count. When `avoidSource`, the source
   * (node 0) is offered only if nothing else is.
   */
  pick(
    peer: number,
    policy: ParentPolicy,
    count: number,
    random: RandomStream,
    latencyMicros: (a: number, b: number) => number,
    avoidSource: boolean,
  ): number[] {
    const out: number[] = [];
    const skip = (node: number) => node === peer || (avoidSource && node === 0);
    if (policy === "shallowest") {
      for (let d = 0; d < this.buckets.length && out.length < count; d++) {
        const size = this.bucketSizes[d];
        if (size === 0) continue;
        const bucket = this.buckets[d];
        const offset = random.int(size);
        for (let i = 0; i < size && out.length < count; i++) {
          const node = bucket[(offset + i) % size];
          if (!skip(node)) out.push(node);
        }
      }
    } else {
      const size = this.available.size;
      const want = policy === "nearest" ? Math.min(size, 4 * count) : Math.min(size, count);
      const seen = new Set<number>();
      for (let tries = 0; out.length < want && tries < 4 * want + 8; tries++) {
        const node = this.available.at(random.int(size));
        if (skip(node) || seen.has(node)) continue;
        seen.add(node);
        out.push(node);
      }
      if (policy === "nearest") {
        out.sort((a, b) => latencyMicros(peer, a) - latencyMicros(peer, b) || a - b);
        out.length = Math.min(out.length, count);
      }
    }
    if (out.length === 0 && avoidSource && peer !== 0 && this.available.has(0)) out.push(0);
    return out;
  }

  private addToBucket(node: number, depth: number): void {
    while (this.buckets.length <= depth) {
      this.buckets.push(new Int32Array(8));
      this.bucketSizes.push(0);
    }
    let bucket = this.buckets[depth];
    const size = this.bucketSizes[depth];
    if (size === bucket.length) {
      const grown = new Int32Array(bucket.length * 2);
      grown.set(bucket);
      bucket = grown;
      this.buckets[depth] = grown;
    }
    bucket[size] = node;
    this.positionOf[node] = size;
    this.bucketSizes[depth] = size + 1;
    this.depthOf[node] = depth;
  }

  private removeFromBucket(node: number, depth: number): void {
    const bucket = this.buckets[depth];
    const i = this.positionOf[node];
    const last = bucket[--this.bucketSizes[depth]];
    bucket[i] = last;
    this.positionOf[last] = i;
    this.depthOf[node] = -1;
  }
}
