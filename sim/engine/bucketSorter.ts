import { PairSorter } from "./pairSorter.ts";

/**
 * Numbers per block of the event queue's arena: the next block of its list (-1 ends), the
 * number of entries filled, then the entries.
 */
export const BLOCK = 32;
/** log2 of {@link BLOCK}. */
export const BLOCK_SHIFT = 5;

/**
 * Sorts the entries of one of the event queue's block lists stably by time into a flat array
 * (the queue's bottom), reading each entry from the arena twice and writing it once. Entries
 * are `entry` numbers each, the time (µs) first; equal times keep list order.
 *
 * When the list's range of times is known and a power of two wide, a counting sort by fine
 * buckets (about as many as entries) puts the entries nearly in order, and an insertion pass
 * reorders only the entries sharing a fine bucket: three sequential passes, where a comparison
 * sort of entries in random order costs several moves per entry. A fine bucket crowded with
 * more than {@link FINE_BUCKET_AT_MOST} entries would make that pass slow; the list is then
 * sorted by comparison ({@link PairSorter}) instead.
 */
export class BucketSorter {
  /** Most entries in one fine bucket that the insertion pass orders. */
  static readonly FINE_BUCKET_AT_MOST = PairSorter.INSERTION_MAX;

  /** Numbers per entry: the time, then the payload. */
  readonly entry: number;
  /** Each entry's fine bucket, in list order. */
  private keys = new Int32Array(64);
  /** Entries per fine bucket, then where each fine bucket starts in the output. */
  private starts = new Int32Array(65);
  /** The entry being moved by the insertion pass. */
  private readonly moving = new Float64Array(5);
  private readonly pairs = new PairSorter();

  /** @param entry numbers per entry (at most 5): the time (µs), then the payload. */
  constructor(entry: number) {
    this.entry = entry;
  }

  /**
   * Writes the `count` entries of the list from block `firstBlock` of `arena` to `into[0..]`
   * sorted stably by time; every time lies in [startMicros, startMicros + widthMicros), a power
   * of two wide (1: the entries share one time), or anywhere when `widthMicros` is 0. `into`
   * must hold `count` entries.
   */
  sort(
    arena: Float64Array,
    firstBlock: number,
    count: number,
    startMicros: number,
    widthMicros: number,
    into: Float64Array,
  ): void {
    const entry = this.entry;
    if (widthMicros === 0) {
      this.sortAny(arena, firstBlock, count, into);
      return;
    }
    let fine = 1;
    while (fine < count && fine < widthMicros) fine *= 2;
    // Fine buckets one microsecond wide each hold a single time: list order is already right.
    const exact = fine === widthMicros;
    const inverse = fine / widthMicros;
    if (this.keys.length < count) this.keys = new Int32Array(2 * count);
    if (this.starts.length <= fine) this.starts = new Int32Array(2 * fine + 1);
    const keys = this.keys;
    const starts = this.starts;
    let n = 0;
    for (let b = firstBlock; b >= 0; b = arena[b << BLOCK_SHIFT]) {
      const o = (b << BLOCK_SHIFT) + 2;
      const end = o + entry * arena[o - 1];
      for (let e = o; e < end; e += entry) {
        const key = Math.floor((arena[e] - startMicros) * inverse);
        keys[n++] = key;
        starts[key + 1]++;
      }
    }
    let most = 0;
    for (let i = 1; i <= fine; i++) {
      const inBucket = starts[i];
      if (inBucket > most) most = inBucket;
      starts[i] = inBucket + starts[i - 1];
    }
    if (most > BucketSorter.FINE_BUCKET_AT_MOST && !exact) {
      starts.fill(0, 0, fine + 1);
      this.sortAny(arena, firstBlock, count, into);
      return;
    }
    n = 0;
    for (let b = firstBlock; b >= 0; b = arena[b << BLOCK_SHIFT]) {
      const o = (b << BLOCK_SHIFT) + 2;
      const end = o + entry * arena[o - 1];
      for (let e = o; e < end; e += entry) {
        const to = starts[keys[n++]]++ * entry;
        // Written out: a loop over the entry's numbers cost about 15% of a refill.
        into[to] = arena[e];
        into[to + 1] = arena[e + 1];
        if (entry === 5) {
          into[to + 2] = arena[e + 2];
          into[to + 3] = arena[e + 3];
          into[to + 4] = arena[e + 4];
        }
      }
    }
    starts.fill(0, 0, fine + 1);
    if (exact) return;
    // A stable insertion sort: an entry moves only past later times of its own fine bucket.
    const moving = this.moving;
    for (let i = entry; i < count * entry; i += entry) {
      const t = into[i];
      if (into[i - entry] <= t) continue;
      for (let k = 0; k < entry; k++) moving[k] = into[i + k];
      let p = i - entry;
      while (p >= 0 && into[p] > t) {
        for (let k = 0; k < entry; k++) into[p + entry + k] = into[p + k];
        p -= entry;
      }
      for (let k = 0; k < entry; k++) into[p + entry + k] = moving[k];
    }
  }

  /**
   * {@link sort} for times in any range: each entry's time and offset are sorted by
   * {@link PairSorter} (unless already in order), then each entry is copied once.
   */
  private sortAny(
    arena: Float64Array,
    firstBlock: number,
    count: number,
    into: Float64Array,
  ): void {
    const entry = this.entry;
    const pairs = this.pairs;
    pairs.reserve(count);
    const times = pairs.times;
    let ordered = true;
    let n = 0;
    for (let b = firstBlock; b >= 0; b = arena[b << BLOCK_SHIFT]) {
      const o = (b << BLOCK_SHIFT) + 2;
      const end = o + entry * arena[o - 1];
      for (let e = o; e < end; e += entry) {
        const t = arena[e];
        if (n > 0 && t < times[n - 1]) ordered = false;
        times[n] = t;
        pairs.slots[n++] = e;
      }
    }
    if (!ordered) pairs.sort(count);
    const offsets = pairs.slots;
    for (let i = 0, to = 0; i < count; i++, to += entry) {
      const from = offsets[i];
      for (let k = 0; k < entry; k++) into[to + k] = arena[from + k];
    }
  }
}
