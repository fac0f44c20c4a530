import { describe, expect, it } from "vitest";
import { InvariantChecker, type InvariantLinks } from "../../sim/network/invariants.ts";
import { Traffic, type TrafficCounters } from "../../sim/network/transport.ts";

/** Three nodes: 8 Mbps up and down (1000 B = 1000 µs), 10 ms apart; type 0 data, 1 control. */
const links: InvariantLinks = {
  uploadBitsPerSecond: () => 8e6,
  downloadBitsPerSecond: () => 8e6,
  controlBitsPerSecond: () => 8e6,
  latencyMicros: (a, b) => (a === b ? 0 : 10_000),
  trafficOf: (type) => (type === 0 ? Traffic.Data : Traffic.Control),
  concurrentData: false,
};

const checker = () =>
  new InvariantChecker(links, {
    nodes: 3,
    intervalMicros: 100_000,
    endMicros: 1_000_000,
    chunkMicros: 100_000,
    minLatencyMicros: 10_000,
  });

const balanced: TrafficCounters = {
  controlBytes: 0,
  dataBytes: 2000,
  sourceDataBytes: 2000,
  acceptedBytes: 3000,
  pendingBytes: 500,
  dispatchedBytes: 2000,
  delivered: 1,
  deliveredBytes: 1000,
  deliveredDataBytes: 1000,
  sourceDeliveredDataBytes: 1000,
  droppedAtSender: 1,
  droppedInFlight: 1,
  refusedBytes: 0,
  discardedBytes: 500,
  lostBytes: 600,
  droppedDataBytes: 1100,
};
const perNode = (...values: number[]) => Float64Array.from(values);

describe("invariant checker", () => {
  it("accepts a lawful run: sequential sends at capacity, arrivals after the latency", () => {
    const c = checker();
    c.onSend(0, 1, 0, 1000, 0, 1000);
    c.onReceive(0, 1, 0, 1000, 11_000, 12_000);
    c.onSend(0, 2, 0, 1000, 1000, 2000);
    c.onReceive(0, 2, 0, 1000, 12_000, 13_000);
    c.onChunkReceived(1, 0, 110_000);
    expect(c.finish(balanced, perNode(2000, 0, 0), perNode(0, 1000, 0), 400)).toEqual([]);
  });

  it("catches two messages on one uplink at once, and one sent faster than the link", () => {
    const c = checker();
    c.onSend(0, 1, 0, 1000, 0, 1000);
    c.onSend(0, 2, 1, 100, 500, 600);
    c.onSend(1, 2, 0, 1000, 0, 500);
    expect(c.problems).toEqual([
      "node 0's uplink sent two messages at once: one from 500 us while another ran until 1000 us",
      "node 1 sent 1000 B in 500 us, faster than 8000000 bit/s",
    ]);
  });

  it("catches an arrival before the latency, a chunk before it exists, and a fast downlink", () => {
    const c = checker();
    c.onSend(0, 1, 0, 1000, 0, 1000);
    c.onReceive(0, 1, 0, 1000, 5000, 5500);
    c.onChunkReceived(2, 3, 405_000);
    expect(c.problems).toEqual([
      "a message from 0 reached 1's downlink at 5000 us, before it could arrive (11000 us)",
      "node 1 received 1000 B faster than 8000000 bit/s",
      "peer 2 got chunk 3 at 405000 us, before it could exist there (410000 us)",
    ]);
  });

  it("lets data flows share links where the model says so, and still catches an overdrawn link", () => {
    const c = new InvariantChecker(
      { ...links, concurrentData: true },
      {
        nodes: 3,
        intervalMicros: 100_000,
        endMicros: 1_000_000,
        chunkMicros: 100_000,
        minLatencyMicros: 10_000,
      },
    );
    // Two flows at 4 Mbps each on node 0's 8 Mbps uplink, crossing each downlink as they leave,
    // and control beside them: lawful.
    c.onSend(0, 1, 0, 1000, 0, 2000);
    c.onReceive(0, 1, 0, 1000, 0, 2000);
    c.onSend(0, 2, 0, 1000, 0, 2000);
    c.onReceive(0, 2, 0, 1000, 0, 2000);
    c.onSend(0, 1, 1, 100, 2000, 2100);
    c.onReceive(0, 1, 1, 100, 12_100, 12_200);
    expect(c.problems).toEqual([]);
    // Control still goes one message at a time; a data segment may not reach a downlink before
    // it starts on the uplink; and 300 kB of flows in one 100 ms interval of 8 Mbps overdraw it.
    c.onSend(0, 1, 1, 100, 2050, 2150);
    c.onSend(1, 2, 0, 1000, 5000, 6000);
    c.onReceive(1, 2, 0, 1000, 4000, 5000);
    for (let i = 0; i < 3; i++) c.onSend(2, 0, 0, 100_000, 200_000, 300_000);
    c.finish(
      { ...balanced, dataBytes: 0, controlBytes: 0, sourceDataBytes: 0 },
      perNode(0, 0, 0),
      perNode(0, 0, 0),
      0,
    );
    expect(c.problems.slice(0, 3)).toEqual([
      "node 0's uplink sent two messages at once: one from 2050 us while another ran until 2100 us",
      "a message from 1 reached 2's downlink at 4000 us, before it could arrive (5000 us)",
      "node 2 sent 300000 B in interval 2, over 8000000 bit/s x 100000 us",
    ]);
  });

  it("catches an interval carrying more than capacity plus one message", () => {
    // Three 100 kB messages all in the first 100 ms interval of one 8 Mbps uplink: 300 kB where
    // 100 kB (plus one 100 kB message of slack) fit.
    const c = checker();
    for (let i = 0; i < 3; i++) c.onSend(2, 1, 0, 100_000, 0, 100_000);
    c.finish({ ...balanced, dataBytes: 300_000 }, perNode(0, 0, 0), perNode(0, 1000, 0), 400);
    expect(c.problems).toContain(
      "node 2 sent 300000 B in interval 0, over 8000000 bit/s x 100000 us",
    );
  });

  it("catches bytes that do not add up at the end", () => {
    const c = checker();
    const broken = { ...balanced, pendingBytes: 400, lostBytes: 500, deliveredBytes: 2500 };
    expect(c.finish(broken, perNode(1000, 0, 0), perNode(0, 1000, 0), 400)).toEqual([
      "accepted 3000 B != sent 2000 + discarded 500 + pending 400",
      "dispatched 2000 B != delivered 2500 + lost 500 + in flight 400",
      "delivered 2500 B > sent 2000",
      "per-node uploads sum to 1000 B, not the 2000 B sent",
      "per-node downloads sum to 1000 B, not the 2500 B delivered",
    ]);
  });
});
