import { describe, expect, it } from "vitest";
import { EntrySorter } from "../../sim/engine/entrySorter.ts";
import { createStream } from "../../sim/engine/random.ts";

describe("EntrySorter", () => {
  it("entrySorter sorts entries of 2 and 5 numbers by time and keeps equal times in order", () => {
    const rng = createStream("entry-sorter");
    const sorter = new EntrySorter();
    // Both sides of the insertion-sort limit, already-ordered input, and past the spare's size.
    for (const entry of [2, 5]) {
      for (const count of [1, 2, 17, 32, 33, 200, 3000]) {
        for (const ordered of [false, true]) {
          const rows: number[][] = [];
          for (let i = 0; i < count; i++) {
            // Few distinct times, so that ties are common; the payload names the input row.
            const time = ordered ? i >> 2 : rng.int(Math.max(2, count >> 3)) * 1_000;
            rows.push([time, i, -i, i + 0.25, 7].slice(0, entry));
          }
          const entries = new Float64Array(entry * count + 3 * entry).fill(-9);
          for (const [i, row] of rows.entries()) entries.set(row, i * entry);
          const sorted = sorter.sort(entries, count, entry);
          // Array.prototype.sort is stable: equal times keep their input order.
          const want = [...rows].sort((a, b) => a[0] - b[0]).flat();
          expect(Array.from(sorted.subarray(0, count * entry))).toEqual(want);
        }
      }
    }
  });

  it("entrySorter hands back its spare array and takes the caller's, so sorting allocates once", () => {
    const sorter = new EntrySorter();
    const a = new Float64Array([3, 30, 0, 0, 0, 1, 10, 0, 0, 0, 2, 20, 0, 0, 0]);
    const first = sorter.sort(a, 3, 5);
    expect(first).not.toBe(a);
    expect(Array.from(first.subarray(0, 15))).toEqual([
      1, 10, 0, 0, 0, 2, 20, 0, 0, 0, 3, 30, 0, 0, 0,
    ]);
    // The next sort fills the array the first one gave up.
    const b = new Float64Array([2, 1, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(sorter.sort(b, 2, 5)).toBe(a);
  });
});
