import { describe, expect, it } from "vitest";
import { createStream, Simulator } from "../../../sim/engine/index.ts";
import { Probe } from "../../../sim/metrics/probe.ts";
import { FifoTransport } from "../../../sim/network/fifoTransport.ts";
import { LatencyModel } from "../../../sim/network/latency.ts";
import { Players } from "../../../sim/player/player.ts";
import { TreeForest, TreeState } from "../../../sim/strategies/tree/forest.ts";
import { TreeJoin } from "../../../sim/strategies/tree/joinProtocol.ts";
import type { TreeOptions } from "../../../sim/strategies/tree/options.ts";
import type { StrategyContext } from "../../../sim/strategies/types.ts";
import type { Workload } from "../../../sim/workload/workload.ts";

const LATENCY_MICROS = 10_000;
const SECOND = 1_000_000;

/**
 * Three nodes, 10 ms apart: the source (one slot), relay 1 and seeker 2, on one tree run by one
 * TreeJoin instance; the strategy side is a stub that holds no chunks.
 */
function setUp() {
  const sim = new Simulator();
  const nodes = 3;
  const latency = new LatencyModel(
    { model: "constant", oneWaySeconds: LATENCY_MICROS / SECOND },
    new Float64Array(nodes),
    new Float64Array(nodes),
    0,
  );
  const capacity = new Float64Array(nodes).fill(10e6);
  const transport = new FifoTransport({
    sim,
    latency,
    upload: capacity,
    download: capacity,
    options: {
      model: "fifo",
      maxBacklogSeconds: 30,
      controlFloorBitsPerSecond: 64e3,
      maxInFlightMessages: 1000,
      controlShare: 0.05,
      maxFlows: 1000,
    },
  });
  const probe = new Probe();
  const players = new Players(
    sim,
    probe,
    { startupBufferSeconds: 2, rebufferSeconds: 1, onMissing: "stall", skipMissingAfterSeconds: 0 },
    SECOND,
    nodes,
    16,
  );
  const context: StrategyContext = {
    sim,
    transport,
    players,
    probe,
    random: createStream("test/tree-join"),
    stream: {
      bitrateBitsPerSecond: 400e3,
      chunkMicros: SECOND,
      chunkBytes: 50_000,
      chunkCount: 100,
      durationMicros: 100 * SECOND,
    },
    workload: {} as Workload,
    detectionDelayMicros: 5 * SECOND,
    nodes,
  };
  // The defaults of the tree options, without heartbeats (they would only add events).
  const options: TreeOptions = {
    maxChildren: 8,
    sourceMaxChildren: 1,
    slotUtilization: 0.9,
    policy: "shallowest",
    candidates: 4,
    resume: "jump-to-live",
    backBufferSeconds: 20,
    controlBytes: 100,
    heartbeatSeconds: 0,
    retrySeconds: 1,
  };
  const forest = new TreeForest({
    nodes,
    trees: 1,
    interiorDisjoint: false,
    favourForwarders: false,
    maxChildren: 8,
    sourceSlotsPerTree: 1,
    capacitySlots: new Int32Array(nodes).fill(8),
  });
  const accepted: [number, number][] = [];
  const tree = new TreeJoin(context, forest, 0, "tree", options, {
    newestAt: () => -1,
    holds: () => false,
    resumePoint: () => -1,
    send: () => {},
    accepted: (peer, relay) => accepted.push([peer, relay]),
  });
  const joinKind = sim.register("test/join", ["peer"], (peer) => {
    forest.join(peer);
    tree.join(peer);
  });
  return { sim, transport, forest, tree, accepted, joinKind, options };
}

describe("tree join protocol", () => {
  it("a seeker attaches through the directory to the one relay with a free slot", () => {
    const { sim, forest, accepted, joinKind } = setUp();
    sim.at(0, joinKind, 1);
    sim.at(SECOND, joinKind, 2);
    sim.run({ untilMicros: 3 * SECOND });
    // The source's only slot went to relay 1; seeker 2 was offered relay 1 alone.
    expect(accepted).toEqual([
      [1, 0],
      [2, 1],
    ]);
    expect(forest.parent[2]).toBe(1);
    expect(forest.depth[2]).toBe(2);
    expect(forest.state[2]).toBe(TreeState.Attached);
  });

  it("an attach request to a relay that vanished times out after 4 x latency + retry, then the peer asks again", () => {
    const { sim, transport, tree, accepted, joinKind, options } = setUp();
    sim.at(0, joinKind, 1);
    sim.run({ untilMicros: SECOND });
    expect(accepted).toEqual([[1, 0]]);
    // Seeker 2 joins; step until its attach request to relay 1 is on the wire, then relay 1
    // fails silently (no goodbye, not yet detected): the request is lost.
    sim.at(SECOND, joinKind, 2);
    while (tree.counters.queries < 2 || sim.nowMicros < SECOND + 2 * LATENCY_MICROS) sim.step();
    const attachSentAt = sim.nowMicros;
    transport.nodeDown(1, true);
    const expectedTimeout = attachSentAt + 4 * LATENCY_MICROS + options.retrySeconds * SECOND;
    // Nothing answers: the next event of the seeker is the timeout, exactly then.
    while (sim.peek() < expectedTimeout) sim.step();
    expect(tree.counters.attachTimeouts).toBe(0);
    sim.step();
    expect(sim.nowMicros).toBe(expectedTimeout);
    expect(tree.counters.attachTimeouts).toBe(1);
    // No candidate left: it waits the retry time and queries the directory again.
    const queries = tree.counters.queries;
    sim.run({ untilMicros: expectedTimeout + options.retrySeconds * SECOND + LATENCY_MICROS });
    expect(tree.counters.queries).toBe(queries + 1);
    expect(accepted).toEqual([[1, 0]]);
  });
});
