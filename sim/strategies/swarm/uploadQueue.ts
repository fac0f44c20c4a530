/**
 * Per-node queues of piece requests waiting for the node's uplink, in pooled typed arrays (no
 * object per request), served in order of arrival. Each entry holds the half-link it came
 * through, the link's serial and the piece asked for, the unchoke epoch it was sent under (so
 * that a request of a neighbour choked since is recognised and dropped) and its arrival time: a
 * request may be
 * queued when sent, ahead of its arrival, when the node will look at its queue only later.
 *
 * Why an application queue: an uploader writes one piece at a time into its uplink (as a client
 * writes to a socket only when it can take more), so a choke can still drop the requests not yet
 * started and the uplink never holds more than one piece of stale commitments.
 */
export class UploadQueues {
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly length: Int32Array;
  private half = new Int32Array(256);
  private serial = new Float64Array(256);
  private piece = new Int32Array(256);
  private epoch = new Float64Array(256);
  private arrival = new Float64Array(256);
  private next = new Int32Array(256);
  private free: number[] = [];
  private used = 0;

  /** @param nodes number of node ids. */
  constructor(nodes: number) {
    this.head = new Int32Array(nodes).fill(-1);
    this.tail = new Int32Array(nodes).fill(-1);
    this.length = new Int32Array(nodes);
  }

  /** Requests waiting at `node`. */
  size(node: number): number {
    return this.length[node];
  }

  /**
   * Adds a request for `piece` over `half` of link `serial` to `node`'s queue; `arrival` is
   * when it reaches the node, µs.
   */
  push(
    node: number,
    half: number,
    serial: number,
    piece: number,
    epoch: number,
    arrival: number,
  ): void {
    let e = this.free.pop();
    if (e === undefined) {
      if (this.used === this.half.length) this.grow();
      e = this.used++;
    }
    this.half[e] = half;
    this.serial[e] = serial;
    this.piece[e] = piece;
    this.epoch[e] = epoch;
    this.arrival[e] = arrival;
    this.next[e] = -1;
    const t = this.tail[node];
    if (t < 0) this.head[node] = e;
    else this.next[t] = e;
    this.tail[node] = e;
    this.length[node]++;
  }

  /**
   * Removes the earliest-arrived request of `node`'s queue that has arrived by `now` and returns
   * its entry handle (valid until the next push); -1 when none has. Read the entry with
   * {@link halfOf}, {@link serialOf}, {@link pieceOf}, {@link epochOf}.
   */
  shift(node: number, now: number): number {
    let best = -1;
    let bestPrev = -1;
    let prev = -1;
    for (let e = this.head[node]; e >= 0; prev = e, e = this.next[e]) {
      if (this.arrival[e] <= now && (best < 0 || this.arrival[e] < this.arrival[best])) {
        best = e;
        bestPrev = prev;
      }
    }
    if (best < 0) return -1;
    const after = this.next[best];
    if (bestPrev < 0) this.head[node] = after;
    else this.next[bestPrev] = after;
    if (this.tail[node] === best) this.tail[node] = bestPrev;
    this.length[node]--;
    this.free.push(best);
    return best;
  }

  /** Earliest arrival among `node`'s queued requests, µs; infinity when none. */
  nextArrival(node: number): number {
    let t = Number.POSITIVE_INFINITY;
    for (let e = this.head[node]; e >= 0; e = this.next[e])
      if (this.arrival[e] < t) t = this.arrival[e];
    return t;
  }

  /** Voids the waiting request of `node` for `piece` over `half` of link `serial`, if any. */
  cancel(node: number, half: number, serial: number, piece: number): void {
    for (let e = this.head[node]; e >= 0; e = this.next[e]) {
      if (this.half[e] === half && this.serial[e] === serial && this.piece[e] === piece) {
        this.half[e] = -1;
        return;
      }
    }
  }

  /** Drops every request waiting at `node` (it left). */
  clear(node: number): void {
    while (this.shift(node, Number.POSITIVE_INFINITY) >= 0);
  }

  /** The half-link an entry came through; -1 when it was cancelled. */
  halfOf(entry: number): number {
    return this.half[entry];
  }

  /** The serial of the link the request came over. */
  serialOf(entry: number): number {
    return this.serial[entry];
  }

  /** The piece asked for. */
  pieceOf(entry: number): number {
    return this.piece[entry];
  }

  /** The unchoke epoch of the half-link when the request was accepted. */
  epochOf(entry: number): number {
    return this.epoch[entry];
  }

  private grow(): void {
    const n = this.half.length * 2;
    const half = new Int32Array(n);
    half.set(this.half);
    const serial = new Float64Array(n);
    serial.set(this.serial);
    const piece = new Int32Array(n);
    piece.set(this.piece);
    const epoch = new Float64Array(n);
    epoch.set(this.epoch);
    const arrival = new Float64Array(n);
    arrival.set(this.arrival);
    this.arrival = arrival;
    const next = new Int32Array(n);
    next.set(this.next);
    this.half = half;
    this.serial = serial;
    this.piece = piece;
    this.epoch = epoch;
    this.next = next;
  }
}
