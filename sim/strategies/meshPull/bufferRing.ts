/**
 * What each node of a mesh holds and has asked for, over a sliding window of W chunks (a power
 * of two): for entry c mod W, which chunk sits there and since when, and which chunk was
 * requested, from whom, when, and until when the request stands. Knowing *when* each chunk
 * arrived lets a partner read a buffer map "as it was" when it was taken, without storing the
 * maps themselves. Rings live in slots reused after a peer's departure (and after its partners
 * can no longer ask it for anything). The source (node 0) has no ring: it holds the W newest
 * chunks it has produced, chunk c from time (c + 1) d.
 */
export class BufferRing {
  /** Entries per peer (W). */
  readonly windowChunks: number;
  /** Newest chunk each node holds, -1 for none. */
  readonly newest: Float64Array;
  /** Earliest time one of the node's requests stops standing, µs (+Infinity: none). */
  readonly soonestUntil: Float64Array;
  private readonly mask: number;
  private readonly slotOf: Int32Array;
  private readonly chunkMicros: number;
  private readonly lastChunk: number;
  private freeSlots: number[] = [];
  private slots = 0;
  private held = new Int32Array(0);
  private arrive = new Float64Array(0);
  private reqChunk = new Int32Array(0);
  private reqFrom = new Int32Array(0);
  private reqAt = new Float64Array(0);
  private reqUntil = new Float64Array(0);

  /**
   * @param windowChunks entries per peer, rounded up to a power of two.
   * @param chunkMicros chunk duration, µs; @param chunkCount chunks the source produces.
   */
  constructor(nodes: number, windowChunks: number, chunkMicros: number, chunkCount: number) {
    let w = 1;
    while (w < windowChunks) w *= 2;
    this.windowChunks = w;
    this.mask = w - 1;
    this.slotOf = new Int32Array(nodes).fill(-1);
    this.newest = new Float64Array(nodes).fill(-1);
    this.soonestUntil = new Float64Array(nodes).fill(Number.POSITIVE_INFINITY);
    this.chunkMicros = chunkMicros;
    this.lastChunk = chunkCount - 1;
  }

  /** Newest chunk the source has produced by `atMicros`, -1 before the first. */
  sourceNewest(atMicros: number): number {
    return Math.min(Math.floor(atMicros / this.chunkMicros) - 1, this.lastChunk);
  }

  /** Gives `peer` an empty ring. */
  open(peer: number): void {
    let s = this.freeSlots.pop();
    if (s === undefined) {
      s = this.slots++;
      if (s * this.windowChunks >= this.held.length) this.grow(Math.max(64, 2 * this.slots));
    }
    const from = s * this.windowChunks;
    const to = from + this.windowChunks;
    this.held.fill(-1, from, to);
    this.reqChunk.fill(-1, from, to);
    this.slotOf[peer] = s;
    this.newest[peer] = -1;
    this.soonestUntil[peer] = Number.POSITIVE_INFINITY;
  }

  /** Frees `peer`'s ring; what it held is forgotten. */
  close(peer: number): void {
    const s = this.slotOf[peer];
    if (s < 0) return;
    this.freeSlots.push(s);
    this.slotOf[peer] = -1;
  }

  /** Whether `peer` has a ring. */
  isOpen(peer: number): boolean {
    return this.slotOf[peer] >= 0;
  }

  /** The entry of chunk `chunk` in `peer`'s ring, or -1 when it has none. */
  entry(peer: number, chunk: number): number {
    const s = this.slotOf[peer];
    return s < 0 ? -1 : s * this.windowChunks + (chunk & this.mask);
  }

  /** Whether `node` held `chunk` at time `atMicros` (and still does). */
  heldAt(node: number, chunk: number, atMicros: number): boolean {
    if (node === 0) {
      const edge = this.sourceNewest(atMicros);
      return chunk <= edge && chunk > edge - this.windowChunks && chunk >= 0;
    }
    const s = this.slotOf[node];
    if (s < 0) return false;
    const e = s * this.windowChunks + (chunk & this.mask);
    return this.held[e] === chunk && this.arrive[e] <= atMicros;
  }

  /** Newest chunk `node` held at `atMicros`, -1 when none. */
  newestAt(node: number, atMicros: number): number {
    if (node === 0) return this.sourceNewest(atMicros);
    let c = this.newest[node];
    const oldest = c - this.windowChunks;
    while (c > oldest && c >= 0 && !this.heldAt(node, c, atMicros)) c--;
    return c > oldest ? c : -1;
  }

  /** Records that `chunk` reached `peer` at `atMicros`, replacing what its entry held. */
  store(peer: number, chunk: number, atMicros: number): void {
    const e = this.entry(peer, chunk);
    if (e < 0) return;
    this.held[e] = chunk;
    this.arrive[e] = atMicros;
    if (chunk > this.newest[peer]) this.newest[peer] = chunk;
  }

  /** The chunk whose request occupies the entry, or -1. */
  requestedChunk(e: number): number {
    return this.reqChunk[e];
  }

  /** Who the entry's request went to. */
  requestedFrom(e: number): number {
    return this.reqFrom[e];
  }

  /** When the entry's request was sent, µs. */
  requestedAt(e: number): number {
    return this.reqAt[e];
  }

  /** Until when the entry's request stands, µs. */
  requestUntil(e: number): number {
    return this.reqUntil[e];
  }

  /**
   * Records `peer`'s request for `chunk` sent to `supplier` at `atMicros`, standing until
   * `untilMicros`, in entry `e`.
   */
  request(
    peer: number,
    e: number,
    chunk: number,
    supplier: number,
    atMicros: number,
    untilMicros: number,
  ): void {
    if (untilMicros < this.soonestUntil[peer]) this.soonestUntil[peer] = untilMicros;
    this.reqChunk[e] = chunk;
    this.reqFrom[e] = supplier;
    this.reqAt[e] = atMicros;
    this.reqUntil[e] = untilMicros;
  }

  /** Clears the entry's request. */
  clearRequest(e: number): void {
    this.reqChunk[e] = -1;
  }

  /**
   * Clears `peer`'s requests that stand no longer at `nowMicros`, calling `onExpired` with the
   * supplier of each; returns how many. Skips the scan while none can have expired.
   */
  expire(peer: number, nowMicros: number, onExpired: (supplier: number) => void): number {
    if (this.soonestUntil[peer] > nowMicros) return 0;
    const s = this.slotOf[peer];
    if (s < 0) return 0;
    let expired = 0;
    let soonest = Number.POSITIVE_INFINITY;
    const from = s * this.windowChunks;
    for (let e = from; e < from + this.windowChunks; e++) {
      if (this.reqChunk[e] < 0) continue;
      const until = this.reqUntil[e];
      if (until > nowMicros) {
        if (until < soonest) soonest = until;
        continue;
      }
      this.reqChunk[e] = -1;
      expired++;
      onExpired(this.reqFrom[e]);
    }
    this.soonestUntil[peer] = soonest;
    return expired;
  }

  /**
   * Clears every request of `peer` that went to `supplier` (it left or was dropped); returns
   * how many there were.
   */
  clearRequestsTo(peer: number, supplier: number): number {
    const s = this.slotOf[peer];
    if (s < 0) return 0;
    let cleared = 0;
    const from = s * this.windowChunks;
    for (let e = from; e < from + this.windowChunks; e++) {
      if (this.reqChunk[e] >= 0 && this.reqFrom[e] === supplier) {
        this.reqChunk[e] = -1;
        cleared++;
      }
    }
    return cleared;
  }

  /** Chunks `peer` holds among the W ending at `newest`. */
  heldCount(peer: number, newest: number): number {
    const s = this.slotOf[peer];
    if (s < 0 || newest < 0) return 0;
    let n = 0;
    const from = s * this.windowChunks;
    const oldest = newest - this.windowChunks;
    for (let e = from; e < from + this.windowChunks; e++) {
      const c = this.held[e];
      if (c > oldest && c <= newest) n++;
    }
    return n;
  }

  private grow(slots: number): void {
    const size = slots * this.windowChunks;
    const growInt = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    const growFloat = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.held = growInt(this.held);
    this.arrive = growFloat(this.arrive);
    this.reqChunk = growInt(this.reqChunk);
    this.reqFrom = growInt(this.reqFrom);
    this.reqAt = growFloat(this.reqAt);
    this.reqUntil = growFloat(this.reqUntil);
  }
}
