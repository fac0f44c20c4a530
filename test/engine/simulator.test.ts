import { describe, expect, it } from "vitest";
import { createStream, SimulationError, Simulator } from "../../sim/engine/index.ts";

describe("Simulator", () => {
  it("simulator runs events in time order regardless of scheduling order", () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const kind = sim.register("tick", [], () => seen.push(sim.nowMicros));
    const rng = createStream("sim-order");
    const times = Array.from({ length: 2_000 }, () => rng.int(1_000_000));
    for (const t of times) sim.at(t, kind);
    const outcome = sim.run({ untilMicros: 1_000_000 });
    expect(outcome).toEqual({ events: times.length, stopped: false });
    expect(seen).toEqual([...times].sort((x, y) => x - y));
  });

  it("simulator runs equal-time events FIFO across kinds, including ones scheduled by handlers", () => {
    const sim = new Simulator();
    const log: string[] = [];
    const kinds: number[] = [];
    let spawned = false;
    for (const name of ["x", "y", "z"]) {
      kinds.push(
        sim.register(name, ["a"], (a) => {
          log.push(`${name}${a}`);
          // Scheduled at the current time while others at that time are pending: runs after them.
          if (!spawned) {
            spawned = true;
            sim.after(0, kinds[2], 99);
          }
        }),
      );
    }
    sim.at(200, kinds[0], 8); // later time, scheduled first
    for (let i = 0; i < 6; i++) sim.at(100, kinds[(i * 2) % 3], i);
    sim.run({ untilMicros: 1_000 });
    expect(log).toEqual(["x0", "z1", "y2", "x3", "z4", "y5", "z99", "x8"]);
  });

  it("simulator sets nowMicros to the event time inside handlers and passes payloads", () => {
    const sim = new Simulator();
    const mismatches: string[] = [];
    let calls = 0;
    const kind = sim.register("check", ["a", "b"], (a, b) => {
      calls++;
      if (sim.nowMicros !== a) mismatches.push(`now ${sim.nowMicros} but event at ${a}`);
      if (b !== -a / 2) mismatches.push(`payload b ${b} for event at ${a}`);
    });
    for (const t of [5, 0, 17, 3, 17, 1_000_000_007]) sim.at(t, kind, t, -t / 2);
    sim.run({ untilMicros: 2_000_000_000 });
    expect(calls).toBe(6);
    expect(mismatches).toEqual([]);
  });

  it("simulator passes zero payloads when a and b are omitted", () => {
    const sim = new Simulator();
    const got: number[][] = [];
    const kind = sim.register("bare", ["a", "b"], (a, b) => got.push([a, b]));
    sim.at(1, kind, 7, 8);
    sim.at(2, kind as number); // unchecked: a plain number takes any payload, zeros by default
    sim.run({ untilMicros: 10 });
    expect(got).toEqual([
      [7, 8],
      [0, 0],
    ]);
  });

  it("simulator throws SimulationError naming the event when scheduling in the past", () => {
    const sim = new Simulator();
    const ping = sim.register("ping", [], () => {});
    sim.run({ untilMicros: 100 });
    expect(() => sim.at(50, ping)).toThrow(SimulationError);
    expect(() => sim.at(50, ping)).toThrow(
      "event 'ping' scheduled in the past: at 50 us, now 100 us",
    );
    expect(() => sim.after(-1, ping)).toThrow(SimulationError);
    expect(() => sim.after(-1, ping)).toThrow(/event 'ping' scheduled with negative delay -1 us/);
    // The present is not the past.
    sim.at(100, ping);
    expect(sim.pendingEvents).toBe(1);
  });

  it("simulator rejects scheduling in the past from inside a handler", () => {
    const sim = new Simulator();
    let caught: unknown;
    const late = sim.register("late", [], () => {});
    const k = sim.register("k", [], () => {
      try {
        sim.at(sim.nowMicros - 1, late);
      } catch (e) {
        caught = e;
      }
    });
    sim.at(10, k);
    sim.run({ untilMicros: 20 });
    expect(caught).toBeInstanceOf(SimulationError);
    expect((caught as Error).message).toBe(
      "event 'late' scheduled in the past: at 9 us, now 10 us",
    );
    expect(sim.pendingEvents).toBe(0);
  });

  it("simulator throws SimulationError for non-integer, NaN and unsafe times and unknown kinds", () => {
    const sim = new Simulator();
    const k = sim.register("k", [], () => {});
    expect(() => sim.at(1.5, k)).toThrow(SimulationError);
    expect(() => sim.at(1.5, k)).toThrow(
      "event time must be a whole number of microseconds, got 1.5",
    );
    expect(() => sim.after(0.25, k)).toThrow(/whole number of microseconds, got 0.25/);
    expect(() => sim.at(Number.NaN, k)).toThrow(SimulationError);
    expect(() => sim.at(Number.POSITIVE_INFINITY, k)).toThrow(/whole number/);
    expect(() => sim.at(2 ** 53, k)).toThrow(/whole number/);
    expect(() => sim.at(1, 5)).toThrow(new SimulationError("unknown event kind 5"));
    expect(() => sim.at(1, -1)).toThrow(/unknown event kind -1/);
    // Nothing was enqueued by the rejected calls.
    expect(sim.pendingEvents).toBe(0);
  });

  it("simulator throws SimulationError when a run would exceed maxEvents", () => {
    const sim = new Simulator();
    let count = 0;
    const loop = sim.register("loop", [], () => {
      count++;
      sim.after(10, loop);
    });
    sim.at(0, loop);
    expect(() => sim.run({ untilMicros: 1_000_000, maxEvents: 100 })).toThrow(SimulationError);
    expect(count).toBe(100);
    const again = new Simulator();
    const l2 = again.register("loop", [], () => again.after(10, l2));
    again.at(0, l2);
    expect(() => again.run({ untilMicros: 1_000_000, maxEvents: 100 })).toThrow(
      /event limit reached: 100 events processed by 990 us/,
    );
  });

  it("simulator allows a run of exactly maxEvents events", () => {
    const sim = new Simulator();
    const k = sim.register("k", [], () => {});
    for (let t = 1; t <= 100; t++) sim.at(t, k);
    expect(sim.run({ untilMicros: 1_000, maxEvents: 100 })).toEqual({
      events: 100,
      stopped: false,
    });
  });

  it("simulator run stops at untilMicros, leaves later events pending and sets the clock to until", () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const k = sim.register("k", ["a"], (a) => seen.push(a));
    for (const t of [10, 20, 30, 40]) sim.at(t, k, t);
    const first = sim.run({ untilMicros: 20 });
    expect(first).toEqual({ events: 2, stopped: false });
    expect(seen).toEqual([10, 20]); // an event exactly at until runs
    expect(sim.nowMicros).toBe(20);
    expect(sim.pendingEvents).toBe(2);

    const second = sim.run({ untilMicros: 35 });
    expect(second).toEqual({ events: 1, stopped: false });
    expect(seen).toEqual([10, 20, 30]);
    expect(sim.nowMicros).toBe(35); // clock at until, not at the last event
    expect(sim.pendingEvents).toBe(1);

    const third = sim.run({ untilMicros: 1_000 });
    expect(third).toEqual({ events: 1, stopped: false });
    expect(seen).toEqual([10, 20, 30, 40]);
    expect(sim.nowMicros).toBe(1_000);
    expect(sim.pendingEvents).toBe(0);
    expect(sim.eventsProcessed).toBe(4);
  });

  it("simulator rejects a run limit before the clock, NaN, or non-integer", () => {
    const sim = new Simulator();
    sim.run({ untilMicros: 50 });
    expect(() => sim.run({ untilMicros: 49 })).toThrow(
      new SimulationError("cannot run until 49 us: the clock is at 50 us"),
    );
    expect(() => sim.run({ untilMicros: Number.NaN })).toThrow(SimulationError);
    expect(() => sim.run({ untilMicros: 60.5 })).toThrow(/whole number of microseconds/);
    expect(sim.nowMicros).toBe(50);
  });

  it("simulator stop() ends the run after the current event and a later run resumes", () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const k = sim.register("k", ["a"], (a) => {
      seen.push(a);
      if (a === 3) sim.stop();
    });
    for (let t = 1; t <= 6; t++) sim.at(t * 10, k, t);
    const outcome = sim.run({ untilMicros: 1_000 });
    expect(outcome).toEqual({ events: 3, stopped: true });
    expect(seen).toEqual([1, 2, 3]);
    expect(sim.nowMicros).toBe(30); // the stopping event's time, not until
    expect(sim.pendingEvents).toBe(3);
    expect(sim.eventsProcessed).toBe(3);

    // A stop request does not leak into the next run.
    const rest = sim.run({ untilMicros: 1_000 });
    expect(rest).toEqual({ events: 3, stopped: false });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sim.eventsProcessed).toBe(6);
  });

  it("simulator keeps payloads intact when more than 1024 events are pending (handle pool growth)", () => {
    const sim = new Simulator();
    const got = new Map<number, number>();
    const order: number[] = [];
    const kinds = [0, 1, 2].map((kk) =>
      sim.register(`k${kk}`, ["a", "b"], (a, b) => {
        got.set(a, b + kk * 1e6);
        order.push(sim.nowMicros);
      }),
    );
    const rng = createStream("sim-pool");
    const n = 5_000;
    const expected = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const kk = i % 3;
      const b = i * 0.5 + 0.25;
      sim.at(1 + rng.int(100_000), kinds[kk], i, b);
      expected.set(i, b + kk * 1e6);
    }
    expect(sim.pendingEvents).toBe(n);
    expect(sim.run({ untilMicros: 1_000_000 }).events).toBe(n);
    expect(got).toEqual(expected);
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it("simulator keeps payloads intact when handlers grow the handle pool during a run", () => {
    const sim = new Simulator();
    const received: number[] = [];
    let fan = 0;
    // Each of the first 1000 events schedules three children, so pending events pass 1024
    // while handles of processed events are being recycled.
    const child = sim.register("child", ["a", "b"], (a, b) => {
      if (b !== a * 3 + 1) throw new Error(`payload mixed up: ${a}, ${b}`);
      received.push(a);
    });
    const parent = sim.register("parent", ["a"], (a) => {
      for (let c = 0; c < 3; c++) {
        const id = a * 3 + c;
        sim.after(1_000 + c, child, id, id * 3 + 1);
        fan++;
      }
    });
    for (let i = 0; i < 1_000; i++) sim.at(i % 7, parent, i);
    sim.run({ untilMicros: 100_000 });
    expect(fan).toBe(3_000);
    expect([...received].sort((x, y) => x - y)).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
    expect(sim.eventsProcessed).toBe(4_000);
  });

  it("simulator enforces maxPendingEvents", () => {
    const sim = new Simulator(100);
    const k = sim.register("k", [], () => {});
    for (let t = 0; t < 100; t++) sim.at(t, k);
    expect(() => sim.at(100, k)).toThrow(/limit reached: 100 pending events/);
    expect(sim.pendingEvents).toBe(100);
  });
});

describe("typed events, peek and step", () => {
  it("carries three named fields per event without packing", () => {
    const sim = new Simulator();
    const got: number[][] = [];
    const kind = sim.register("test/three", ["peer", "stripe", "block"], (peer, stripe, block) =>
      got.push([peer, stripe, block]),
    );
    sim.at(5, kind, 12, 250, 2 ** 40);
    sim.run({ untilMicros: 10 });
    expect(got).toEqual([[12, 250, 2 ** 40]]);
    expect(sim.describe(kind)).toEqual({ name: "test/three", fields: ["peer", "stripe", "block"] });
  });

  it("refuses a second kind with the same name", () => {
    const sim = new Simulator();
    sim.register("test/once", [], () => {});
    expect(() => sim.register("test/once", [], () => {})).toThrow(SimulationError);
  });

  it("peek shows the next event time and step runs exactly one event", () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const kind = sim.register("test/mark", ["value"], (value) => seen.push(value));
    expect(sim.peek()).toBe(Number.POSITIVE_INFINITY);
    expect(sim.step()).toBe(false);
    sim.at(30, kind, 3);
    sim.at(10, kind, 1);
    sim.at(10, kind, 2);
    expect(sim.peek()).toBe(10);
    expect(sim.step()).toBe(true);
    expect(seen).toEqual([1]);
    expect(sim.nowMicros).toBe(10);
    expect(sim.step()).toBe(true);
    expect(seen).toEqual([1, 2]);
    expect(sim.peek()).toBe(30);
    expect(sim.step()).toBe(true);
    expect(sim.nowMicros).toBe(30);
    expect(sim.eventsProcessed).toBe(3);
    expect(sim.step()).toBe(false);
  });
});
