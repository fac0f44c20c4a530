/**
 * The simulator's first event queue, kept as the reference for the queues that replaced it (a
 * calendar queue, then the ladder queue): `test/engine/eventQueue.test.ts` compares the ladder
 * queue with it pop by pop, and the engine benchmark runs all three. A priority queue of pending events kept entirely in typed arrays.
 *
 * Each entry is (timeMicros, sequence, handle). Entries are ordered by time, then by sequence
 * number, so events scheduled for the same microsecond pop in the order they were pushed (FIFO).
 * Keeping the keys in parallel typed arrays instead of one object per event avoids allocation and
 * pointer chasing on the hot path: on Node 20 this kind of heap runs a hold model several times
 * faster than a heap of event objects (see REFERENCES.md and `npm run bench`).
 *
 * The heap is 4-ary: it halves the depth of a binary heap, and the four children of a node sit
 * next to each other in memory, which suits sift-down.
 */
export class TypedHeap {
  private times: Float64Array;
  private seqs: Float64Array;
  private handles: Int32Array;
  private count = 0;
  private nextSequence = 0;
  /** Largest number of entries the queue will hold before it throws. */
  readonly maxSize: number;

  /**
   * @param initialCapacity entries allocated up front; the arrays double when full.
   * @param maxSize hard limit on pending entries (a runaway model fails loudly instead of
   *   exhausting memory).
   */
  constructor(initialCapacity = 1024, maxSize = 100_000_000) {
    // Never allocate past maxSize: push only checks the limit when the arrays are full.
    const capacity = Math.min(Math.max(4, initialCapacity), maxSize);
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.handles = new Int32Array(capacity);
    this.maxSize = maxSize;
  }

  /** Number of pending entries. */
  get size(): number {
    return this.count;
  }

  /** Time (microseconds) of the earliest entry; Infinity when empty. */
  peekTime(): number {
    return this.count > 0 ? this.times[0] : Number.POSITIVE_INFINITY;
  }

  /** Handle of the earliest entry; -1 when empty. */
  peekHandle(): number {
    return this.count > 0 ? this.handles[0] : -1;
  }

  /** Adds an entry; equal times keep insertion order. */
  push(timeMicros: number, handle: number): void {
    if (this.count === this.times.length) {
      if (this.count >= this.maxSize) {
        throw new RangeError(`event queue limit reached: ${this.maxSize} pending events`);
      }
      this.grow();
    }
    const seq = this.nextSequence++;
    // Sift up: move parents down until the new key's place is found.
    let i = this.count++;
    const times = this.times;
    const seqs = this.seqs;
    const handles = this.handles;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = times[parent];
      if (pt < timeMicros || (pt === timeMicros && seqs[parent] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      handles[i] = handles[parent];
      i = parent;
    }
    times[i] = timeMicros;
    seqs[i] = seq;
    handles[i] = handle;
  }

  /** Removes the earliest entry and returns its handle; -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const times = this.times;
    const seqs = this.seqs;
    const handles = this.handles;
    const top = handles[0];
    const last = --this.count;
    if (last === 0) return top;
    const t = times[last];
    const s = seqs[last];
    const h = handles[last];
    const n = last;
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= n) break;
      // Find the smallest of up to four children.
      let best = first;
      let bt = times[first];
      let bs = seqs[first];
      const end = Math.min(first + 4, n);
      for (let c = first + 1; c < end; c++) {
        const ct = times[c];
        if (ct < bt || (ct === bt && seqs[c] < bs)) {
          best = c;
          bt = ct;
          bs = seqs[c];
        }
      }
      if (t < bt || (t === bt && s < bs)) break;
      times[i] = bt;
      seqs[i] = bs;
      handles[i] = handles[best];
      i = best;
    }
    times[i] = t;
    seqs[i] = s;
    handles[i] = h;
    return top;
  }

  private grow(): void {
    const capacity = Math.min(this.times.length * 2, this.maxSize);
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const handles = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    handles.set(this.handles);
    this.times = times;
    this.seqs = seqs;
    this.handles = handles;
  }
}
