/**
 * A stable sort of (time, slot) pairs by time, in scratch typed arrays that it owns and grows:
 * the event queue's bucket sorter, for a bucket whose times its counting sort cannot spread,
 * fills {@link times} and {@link slots} with the time and arena offset of each entry in list
 * order, sorts, and copies the entries to the queue's bottom in the resulting order, so each
 * entry is copied once however far the sort moves it.
 */
export class PairSorter {
  /** Most pairs sorted by insertion; more are merge-sorted. */
  static readonly INSERTION_MAX = 32;
  /** The pairs' times (µs), to fill before {@link sort}; the sorted times after it. */
  times = new Float64Array(64);
  /** The pairs' slots, side by side with {@link times}. */
  slots = new Int32Array(64);
  private spareTimes = new Float64Array(64);
  private spareSlots = new Int32Array(64);

  /** Makes room for at least `count` pairs, keeping those already filled in. */
  reserve(count: number): void {
    if (count <= this.times.length) return;
    let size = this.times.length;
    while (size < count) size *= 2;
    const times = new Float64Array(size);
    const slots = new Int32Array(size);
    times.set(this.times);
    slots.set(this.slots);
    this.times = times;
    this.slots = slots;
    this.spareTimes = new Float64Array(size);
    this.spareSlots = new Int32Array(size);
  }

  /**
   * Sorts the first `count` pairs by time, stably (equal times keep their order): an insertion
   * sort up to {@link INSERTION_MAX} pairs (often nearly in order already), beyond it a
   * bottom-up merge sort, ping-ponging between the arrays and the spares; the result ends in
   * {@link times} and {@link slots}.
   */
  sort(count: number): void {
    if (count <= PairSorter.INSERTION_MAX) {
      const times = this.times;
      const slots = this.slots;
      for (let i = 1; i < count; i++) {
        const t = times[i];
        if (times[i - 1] <= t) continue;
        const slot = slots[i];
        let p = i - 1;
        while (p >= 0 && times[p] > t) {
          times[p + 1] = times[p];
          slots[p + 1] = slots[p];
          p--;
        }
        times[p + 1] = t;
        slots[p + 1] = slot;
      }
      return;
    }
    let fromTimes = this.times;
    let fromSlots = this.slots;
    let toTimes = this.spareTimes;
    let toSlots = this.spareSlots;
    for (let run = 1; run < count; run *= 2) {
      for (let low = 0; low < count; low += 2 * run) {
        const middle = Math.min(low + run, count);
        const high = Math.min(low + 2 * run, count);
        let i = low;
        let j = middle;
        let out = low;
        // Ties take from the left run, which came first.
        while (i < middle && j < high) {
          if (fromTimes[j] < fromTimes[i]) {
            toTimes[out] = fromTimes[j];
            toSlots[out++] = fromSlots[j++];
          } else {
            toTimes[out] = fromTimes[i];
            toSlots[out++] = fromSlots[i++];
          }
        }
        while (i < middle) {
          toTimes[out] = fromTimes[i];
          toSlots[out++] = fromSlots[i++];
        }
        while (j < high) {
          toTimes[out] = fromTimes[j];
          toSlots[out++] = fromSlots[j++];
        }
      }
      const times = fromTimes;
      const slots = fromSlots;
      fromTimes = toTimes;
      fromSlots = toSlots;
      toTimes = times;
      toSlots = slots;
    }
    this.times = fromTimes;
    this.slots = fromSlots;
    this.spareTimes = toTimes;
    this.spareSlots = toSlots;
  }
}
