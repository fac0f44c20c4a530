import { describe, expect, it } from "vitest";
import { Simulator } from "../../sim/engine/simulator.ts";
import { LatencyModel } from "../../sim/network/latency.ts";
import { createNetworkModel } from "../../sim/network/models.ts";
import { Traffic, type TransportOptions } from "../../sim/network/transport.ts";
import { NETWORK_MODEL_NAMES } from "../../sim/network/transportOptions.ts";

const OPTIONS: Omit<TransportOptions, "model"> = {
  maxBacklogSeconds: 30,
  controlFloorBitsPerSecond: 64e3,
  controlShare: 0.2,
  maxInFlightMessages: 1_000_000,
  maxFlows: 1000,
};

interface Delivery {
  type: string;
  to: number;
  words: [number, number, number];
}

/** `nodes` nodes on 8 Mbps links with a 10 ms one-way latency; every delivery is logged. */
function network(model: TransportOptions["model"], nodes = 3, maxInFlightMessages = 1_000_000) {
  const sim = new Simulator();
  const latency = new LatencyModel(
    { model: "constant", oneWaySeconds: 0.01 },
    new Float64Array(nodes),
    new Float64Array(nodes),
    0,
  );
  const transport = createNetworkModel({
    sim,
    latency,
    upload: new Float64Array(nodes).fill(8e6),
    download: new Float64Array(nodes).fill(8e6),
    options: { ...OPTIONS, model, maxInFlightMessages },
  });
  const log: Delivery[] = [];
  const register = (type: string, traffic: typeof Traffic.Data | typeof Traffic.Control) =>
    transport.register(type, traffic, (_from, to, p0, p1, _bytes, p2) =>
      log.push({ type, to, words: [p0, p1, p2] }),
    );
  const DATA = register("data", Traffic.Data);
  const CONTROL = register("control", Traffic.Control);
  return { sim, transport, log, DATA, CONTROL };
}

// Values no packing of two into one double would keep: a serial above 2^45 and a fraction.
const SERIAL = 2 ** 45 + 1;

describe.each(NETWORK_MODEL_NAMES)("the %s model's payload words", (model) => {
  it("delivers all three words of a data and a control message intact", () => {
    const { sim, transport, log, DATA, CONTROL } = network(model);
    expect(transport.send(0, 1, DATA, 1000, 17, SERIAL, 65_535)).toBe(true);
    expect(transport.send(0, 2, CONTROL, 50, -3, 0.25, SERIAL)).toBe(true);
    sim.run({ untilMicros: 1e6 });
    expect(log).toEqual([
      { type: "control", to: 2, words: [-3, 0.25, SERIAL] },
      { type: "data", to: 1, words: [17, SERIAL, 65_535] },
    ]);
  });

  it("gives every copy of a multicast the same three words", () => {
    const { sim, transport, log, DATA } = network(model);
    const recipients = { size: 2, at: (i: number) => i + 1 };
    expect(transport.multicast(0, recipients, DATA, 1000, 4, SERIAL, 9)).toBe(true);
    sim.run({ untilMicros: 1e6 });
    expect(log).toEqual([
      { type: "data", to: 1, words: [4, SERIAL, 9] },
      { type: "data", to: 2, words: [4, SERIAL, 9] },
    ]);
  });

  it("delivers 0 for words not given, even in a pooled message that carried them before", () => {
    const { sim, transport, log, DATA, CONTROL } = network(model);
    transport.send(0, 1, DATA, 1000, 1, 2, 3);
    sim.run({ untilMicros: 1e6 });
    // The first message's handle is free again and is reused for these.
    transport.send(1, 2, DATA, 1000, 5);
    transport.send(2, 0, CONTROL, 50);
    sim.run({ untilMicros: 2e6 });
    expect(log.map((d) => d.words)).toEqual([
      [1, 2, 3],
      [0, 0, 0],
      [5, 0, 0],
    ]);
  });
});

describe.each(NETWORK_MODEL_NAMES)("the %s model's multicast copies", (model) => {
  it("count one live message per receiver until each is delivered, then free the record", () => {
    const { sim, transport, log, DATA } = network(model);
    const recipients = { size: 2, at: (i: number) => i + 1 };
    transport.multicast(0, recipients, DATA, 1000, 7);
    expect(transport.liveMessages).toBe(1);
    // 1000 bytes at 8 Mbps have left the uplink by 5 ms (at 1 ms, or 2 ms when the fair-share
    // model's receivers' downlinks bound the flow), 10 ms before they arrive: one copy per
    // receiver is then in flight.
    sim.run({ untilMicros: 5_000 });
    expect(transport.liveMessages).toBe(2);
    expect(transport.inFlightBytes()).toBe(2_000);
    // Both copies arrive, node 1's first.
    sim.run({ untilMicros: 1e6 });
    expect(log.map((d) => d.to)).toEqual([1, 2]);
    expect(transport.liveMessages).toBe(0);
    expect(transport.inFlightBytes()).toBe(0);
    // The shared record is free again: a later message reuses it with its own words.
    transport.send(1, 2, DATA, 1000, 9);
    sim.run({ untilMicros: 2e6 });
    expect(log.at(-1)).toEqual({ type: "data", to: 2, words: [9, 0, 0] });
  });

  it("keep the shared record until the last copy is delivered, though messages sent between reuse freed records", () => {
    const { sim, transport, log, DATA, CONTROL } = network(model, 4);
    // Receivers 1 and 2 get the multicast at the same moment; each delivery sends a control
    // message, which takes a free record. Were the multicast's record freed at its first
    // delivery, that message would take it and overwrite the words the second copy reads.
    const recipients = { size: 3, at: (i: number) => i + 1 };
    transport.multicast(0, recipients, DATA, 1000, 4, SERIAL, 9);
    let sent = 0;
    const check = () => {
      if (log.length > sent && log[log.length - 1].type === "data") {
        sent = log.length;
        transport.send(3, 0, CONTROL, 50, -1, -2, -3);
      }
    };
    while (sim.step()) check();
    const data = log.filter((d) => d.type === "data");
    expect(data).toEqual([
      { type: "data", to: 1, words: [4, SERIAL, 9] },
      { type: "data", to: 2, words: [4, SERIAL, 9] },
      { type: "data", to: 3, words: [4, SERIAL, 9] },
    ]);
    expect(log.filter((d) => d.type === "control")).toHaveLength(3);
    expect(transport.liveMessages).toBe(0);
  });

  it("throw at the message limit exactly where one message per receiver would", () => {
    const { sim, transport, DATA } = network(model, 4, 3);
    // Three receivers fit the limit of three; a fourth message in flight would not.
    transport.multicast(0, { size: 3, at: (i: number) => i + 1 }, DATA, 1000);
    sim.run({ untilMicros: 2_000 });
    expect(transport.liveMessages).toBe(3);
    expect(() => transport.send(1, 2, DATA, 1000)).toThrow(/maxInFlightMessages: 3 messages/);
  });
});
