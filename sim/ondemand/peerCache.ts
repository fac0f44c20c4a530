/** Most cache flags all peers may hold at once (peers times video chunks), a memory limit. */
export const MAX_CACHE_FLAGS = 500_000_000;

/**
 * What each peer keeps of the video it received, to serve others: a flag per chunk of the video,
 * and, when the cache is smaller than the video, the order chunks came in so that the oldest is
 * evicted first (a FIFO: a viewer keeps the last `capacityChunks` chunks it fetched, like a
 * relay's back buffer). Memory is taken when a peer joins and given back when it leaves.
 */
export class PeerCache {
  /** Chunks of the video. */
  readonly videoChunks: number;
  /** Chunks one peer keeps (at most the video). */
  readonly capacityChunks: number;
  private readonly flags: (Uint8Array | undefined)[];
  private readonly order: (Int32Array | undefined)[];
  private readonly count: Int32Array;
  private readonly head: Int32Array;
  private allocated = 0;

  constructor(nodes: number, videoChunks: number, capacityChunks: number) {
    this.videoChunks = videoChunks;
    this.capacityChunks = Math.min(videoChunks, capacityChunks);
    this.flags = new Array(nodes);
    this.order = new Array(nodes);
    this.count = new Int32Array(nodes);
    this.head = new Int32Array(nodes);
  }

  /** A peer joins with an empty cache. */
  join(peer: number): void {
    this.allocated += this.videoChunks;
    if (this.allocated > MAX_CACHE_FLAGS) {
      throw new RangeError(`peer caches exceed ${MAX_CACHE_FLAGS} chunk flags`);
    }
    this.flags[peer] = new Uint8Array(this.videoChunks);
    if (this.capacityChunks < this.videoChunks) {
      this.order[peer] = new Int32Array(this.capacityChunks);
    }
    this.count[peer] = 0;
    this.head[peer] = 0;
  }

  /** A peer leaves: its cache is gone. */
  leave(peer: number): void {
    if (this.flags[peer]) this.allocated -= this.videoChunks;
    this.flags[peer] = undefined;
    this.order[peer] = undefined;
  }

  /** True when the peer holds `chunk`. */
  has(peer: number, chunk: number): boolean {
    const flags = this.flags[peer];
    return flags !== undefined && chunk >= 0 && chunk < this.videoChunks && flags[chunk] === 1;
  }

  /** Stores `chunk`, evicting the oldest stored chunk when the cache is full. */
  add(peer: number, chunk: number): void {
    const flags = this.flags[peer];
    if (!flags || flags[chunk] === 1 || chunk < 0 || chunk >= this.videoChunks) return;
    const order = this.order[peer];
    if (order) {
      const capacity = this.capacityChunks;
      if (this.count[peer] === capacity) {
        flags[order[this.head[peer]]] = 0;
        this.head[peer] = (this.head[peer] + 1) % capacity;
        this.count[peer]--;
      }
      order[(this.head[peer] + this.count[peer]) % capacity] = chunk;
    }
    this.count[peer]++;
    flags[chunk] = 1;
  }

  /** Chunks the peer holds. */
  size(peer: number): number {
    return this.flags[peer] ? this.count[peer] : 0;
  }
}
