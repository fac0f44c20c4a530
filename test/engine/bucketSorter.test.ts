import { describe, expect, it } from "vitest";
import { BLOCK, BLOCK_SHIFT, BucketSorter } from "../../sim/engine/bucketSorter.ts";
import { createStream, type RandomStream } from "../../sim/engine/random.ts";

/**
 * An arena holding one block list with the given times, laid out as the event queue does:
 * blocks chained in an order other than their places (the list starts at the last block), each
 * entry its time, then its index in `times` and, for five-number entries, three more numbers
 * derived from it.
 */
function listOf(times: number[], entry: number): { arena: Float64Array; first: number } {
  const perBlock = Math.floor((BLOCK - 2) / entry);
  const blocks = Math.max(1, Math.ceil(times.length / perBlock));
  const arena = new Float64Array(blocks * BLOCK);
  for (let k = 0; k < blocks; k++) {
    // List position k lives in block blocks - 1 - k.
    const b = blocks - 1 - k;
    const o = b << BLOCK_SHIFT;
    arena[o] = k + 1 < blocks ? b - 1 : -1;
    const from = k * perBlock;
    const filled = Math.min(perBlock, times.length - from);
    arena[o + 1] = filled;
    for (let i = 0; i < filled; i++) {
      const e = o + 2 + i * entry;
      arena[e] = times[from + i];
      arena[e + 1] = from + i;
      if (entry === 5) {
        arena[e + 2] = -(from + i);
        arena[e + 3] = (from + i) * 0.5;
        arena[e + 4] = 2 ** 40 + from + i;
      }
    }
  }
  return { arena, first: blocks - 1 };
}

/** Sorts `times` with the sorter and checks the result against a stable sort of the indices. */
function checkSort(times: number[], entry: number, startMicros: number, widthMicros: number) {
  const sorter = new BucketSorter(entry);
  const { arena, first } = listOf(times, entry);
  const into = new Float64Array(times.length * entry);
  sorter.sort(arena, first, times.length, startMicros, widthMicros, into);
  // Array.prototype.sort is stable: equal times stay in list order.
  const want = times.map((_, i) => i).sort((x, y) => times[x] - times[y]);
  const got: number[] = [];
  for (let i = 0; i < times.length; i++) {
    const at = i * entry;
    const index = into[at + 1];
    got.push(index);
    expect(into[at]).toBe(times[index]);
    if (entry === 5) {
      expect([into[at + 2], into[at + 3], into[at + 4]]).toEqual([
        -index,
        index * 0.5,
        2 ** 40 + index,
      ]);
    }
  }
  expect(got).toEqual(want);
}

/** `count` times in [start, start + span) drawn from `distinct` values, so ties are common. */
function draw(rng: RandomStream, count: number, start: number, span: number, distinct: number) {
  const values = Array.from({ length: distinct }, () => start + rng.int(span));
  return Array.from({ length: count }, () => values[rng.int(distinct)]);
}

describe("BucketSorter", () => {
  it("bucketSorter sorts a list stably by time for sizes and ranges around its fine-bucket counts", () => {
    const rng = createStream("bucket-sorter");
    for (const entry of [2, 5]) {
      for (const count of [1, 2, 3, 15, 16, 17, 100, 511, 512]) {
        for (const width of [2, 64, 1024, 2 ** 20]) {
          const start = 7 * width + 3;
          // Mostly distinct times, and times tied by the dozen.
          checkSort(draw(rng, count, start, width, count), entry, start, width);
          checkSort(draw(rng, count, start, width, Math.max(1, count >> 3)), entry, start, width);
        }
      }
    }
  });

  it("bucketSorter keeps list order for entries of one time (a range one microsecond wide)", () => {
    checkSort(
      Array.from({ length: 300 }, () => 42),
      5,
      42,
      1,
    );
  });

  it("bucketSorter sorts times crowded into a sliver of the range, past what its insertion pass takes", () => {
    const rng = createStream("bucket-sorter/crowded");
    // 400 entries over a range of 2^20 us whose times all lie in its first 64 us: the 512 fine
    // buckets are 2,048 us wide, so one holds them all, in random order with ties.
    for (const entry of [2, 5]) checkSort(draw(rng, 400, 0, 64, 50), entry, 0, 2 ** 20);
    // One more than the insertion pass takes, and a reversed run.
    const reversed = Array.from({ length: BucketSorter.FINE_BUCKET_AT_MOST + 1 }, (_, i) => 99 - i);
    checkSort(reversed, 5, 0, 2 ** 16);
  });

  it("bucketSorter sorts times in any range when none is given", () => {
    const rng = createStream("bucket-sorter/any");
    for (const count of [1, 33, 700])
      checkSort(draw(rng, count, 5, 2 ** 45, count >> 1 || 1), 5, 0, 0);
  });
});
