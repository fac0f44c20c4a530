import { describe, expect, it } from "vitest";
import { createStream, EventQueue } from "../../sim/engine/index.ts";

interface RefEntry {
  time: number;
  seq: number;
  handle: number;
}

/** Index of the earliest entry by (time, insertion order), or -1. The slow, obvious reference. */
function earliest(ref: RefEntry[]): number {
  let best = -1;
  for (let k = 0; k < ref.length; k++) {
    const e = ref[k];
    const b = ref[best];
    if (best < 0 || e.time < b.time || (e.time === b.time && e.seq < b.seq)) best = k;
  }
  return best;
}

/** Drains the queue, returning handles in pop order. */
function drain(q: EventQueue): number[] {
  const out: number[] = [];
  while (q.size > 0) out.push(q.pop());
  return out;
}

describe("EventQueue", () => {
  it("eventQueue matches a sorted reference under seeded random interleaved pushes and pops", () => {
    for (const [seed, timeRange] of [
      ["a", 20], // many equal times: exercises the sequence tie-break inside the heap
      ["b", 1_000],
      ["c", 1e9],
    ] as const) {
      const rng = createStream(`eventQueue-ref/${seed}`);
      const q = new EventQueue(4);
      const ref: RefEntry[] = [];
      let seq = 0;
      let pops = 0;
      for (let step = 0; step < 20_000; step++) {
        // Grow for the first half, shrink for the second, so both sift paths see deep heaps.
        const pushBias = step < 10_000 ? 0.65 : 0.35;
        if (ref.length === 0 || rng.next() < pushBias) {
          const time = rng.int(timeRange);
          const handle = seq;
          q.push(time, handle);
          ref.push({ time, seq: seq++, handle });
        } else {
          const k = earliest(ref);
          expect(q.peekTime()).toBe(ref[k].time);
          expect(q.peekHandle()).toBe(ref[k].handle);
          expect(q.pop()).toBe(ref[k].handle);
          ref.splice(k, 1);
          pops++;
        }
        expect(q.size).toBe(ref.length);
      }
      // Whatever is left must come out in (time, seq) order too.
      const rest = [...ref].sort((x, y) => x.time - y.time || x.seq - y.seq).map((e) => e.handle);
      expect(drain(q)).toEqual(rest);
      expect(pops).toBeGreaterThan(5_000);
    }
  });

  it("eventQueue pops equal-time events FIFO", () => {
    const q = new EventQueue();
    // Interleave three times so equal-time entries sit in different parts of the heap.
    for (let h = 0; h < 300; h++) q.push([50, 10, 30][h % 3], h);
    const popped = drain(q);
    const expected = [
      ...Array.from({ length: 100 }, (_, k) => 3 * k + 1), // time 10
      ...Array.from({ length: 100 }, (_, k) => 3 * k + 2), // time 30
      ...Array.from({ length: 100 }, (_, k) => 3 * k), // time 50
    ];
    expect(popped).toEqual(expected);
  });

  it("eventQueue keeps FIFO order for equal times pushed between pops", () => {
    const q = new EventQueue();
    q.push(5, 1);
    q.push(1, 0);
    q.push(5, 2);
    expect(q.pop()).toBe(0);
    q.push(5, 3); // later push at the same time as pending entries goes after them
    q.push(4, 4);
    expect(drain(q)).toEqual([4, 1, 2, 3]);
  });

  it("eventQueue reports -1 and Infinity when empty", () => {
    const q = new EventQueue();
    expect(q.size).toBe(0);
    expect(q.pop()).toBe(-1);
    expect(q.peekHandle()).toBe(-1);
    expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
    q.push(7, 3);
    expect(q.peekTime()).toBe(7);
    expect(q.pop()).toBe(3);
    expect(q.pop()).toBe(-1);
  });

  it("eventQueue grows past its initial capacity without losing or reordering entries", () => {
    const q = new EventQueue(4);
    const n = 10_000;
    const rng = createStream("eventQueue-grow");
    const times = Array.from({ length: n }, () => rng.int(1_000_000));
    for (let h = 0; h < n; h++) q.push(times[h], h);
    expect(q.size).toBe(n);
    const expected = times
      .map((time, h) => ({ time, h }))
      .sort((x, y) => x.time - y.time || x.h - y.h)
      .map((e) => e.h);
    expect(drain(q)).toEqual(expected);
  });

  it("eventQueue throws RangeError when maxSize entries are pending and recovers after a pop", () => {
    const q = new EventQueue(4, 10);
    for (let h = 0; h < 10; h++) q.push(h, h);
    expect(() => q.push(99, 99)).toThrow(RangeError);
    expect(() => q.push(99, 99)).toThrow(/event queue limit reached: 10 pending events/);
    // The failed push changed nothing.
    expect(q.size).toBe(10);
    expect(q.pop()).toBe(0);
    q.push(99, 99);
    expect(q.size).toBe(10);
    expect(drain(q)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 99]);
  });

  it("eventQueue enforces maxSize even when it is below the initial capacity", () => {
    const q = new EventQueue(1024, 10);
    for (let h = 0; h < 10; h++) q.push(h, h);
    expect(() => q.push(10, 10)).toThrow(/limit reached: 10 pending/);
    expect(q.size).toBe(10);
  });
});
