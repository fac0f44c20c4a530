import { PairSorter } from "../sim/engine/pairSorter.ts";

/**
 * The simulator's event queue before the ladder queue (`sim/engine/eventQueue.ts`), kept as a
 * contender in the engine benchmark: a calendar queue (R. Brown, "Calendar queues", CACM 1988)
 * kept entirely in typed arrays. It is the faster of the two while every entry fits in the
 * processor's caches, and slower once they do not.
 *
 * Time is cut into buckets of `width` microseconds; bucket `k` of a year of `buckets` buckets
 * holds every entry whose time `t` has `floor(t / width) mod buckets === k`, as a singly linked
 * list sorted by time (a bucket pops have not reached may instead hold an out-of-order tail of
 * appended entries, flagged in `unsorted` and sorted stably when pops reach it). An entry pushed
 * at a time equal to others goes after them, so equal times pop in insertion order (FIFO)
 * without storing a sequence number: the order is exactly the (time, insertion order) order of
 * a heap keyed on (time, sequence). Popping reads the head of
 * the current bucket when it falls in the current year and otherwise steps to the next bucket,
 * so with about one entry per bucket near the front both push and pop take constant time, where
 * a heap takes a logarithmic number of scattered reads.
 *
 * The bucket count doubles when there are more than two entries per bucket and halves below one
 * per two, and each resize picks a new width from the gaps between the earliest times (Brown's
 * estimate), so the width follows the density where pops happen. A distribution that drifts
 * without the size changing (a burst scheduled ahead, a quiet spell) shows up as work: buckets
 * skipped by pops and runs walked by pushes. When that work exceeds a few units per pop plus the
 * cost of a rebuild, the queue rebuilds with a fresh width; the allowance doubles each time this
 * recurs before the entries have turned over, so a distribution no width suits (dense bursts
 * between long silences) costs at most a constant factor more rebuilding, never a rebuild per
 * event. Runs of equal times are stepped over in one go (see `runPartner`), so a clump of
 * entries at one time costs a push one step however large it is.
 *
 * Entries live in a pool of 16-byte slots (time, next slot, handle) in one buffer, so an entry
 * is one cache line, with a free list, so push and pop allocate nothing; a bucket's head and
 * tail sit side by side for the same reason. Only the pool (doubling) and the bucket array (on
 * resize) are reallocated.
 *
 * Times must be whole numbers of microseconds in [0, Number.MAX_SAFE_INTEGER]; the bucket
 * arithmetic is exact there because the width is a power of two. {@link Simulator} checks this.
 */
export class CalendarQueue {
  /** Fewest buckets the queue keeps. */
  static readonly MIN_BUCKETS = 16;
  /** Earliest entries the width estimate looks at. */
  static readonly WIDTH_SAMPLE = 32;
  /** Bucket width in units of the mean gap between the entries at the front. */
  static readonly WIDTH_PER_GAP = 2;
  /**
   * Most steps a push walks into a bucket pops have not reached before it appends and leaves
   * the bucket to be sorted when they do.
   */
  static readonly WALK_LIMIT = 3;
  /** Work per pop (skipped buckets plus walked steps) counted as normal. */
  static readonly WORK_PER_POP = 4;

  /** Largest number of entries the queue will hold before it throws. */
  readonly maxSize: number;

  /**
   * The slot pool, two views of one buffer of 16-byte records: slot `s` has its time
   * (microseconds) at `slotTimes[2s]`, the next slot of its list (bucket or free list, -1 ends)
   * at `slotInts[4s + 2]` and its handle at `slotInts[4s + 3]`.
   */
  private slotTimes: Float64Array;
  private slotInts: Int32Array;
  /**
   * Run partners, by slot: the first entry of a run of equal times in a bucket and the last
   * point at each other (an entry alone points at itself; the middle of a run is not kept up to
   * date). Pushes walk a bucket run by run, so a thousand entries at one time cost one step, not
   * a thousand. Kept apart from the slot records, which stay 16 bytes (24- and 32-byte records
   * ran the hold model slower): a pop touches it only when the next entry has the same time.
   */
  private runPartner: Int32Array;
  /** First free slot; -1 when the pool is full. */
  private freeSlot = -1;
  private count = 0;

  /** Bucket `b`'s first slot at `bucketEnds[2b]` and last at `bucketEnds[2b + 1]`; -1 if empty. */
  private bucketEnds: Int32Array;
  /**
   * 1 for a bucket whose list may be out of time order: a push that lands before the tail of a
   * bucket other than the current one appends and sets this instead of walking the list, and
   * the bucket is sorted (stably, so equal times keep insertion order) when pops reach it. A
   * burst of entries pushed in no time order into a few buckets (a multicast scheduling a
   * hundred thousand deliveries spread over the latencies) then costs one append each and one
   * sort per bucket in cache, where sorted insertion walked a list of scattered slots for every
   * entry. The current bucket, which pops read, is always sorted.
   */
  private unsorted: Uint8Array;
  /** Bucket count minus one (the count is a power of two). */
  private bucketMask: number;
  /** Bucket width in microseconds, a power of two, and its exact inverse. */
  private widthMicros = 1;
  private inverseWidth = 1;
  /** The bucket pops read now, and the time window [bucketStartMicros, bucketEndMicros) it covers. */
  private current = 0;
  private bucketStartMicros = 0;
  private bucketEndMicros = 1;
  /** Resize when the count rises above `growAbove` or falls below `shrinkBelow`. */
  private growAbove: number;
  private shrinkBelow: number;

  /** Buckets skipped and list steps walked since the last rebuild. */
  private work = 0;
  /** Pops since construction, and at the last rebuild. */
  private pops = 0;
  private popsAtRebuild = 0;
  /** Work allowed since the last rebuild beyond the per-pop allowance (grows on repeated rebuilds). */
  private workAllowance: number;
  /** Rebuilds since construction (resizes and width corrections). */
  private rebuildCount = 0;
  /** Work done before the last rebuild, since construction. */
  private workBeforeRebuild = 0;

  /** Scratch for the width estimate: the earliest times, ascending. */
  private readonly earliest = new Float64Array(CalendarQueue.WIDTH_SAMPLE);
  /** Scratch for sorting a bucket's list. */
  private readonly sorter = new PairSorter();

  /**
   * @param initialCapacity entry slots allocated up front; the pool doubles when full.
   * @param maxSize hard limit on pending entries (a runaway model fails loudly instead of
   *   exhausting memory); at most 2^28 so slot offsets stay 32-bit.
   */
  constructor(initialCapacity = 1024, maxSize = 100_000_000) {
    if (!(maxSize >= 1 && maxSize <= 2 ** 28)) {
      throw new RangeError(`event queue maxSize must be in [1, 2^28], got ${maxSize}`);
    }
    // Never allocate past maxSize: push checks the limit before taking a slot.
    const capacity = Math.min(Math.max(4, initialCapacity), maxSize);
    const buffer = new ArrayBuffer(capacity * 16);
    this.slotTimes = new Float64Array(buffer);
    this.slotInts = new Int32Array(buffer);
    this.runPartner = new Int32Array(capacity);
    this.linkFree(0, capacity);
    this.maxSize = maxSize;
    const buckets = CalendarQueue.MIN_BUCKETS;
    this.bucketEnds = new Int32Array(2 * buckets).fill(-1);
    this.unsorted = new Uint8Array(buckets);
    this.bucketMask = buckets - 1;
    this.growAbove = 2 * buckets;
    this.shrinkBelow = -1;
    this.workAllowance = 2 * buckets;
  }

  /** Number of pending entries. */
  get size(): number {
    return this.count;
  }

  /** Number of buckets now (a power of two); for tests and benchmarks. */
  get bucketCount(): number {
    return this.bucketMask + 1;
  }

  /** Current bucket width in microseconds (a power of two); for tests and benchmarks. */
  get bucketWidthMicros(): number {
    return this.widthMicros;
  }

  /** Rebuilds so far (resizes and width corrections); for tests and benchmarks. */
  get rebuilds(): number {
    return this.rebuildCount;
  }

  /**
   * Buckets skipped, list steps walked and entries sorted since construction: the queue's work
   * beyond a constant per push and pop; for tests and benchmarks.
   */
  get workSteps(): number {
    return this.workBeforeRebuild + this.work;
  }

  /** Time (microseconds) of the earliest entry; Infinity when empty. */
  peekTime(): number {
    if (this.count === 0) return Number.POSITIVE_INFINITY;
    let h = this.bucketEnds[this.current << 1];
    if (h < 0 || this.slotTimes[h << 1] >= this.bucketEndMicros) {
      h = this.bucketEnds[this.locate() << 1];
    }
    return this.slotTimes[h << 1];
  }

  /** Handle of the earliest entry; -1 when empty. */
  peekHandle(): number {
    if (this.count === 0) return -1;
    let h = this.bucketEnds[this.current << 1];
    if (h < 0 || this.slotTimes[h << 1] >= this.bucketEndMicros) {
      h = this.bucketEnds[this.locate() << 1];
    }
    return this.slotInts[(h << 2) | 3];
  }

  /**
   * Adds an entry at `timeMicros` (a whole number in [0, Number.MAX_SAFE_INTEGER]); it pops
   * after every entry pushed earlier at the same time.
   */
  push(timeMicros: number, handle: number): void {
    if (this.count >= this.maxSize) {
      throw new RangeError(`event queue limit reached: ${this.maxSize} pending events`);
    }
    let slot = this.freeSlot;
    if (slot < 0) slot = this.growPool();
    const times = this.slotTimes;
    const ints = this.slotInts;
    const link = (slot << 2) | 2;
    this.freeSlot = ints[link];
    times[slot << 1] = timeMicros;
    ints[link + 1] = handle;
    ints[link] = -1;
    // An entry before the current window (allowed: the queue is general) or into an empty
    // queue moves the window to it, so pops never scan from a stale place.
    if (timeMicros < this.bucketStartMicros || this.count === 0) this.moveTo(timeMicros);
    this.count++;
    // Truncation equals floor for non-negative times; `& mask` takes the low bits exactly even
    // above 2^31, because ToInt32 reduces modulo 2^32.
    const ends = this.bucketEnds;
    const bucket = (timeMicros * this.inverseWidth) & this.bucketMask;
    const b = bucket << 1;
    const tail = ends[b + 1];
    // A new entry starts a run of its own unless it joins the end of a run of equal times.
    this.runPartner[slot] = slot;
    if (tail < 0) {
      ends[b] = slot;
      ends[b + 1] = slot;
    } else if (times[tail << 1] <= timeMicros) {
      // The common case, and always the case for a run of equal times: append. Runs of equal
      // times stay right in list order even in an unsorted bucket, so they are kept here too.
      ints[(tail << 2) | 2] = slot;
      ends[b + 1] = slot;
      if (times[tail << 1] === timeMicros) this.joinRun(tail, slot);
    } else if (this.unsorted[bucket] === 1) {
      // Out of order into a bucket already waiting for its sort: append.
      ints[(tail << 2) | 2] = slot;
      ends[b + 1] = slot;
    } else {
      let p = ends[b];
      if (times[p << 1] > timeMicros) {
        ints[link] = p;
        ends[b] = slot;
      } else {
        // Walk run by run to the last entry at or before the new time (from a run's first
        // entry straight to its last, so equal times cost one step); the tail is later, so
        // this stops. Outside the current bucket the walk gives up after a few steps: the entry
        // is appended and the bucket sorted when pops reach it.
        const limit = bucket === this.current ? Number.POSITIVE_INFINITY : CalendarQueue.WALK_LIMIT;
        const runs = this.runPartner;
        p = runs[p];
        let q = ints[(p << 2) | 2];
        let steps = 1;
        while (times[q << 1] <= timeMicros && steps < limit) {
          p = runs[q];
          q = ints[(p << 2) | 2];
          steps++;
        }
        if (times[q << 1] > timeMicros) {
          ints[link] = q;
          ints[(p << 2) | 2] = slot;
          if (times[p << 1] === timeMicros) this.joinRun(p, slot);
        } else {
          ints[(tail << 2) | 2] = slot;
          ends[b + 1] = slot;
          this.unsorted[bucket] = 1;
        }
        this.work += steps;
        this.checkWork();
      }
    }
    if (this.count > this.growAbove) this.rebuild(2 * (this.bucketMask + 1));
  }

  /** Removes the earliest entry and returns its handle; -1 when empty. */
  pop(): number {
    if (this.count === 0) return -1;
    const ends = this.bucketEnds;
    let b = this.current << 1;
    let h = ends[b];
    if (h < 0 || this.slotTimes[h << 1] >= this.bucketEndMicros) {
      b = this.locate() << 1;
      h = this.bucketEnds[b];
    }
    const ints = this.slotInts;
    const link = (h << 2) | 2;
    const after = ints[link];
    const handle = ints[link + 1];
    this.bucketEnds[b] = after;
    if (after < 0) this.bucketEnds[b + 1] = -1;
    if (after >= 0 && this.slotTimes[after << 1] === this.slotTimes[h << 1]) {
      // The next entry now starts the popped entry's run.
      const runs = this.runPartner;
      const runLast = runs[h];
      runs[after] = runLast;
      runs[runLast] = after;
    }
    ints[link] = this.freeSlot;
    this.freeSlot = h;
    this.pops++;
    if (--this.count < this.shrinkBelow) this.rebuild((this.bucketMask + 1) >> 1);
    return handle;
  }

  /** Records that `slot`, linked right after `last`, extends the run of equal times `last` ends. */
  private joinRun(last: number, slot: number): void {
    const runs = this.runPartner;
    const first = runs[last];
    runs[first] = slot;
    runs[slot] = first;
  }

  /**
   * Moves the current bucket forward to the one holding the earliest entry and returns it.
   * Requires a non-empty queue. Scans at most one year of buckets, then searches every bucket's
   * head directly (the next entry is more than a year away).
   */
  private locate(): number {
    const ends = this.bucketEnds;
    const times = this.slotTimes;
    const mask = this.bucketMask;
    const width = this.widthMicros;
    let b = this.current;
    let end = this.bucketEndMicros;
    let skipped = 0;
    const unsorted = this.unsorted;
    for (; skipped <= mask; skipped++) {
      let h = ends[b << 1];
      if (h >= 0 && unsorted[b] === 1) h = this.sortBucket(b);
      if (h >= 0 && times[h << 1] < end) break;
      b = (b + 1) & mask;
      end += width;
    }
    if (skipped <= mask) {
      this.current = b;
      this.bucketEndMicros = end;
      this.bucketStartMicros = end - width;
    } else {
      // Every head is the earliest of its bucket, so the least head is the earliest entry.
      let earliest = Number.POSITIVE_INFINITY;
      for (let k = 0; k <= mask; k++) {
        let h = ends[k << 1];
        if (h >= 0 && unsorted[k] === 1) h = this.sortBucket(k);
        if (h >= 0 && times[h << 1] < earliest) earliest = times[h << 1];
      }
      this.moveTo(earliest);
    }
    this.work += skipped;
    this.checkWork();
    return this.current;
  }

  /**
   * Rebuilds with a fresh width when the work since the last rebuild exceeds the per-pop
   * allowance plus the cost of a rebuild: the width no longer suits the times. A rebuild needed
   * again before the entries have turned over once doubles the allowance, so a distribution no
   * width suits costs a bounded share of rebuilding.
   */
  private checkWork(): void {
    const popsSince = this.pops - this.popsAtRebuild;
    if (this.work <= CalendarQueue.WORK_PER_POP * popsSince + this.workAllowance) return;
    const allowance = this.workAllowance;
    const repeated = popsSince < this.count + this.bucketMask + 1;
    this.rebuild(this.bucketMask + 1);
    if (repeated) this.workAllowance = 2 * allowance;
  }

  /** Makes the bucket holding `timeMicros` current. */
  private moveTo(timeMicros: number): void {
    const year = Math.floor(timeMicros * this.inverseWidth);
    this.current = year & this.bucketMask;
    if (this.unsorted[this.current] === 1) this.sortBucket(this.current);
    this.bucketStartMicros = year * this.widthMicros;
    this.bucketEndMicros = this.bucketStartMicros + this.widthMicros;
  }

  /**
   * Rebuilds the calendar with `bucketCount` buckets and a width estimated from the earliest
   * times, keeping the (time, insertion order) order of every entry.
   */
  private rebuild(bucketCount: number): void {
    const buckets = Math.max(CalendarQueue.MIN_BUCKETS, bucketCount);
    const ints = this.slotInts;
    const times = this.slotTimes;
    const old = this.bucketEnds;
    // Chain every bucket list, in bucket order, into one list. Entries with equal times share a
    // bucket, so the chain keeps their insertion order.
    let chain = -1;
    let chainTail = -1;
    for (let k = 0; k <= this.bucketMask; k++) {
      const h = old[k << 1];
      if (h < 0) continue;
      if (chainTail < 0) chain = h;
      else ints[(chainTail << 2) | 2] = h;
      chainTail = old[(k << 1) | 1];
    }
    const width = this.estimateWidth(chain);
    const ends = buckets === this.bucketMask + 1 ? old : new Int32Array(2 * buckets);
    ends.fill(-1);
    const mask = buckets - 1;
    const inverse = 1 / width;
    // Append each entry to its new bucket in chain order, which keeps equal times in insertion
    // order; a bucket that received an earlier time after a later one is sorted afterwards with
    // a stable sort.
    const unsorted = buckets === this.bucketMask + 1 ? this.unsorted : new Uint8Array(buckets);
    unsorted.fill(0);
    let anyUnsorted = false;
    for (let s = chain; s >= 0; ) {
      const after = ints[(s << 2) | 2];
      const t = times[s << 1];
      const b = (t * inverse) & mask;
      const tail = ends[(b << 1) | 1];
      if (tail < 0) ends[b << 1] = s;
      else {
        ints[(tail << 2) | 2] = s;
        if (times[tail << 1] > t) {
          unsorted[b] = 1;
          anyUnsorted = true;
        }
      }
      ends[(b << 1) | 1] = s;
      ints[(s << 2) | 2] = -1;
      s = after;
    }
    if (anyUnsorted) {
      for (let b = 0; b < buckets; b++) {
        if (unsorted[b] === 0) continue;
        this.sortList(ends, b);
        unsorted[b] = 0;
      }
    }
    // Mark the runs of equal times: a run's first entry and its last point at each other.
    const runs = this.runPartner;
    for (let b = 0; b < buckets; b++) {
      let first = ends[b << 1];
      for (let s = first; s >= 0; ) {
        const after = ints[(s << 2) | 2];
        if (after < 0 || times[after << 1] !== times[s << 1]) {
          runs[first] = s;
          runs[s] = first;
          first = after;
        }
        s = after;
      }
    }
    this.bucketEnds = ends;
    this.unsorted = unsorted;
    this.bucketMask = mask;
    this.widthMicros = width;
    this.inverseWidth = inverse;
    this.growAbove = 2 * buckets;
    this.shrinkBelow = buckets > CalendarQueue.MIN_BUCKETS ? buckets >> 1 : -1;
    if (this.count > 0) this.moveTo(this.earliest[0]);
    this.workBeforeRebuild += this.work;
    this.work = 0;
    this.popsAtRebuild = this.pops;
    this.workAllowance = 2 * (this.count + buckets);
    this.rebuildCount++;
  }

  /**
   * Sorts bucket `b` (flagged unsorted) stably by time, marks its runs of equal times, clears
   * its flag and returns its new head. The entries sorted count as work: many of them mean the
   * buckets are too wide for where pushes land.
   */
  private sortBucket(b: number): number {
    const entries = this.sortList(this.bucketEnds, b);
    this.unsorted[b] = 0;
    this.work += entries;
    return this.bucketEnds[b << 1];
  }

  /**
   * Sorts the non-empty list of bucket `b` in `ends` stably by time (equal times keep list
   * order, which is insertion order), relinks it, marks its runs of equal times, and returns
   * its length.
   */
  private sortList(ends: Int32Array, b: number): number {
    const ints = this.slotInts;
    const sorter = this.sorter;
    let count = 0;
    for (let s = ends[b << 1]; s >= 0; s = ints[(s << 2) | 2]) {
      if (count === sorter.times.length) sorter.reserve(count + 1);
      sorter.times[count] = this.slotTimes[s << 1];
      sorter.slots[count++] = s;
    }
    sorter.sort(count);
    const times = sorter.times;
    const slots = sorter.slots;
    const runs = this.runPartner;
    let first = 0;
    for (let i = 0; i < count; i++) {
      const s = slots[i];
      const last = i + 1 === count;
      ints[(s << 2) | 2] = last ? -1 : slots[i + 1];
      if (last || times[i + 1] !== times[i]) {
        runs[slots[first]] = s;
        runs[s] = slots[first];
        first = i + 1;
      }
    }
    ends[b << 1] = slots[0];
    ends[(b << 1) | 1] = slots[count - 1];
    return count;
  }

  /**
   * Brown's width estimate: the mean gap between the earliest entries' times in the list from
   * `chain` (equal times count as gaps of zero: a clump at one time wants narrow buckets, since
   * a push walks past the entries of its bucket that are not later), leaving out gaps over twice
   * the mean (a cluster boundary), times {@link WIDTH_PER_GAP}, rounded to a power of two, at
   * least 1. Keeps the current width when fewer than two entries are pending. Leaves the
   * earliest time in `earliest[0]`.
   */
  private estimateWidth(chain: number): number {
    const earliest = this.earliest;
    const ints = this.slotInts;
    const times = this.slotTimes;
    const capacity = earliest.length;
    let found = 0;
    // Insertion into a short sorted array; after the first few entries most are rejected by
    // one comparison with the largest kept.
    for (let s = chain; s >= 0; s = ints[(s << 2) | 2]) {
      const t = times[s << 1];
      if (found === capacity && t >= earliest[capacity - 1]) continue;
      let i = found;
      while (i > 0 && earliest[i - 1] > t) i--;
      // Shift the later ones up (dropping the last when full) and insert.
      for (let j = found < capacity ? found : capacity - 1; j > i; j--)
        earliest[j] = earliest[j - 1];
      earliest[i] = t;
      if (found < capacity) found++;
    }
    if (found < 2) return this.widthMicros;
    let mean = (earliest[found - 1] - earliest[0]) / (found - 1);
    let sum = 0;
    let gaps = 0;
    for (let i = 1; i < found; i++) {
      const gap = earliest[i] - earliest[i - 1];
      if (gap <= 2 * mean) {
        sum += gap;
        gaps++;
      }
    }
    if (gaps > 0) mean = sum / gaps;
    const target = Math.max(1, mean * CalendarQueue.WIDTH_PER_GAP);
    // Nearest power of two on a log scale, at most 2^52 so bucket arithmetic stays exact.
    return 2 ** Math.min(52, Math.max(0, Math.round(Math.log2(target))));
  }

  /** Doubles the slot pool (up to maxSize) and returns a free slot. */
  private growPool(): number {
    const old = this.slotTimes.length >> 1;
    const capacity = Math.min(old * 2, this.maxSize);
    const buffer = new ArrayBuffer(capacity * 16);
    // Copied as 32-bit words: every bit of the mixed records survives.
    const ints = new Int32Array(buffer);
    ints.set(this.slotInts);
    this.slotTimes = new Float64Array(buffer);
    this.slotInts = ints;
    const runs = new Int32Array(capacity);
    runs.set(this.runPartner);
    this.runPartner = runs;
    this.linkFree(old, capacity);
    return this.freeSlot;
  }

  /** Puts slots [from, to) on the free list, lowest first. */
  private linkFree(from: number, to: number): void {
    const ints = this.slotInts;
    for (let s = to - 1; s >= from; s--) {
      ints[(s << 2) | 2] = this.freeSlot;
      this.freeSlot = s;
    }
  }
}
