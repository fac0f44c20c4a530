import { BLOCK, BLOCK_SHIFT, BucketSorter } from "./bucketSorter.ts";

/**
 * The simulator's priority queue of pending events: a ladder queue (W. T. Tang, R. S. M. Goh,
 * I. L.-J. Thng, "Ladder queue", ACM TOMACS 2005) kept in typed arrays, popping in exactly the
 * (time, insertion order) order of a heap keyed on (time, sequence).
 *
 * Three tiers cover disjoint, consecutive ranges of time:
 * - **bottom**, the earliest: a short array sorted by time, which pops read from the front;
 * - **rungs**, each an array of buckets of one width over a range of time, finer rungs covering
 *   the bucket of the coarser rung above them that pops have reached; a bucket is an unsorted
 *   list of entries in insertion order;
 * - **top**, everything from {@link topStartMicros} on: one unsorted list.
 * A push appends to the bucket (or the top) whose range holds its time, or, below every rung,
 * inserts into the bottom. When the bottom runs dry, pops take the next non-empty bucket of the
 * finest rung: one holding more than {@link SPLIT_ABOVE} entries is split into a finer rung,
 * a smaller one is sorted into the bottom by a {@link BucketSorter}. When the rungs run dry the
 * top becomes a new coarsest rung.
 *
 * Why not a calendar queue: with hundreds of thousands of events pending, a calendar queue's
 * entries are scattered over memory, and every pop reads a cold entry and its successor. Here a
 * push appends to the tail of a bucket that other pushes of the same moment also fill (the
 * next few tens of milliseconds are a few buckets), and a pop reads the bottom in order, so
 * both touch memory that is already in cache; entries move between tiers in sequential passes.
 * Each entry is moved a bounded number of times (once to a rung, once per split, once to the
 * bottom), so push and pop take constant amortized time whatever the distribution of times.
 *
 * Equal times keep insertion order without a sequence number: buckets and the top are appended
 * in insertion order and every move between tiers keeps list order, the sort into the bottom is
 * stable, and a push into the bottom goes after the entries of equal time already there (every
 * entry of that time is there, since the tiers' ranges are disjoint).
 *
 * Why buckets of hundreds of entries go to the bottom whole: a counting sort by finer buckets
 * of about one entry each orders them in three sequential passes, cheaper than splitting them
 * into a finer rung first (which moves every entry once more) and than a comparison sort. The
 * bottom is then long, so a push into its middle shifts whichever side of it is shorter, and
 * only when that is more than {@link SHIFT_AT_MOST} entries does the bottom become a rung.
 *
 * An entry is its time and four payload numbers (the simulator's event kind and fields), so a
 * pop reads everything the event needs from the bottom, where a handle into a separate record
 * pool cost a read of memory out of cache. Entries live in blocks of {@link blockEntries} in
 * one arena with a stack of free blocks, so push and pop allocate nothing once the arena has
 * grown to the largest backlog.
 * Times must be whole numbers of microseconds in [0, Number.MAX_SAFE_INTEGER]: bucket indices
 * are exact there. {@link Simulator} checks this.
 */
export class EventQueue {
  /**
   * A bucket holding more entries than this is split into a finer rung when pops reach it; a
   * smaller one is sorted into the bottom.
   */
  static readonly SPLIT_ABOVE = 512;
  /**
   * Most entries a push into the bottom's middle shifts; beyond it the bottom becomes a rung
   * (the shift is one block copy, far cheaper per entry than moving entries into buckets).
   */
  static readonly SHIFT_AT_MOST = 128;
  /** Entries per bucket aimed at when a rung is made. */
  static readonly ENTRIES_PER_BUCKET = 16;
  /** Most buckets in one rung. */
  static readonly MAX_BUCKETS = 1 << 21;
  /** Most rungs: more than a split can need (each divides the width by at least 4, from 2^53). */
  static readonly MAX_RUNGS = 64;

  /** Largest number of entries the queue will hold before it throws. */
  readonly maxSize: number;
  /** Payload numbers per entry: 1 (a handle) or 4. */
  readonly payloadNumbers: 1 | 4;
  /** Numbers per entry: the time, then the payload. */
  private readonly entry: number;
  /** Entries per arena block. */
  private readonly blockEntries: number;

  private count = 0;

  /**
   * The arena: block `b` is the 32 numbers from `32 b` (four cache lines): the next block of its
   * list (-1 ends), the number of entries filled, then {@link blockEntries} entries of
   * {@link entry} numbers (time µs, then the payload).
   */
  private arena: Float64Array;
  /**
   * The free blocks, a stack in its first {@link freeCount} places: taking one reads this dense
   * array, where a list chained through the free blocks would read a block out of cache.
   */
  private freeBlocks: Int32Array;
  private freeCount = 0;
  /** Blocks handed out from the arena's unused end so far. */
  private blocksMade = 0;

  /** The top's list: as a rung bucket's four numbers. */
  private readonly topList = new Int32Array([-1, -1, 0, 0]);
  /** Entries at or after this time (µs) go to the top. */
  private topStartMicros = 0;
  private topMinMicros = Number.POSITIVE_INFINITY;
  private topMaxMicros = Number.NEGATIVE_INFINITY;

  /** Rungs in use; rung 0 is the coarsest, `rungCount - 1` the finest. */
  private rungCount = 0;
  /** Each rung's first bucket's start time (µs). */
  private readonly rungStart = new Float64Array(EventQueue.MAX_RUNGS);
  /** Each rung's bucket width (µs, a power of two). */
  private readonly rungWidth = new Float64Array(EventQueue.MAX_RUNGS);
  /** The inverse of each rung's width (exact: the width is a power of two). */
  private readonly rungInverse = new Float64Array(EventQueue.MAX_RUNGS);
  /** Each rung's bucket count. */
  private readonly rungSize = new Int32Array(EventQueue.MAX_RUNGS);
  /** Each rung's next bucket for pops; the buckets before it are empty. */
  private readonly rungNext = new Int32Array(EventQueue.MAX_RUNGS);
  /**
   * Start time (µs) of each rung's next bucket: the rung covers from here to where the coarser
   * rung's next bucket starts (the top's start for rung 0).
   */
  private readonly rungLive = new Float64Array(EventQueue.MAX_RUNGS);
  /**
   * Each rung's buckets, four numbers each: first block, last block, entries, entries in the
   * last block (kept here too, so that a push writes to the last block without reading it).
   */
  private readonly rungBuckets: Int32Array[] = [];

  /**
   * The bottom: entries of {@link entry} numbers sorted by time, from {@link bottomHead} to
   * {@link bottomEnd}.
   */
  private bottom: Float64Array;
  private bottomHead = 0;
  private bottomEnd = 0;

  /** The payload numbers after the first of the entry {@link pop} returned last. */
  poppedB = 0;
  poppedC = 0;
  poppedD = 0;

  /** Buckets skipped, entries moved by splits and entries shifted in the bottom. */
  private work = 0;
  /** Rungs made (from the top, by splits and from the bottom). */
  private rungsMade = 0;
  private readonly sorter: BucketSorter;

  /**
   * @param initialCapacity entries the arena holds before it first grows.
   * @param maxSize hard limit on pending entries (a runaway model fails loudly instead of
   *   exhausting memory); at most 2^28.
   * @param payloadNumbers numbers each entry carries besides its time: 1 (a handle, returned
   *   by {@link pop}) or 4 (the simulator's kind and three fields; the last three are left in
   *   {@link poppedB}, {@link poppedC} and {@link poppedD}).
   */
  constructor(initialCapacity = 1024, maxSize = 100_000_000, payloadNumbers: 1 | 4 = 1) {
    if (!(maxSize >= 1 && maxSize <= 2 ** 28)) {
      throw new RangeError(`event queue maxSize must be in [1, 2^28], got ${maxSize}`);
    }
    this.maxSize = maxSize;
    this.payloadNumbers = payloadNumbers;
    this.entry = 1 + payloadNumbers;
    this.blockEntries = Math.floor((BLOCK - 2) / this.entry);
    this.sorter = new BucketSorter(this.entry);
    this.bottom = new Float64Array(this.entry * 64);
    const blocks = Math.max(4, Math.ceil(initialCapacity / this.blockEntries));
    this.arena = new Float64Array(BLOCK * blocks);
    this.freeBlocks = new Int32Array(blocks);
  }

  /** Number of pending entries. */
  get size(): number {
    return this.count;
  }

  /**
   * Buckets skipped, entries moved by splits and entries shifted by pushes into the bottom since
   * construction: the queue's work beyond a constant per push and pop; for tests and benchmarks.
   */
  get workSteps(): number {
    return this.work;
  }

  /** Rungs made since construction; for tests and benchmarks. */
  get rungsCreated(): number {
    return this.rungsMade;
  }

  /** Rungs in use now; for tests and benchmarks. */
  get rungsInUse(): number {
    return this.rungCount;
  }

  /** Time (microseconds) of the earliest entry; Infinity when empty. */
  peekTime(): number {
    if (this.count === 0) return Number.POSITIVE_INFINITY;
    if (this.bottomHead === this.bottomEnd) this.refill();
    return this.bottom[this.bottomHead * this.entry];
  }

  /** First payload number (the handle) of the earliest entry; -1 when empty. */
  peekHandle(): number {
    if (this.count === 0) return -1;
    if (this.bottomHead === this.bottomEnd) this.refill();
    return this.bottom[this.bottomHead * this.entry + 1];
  }

  /**
   * Adds an entry at `timeMicros` (a whole number in [0, Number.MAX_SAFE_INTEGER]) carrying the
   * payload numbers `handle`, `b`, `c`, `d`; it pops after every entry pushed earlier at the
   * same time.
   */
  push(timeMicros: number, handle: number, b = 0, c = 0, d = 0): void {
    if (this.count >= this.maxSize) {
      throw new RangeError(`event queue limit reached: ${this.maxSize} pending events`);
    }
    this.count++;
    if (timeMicros >= this.topStartMicros) {
      this.append(this.topList, 0, timeMicros, handle, b, c, d);
      if (timeMicros < this.topMinMicros) this.topMinMicros = timeMicros;
      if (timeMicros > this.topMaxMicros) this.topMaxMicros = timeMicros;
      return;
    }
    const live = this.rungLive;
    for (let j = 0; j < this.rungCount; j++) {
      if (timeMicros >= live[j]) {
        const k = Math.floor((timeMicros - this.rungStart[j]) * this.rungInverse[j]);
        this.append(this.rungBuckets[j], k << 2, timeMicros, handle, b, c, d);
        return;
      }
    }
    this.insertBottom(timeMicros, handle, b, c, d);
  }

  /**
   * Removes the earliest entry and returns its first payload number (the handle); -1 when
   * empty. The entry's other payload numbers are then in {@link poppedB}, {@link poppedC} and
   * {@link poppedD}.
   */
  pop(): number {
    if (this.count === 0) return -1;
    if (this.bottomHead === this.bottomEnd) this.refill();
    const bottom = this.bottom;
    const at = this.bottomHead * this.entry;
    if (this.entry === 5) {
      this.poppedB = bottom[at + 2];
      this.poppedC = bottom[at + 3];
      this.poppedD = bottom[at + 4];
    }
    if (++this.bottomHead === this.bottomEnd) {
      this.bottomHead = 0;
      this.bottomEnd = 0;
    }
    this.count--;
    return bottom[at + 1];
  }

  /** Appends an entry to the list whose first block, last block and count are at `list[at..]`. */
  private append(
    list: Int32Array,
    at: number,
    timeMicros: number,
    a: number,
    b: number,
    c: number,
    d: number,
  ): void {
    let tail = list[at + 1];
    let filled = list[at + 3];
    if (tail < 0) {
      tail = this.takeBlock();
      list[at] = tail;
      list[at + 1] = tail;
      filled = 0;
    } else if (filled === this.blockEntries) {
      const next = this.takeBlock();
      this.arena[tail << BLOCK_SHIFT] = next;
      list[at + 1] = next;
      tail = next;
      filled = 0;
    }
    const arena = this.arena;
    const o = tail << BLOCK_SHIFT;
    arena[o + 1] = filled + 1;
    this.writeEntry(arena, o + 2 + this.entry * filled, timeMicros, a, b, c, d);
    list[at + 2]++;
    list[at + 3] = filled + 1;
  }

  /** Writes an entry at `to[at..]`: the time, then as many payload numbers as entries carry. */
  private writeEntry(
    to: Float64Array,
    at: number,
    timeMicros: number,
    a: number,
    b: number,
    c: number,
    d: number,
  ): void {
    to[at] = timeMicros;
    to[at + 1] = a;
    if (this.entry === 5) {
      to[at + 2] = b;
      to[at + 3] = c;
      to[at + 4] = d;
    }
  }

  /** Appends the entry at `from[at..]` to the list at `list[listAt..]`. */
  private appendFrom(list: Int32Array, listAt: number, from: Float64Array, at: number): void {
    if (this.entry === 5) {
      this.append(list, listAt, from[at], from[at + 1], from[at + 2], from[at + 3], from[at + 4]);
    } else {
      this.append(list, listAt, from[at], from[at + 1], 0, 0, 0);
    }
  }

  /** An empty block, from the free stack or the arena's unused end (growing it when full). */
  private takeBlock(): number {
    let b: number;
    if (this.freeCount > 0) {
      b = this.freeBlocks[--this.freeCount];
    } else {
      b = this.blocksMade++;
      if ((b + 1) << BLOCK_SHIFT > this.arena.length) {
        const grown = new Float64Array(this.arena.length * 2);
        grown.set(this.arena);
        this.arena = grown;
        const free = new Int32Array(grown.length >> BLOCK_SHIFT);
        free.set(this.freeBlocks);
        this.freeBlocks = free;
      }
    }
    this.arena[b << BLOCK_SHIFT] = -1;
    this.arena[(b << BLOCK_SHIFT) | 1] = 0;
    return b;
  }

  /** Returns the blocks of the list at `list[at..]` to the free stack and empties the list. */
  private freeList(list: Int32Array, at: number): void {
    const arena = this.arena;
    const free = this.freeBlocks;
    let count = this.freeCount;
    for (let b = list[at]; b >= 0; b = arena[b << BLOCK_SHIFT]) free[count++] = b;
    this.freeCount = count;
    list[at] = -1;
    list[at + 1] = -1;
    list[at + 2] = 0;
    list[at + 3] = 0;
  }

  /**
   * Refills the empty bottom from the finest rung's next non-empty bucket (splitting buckets
   * that hold too many entries into finer rungs), making the top a rung when the rungs are
   * exhausted. Requires a non-empty queue.
   */
  private refill(): void {
    for (;;) {
      if (this.rungCount === 0) {
        this.rungFromTop();
        continue;
      }
      const j = this.rungCount - 1;
      const buckets = this.rungBuckets[j];
      const size = this.rungSize[j];
      const first = this.rungNext[j];
      let k = first;
      while (k < size && buckets[(k << 2) | 2] === 0) k++;
      this.work += k - first;
      if (k === size) {
        this.rungCount--;
        continue;
      }
      const width = this.rungWidth[j];
      this.rungNext[j] = k + 1;
      this.rungLive[j] = this.rungStart[j] + (k + 1) * width;
      if (buckets[(k << 2) | 2] > EventQueue.SPLIT_ABOVE && width > 1) {
        if (this.split(buckets, k << 2, this.rungLive[j])) continue;
        return;
      }
      this.toBottom(buckets, k << 2, this.rungLive[j] - width, width);
      return;
    }
  }

  /** Makes the top's entries the coarsest rung, from their earliest time to past their latest. */
  private rungFromTop(): void {
    if (this.topList[2] === 0) throw new Error("event queue: entries counted but none found");
    const min = this.topMinMicros;
    const span = this.topMaxMicros - min + 1;
    const j = this.makeRung(min, span, span, this.topList[2]);
    this.topStartMicros = min + this.rungSize[j] * this.rungWidth[j];
    this.moveList(this.topList, 0, j);
    this.topMinMicros = Number.POSITIVE_INFINITY;
    this.topMaxMicros = Number.NEGATIVE_INFINITY;
  }

  /**
   * Splits the list at `list[at..]` (whose range ends at `endMicros`) into a new finest rung
   * from its earliest time to `endMicros`. When all its entries have one time there is nothing
   * to split: they go to the bottom as they are and this returns false.
   */
  private split(list: Int32Array, at: number, endMicros: number): boolean {
    const arena = this.arena;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let b = list[at]; b >= 0; b = arena[b << BLOCK_SHIFT]) {
      const o = (b << BLOCK_SHIFT) + 2;
      const end = o + this.entry * arena[o - 1];
      for (let e = o; e < end; e += this.entry) {
        const t = arena[e];
        if (t < min) min = t;
        if (t > max) max = t;
      }
    }
    if (min === max || this.rungCount === EventQueue.MAX_RUNGS) {
      this.toBottom(list, at, min, min === max ? 1 : 0);
      return false;
    }
    this.work += list[at + 2];
    const j = this.makeRung(min, endMicros - min, max - min + 1, list[at + 2]);
    this.moveList(list, at, j);
    return true;
  }

  /**
   * Adds a finest rung over [startMicros, startMicros + spanMicros) for `entries` entries whose
   * times lie in its first `occupiedMicros`, and returns its index. Buckets are sized for about
   * {@link ENTRIES_PER_BUCKET} entries each over the occupied part, but a rung has at most four
   * times as many buckets as that aims at (entries crowded at the front of a long range are
   * then split again when pops reach them, rather than costing a long run of empty buckets).
   */
  private makeRung(
    startMicros: number,
    spanMicros: number,
    occupiedMicros: number,
    entries: number,
  ): number {
    const aim = Math.max(
      1,
      Math.min(Math.ceil(entries / EventQueue.ENTRIES_PER_BUCKET), EventQueue.MAX_BUCKETS >> 2),
    );
    // A power of two, so that a bucket index is an exact multiplication by its inverse.
    let width = 1;
    while (width * aim < occupiedMicros || width * 4 * aim < spanMicros) width *= 2;
    const size = Math.ceil(spanMicros / width);
    const j = this.rungCount++;
    let buckets = this.rungBuckets[j];
    if (buckets === undefined || buckets.length < size << 2) {
      buckets = new Int32Array(Math.max(64, size) << 2);
      this.rungBuckets[j] = buckets;
    }
    for (let k = 0; k < size << 2; k += 4) {
      buckets[k] = -1;
      buckets[k + 1] = -1;
      buckets[k + 2] = 0;
      buckets[k + 3] = 0;
    }
    this.rungStart[j] = startMicros;
    this.rungWidth[j] = width;
    this.rungInverse[j] = 1 / width;
    this.rungSize[j] = size;
    this.rungNext[j] = 0;
    this.rungLive[j] = startMicros;
    this.rungsMade++;
    return j;
  }

  /** Moves every entry of the list at `list[at..]`, in list order, into rung `j`'s buckets. */
  private moveList(list: Int32Array, at: number, j: number): void {
    const start = this.rungStart[j];
    const inverse = this.rungInverse[j];
    const buckets = this.rungBuckets[j];
    for (let b = list[at]; b >= 0; ) {
      // Re-read the arena each time: appending may grow it.
      const o = (b << BLOCK_SHIFT) + 2;
      const end = o + this.entry * this.arena[o - 1];
      for (let e = o; e < end; e += this.entry) {
        const k = Math.floor((this.arena[e] - start) * inverse);
        this.appendFrom(buckets, k << 2, this.arena, e);
      }
      b = this.arena[b << BLOCK_SHIFT];
    }
    this.freeList(list, at);
  }

  /**
   * Moves the list at `list[at..]` into the empty bottom, sorted stably by time: its times lie
   * in [startMicros, startMicros + widthMicros), a power of two wide (1: one time), or anywhere
   * when `widthMicros` is 0.
   */
  private toBottom(list: Int32Array, at: number, startMicros: number, widthMicros: number): void {
    const count = list[at + 2];
    if (count * this.entry > this.bottom.length) this.growBottom(count);
    this.sorter.sort(this.arena, list[at], count, startMicros, widthMicros, this.bottom);
    this.freeList(list, at);
    this.bottomHead = 0;
    this.bottomEnd = count;
  }

  /**
   * Inserts into the bottom after the entries at or before `timeMicros`, shifting the shorter
   * side of the bottom by one place; when that is more than {@link SHIFT_AT_MOST} entries the
   * bottom becomes a rung instead and the entry is pushed again.
   */
  private insertBottom(timeMicros: number, a: number, b: number, c: number, d: number): void {
    const head = this.bottomHead;
    const end = this.bottomEnd;
    let at: number;
    if (head === end || timeMicros >= this.bottom[(end - 1) * this.entry]) {
      if (head === end) {
        this.bottomHead = 0;
        this.bottomEnd = 0;
      }
      if ((this.bottomEnd + 1) * this.entry > this.bottom.length)
        this.growBottom(this.bottomEnd + 1);
      at = this.bottomEnd * this.entry;
      this.bottomEnd++;
    } else if (timeMicros < this.bottom[head * this.entry] && head > 0) {
      this.bottomHead = head - 1;
      at = (head - 1) * this.entry;
    } else {
      // The first entry later than the new one.
      const bottom = this.bottom;
      let low = head;
      let high = end - 1;
      while (low < high) {
        const mid = (low + high) >> 1;
        if (bottom[mid * this.entry] > timeMicros) high = mid;
        else low = mid + 1;
      }
      const before = low - head;
      const after = end - low;
      // The free places before the head (left by pops) let the earlier entries move forward.
      const forward = head > 0 && before < after;
      if (
        (forward ? before : after) > EventQueue.SHIFT_AT_MOST &&
        this.rungCount < EventQueue.MAX_RUNGS
      ) {
        this.rungFromBottom();
        this.count--;
        this.push(timeMicros, a, b, c, d);
        return;
      }
      if (forward) {
        bottom.copyWithin((head - 1) * this.entry, head * this.entry, low * this.entry);
        this.bottomHead = head - 1;
        at = (low - 1) * this.entry;
        this.work += before;
      } else {
        if ((end + 1) * this.entry > bottom.length) this.growBottom(end + 1);
        at = low * this.entry;
        this.bottom.copyWithin(at + this.entry, at, end * this.entry);
        this.bottomEnd = end + 1;
        this.work += after;
      }
    }
    this.writeEntry(this.bottom, at, timeMicros, a, b, c, d);
  }

  /**
   * Turns a long bottom into a finest rung over its range (from its earliest time to where the
   * finest rung, or the top, begins), keeping its order, and empties it.
   */
  private rungFromBottom(): void {
    const head = this.bottomHead;
    const end = this.bottomEnd;
    const bottom = this.bottom;
    const startMicros = bottom[head * this.entry];
    const endMicros = this.rungCount > 0 ? this.rungLive[this.rungCount - 1] : this.topStartMicros;
    const j = this.makeRung(
      startMicros,
      endMicros - startMicros,
      bottom[(end - 1) * this.entry] - startMicros + 1,
      end - head,
    );
    const start = this.rungStart[j];
    const inverse = this.rungInverse[j];
    const buckets = this.rungBuckets[j];
    for (let at = head * this.entry; at < end * this.entry; at += this.entry) {
      const k = Math.floor((bottom[at] - start) * inverse);
      this.appendFrom(buckets, k << 2, bottom, at);
    }
    this.work += end - head;
    this.bottomHead = 0;
    this.bottomEnd = 0;
  }

  /** Grows the bottom to hold at least `count` entries, keeping its contents. */
  private growBottom(count: number): void {
    let size = this.bottom.length;
    while (size < count * this.entry) size *= 2;
    const grown = new Float64Array(size);
    grown.set(this.bottom);
    this.bottom = grown;
  }
}
