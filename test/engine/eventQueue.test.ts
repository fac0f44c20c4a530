import { describe, expect, it } from "vitest";
import { TypedHeap } from "../../bench/typedHeap.ts";
import { createStream, EventQueue, type RandomStream } from "../../sim/engine/index.ts";

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

/** Handles 0..n-1 pushed at `times[h]`, in (time, insertion order) order. */
function popOrder(times: number[]): number[] {
  return times
    .map((time, h) => ({ time, h }))
    .sort((x, y) => x.time - y.time || x.h - y.h)
    .map((e) => e.h);
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

/** How the next pushed time is drawn, given the stream and the time of the last pop. */
type TimeDraw = (rng: RandomStream, nowMicros: number) => number;

/**
 * Runs `steps` random operations on the ladder queue and the previous binary heap side by
 * side, pushing with probability `pushBias(step)` (always when empty), and compares every pop
 * (time and handle) and the sizes; then drains both. Returns the number of pops compared.
 */
function compareWithHeap(
  seed: string,
  steps: number,
  draw: TimeDraw,
  pushBias: (step: number) => number,
  queue = new EventQueue(4),
): number {
  const rng = createStream(seed);
  const heap = new TypedHeap(4);
  let now = 0;
  let handle = 0;
  let pops = 0;
  const fail = (step: number, what: string) => {
    throw new Error(`${seed}: step ${step}: ${what}`);
  };
  for (let step = 0; step < steps; step++) {
    if (heap.size === 0 || rng.next() < pushBias(step)) {
      const t = draw(rng, now);
      queue.push(t, handle);
      heap.push(t, handle);
      handle++;
    } else {
      const t = heap.peekTime();
      if (queue.peekTime() !== t) fail(step, `peekTime ${queue.peekTime()}, heap ${t}`);
      if (queue.peekHandle() !== heap.peekHandle()) fail(step, "peekHandle differs");
      const got = queue.pop();
      const want = heap.pop();
      if (got !== want) fail(step, `popped ${got} at ${t} us, heap ${want}`);
      now = t;
      pops++;
    }
    if (queue.size !== heap.size) fail(step, `size ${queue.size}, heap ${heap.size}`);
  }
  while (heap.size > 0) {
    const t = heap.peekTime();
    if (queue.peekTime() !== t) fail(steps, `drain: peekTime ${queue.peekTime()}, heap ${t}`);
    if (queue.pop() !== heap.pop()) fail(steps, `drain: handle differs at ${t} us`);
    pops++;
  }
  expect(queue.size).toBe(0);
  expect(queue.pop()).toBe(-1);
  return pops;
}

/** Grow for the first half, shrink for the second: the rungs fill, then drain. */
const growThenShrink = (steps: number) => (step: number) => (step < steps / 2 ? 0.6 : 0.4);
/** Push and pop equally often around a standing queue of `n` entries. */
const exponential = (rng: RandomStream, meanMicros: number) =>
  Math.round(-meanMicros * Math.log(1 - rng.next()));

describe("EventQueue against the binary heap it replaced", () => {
  it("eventQueue pops event by event what the heap pops on a long simulator-like schedule with ties", () => {
    // Times as a simulator schedules them: never before the last pop; a quarter at the very
    // same microsecond, many a few microseconds ahead (ties by the hundred), exponential
    // delays, and rare far-future timeouts.
    const draw: TimeDraw = (rng, now) => {
      const u = rng.next();
      if (u < 0.25) return now;
      if (u < 0.55) return now + rng.int(8);
      if (u < 0.99) return now + exponential(rng, 50_000);
      return now + 3_600_000_000 + rng.int(1_000);
    };
    const steps = 400_000;
    const pops = compareWithHeap("schedule/ties", steps, draw, growThenShrink(steps));
    expect(pops).toBeGreaterThan(steps / 3);
  });

  it("eventQueue matches the heap when pushes land anywhere, before the last pop included", () => {
    // The queue is general: a push may precede earlier pops (the simulator never does this).
    for (const range of [16, 100_000, 2 ** 40]) {
      const steps = 60_000;
      const pops = compareWithHeap(
        `anywhere/${range}`,
        steps,
        (rng) => rng.int(range),
        growThenShrink(steps),
      );
      expect(pops).toBeGreaterThan(steps / 3);
    }
  });

  it("eventQueue matches the heap in a hold model at 1e4 pending (the benchmark's pattern)", () => {
    const queue = new EventQueue();
    const steps = 120_000;
    // Fill to 10,000 pending, then hold: one pop, one push.
    const pops = compareWithHeap(
      "hold",
      steps,
      (rng, now) => now + exponential(rng, 1_000_000),
      (step) => (step < 20_000 ? 1 : 0.5),
      queue,
    );
    expect(pops).toBeGreaterThan(40_000);
    // Buckets go to the bottom whole, and the few pushes that land in the bottom shift part of
    // it (0.20 per operation here); a split per level of a deep ladder, or buckets walked one
    // by one, would show as several.
    expect(queue.workSteps / steps).toBeLessThan(1);
  });

  it("eventQueue matches the heap across huge gaps and times near Number.MAX_SAFE_INTEGER", () => {
    const top = Number.MAX_SAFE_INTEGER;
    const draw: TimeDraw = (rng, now) => {
      const u = rng.next();
      if (u < 0.3) return Math.min(top, now + rng.int(4));
      if (u < 0.6) return Math.min(top, now + rng.int(2 ** 45));
      if (u < 0.8) return top - rng.int(3); // the largest allowed times, tied
      return Math.min(top, now + 2 ** 31 + rng.int(10)); // across the 32-bit boundary
    };
    const steps = 60_000;
    expect(compareWithHeap("gaps", steps, draw, growThenShrink(steps))).toBeGreaterThan(steps / 3);
  });

  it("eventQueue matches the heap on a skewed schedule: a clump at one time plus far timeouts", () => {
    const queue = new EventQueue();
    // Half the pushes at the current time, the rest spread over a few microseconds or a day ahead.
    const draw: TimeDraw = (rng, now) => {
      const u = rng.next();
      if (u < 0.5) return now;
      if (u < 0.98) return now + rng.int(5);
      return now + 86_400_000_000 + rng.int(1_000_000_000);
    };
    const steps = 200_000;
    compareWithHeap("skewed", steps, draw, (step) => (step < 50_000 ? 0.9 : 0.5), queue);
    // A clump at one time goes to the bottom whole, never split or sorted: the work per
    // operation stays small (0.34 here).
    expect(queue.workSteps / steps).toBeLessThan(1);
  });
});

describe("EventQueue under bursts pushed in no time order", () => {
  it("eventQueue matches the heap when each chunk schedules a burst of deliveries in random order, at a bounded work per operation", () => {
    // What an ideal multicast does: every second a chunk is sent to 5,000 receivers at once,
    // each delivered after its own latency (5 to 130 ms, whole milliseconds, so ties by the
    // dozen), pushed in receiver order, which is no time order. 20,000 far timeouts stand
    // throughout (sessions' leaves, each replaced when it fires). A burst lands in one coarse
    // bucket, which is split once into millisecond buckets when pops reach it; a push into the
    // bottom's middle shifts at most EventQueue.SHIFT_AT_MOST entries, beyond which the bottom
    // turns into a rung rather than taking a burst entry by entry (0.87 steps per operation
    // here; shifting the whole bottom for each push once cost about two).
    const queue = new EventQueue();
    const heap = new TypedHeap(4);
    const rng = createStream("burst");
    let handle = 0;
    const push = (t: number) => {
      queue.push(t, handle);
      heap.push(t, handle);
      handle++;
    };
    let operations = 0;
    for (let k = 0; k < 20_000; k++) push(rng.int(300_000_000));
    for (let chunk = 0; chunk < 40; chunk++) {
      const sentAt = chunk * 1_000_000;
      for (let r = 0; r < 5_000; r++) push(sentAt + 1_000 * (5 + rng.int(126)));
      while (heap.size > 0 && heap.peekTime() < sentAt + 1_000_000) {
        const t = heap.peekTime();
        expect(queue.peekTime()).toBe(t);
        const want = heap.pop();
        const got = queue.pop();
        if (got !== want) throw new Error(`chunk ${chunk}: popped ${got} at ${t} us, heap ${want}`);
        operations++;
        if (t % 1_000 !== 0) push(t + 300_000_000);
      }
    }
    operations += handle;
    expect(queue.workSteps / operations).toBeLessThan(1);
    while (heap.size > 0) expect(queue.pop()).toBe(heap.pop());
  });
});

describe("EventQueue with runs of equal times", () => {
  it("eventQueue keeps pushes into a clump of equal times cheap", () => {
    // A sparse front, then a clump of 20,000 entries at one future time T and one at T + 1, so
    // every push at T lands before the later entry and, once pops reach the clump, in the
    // bottom's middle. The bottom then turns into a rung with T and T + 1 in buckets of their
    // own, and later pushes append there: work stays a small constant per operation, where
    // shifting the bottom would cost thousands of steps per push.
    const queue = new EventQueue();
    const heap = new TypedHeap();
    let handle = 0;
    const push = (t: number) => {
      queue.push(t, handle);
      heap.push(t, handle);
      handle++;
    };
    const T = 500_003;
    for (let i = 0; i < 1_000; i++) push(i * 1_000);
    push(T + 1);
    for (let i = 0; i < 20_000; i++) push(T);
    for (let i = 0; i < 20_000; i++) {
      expect(queue.pop()).toBe(heap.pop());
      push(i % 3 === 0 ? T + 1 : T); // two runs, pushed to by turns
    }
    expect(queue.workSteps / 40_000).toBeLessThan(1);
    while (heap.size > 0) expect(queue.pop()).toBe(heap.pop());
  });

  it("eventQueue keeps runs of equal times in order through splits and pops", () => {
    // Runs of equal times are split into finer rungs and moved to the bottom with their order
    // kept; the heap says what order is right.
    const draw: TimeDraw = (rng, now) => now + 3 * rng.int(4);
    const steps = 100_000;
    expect(compareWithHeap("runs", steps, draw, growThenShrink(steps))).toBeGreaterThan(steps / 3);
  });
});

describe("EventQueue edge cases", () => {
  it("eventQueue holds a single entry repeatedly pushed far ahead of the last", () => {
    const q = new EventQueue();
    let t = 0;
    for (let k = 0; k < 200; k++) {
      q.push(t, k);
      expect(q.size).toBe(1);
      expect(q.peekTime()).toBe(t);
      expect(q.peekHandle()).toBe(k);
      expect(q.pop()).toBe(k);
      expect(q.peekTime()).toBe(Number.POSITIVE_INFINITY);
      t += 1 + k * 1_000_003_001; // gaps from 1 us to about 2e11 us
    }
  });

  it("eventQueue pops 50,000 entries at one time in insertion order, without splitting or sorting them", () => {
    const q = new EventQueue();
    const n = 50_000;
    for (let h = 0; h < n; h++) q.push(123_456, h);
    const popped = drain(q);
    expect(popped).toEqual(Array.from({ length: n }, (_, h) => h));
    expect(q.workSteps).toBe(0);
  });

  it("eventQueue grows its arena with the entries without losing or reordering any", () => {
    const q = new EventQueue(4);
    const n = 40_000;
    const rng = createStream("eventQueue-resize");
    const times = Array.from({ length: n }, () => rng.int(1_000_000_000));
    for (let h = 0; h < n; h++) q.push(times[h], h);
    expect(q.rungsInUse).toBe(0);
    const popped = drain(q);
    expect(popped).toEqual(popOrder(times));
    // 40,000 entries over uniform times: one coarse rung of about 16 entries per bucket, none
    // crowded past EventQueue.SPLIT_ABOVE, so none is split.
    expect(q.rungsCreated).toBeGreaterThanOrEqual(1);
    expect(q.rungsCreated).toBeLessThan(100);
  });

  it("eventQueue splits a crowded bucket into finer rungs until buckets are small", () => {
    const q = new EventQueue();
    // 1,000 distinct times in the first millisecond and one entry at 1 s: the coarse rung (63
    // buckets aimed at, 16 entries each) puts all 1,000 in its first bucket, 16,384 us wide,
    // more than EventQueue.SPLIT_ABOVE, so it is split when pops reach it (into buckets of
    // about 16 entries, each entry moving once) and the finer buckets are sorted into the
    // bottom; at most three moves per entry are allowed.
    const rng = createStream("eventQueue-split");
    const times = Array.from({ length: 1_000 }, (_, i) => i);
    for (let i = times.length - 1; i > 0; i--) {
      const k = rng.int(i + 1);
      [times[i], times[k]] = [times[k], times[i]];
    }
    for (let h = 0; h < 1_000; h++) q.push(times[h], h);
    q.push(1_000_000, 1_000);
    expect(q.peekTime()).toBe(0);
    expect(q.rungsInUse).toBeGreaterThanOrEqual(2);
    expect(q.workSteps).toBeGreaterThanOrEqual(1_000);
    expect(q.workSteps).toBeLessThanOrEqual(3_000);
    const popped = drain(q);
    expect(popped).toEqual(popOrder([...times, 1_000_000]));
  });
});

describe("EventQueue with four payload numbers", () => {
  it("eventQueue carries each entry's four payload numbers through splits, the top and the bottom", () => {
    const queue = new EventQueue(4, 1_000_000, 4);
    const heap = new TypedHeap(4);
    const rng = createStream("payload");
    let handle = 0;
    let now = 0;
    let checked = 0;
    for (let step = 0; step < 100_000; step++) {
      if (heap.size === 0 || rng.next() < 0.55) {
        const u = rng.next();
        const t = u < 0.3 ? now : u < 0.9 ? now + rng.int(100_000) : now + rng.int(1e9);
        // Payloads a simulator passes: kinds, node ids, fractions and negative numbers.
        queue.push(t, handle, handle * 3 + 0.5, -handle, 2 ** 40 + handle);
        heap.push(t, handle);
        handle++;
      } else {
        now = heap.peekTime();
        const want = heap.pop();
        expect(queue.pop()).toBe(want);
        if (
          queue.poppedB !== want * 3 + 0.5 ||
          queue.poppedC !== -want ||
          queue.poppedD !== 2 ** 40 + want
        ) {
          throw new Error(
            `entry ${want}: payload ${queue.poppedB}, ${queue.poppedC}, ${queue.poppedD}`,
          );
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40_000);
    expect(queue.rungsCreated).toBeGreaterThan(10);
  });
});
