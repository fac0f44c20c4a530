import { describe, expect, it } from "vitest";
import { PairSorter } from "../../sim/engine/pairSorter.ts";
import { createStream } from "../../sim/engine/random.ts";

describe("PairSorter", () => {
  it("pairSorter sorts by time and keeps the order of equal times, as a stable sort does", () => {
    const rng = createStream("pair-sorter");
    const sorter = new PairSorter();
    // Both sides of the insertion-sort limit, sizes around the powers of two the merge passes
    // split at, and past the initial capacity.
    for (const count of [1, 2, 3, 17, 32, 33, 63, 64, 65, 1000, 5000]) {
      sorter.reserve(count);
      const pairs: [number, number][] = [];
      for (let i = 0; i < count; i++) {
        // Few distinct times, so that ties are common.
        const time = rng.int(Math.max(2, count >> 3)) * 1_000;
        sorter.times[i] = time;
        sorter.slots[i] = i;
        pairs.push([time, i]);
      }
      sorter.sort(count);
      // Array.prototype.sort is stable: equal times stay in slot (input) order.
      pairs.sort((a, b) => a[0] - b[0]);
      expect(Array.from(sorter.times.subarray(0, count))).toEqual(pairs.map((p) => p[0]));
      expect(Array.from(sorter.slots.subarray(0, count))).toEqual(pairs.map((p) => p[1]));
    }
  });

  it("pairSorter keeps the pairs already filled in when it grows", () => {
    const sorter = new PairSorter();
    for (let i = 0; i < 64; i++) {
      sorter.times[i] = 64 - i;
      sorter.slots[i] = i;
    }
    sorter.reserve(1000);
    expect(sorter.times.length).toBeGreaterThanOrEqual(1000);
    expect(sorter.times[0]).toBe(64);
    expect(sorter.slots[63]).toBe(63);
  });
});
