import { grownInt32, NONE, type SwarmRecords } from "./records.ts";

/**
 * The live swarms, one per slice, in a ring indexed by slice mod size: a swarm lives for a
 * bounded time, so only a few are live at once and their state is reused without allocation.
 * Per swarm: the slice it serves, the tracker's list of members (what announces sample from),
 * the list of every record in the swarm (what ending it walks), its peak listed size, and its
 * completion statistics.
 */
export class SwarmRing {
  /** Ring slots: swarms that can be live at once. */
  readonly size: number;
  /** Per slot: the live slice, or NONE. */
  readonly slice: Int32Array;
  /** Per slot: memberships listed at the tracker (source first), `trackedCount` of them. */
  readonly tracked: Int32Array[] = [];
  /** Per slot: how many entries of `tracked` are in use. */
  readonly trackedCount: Int32Array;
  /** Per slot: every membership record of the swarm, `allCount` of them. */
  readonly all: Int32Array[] = [];
  /** Per slot: how many entries of `all` are in use. */
  readonly allCount: Int32Array;
  /** Per slot: the most peers listed at once (the source not counted). */
  readonly peak: Int32Array;
  /** Per slot: peers that completed the slice. */
  readonly completions: Int32Array;
  /** Per slot: their download times summed, µs. */
  readonly downloadMicros: Float64Array;
  /** Per slot: when the last completed, µs (NONE before any). */
  readonly lastDone: Float64Array;
  /** The newest slice whose swarm formed, or NONE. */
  newest = NONE;
  private readonly rec: SwarmRecords;

  /** @param size ring slots (swarms live at once); `records` supplies the membership arrays. */
  constructor(size: number, records: SwarmRecords) {
    this.size = size;
    this.rec = records;
    this.slice = new Int32Array(size).fill(NONE);
    this.trackedCount = new Int32Array(size);
    this.allCount = new Int32Array(size);
    this.peak = new Int32Array(size);
    this.completions = new Int32Array(size);
    this.downloadMicros = new Float64Array(size);
    this.lastDone = new Float64Array(size);
    for (let r = 0; r < size; r++) {
      this.tracked.push(new Int32Array(16));
      this.all.push(new Int32Array(16));
    }
  }

  /** Opens `slice`'s swarm, empty, and makes it the newest; throws when its slot is still live. */
  open(slice: number): void {
    const r = slice % this.size;
    if (this.slice[r] !== NONE) {
      throw new Error(`swarm ring full: slice ${this.slice[r]} still live at slice ${slice}`);
    }
    this.slice[r] = slice;
    this.trackedCount[r] = 0;
    this.allCount[r] = 0;
    this.peak[r] = 0;
    this.completions[r] = 0;
    this.downloadMicros[r] = 0;
    this.lastDone[r] = NONE;
    this.newest = slice;
  }

  /** Frees slot r (its records already released). */
  close(r: number): void {
    this.slice[r] = NONE;
    this.trackedCount[r] = 0;
  }

  /** Adds record m to its swarm's list of all records. */
  add(m: number): void {
    const r = this.rec.memberSlice[m] % this.size;
    let all = this.all[r];
    const count = this.allCount[r];
    if (count === all.length) {
      all = grownInt32(all, all.length * 2, 0);
      this.all[r] = all;
    }
    all[count] = m;
    this.rec.swarmPosition[m] = count;
    this.allCount[r] = count + 1;
  }

  /** Removes record m from its swarm's list of all records (and from the tracker's list). */
  remove(m: number): void {
    const rec = this.rec;
    const r = rec.memberSlice[m] % this.size;
    const all = this.all[r];
    const pos = rec.swarmPosition[m];
    const last = all[--this.allCount[r]];
    all[pos] = last;
    rec.swarmPosition[last] = pos;
    // A swarm already closed has no list to keep.
    if (rec.trackerPosition[m] >= 0 && this.slice[r] !== NONE) this.untrack(m);
    rec.trackerPosition[m] = NONE;
  }

  /** Lists m at the tracker (no-op when listed). */
  track(m: number): void {
    const rec = this.rec;
    if (rec.trackerPosition[m] >= 0) return;
    const r = rec.memberSlice[m] % this.size;
    let list = this.tracked[r];
    const count = this.trackedCount[r];
    if (count === list.length) {
      list = grownInt32(list, list.length * 2, 0);
      this.tracked[r] = list;
    }
    list[count] = m;
    rec.trackerPosition[m] = count;
    this.trackedCount[r] = count + 1;
    // The source is listed first and stays: the swarm's peers are the others.
    if (count > this.peak[r]) this.peak[r] = count;
  }

  /** Drops m from the tracker's list (no-op when not listed). */
  untrack(m: number): void {
    const rec = this.rec;
    const pos = rec.trackerPosition[m];
    if (pos < 0) return;
    const r = rec.memberSlice[m] % this.size;
    const list = this.tracked[r];
    const last = list[--this.trackedCount[r]];
    list[pos] = last;
    rec.trackerPosition[last] = pos;
    rec.trackerPosition[m] = NONE;
  }
}
