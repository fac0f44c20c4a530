/**
 * Flows' completion times as a binary min-heap of (time, flow, version) in typed arrays, lazy:
 * a flow whose rate changes gets a new entry with a new version and its old entry stays until
 * it surfaces, when {@link top} skips it. Ties in time go to the smaller flow id, so the order
 * is deterministic. The heap is rebuilt without stale entries when they outnumber the live
 * ones, which bounds its size by a small multiple of the flows in progress.
 */
export class CompletionHeap {
  private time = new Float64Array(256);
  private flow = new Int32Array(256);
  private version = new Int32Array(256);
  private size = 0;
  private readonly current: (flow: number) => number;

  /** @param current the version of a flow's live entry (a stale one carries another). */
  constructor(current: (flow: number) => number) {
    this.current = current;
  }

  /** Adds `flow`'s completion at `timeMicros` under `version`; `live` flows are in progress. */
  push(timeMicros: number, flow: number, version: number, live: number): void {
    if (this.size > 2 * live + 64) this.compact();
    if (this.size === this.time.length) this.grow();
    this.siftUp(this.size++, timeMicros, flow, version);
  }

  /** The earliest live entry's flow (stale entries above it are dropped), or -1 when none. */
  top(): number {
    while (this.size > 0) {
      if (this.version[0] === this.current(this.flow[0])) return this.flow[0];
      this.removeTop();
    }
    return -1;
  }

  /** Time of the entry {@link top} returned, µs. */
  topTime(): number {
    return this.time[0];
  }

  /** Removes the top entry. */
  removeTop(): void {
    const last = --this.size;
    if (last > 0) this.siftDown(0, this.time[last], this.flow[last], this.version[last]);
  }

  private compact(): void {
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      if (this.version[i] !== this.current(this.flow[i])) continue;
      this.time[kept] = this.time[i];
      this.flow[kept] = this.flow[i];
      this.version[kept] = this.version[i];
      kept++;
    }
    this.size = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, this.time[i], this.flow[i], this.version[i]);
    }
  }

  private siftUp(start: number, t: number, f: number, v: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(t, f, this.time[parent], this.flow[parent])) break;
      this.move(parent, i);
      i = parent;
    }
    this.set(i, t, f, v);
  }

  private siftDown(start: number, t: number, f: number, v: number): void {
    const size = this.size;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (
        right < size &&
        less(this.time[right], this.flow[right], this.time[child], this.flow[child])
      ) {
        child = right;
      }
      if (!less(this.time[child], this.flow[child], t, f)) break;
      this.move(child, i);
      i = child;
    }
    this.set(i, t, f, v);
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.flow[to] = this.flow[from];
    this.version[to] = this.version[from];
  }

  private set(i: number, t: number, f: number, v: number): void {
    this.time[i] = t;
    this.flow[i] = f;
    this.version[i] = v;
  }

  private grow(): void {
    const n = this.time.length * 2;
    const time = new Float64Array(n);
    const flow = new Int32Array(n);
    const version = new Int32Array(n);
    time.set(this.time);
    flow.set(this.flow);
    version.set(this.version);
    this.time = time;
    this.flow = flow;
    this.version = version;
  }
}

/** Entry order: earlier time first, then the smaller flow id. */
function less(timeA: number, flowA: number, timeB: number, flowB: number): boolean {
  return timeA < timeB || (timeA === timeB && flowA < flowB);
}
