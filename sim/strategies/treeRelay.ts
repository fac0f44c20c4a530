import { Traffic } from "../network/transport.ts";
import { VodDelivery } from "../ondemand/vodDelivery.ts";
import { Receive } from "../player/player.ts";
import type { OptionReader } from "../scenario/reader.ts";
import { liveEdgeChunk, startSourceClock } from "./sourceClock.ts";
import { TreeForest, TreeState } from "./tree/forest.ts";
import { TreeJoin } from "./tree/joinProtocol.ts";
import { resolveTreeOptions, type TreeOptions, treeMemorySeconds } from "./tree/options.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "./types.ts";

/** Options of the `tree-relay` strategy: the tree options, with at most 8 children by default. */
export type TreeRelayOptions = TreeOptions;

function resolveTreeRelayOptions(reader: OptionReader): TreeRelayOptions {
  return resolveTreeOptions(reader, 8);
}

/** The tree at one instant (see {@link TreeRelay.snapshot}), indexed by node. */
export interface TreeSnapshot {
  /** Parent node, -1 for none (the source, a seeker, an orphan). */
  parent: Int32Array;
  /** Depth below the source (meaningful for connected nodes). */
  depth: Int32Array;
  /** Children the node counts against its slots (departed ones until it notices). */
  childCount: Int32Array;
  /** Most children the node takes. */
  slots: Int32Array;
  /** 1 where the node has a path of attached relays up to the source. */
  connected: Uint8Array;
  /** 1 where the node is attached to a relay (or is the source). */
  attached: Uint8Array;
}

/**
 * Tree relay (single-tree application-level multicast): a forest of one tree, joined through
 * the tree join protocol ({@link TreeJoin}: a directory at the source offers connected relays
 * with a free slot by `policy`; orphans rejoin and keep their subtrees). Slots follow from
 * upload capacity: floor(slotUtilization * upload / bitrate), capped by `maxChildren`.
 *
 * Each relay pushes every new chunk to its children. With `back-buffer` resume, the new relay
 * first sends, from its back buffer, the chunks the orphan lacks (everything after the newest
 * chunk the orphan holds), then continues live; when that point has left its buffer, or in
 * `jump-to-live` mode, the orphan starts at the relay's newest chunk and its player skips the
 * gap. Each chunk carries its sender's skip floor, so a jump propagates down the subtree.
 *
 * The directory's view is exact and immediate (it learns every attach and departure at once);
 * only connected relays are offered, which also rules out cycles, since an orphan's own subtree
 * is disconnected while it seeks.
 */
class TreeRelay implements Strategy {
  private readonly c: StrategyContext;
  private readonly forest: TreeForest;
  private readonly protocol: TreeJoin;
  /** Chunks below this will never reach the node (its path jumped over them); -1 none. */
  private readonly skipFloor: Float64Array;
  private readonly chunkMessage: number;

  constructor(context: StrategyContext, options: TreeRelayOptions) {
    this.c = context;
    const n = context.nodes;
    this.skipFloor = new Float64Array(n).fill(-1);
    const bitrate = context.stream.bitrateBitsPerSecond;
    const capacitySlots = new Int32Array(n);
    for (let node = 0; node < n; node++) {
      const upload = context.transport.uploadBitsPerSecond(node);
      capacitySlots[node] = Math.min(
        Math.floor((options.slotUtilization * upload) / bitrate),
        1 << 30,
      );
    }
    this.forest = new TreeForest({
      nodes: n,
      trees: 1,
      interiorDisjoint: false,
      favourForwarders: false,
      maxChildren: options.maxChildren,
      sourceSlotsPerTree: Math.min(options.sourceMaxChildren, capacitySlots[0]),
      capacitySlots,
    });
    const players = context.players;
    this.protocol = new TreeJoin(context, this.forest, 0, "tree", options, {
      newestAt: (node) =>
        node === 0 ? liveEdgeChunk(context, context.sim.nowMicros) : players.newestChunk(node),
      holds: (node, chunk) =>
        node === 0
          ? chunk >= 0 && chunk <= liveEdgeChunk(context, context.sim.nowMicros)
          : players.has(node, chunk),
      resumePoint: (peer) => {
        const newest = players.newestChunk(peer);
        return newest >= 0 ? newest + 1 : -1;
      },
      send: (from, to, chunk) => this.sendChunk(from, to, chunk),
      accepted: (peer, _relay, startChunk) => {
        if (players.position(peer) < 0) {
          if (startChunk >= 0) players.startAt(peer, startChunk);
        } else if (startChunk > players.newestChunk(peer) + 1) {
          // Jumped over a gap: neither this peer nor its subtree will get the chunks before it.
          this.raiseFloor(peer, startChunk);
        }
      },
      linked: (child) =>
        context.probe.emitGauge(
          "treeDepth",
          child,
          context.sim.nowMicros,
          this.forest.depth[child],
        ),
    });
    this.chunkMessage = context.transport.register(
      "tree/chunk",
      Traffic.Data,
      (_from, to, chunk, floor, bytes) => this.onChunk(to, chunk, floor, bytes),
    );
  }

  start(): void {
    startSourceClock(this.c, "tree", (chunk) => this.protocol.forward(0, chunk));
  }

  join(peer: number): void {
    this.forest.join(peer);
    this.protocol.join(peer);
  }

  leave(peer: number, abrupt: boolean): void {
    const orphaned = this.protocol.leave(peer, abrupt);
    if (orphaned > 0) {
      this.c.probe.emitGauge("relayDeparture", peer, this.c.sim.nowMicros, orphaned);
    }
    this.forest.leave(peer);
  }

  summary(): Record<string, number> {
    const counters = this.protocol.counters;
    return {
      meanTreeDepth: this.forest.meanDepth(),
      rejoins: counters.rejoins,
      trackerQueries: counters.queries,
      emptyTrackerReplies: counters.emptyReplies,
      attachRejects: counters.rejects,
    };
  }

  sample(): Record<string, number> {
    return { meanTreeDepth: this.forest.meanDepth() };
  }

  /** A copy of the tree's state, for tests and traces; reading it changes nothing. */
  snapshot(): TreeSnapshot {
    const forest = this.forest.snapshot();
    return {
      parent: forest.parent,
      depth: forest.depth,
      childCount: forest.childCount,
      slots: forest.treeCap,
      connected: forest.connected,
      attached: forest.state.map((s) => (s === TreeState.Attached ? 1 : 0)),
    };
  }

  private sendChunk(from: number, to: number, chunk: number): void {
    // Each chunk carries the sender's skip floor, so a jump propagates down the subtree.
    const bytes = this.c.stream.chunkBytes;
    this.c.transport.send(from, to, this.chunkMessage, bytes, chunk, this.skipFloor[from]);
  }

  private raiseFloor(peer: number, floor: number): void {
    if (floor <= this.skipFloor[peer]) return;
    this.skipFloor[peer] = floor;
    this.c.players.skipTo(peer, floor);
  }

  private onChunk(peer: number, chunk: number, floor: number, bytes: number): void {
    if (floor > this.skipFloor[peer]) this.raiseFloor(peer, floor);
    const result = this.c.players.receive(peer, chunk);
    if (result === Receive.Duplicate) {
      this.c.probe.emitDuplicate(peer, bytes);
      return;
    }
    if (result !== Receive.New) return;
    this.protocol.delivered(peer);
    this.protocol.forward(peer, chunk);
  }
}

/** Registry entry of `tree-relay`. */
export const treeRelay = defineStrategy<TreeRelayOptions>({
  type: "tree-relay",
  description: "single tree; a directory finds relays with free slots; orphans rejoin",
  resolveOptions: resolveTreeRelayOptions,
  memorySeconds: treeMemorySeconds,
  create: (context, options) => new TreeRelay(context, options),
  // On demand, the tree becomes chaining with patching (P2Cast): a parent serves a child from
  // its cache, the server patches the rest.
  createOnDemand: (context, options) =>
    new VodDelivery(context, {
      policy: "chain",
      controlBytes: 100,
      neighbours: 0,
      maxChildren: options.maxChildren,
      slotUtilization: options.slotUtilization,
    }),
});
