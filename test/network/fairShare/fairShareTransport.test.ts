import { describe, expect, it } from "vitest";
import { createStream } from "../../../sim/engine/random.ts";
import { SimulationError, Simulator } from "../../../sim/engine/simulator.ts";
import { FairShareTransport } from "../../../sim/network/fairShare/fairShareTransport.ts";
import { InvariantChecker } from "../../../sim/network/invariants.ts";
import { LatencyModel } from "../../../sim/network/latency.ts";
import { Traffic, type TransportOptions } from "../../../sim/network/transport.ts";

/*
 * Hand-computed cases. Every uplink below is 8 Mbps (1000 B take 1000 µs alone); downlinks keep
 * a control share of 0.2, so data flows share 0.8 of them; the one-way latency is 10 ms. A
 * download of 0 is unlimited.
 */
const OPTIONS: TransportOptions = {
  model: "fair-share",
  maxBacklogSeconds: 30,
  controlFloorBitsPerSecond: 64e3,
  controlShare: 0.2,
  maxInFlightMessages: 1_000_000,
  maxFlows: 1000,
};
const LATENCY = 10_000;

interface Delivery {
  at: number;
  from: number;
  to: number;
  p0: number;
}

interface Segment {
  from: number;
  bytes: number;
  start: number;
  done: number;
}

function network(download: number[], options: Partial<TransportOptions> = {}) {
  const sim = new Simulator();
  const n = download.length;
  const latency = new LatencyModel(
    { model: "constant", oneWaySeconds: LATENCY / 1e6 },
    new Float64Array(n),
    new Float64Array(n),
    0,
  );
  const transport = new FairShareTransport({
    sim,
    latency,
    upload: new Float64Array(n).fill(8e6),
    download: Float64Array.from(download),
    options: { ...OPTIONS, ...options },
  });
  const log: Delivery[] = [];
  const DATA = transport.register("data", Traffic.Data, (from, to, p0) =>
    log.push({ at: sim.nowMicros, from, to, p0 }),
  );
  const CONTROL = transport.register("control", Traffic.Control, (from, to, p0) =>
    log.push({ at: sim.nowMicros, from, to, p0 }),
  );
  /** The data segments reported on each sender's uplink, by "sender>receiver". */
  const segments = new Map<string, Segment[]>();
  transport.observe({
    onSend(from, to, type, bytes, start, done) {
      if (type !== DATA) return;
      const key = `${from}>${to}`;
      if (!segments.has(key)) segments.set(key, []);
      segments.get(key)!.push({ from, bytes, start, done });
    },
  });
  let actions = 0;
  const atTime = (micros: number, action: () => void) => {
    sim.at(micros, sim.register(`test/action-${actions++}`, [], action));
  };
  return { sim, transport, log, DATA, CONTROL, segments, atTime };
}

/** The rate of a segment, bits/s. */
const rate = (s: Segment) => (s.bytes * 8e6) / (s.done - s.start);

describe("fair-share transport", () => {
  it("completes a transfer alone on its links at size / share plus latency", () => {
    // Unlimited downlink: the uplink's 8 Mbps; 1000 B in 1000 µs.
    const a = network([0, 0]);
    a.transport.send(0, 1, a.DATA, 1000, 1);
    a.sim.run({ untilMicros: 1e6 });
    expect(a.log).toEqual([{ at: 1000 + LATENCY, from: 0, to: 1, p0: 1 }]);
    // A 5 Mbps downlink keeps 4 Mbps for data: the narrower share sets the pace, 2000 µs.
    const b = network([0, 5e6]);
    b.transport.send(0, 1, b.DATA, 1000, 1);
    b.sim.run({ untilMicros: 1e6 });
    expect(b.log).toEqual([{ at: 2000 + LATENCY, from: 0, to: 1, p0: 1 }]);
  });

  it("gives two equal flows on one uplink half of it each", () => {
    const { sim, transport, log, DATA, segments } = network([0, 0, 0]);
    transport.send(0, 1, DATA, 1000, 1);
    transport.send(0, 2, DATA, 1000, 2);
    // Both wait for the uplink together: 2000 B at 8 Mbps.
    expect(transport.uplinkBacklogMicros(0)).toBe(2000);
    // Stepped: one recompute settles both starts; the next event is their completion at 2000 µs.
    expect(sim.peek()).toBe(0);
    sim.step();
    expect(sim.peek()).toBe(2000);
    sim.run({ untilMicros: 1e6 });
    expect(log).toEqual([
      { at: 2000 + LATENCY, from: 0, to: 1, p0: 1 },
      { at: 2000 + LATENCY, from: 0, to: 2, p0: 2 },
    ]);
    expect(segments.get("0>1")).toEqual([{ from: 0, bytes: 1000, start: 0, done: 2000 }]);
    expect(segments.get("0>2")).toEqual([{ from: 0, bytes: 1000, start: 0, done: 2000 }]);
  });

  it("leaves the rest of the uplink to the others when a flow is held by its receiver's downlink", () => {
    // Node 1's 2.5 Mbps downlink keeps 2 Mbps for data: the flow to it gets 2, the flow to node 2
    // the remaining 6 Mbps of the uplink. 1000 B at 2 Mbps end at 4000 µs; by then the other
    // flow has sent 3000 of its 4000 B and sends the last 1000 B alone at 8 Mbps, by 5000 µs.
    const { sim, transport, log, DATA, segments } = network([0, 2.5e6, 0]);
    transport.send(0, 1, DATA, 1000, 1);
    transport.send(0, 2, DATA, 4000, 2);
    sim.run({ untilMicros: 1e6 });
    expect(log).toEqual([
      { at: 4000 + LATENCY, from: 0, to: 1, p0: 1 },
      { at: 5000 + LATENCY, from: 0, to: 2, p0: 2 },
    ]);
    expect(segments.get("0>1")!.map(rate)).toEqual([2e6]);
    expect(segments.get("0>2")).toEqual([
      { from: 0, bytes: 3000, start: 0, done: 4000 },
      { from: 0, bytes: 1000, start: 4000, done: 5000 },
    ]);
  });

  it("slows the flows in progress as computed when a new flow arrives", () => {
    // Alone, 2000 B would take 2000 µs. At 1000 µs (1000 B sent) a 500 B flow joins: both at
    // 4 Mbps, the newcomer ends at 2000 µs; the first has 500 B left and ends at 2500 µs.
    const { sim, transport, log, DATA, segments, atTime } = network([0, 0, 0]);
    transport.send(0, 1, DATA, 2000, 1);
    atTime(1000, () => transport.send(0, 2, DATA, 500, 2));
    sim.run({ untilMicros: 1e6 });
    expect(log).toEqual([
      { at: 2000 + LATENCY, from: 0, to: 2, p0: 2 },
      { at: 2500 + LATENCY, from: 0, to: 1, p0: 1 },
    ]);
    expect(segments.get("0>1")).toEqual([
      { from: 0, bytes: 1000, start: 0, done: 1000 },
      { from: 0, bytes: 500, start: 1000, done: 2000 },
      { from: 0, bytes: 500, start: 2000, done: 2500 },
    ]);
  });

  it("frees the share of a flow whose sender leaves abruptly", () => {
    // Two senders share node 3's 8 Mbps data downlink, 4 Mbps each. At 1000 µs node 2 leaves
    // abruptly: its flow is cut; node 1's has sent 500 B and sends its last 1500 B at 8 Mbps.
    const { sim, transport, log, DATA, segments, atTime } = network([0, 0, 0, 10e6]);
    transport.send(1, 3, DATA, 2000, 1);
    transport.send(2, 3, DATA, 2000, 2);
    atTime(1000, () => transport.nodeDown(2, true));
    sim.run({ untilMicros: 1e6 });
    transport.finish();
    expect(log).toEqual([{ at: 2500 + LATENCY, from: 1, to: 3, p0: 1 }]);
    expect(segments.get("2>3")).toEqual([{ from: 2, bytes: 500, start: 0, done: 1000 }]);
    const c = transport.counters;
    expect(c.droppedAtSender).toBe(1);
    expect(c.discardedBytes).toBe(2000);
    expect(c.dataBytes).toBe(2000);
    expect(c.acceptedBytes).toBe(c.dataBytes + c.discardedBytes + c.pendingBytes);
  });

  it("gives control priority on the uplink and a kept downlink share, so its arrival is known when sent", () => {
    // Control leaves the uplink at the full 8 Mbps (100 B in 100 µs), crosses 10 ms, and node 1's
    // 10 Mbps downlink keeps 2 Mbps for control (400 µs): 10 500 µs. The second control message
    // leaves at 200 µs and waits for the first on the downlink's control share: 10 900 µs.
    const { sim, transport, log, DATA, CONTROL, segments, atTime } = network([0, 10e6]);
    transport.send(0, 1, DATA, 1000, 1);
    expect(transport.sendUndelivered(0, 1, CONTROL, 100)).toBe(100 + LATENCY + 400);
    transport.send(0, 1, CONTROL, 100, 2);
    // The data flow waits for both (200 µs), then takes its 1000 µs at 8 Mbps.
    expect(transport.uplinkBacklogMicros(0)).toBe(200 + 1000);
    // Control at 500 µs pauses it again, for 100 µs; that control reaches the downlink at
    // 10 600 µs and waits there until 10 900 µs, behind the second.
    atTime(500, () => transport.send(0, 1, CONTROL, 100, 3));
    sim.run({ untilMicros: 1e6 });
    expect(segments.get("0>1")).toEqual([
      { from: 0, bytes: 300, start: 200, done: 500 },
      { from: 0, bytes: 700, start: 600, done: 1300 },
    ]);
    expect(log).toEqual([
      { at: 100 + LATENCY + 400 + 400, from: 0, to: 1, p0: 2 },
      { at: 100 + LATENCY + 3 * 400, from: 0, to: 1, p0: 3 },
      { at: 1300 + LATENCY, from: 0, to: 1, p0: 1 },
    ]);
  });

  it("paces a multicast by the narrowest of its links", () => {
    const { sim, transport, log, DATA } = network([0, 5e6, 0]);
    transport.multicast(0, { size: 2, at: (i) => i + 1 }, DATA, 1000, 7);
    sim.run({ untilMicros: 1e6 });
    expect(log).toEqual([
      { at: 2000 + LATENCY, from: 0, to: 1, p0: 7 },
      { at: 2000 + LATENCY, from: 0, to: 2, p0: 7 },
    ]);
  });

  it("conserves bytes and breaks no invariant under random flows and departures", () => {
    const random = createStream("fair-share-test");
    const nodes = 8;
    const download = Array.from({ length: nodes }, () => [0, 2e6, 5e6, 20e6][random.int(4)]);
    const { sim, transport, DATA, CONTROL, segments, atTime } = network(download);
    const checker = new InvariantChecker(transport, {
      nodes,
      intervalMicros: 100_000,
      endMicros: 2e6,
      chunkMicros: 1e6,
      minLatencyMicros: undefined,
    });
    transport.observe(checker);
    const sizes = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const from = random.int(nodes);
      const to = (from + 1 + random.int(nodes - 1)) % nodes;
      const bytes = 500 + random.int(20_000);
      atTime(random.int(1_000_000), () => {
        if (transport.send(from, to, DATA, bytes, i)) {
          const key = `${from}>${to}`;
          sizes.set(key, (sizes.get(key) ?? 0) + bytes);
        }
        transport.send(from, to, CONTROL, 60, i);
      });
    }
    atTime(500_000, () => transport.nodeDown(5, true));
    atTime(600_000, () => transport.nodeDown(6, false));
    sim.run({ untilMicros: 2e6 });
    transport.finish();
    const c = transport.counters;
    expect(
      checker.finish(
        c,
        transport.uploadedBytes,
        transport.downloadedBytes,
        transport.inFlightBytes(),
      ),
    ).toEqual([]);
    expect(c.dataBytes).toBeGreaterThan(100_000);
    expect(c.discardedBytes).toBeGreaterThan(0);
    // Every byte of a flow from a sender that stayed was reported on its uplink, once.
    for (const [key, bytes] of sizes) {
      if (key.startsWith("5>")) continue;
      const reported = segments.get(key)!.reduce((sum, s) => sum + s.bytes, 0);
      expect(reported).toBeCloseTo(bytes, 6);
    }
    expect(transport.liveMessages).toBe(0);
  });

  it("stops the run with an error naming network.maxFlows when too many flows run at once", () => {
    const { transport, DATA } = network([0, 0, 0], { maxFlows: 1 });
    transport.send(0, 1, DATA, 1000);
    expect(() => transport.send(0, 2, DATA, 1000)).toThrow(SimulationError);
    expect(() => transport.send(0, 2, DATA, 1000)).toThrow(/network\.maxFlows/);
  });
});
