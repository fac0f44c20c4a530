import { describe, expect, it } from "vitest";
import { createStream } from "../../sim/engine/random.ts";
import { Simulator } from "../../sim/engine/simulator.ts";
import { FifoTransport } from "../../sim/network/fifoTransport.ts";
import { LatencyModel, type LatencyOptions } from "../../sim/network/latency.ts";
import { Traffic, type TrafficValue, type TransportOptions } from "../../sim/network/transport.ts";

interface Delivery {
  at: number;
  type: string;
  from: number;
  to: number;
  p0: number;
  p1: number;
  bytes: number;
}

const OPTIONS: TransportOptions = {
  model: "fifo",
  maxBacklogSeconds: 30,
  controlFloorBitsPerSecond: 64e3,
  maxInFlightMessages: 1_000_000,
  controlShare: 0.05,
  maxFlows: 1_000_000,
};

/**
 * A network of `nodes` nodes with the given capacities (bits/s), a constant 10 ms one-way
 * latency unless told otherwise, and two message types, "data" and "control", whose deliveries
 * are logged.
 */
function network(
  upload: number[],
  download: number[],
  options: Partial<TransportOptions> = {},
  latency: LatencyOptions = { model: "constant", oneWaySeconds: 0.01 },
) {
  const sim = new Simulator();
  const n = upload.length;
  const model = new LatencyModel(latency, new Float64Array(n), new Float64Array(n), 0);
  const transport = new FifoTransport({
    sim,
    latency: model,
    upload: Float64Array.from(upload),
    download: Float64Array.from(download),
    options: { ...OPTIONS, ...options },
  });
  const log: Delivery[] = [];
  const handler = (type: string) => (from: number, to: number, p0: number, p1: number, b: number) =>
    log.push({ at: sim.nowMicros, type, from, to, p0, p1, bytes: b });
  const register = (name: string, traffic: TrafficValue) =>
    transport.register(name, traffic, handler(name));
  const DATA = register("data", Traffic.Data);
  const CONTROL = register("control", Traffic.Control);
  /** Runs `action` at simulated time `micros`. */
  let actions = 0;
  const atTime = (micros: number, action: () => void) => {
    const kind = sim.register(`test/action-${actions++}`, [], action);
    sim.at(micros, kind);
  };
  return { sim, transport, log, DATA, CONTROL, atTime };
}

describe("transport timing", () => {
  it("delivers one message after upload serialization, latency and download serialization", () => {
    // 1000 B = 8000 bits: 1000 µs at 8 Mbps up, 10 ms latency, 100 µs at 80 Mbps down.
    const { sim, transport, log, DATA } = network([8e6, 8e6], [80e6, 80e6]);
    expect(transport.send(0, 1, DATA, 1000, 42, 7)).toBe(true);
    sim.run({ untilMicros: 1e6 });
    expect(log).toEqual([
      { at: 1000 + 10_000 + 100, type: "data", from: 0, to: 1, p0: 42, p1: 7, bytes: 1000 },
    ]);
  });

  it("queues back-to-back data messages FIFO on the sender's uplink", () => {
    const { sim, transport, log, DATA } = network([8e6, 8e6, 8e6], [80e6, 80e6, 80e6]);
    transport.send(0, 1, DATA, 1000, 1);
    transport.send(0, 2, DATA, 1000, 2);
    expect(transport.uplinkBacklogMicros(0)).toBe(2000);
    sim.run({ untilMicros: 1e6 });
    // The second waits for the first to leave the uplink: out at 2000 µs, arrives 12 000 µs.
    expect(log.map((d) => [d.p0, d.at])).toEqual([
      [1, 11_100],
      [2, 12_100],
    ]);
  });

  it("queues data arriving together FIFO on the receiver's downlink", () => {
    // Two senders, one receiver with an 8 Mbps downlink (1000 µs per message).
    const { sim, transport, log, DATA } = network([8e6, 8e6, 8e6], [8e6, 8e6, 8e6]);
    transport.send(1, 0, DATA, 1000, 1);
    transport.send(2, 0, DATA, 1000, 2);
    sim.run({ untilMicros: 1e6 });
    // Both arrive at 11 000 µs; the second waits for the first to come off the downlink.
    expect(log.map((d) => [d.p0, d.at])).toEqual([
      [1, 12_000],
      [2, 13_000],
    ]);
  });

  it("sends a control message between the packets of the data on the wire, ahead of queued data", () => {
    const { sim, transport, log, DATA, CONTROL, atTime } = network([8e6, 8e6], [80e6, 80e6]);
    transport.send(0, 1, DATA, 1000, 1); // on the wire from 0 µs
    transport.send(0, 1, DATA, 1000, 2); // queued
    transport.send(0, 1, DATA, 1000, 4); // queued behind #2
    // 100 B = 100 µs at 500 µs: #1 pauses (500 B sent), the control goes 500 .. 600, #1 resumes
    // and leaves at 1100; #2 goes 1100 .. 2100 and #4 2100 .. 3100.
    atTime(500, () => transport.send(0, 1, CONTROL, 100, 3));
    sim.run({ untilMicros: 1e6 });
    // Each then takes 10 ms and 100 µs down (the control 10 µs).
    expect(log.map((d) => [d.type, d.p0, d.at])).toEqual([
      ["control", 3, 600 + 10_000 + 10],
      ["data", 1, 1100 + 10_000 + 100],
      ["data", 2, 2100 + 10_000 + 100],
      ["data", 4, 3100 + 10_000 + 100],
    ]);
  });

  it("serializes back-to-back control messages on an idle uplink (no free control)", () => {
    // Found: control on an idle uplink did not advance its busy time, so a burst left at once.
    // 100 messages of 100 B from a 64 kbps node take 12.5 ms each: the last leaves at 1.25 s.
    const { sim, transport, log, CONTROL } = network([64e3, 8e6], [80e6, 80e6]);
    for (let i = 0; i < 100; i++) transport.send(0, 1, CONTROL, 100, i);
    sim.run({ untilMicros: 10e6 });
    expect(log.map((d) => d.at)).toEqual(
      Array.from({ length: 100 }, (_, i) => (i + 1) * 12_500 + 10_000 + 10),
    );
  });

  it("serializes control messages on the receiver's downlink, in turn with data", () => {
    // Found: control deliveries bypassed the downlink queue. A 80 kbps downlink takes 10 ms per
    // 100 B; three messages arrive within 100 µs and leave the downlink one after the other, in
    // the order they reserved it: control when sent (its departure is known then), data when
    // it has left its uplink (100 µs here, after both controls were booked).
    const { sim, transport, log, DATA, CONTROL } = network([8e6, 8e6, 8e6], [8e6, 80e3, 8e6]);
    transport.send(0, 1, CONTROL, 100, 1); // leaves 0's uplink at 100 µs
    transport.send(2, 1, DATA, 100, 2); // leaves 2's uplink at 100 µs
    transport.send(0, 1, CONTROL, 100, 3); // 100 .. 200 µs
    sim.run({ untilMicros: 10e6 });
    expect(log.map((d) => [d.p0, d.at])).toEqual([
      [1, 10_100 + 10_000],
      [3, 10_100 + 20_000],
      [2, 10_100 + 30_000],
    ]);
  });

  it("charges a fan-out once per copy on the sender's uplink and on each receiver's downlink", () => {
    // Found: an aggregated HAVE charged the sender's uplink only. Two 100 B copies leave an
    // 8 Mbps uplink back to back (done at 200 µs) and reach 80 kbps downlinks (10 ms each) at
    // 10 200 µs. Node 3's 100 B of data to node 2, sent at 200 µs, arrives at 10 300 µs and
    // must wait for the HAVE's copy to leave that downlink at 20 200 µs.
    const { sim, transport, log, DATA, CONTROL, atTime } = network(
      [8e6, 8e6, 8e6, 8e6],
      [8e6, 80e3, 80e3, 8e6],
    );
    expect(transport.sendFanOut(0, CONTROL, 100, Int32Array.of(1, 2, 3), 2)).toBe(200);
    atTime(200, () => transport.send(3, 2, DATA, 100, 9));
    sim.run({ untilMicros: 1e6 });
    expect(log.map((d) => [d.p0, d.at])).toEqual([[9, 20_200 + 10_000]]);
    expect(Array.from(transport.uploadedBytes)).toEqual([200, 0, 0, 100]);
    expect(Array.from(transport.downloadedBytes)).toEqual([0, 100, 200, 0]);
    expect(transport.counters.controlBytes).toBe(200);
  });

  it("places an early arrival in the idle gap a later-arriving reservation left", () => {
    // A slow sender's message is booked first but arrives late (8 kbps: 100 ms on the wire);
    // a fast sender's message arriving earlier uses the downlink before it instead of after.
    const { sim, transport, log, DATA } = network([8e3, 8e6, 8e6], [8e6, 8e6, 8e6]);
    transport.send(0, 2, DATA, 100, 1); // leaves at 100 ms, reaches 2's downlink at 110 ms
    transport.send(1, 2, DATA, 100, 2); // leaves at 100 µs, reaches it at 10.1 ms
    sim.run({ untilMicros: 10e6 });
    expect(log.map((d) => [d.p0, d.at])).toEqual([
      [2, 10_100 + 100],
      [1, 110_000 + 100],
    ]);
  });

  it("sends control from a node without upload capacity at the control floor rate", () => {
    const { sim, transport, log, DATA, CONTROL } = network([8e6, 0], [80e6, 80e6]);
    expect(transport.send(1, 0, DATA, 1000)).toBe(false);
    expect(transport.send(1, 0, CONTROL, 100, 5)).toBe(true);
    sim.run({ untilMicros: 1e6 });
    // 800 bits at 64 kbps = 12 500 µs; 10 µs on the 80 Mbps downlink.
    expect(log.map((d) => [d.p0, d.at])).toEqual([[5, 12_500 + 10_000 + 10]]);
    expect(transport.counters.droppedAtSender).toBe(1);
    expect(transport.counters.droppedDataBytes).toBe(1000);
  });

  it("drops data that would wait longer than the backlog limit, and only that", () => {
    // A 3 ms limit: the 4th message would start exactly 3 ms after now (allowed), the 5th 4 ms.
    const { sim, transport, log, DATA } = network([8e6, 8e6], [80e6, 80e6], {
      maxBacklogSeconds: 0.003,
    });
    const accepted = [1, 2, 3, 4, 5].map((i) => transport.send(0, 1, DATA, 1000, i));
    expect(accepted).toEqual([true, true, true, true, false]);
    expect(transport.counters.droppedAtSender).toBe(1);
    expect(transport.counters.refusedBytes).toBe(1000);
    sim.run({ untilMicros: 1e6 });
    expect(transport.counters.dataBytes).toBe(4000);
    expect(log.map((d) => d.p0)).toEqual([1, 2, 3, 4]);
  });

  it("loses queued and unfinished messages of an abrupt leaver, keeps the finished ones", () => {
    const { sim, transport, log, DATA, atTime } = network([8e6, 8e6], [80e6, 80e6]);
    // Uplink: #1 0..1000, #2 1000..2000, #3 waiting; the sender fails at 1500 µs.
    for (const i of [1, 2, 3]) transport.send(0, 1, DATA, 1000, i);
    atTime(1500, () => transport.nodeDown(0, true));
    sim.run({ untilMicros: 1e6 });
    expect(log.map((d) => d.p0)).toEqual([1]);
    // #2 was cut on the wire (sent, lost); #3 never left the queue (discarded).
    expect(transport.counters).toMatchObject({
      droppedInFlight: 1,
      lostBytes: 1000,
      droppedAtSender: 1,
      discardedBytes: 1000,
      droppedDataBytes: 2000,
      dataBytes: 2000,
    });
  });

  it("still delivers what a graceful leaver had started sending, loses what had not started", () => {
    const { sim, transport, log, DATA, atTime } = network([8e6, 8e6], [80e6, 80e6]);
    for (const i of [1, 2, 3]) transport.send(0, 1, DATA, 1000, i);
    atTime(1500, () => transport.nodeDown(0, false));
    sim.run({ untilMicros: 1e6 });
    expect(log.map((d) => d.p0)).toEqual([1, 2]);
    expect(transport.counters.droppedInFlight).toBe(0);
    expect(transport.counters.droppedAtSender).toBe(1);
    expect(transport.counters.discardedBytes).toBe(1000);
  });

  it("delivers a goodbye sent at the moment of a graceful departure", () => {
    const { sim, transport, log, CONTROL, atTime } = network([8e6, 8e6], [80e6, 80e6]);
    atTime(500, () => {
      transport.send(1, 0, CONTROL, 100, 9);
      transport.nodeDown(1, false);
    });
    sim.run({ untilMicros: 1e6 });
    expect(log.map((d) => [d.p0, d.at])).toEqual([[9, 500 + 100 + 10_000 + 10]]);
  });

  it("drops messages to a receiver that left before they arrived", () => {
    const { sim, transport, log, DATA, CONTROL, atTime } = network([8e6, 8e6], [80e6, 80e6]);
    transport.send(0, 1, DATA, 1000, 1); // would arrive at 11 100 µs
    transport.send(0, 1, CONTROL, 100, 2); // would arrive at 10 110 µs
    atTime(5000, () => transport.nodeDown(1, true));
    sim.run({ untilMicros: 1e6 });
    expect(log).toEqual([]);
    expect(transport.counters.droppedInFlight).toBe(2);
    expect(transport.isUp(1)).toBe(false);
    expect(transport.isUp(0)).toBe(true);
  });

  it("enforces maxInFlightMessages: the message past the limit stops the run, naming it", () => {
    const { sim, transport, DATA, CONTROL } = network([8e6, 8e6], [80e6, 80e6], {
      maxInFlightMessages: 3,
    });
    transport.send(0, 1, DATA, 1000); // on the wire
    transport.send(0, 1, DATA, 1000); // queued: queued messages count too
    transport.send(0, 1, CONTROL, 100);
    expect(transport.liveMessages).toBe(3);
    expect(() => transport.send(0, 1, CONTROL, 100)).toThrow(
      /^network\.maxInFlightMessages: 3 messages queued or in flight at once at 0 s/,
    );
    // Delivered messages free their place.
    sim.run({ untilMicros: 1e6 });
    expect(transport.liveMessages).toBe(0);
    expect(transport.send(0, 1, CONTROL, 100)).toBe(true);
  });

  it("refuses sends from a node that is down without counting them", () => {
    const { transport, DATA, CONTROL } = network([8e6, 8e6], [80e6, 80e6]);
    transport.nodeDown(1, false);
    expect(transport.send(1, 0, DATA, 1000)).toBe(false);
    expect(transport.send(1, 0, CONTROL, 100)).toBe(false);
    expect(transport.counters).toMatchObject({ dataBytes: 0, controlBytes: 0, droppedAtSender: 0 });
  });

  it("reports each send's uplink interval to the observer", () => {
    const { sim, transport, DATA, CONTROL, atTime } = network([8e6, 8e6], [80e6, 80e6]);
    const seen: number[][] = [];
    transport.observe({
      onSend: (from, to, type, bytes, start, done) =>
        seen.push([from, to, type, bytes, start, done]),
    });
    transport.send(0, 1, DATA, 1000);
    transport.send(0, 1, DATA, 500);
    atTime(400, () => transport.send(0, 1, CONTROL, 100));
    sim.run({ untilMicros: 1e6 });
    // The data on the wire is reported in two parts around the control, which goes ahead of
    // the waiting data; the parts add up to the message.
    expect(seen).toEqual([
      [0, 1, DATA, 400, 0, 400],
      [0, 1, CONTROL, 100, 400, 500],
      [0, 1, DATA, 600, 500, 1100],
      [0, 1, DATA, 500, 1100, 1600],
    ]);
  });
});

describe("transport accounting", () => {
  it("conserves messages and bytes per class under random traffic and departures", () => {
    const nodes = 12;
    const random = createStream("transport-conservation");
    const upload = Array.from({ length: nodes }, (_, i) => (i === 5 ? 0 : 1e5 + random.int(4e6)));
    const download = Array.from({ length: nodes }, () => 5e5 + random.int(2e7));
    const { sim, transport, log, DATA, CONTROL, atTime } = network(
      upload,
      download,
      { maxBacklogSeconds: 0.5 },
      { model: "uniform", minSeconds: 0.005, maxSeconds: 0.08 },
    );
    const dataFrom = new Array(nodes).fill(0);
    const controlFrom = new Array(nodes).fill(0);
    transport.observe({
      onSend: (from, _to, type, bytes) => {
        if (type === DATA) dataFrom[from] += bytes;
        else controlFrom[from] += bytes;
      },
    });
    const attempted = { dataBytes: 0, controlBytes: 0, dataMessages: 0, controlMessages: 0 };
    const refused = { dataBytes: 0, dataMessages: 0 };
    for (let k = 0; k < 3000; k++) {
      const time = random.int(2_000_000);
      const from = random.int(nodes);
      const to = (from + 1 + random.int(nodes - 1)) % nodes;
      const isData = random.next() < 0.7;
      const bytes = isData ? 500 + random.int(20_000) : 50 + random.int(200);
      atTime(time, () => {
        if (!transport.isUp(from)) return;
        const ok = transport.send(from, to, isData ? DATA : CONTROL, bytes);
        if (isData) {
          attempted.dataBytes += bytes;
          attempted.dataMessages++;
          if (!ok) {
            refused.dataBytes += bytes;
            refused.dataMessages++;
          }
        } else {
          attempted.controlBytes += bytes;
          attempted.controlMessages++;
          expect(ok).toBe(true);
        }
      });
    }
    for (const [node, time, abrupt] of [
      [3, 700_000, true],
      [7, 1_100_000, false],
      [9, 1_500_000, true],
    ] as const) {
      atTime(time, () => transport.nodeDown(node, abrupt));
    }
    sim.run({ untilMicros: 60_000_000 });
    transport.finish();
    const c = transport.counters;
    const delivered = (type: string) => log.filter((d) => d.type === type);
    const sum = (list: Delivery[]) => list.reduce((s, d) => s + d.bytes, 0);
    // Some of everything happened, so the identities below are not vacuous.
    expect(refused.dataMessages).toBeGreaterThan(0);
    expect(c.droppedInFlight).toBeGreaterThan(0);
    expect(c.discardedBytes).toBeGreaterThan(0);
    // Refused data never entered an uplink; everything else did.
    expect(c.refusedBytes).toBe(refused.dataBytes);
    expect(c.acceptedBytes).toBe(attempted.dataBytes - refused.dataBytes + attempted.controlBytes);
    // Uplinks: accepted = sent + discarded (queued when the sender left) + pending (none: the
    // run drained every queue).
    expect(c.pendingBytes).toBe(0);
    expect(c.acceptedBytes).toBe(c.dataBytes + c.controlBytes + c.discardedBytes);
    // Network: what was sent is delivered or lost (nothing is still in flight).
    expect(transport.inFlightBytes()).toBe(0);
    expect(c.dispatchedBytes).toBe(c.dataBytes + c.controlBytes);
    expect(c.dispatchedBytes).toBe(c.deliveredBytes + c.lostBytes);
    expect(c.delivered).toBe(log.length);
    expect(c.deliveredBytes).toBe(sum(log));
    expect(c.deliveredDataBytes).toBe(sum(delivered("data")));
    // Every attempted message is delivered, lost in flight, or dropped at the sender.
    expect(c.delivered + c.droppedInFlight + c.droppedAtSender).toBe(
      attempted.dataMessages + attempted.controlMessages,
    );
    // Per-node counters add up to the class totals.
    const up = transport.uploadedBytes.reduce((s, b) => s + b, 0);
    const down = transport.downloadedBytes.reduce((s, b) => s + b, 0);
    expect(up).toBe(c.dataBytes + c.controlBytes);
    expect(down).toBe(sum(log));
    // The observer saw every message put on a wire: per node, its bytes are what it uploaded.
    // (Data interrupted by control is reported in parts, fractions of a byte: hence close.)
    for (let node = 0; node < nodes; node++) {
      expect(transport.uploadedBytes[node]).toBeCloseTo(dataFrom[node] + controlFrom[node], 6);
    }
    expect(c.sourceDataBytes).toBeCloseTo(dataFrom[0], 6);
  });
});

describe("latency models", () => {
  const coordinates = (n: number, seed: string) => {
    const random = createStream(seed);
    return {
      x: Float64Array.from({ length: n }, () => random.next()),
      y: Float64Array.from({ length: n }, () => random.next()),
    };
  };

  it("constant latency is the same for every pair and zero to oneself", () => {
    const { x, y } = coordinates(5, "c");
    const model = new LatencyModel({ model: "constant", oneWaySeconds: 0.025 }, x, y, 1);
    for (let a = 0; a < 5; a++) {
      for (let b = 0; b < 5; b++) expect(model.micros(a, b)).toBe(a === b ? 0 : 25_000);
    }
  });

  it("uniform latency is symmetric, fixed per pair, within range and spread over it", () => {
    const n = 200;
    const { x, y } = coordinates(n, "u");
    const options: LatencyOptions = { model: "uniform", minSeconds: 0.01, maxSeconds: 0.09 };
    const model = new LatencyModel(options, x, y, 12345);
    const values: number[] = [];
    let asymmetric = 0;
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        const v = model.micros(a, b);
        if (model.micros(b, a) !== v) asymmetric++;
        values.push(v);
      }
    }
    expect(asymmetric).toBe(0);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(10_000);
    expect(Math.max(...values)).toBeLessThanOrEqual(90_000);
    expect(model.micros(3, 7)).toBe(model.micros(3, 7));
    // Uniform on [10, 90] ms: mean 50 ms, sd 80/sqrt(12) = 23.1 ms; over 19 900 pairs the
    // standard error of the mean is 0.16 ms, so 1 ms is over 6 standard errors.
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(mean - 50_000)).toBeLessThan(1000);
    // Each tenth of the range holds about a tenth of the pairs (1990 +- 42 expected).
    const deciles = new Array(10).fill(0);
    for (const v of values) deciles[Math.min(9, Math.floor((v - 10_000) / 8000))]++;
    for (const count of deciles) expect(Math.abs(count - values.length / 10)).toBeLessThan(250);
    // Another salt (another seed's network) gives other latencies for the same pairs.
    const other = new LatencyModel(options, x, y, 54321);
    let same = 0;
    for (let b = 1; b < n; b++) if (other.micros(0, b) === model.micros(0, b)) same++;
    expect(same).toBeLessThan(5);
  });

  it("plane latency is twice the access delay plus propagation times distance", () => {
    const x = Float64Array.from([0.5, 0.5, 0.2, 1]);
    const y = Float64Array.from([0.5, 0.1, 0.1, 1]);
    const model = new LatencyModel(
      { model: "plane", accessSeconds: 0.005, propagationSeconds: 0.06 },
      x,
      y,
      0,
    );
    // (0.5,0.5)-(0.5,0.1): distance 0.4 -> 10 ms + 24 ms.
    expect(model.micros(0, 1)).toBe(34_000);
    expect(model.micros(1, 0)).toBe(34_000);
    // (0.5,0.1)-(0.2,0.1): distance 0.3 -> 10 ms + 18 ms.
    expect(model.micros(1, 2)).toBe(28_000);
    // (0.2,0.1)-(1,1): distance sqrt(0.64 + 0.81) = 1.2042 -> 10 ms + 72.25 ms.
    expect(model.micros(2, 3)).toBe(Math.round(10_000 + 60_000 * Math.sqrt(1.45)));
    expect(model.micros(2, 2)).toBe(0);
  });
});
