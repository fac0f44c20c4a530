import { Traffic } from "../network/transport.ts";
import { Receive } from "../player/player.ts";
import type { OptionReader } from "../scenario/reader.ts";
import { IndexedSet } from "./shared/indexedSet.ts";
import { liveEdgeChunk, startSourceClock } from "./sourceClock.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "./types.ts";

/** Options of the `client-server` strategy. */
export interface ClientServerOptions {
  /** Size of a control message (request, goodbye), bytes. Default 100. */
  controlBytes: number;
  /**
   * `unicast`: one copy per viewer from the source's uplink. `multicast`: ideal network-layer
   * multicast, one copy from the source replicated by the network (the `ideal-multicast` type).
   */
  delivery: "unicast" | "multicast";
}

/**
 * Client-server unicast: every viewer asks the source for the stream and the source sends
 * every chunk to every viewer it serves, from its own uplink. The source's upload capacity is
 * the limit: when viewers times bit rate exceeds it, the uplink queue grows, chunks arrive late
 * and, past the transport's backlog limit, are dropped. The reference every peer-to-peer
 * strategy is measured against.
 *
 * A viewer starts at the newest chunk when its request arrives. A graceful leaver's goodbye
 * stops the flow after one latency; after an abrupt departure the source keeps sending until it
 * notices (the detection delay), and those bytes are wasted.
 */
class ClientServer implements Strategy {
  private readonly c: StrategyContext;
  private readonly o: ClientServerOptions;
  private readonly audience: IndexedSet;
  private readonly msgRequest: number;
  private readonly msgChunk: number;
  private readonly msgGoodbye: number;
  private readonly evDetect: number;

  constructor(context: StrategyContext, options: ClientServerOptions) {
    this.c = context;
    this.o = options;
    this.audience = new IndexedSet(context.nodes);
    const t = context.transport;
    this.msgRequest = t.register("cs/request", Traffic.Control, (from) => this.onRequest(from));
    this.msgChunk = t.register("cs/chunk", Traffic.Data, (_from, to, chunk, _p1, bytes) => {
      if (context.players.receive(to, chunk) === Receive.Duplicate) {
        context.probe.emitDuplicate(to, bytes);
      }
    });
    this.msgGoodbye = t.register("cs/goodbye", Traffic.Control, (from) =>
      this.audience.delete(from),
    );
    this.evDetect = context.sim.register("cs/detect-departure", (peer) =>
      this.audience.delete(peer),
    );
  }

  start(): void {
    startSourceClock(this.c, "cs", (chunk) => {
      const bytes = this.c.stream.chunkBytes;
      const audience = this.audience;
      if (this.o.delivery === "multicast") {
        this.c.transport.multicast(0, audience, this.msgChunk, bytes, chunk);
        return;
      }
      for (let i = 0; i < audience.size; i++) {
        this.c.transport.send(0, audience.at(i), this.msgChunk, bytes, chunk);
      }
    });
  }

  join(peer: number): void {
    this.c.transport.send(peer, 0, this.msgRequest, this.o.controlBytes);
  }

  leave(peer: number, abrupt: boolean): void {
    if (abrupt) this.c.sim.after(this.c.detectionDelayMicros, this.evDetect, peer);
    else this.c.transport.send(peer, 0, this.msgGoodbye, this.o.controlBytes);
  }

  private onRequest(peer: number): void {
    if (!this.c.transport.isUp(peer)) return;
    this.audience.add(peer);
    const newest = liveEdgeChunk(this.c, this.c.sim.nowMicros);
    if (this.o.delivery === "multicast") {
      // A multicast receiver just joins the group: its first chunk is the next one multicast.
      this.c.players.startAt(peer, newest + 1);
      return;
    }
    // A unicast viewer starts at once with the newest chunk.
    this.c.players.startAt(peer, Math.max(0, newest));
    if (newest >= 0) {
      this.c.transport.send(0, peer, this.msgChunk, this.c.stream.chunkBytes, newest);
    }
  }
}

/** Registry entry of `client-server`. */
export const clientServer = defineStrategy<ClientServerOptions>({
  type: "client-server",
  description: "every viewer pulls the stream from the source (unicast baseline)",
  resolveOptions: (reader: OptionReader) => ({
    controlBytes: reader.bytes("controlBytes", 100, { min: 1 }),
    delivery: "unicast",
  }),
  create: (context, options) => new ClientServer(context, options),
});

/**
 * Registry entry of `ideal-multicast`: the same protocol as client-server, but the network
 * replicates each chunk (IP multicast), so the source sends every chunk once whatever the
 * audience. No overlay does better; it bounds what peer-to-peer strategies can reach.
 */
export const idealMulticast = defineStrategy<ClientServerOptions>({
  type: "ideal-multicast",
  description: "the source sends each chunk once and the network replicates it (reference)",
  resolveOptions: (reader: OptionReader) => ({
    controlBytes: reader.bytes("controlBytes", 100, { min: 1 }),
    delivery: "multicast",
  }),
  create: (context, options) => new ClientServer(context, options),
});
