import { PairSorter } from "./pairSorter.ts";

/**
 * A stable sort by time of the event queue's entries, each a run of numbers in a Float64Array
 * with the time (µs) first, in scratch arrays it owns. Small runs of (time, handle) pairs are
 * insertion-sorted in place; otherwise (time, position) keys are sorted and the entries gathered
 * in that order into a spare array, so each entry is copied once however far the sort moves it.
 */
export class EntrySorter {
  /** Runs this short are insertion-sorted; longer ones merge-sorted. */
  static readonly INSERTION_MAX = 32;
  private readonly keys = new PairSorter();
  private spare: Float64Array = new Float64Array(64);

  /**
   * Sorts the first `count` entries of `entries` (`entry` numbers each) stably by time and
   * returns the array that holds them sorted: `entries` itself, or a spare array, in which case
   * `entries` becomes this sorter's spare and the caller must use the returned array instead.
   */
  sort(entries: Float64Array, count: number, entry: number): Float64Array {
    if (entry === 2 && count <= EntrySorter.INSERTION_MAX) {
      // Pairs are as cheap to move as keys: insertion sort in place.
      for (let i = 2; i < count << 1; i += 2) {
        const t = entries[i];
        if (entries[i - 2] <= t) continue;
        const h = entries[i + 1];
        let p = i - 2;
        while (p >= 0 && entries[p] > t) {
          entries[p + 2] = entries[p];
          entries[p + 3] = entries[p + 1];
          p -= 2;
        }
        entries[p + 2] = t;
        entries[p + 3] = h;
      }
      return entries;
    }
    const keys = this.keys;
    keys.reserve(count);
    const times = keys.times;
    const slots = keys.slots;
    let ordered = true;
    for (let i = 0; i < count; i++) {
      const t = entries[i * entry];
      if (i > 0 && t < times[i - 1]) ordered = false;
      times[i] = t;
      slots[i] = i;
    }
    if (ordered) return entries;
    if (count <= EntrySorter.INSERTION_MAX) {
      // Insertion sort: few keys, often nearly in order.
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
    } else {
      keys.sort(count);
    }
    if (this.spare.length < entries.length) this.spare = new Float64Array(entries.length);
    const spare = this.spare;
    const order = keys.slots;
    for (let i = 0; i < count; i++) {
      const from = order[i] * entry;
      const to = i * entry;
      for (let n = 0; n < entry; n++) spare[to + n] = entries[from + n];
    }
    this.spare = entries;
    return spare;
  }
}
