import { Traffic } from "../network/transport.ts";
import { VodDelivery } from "../ondemand/vodDelivery.ts";
import { Receive } from "../player/player.ts";
import type { OptionReader } from "../scenario/reader.ts";
import { IndexedSet } from "./shared/indexedSet.ts";
import { liveEdgeChunk, startSourceClock } from "./sourceClock.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "./types.ts";

/** What a client-server source does with a viewer it has no uplink capacity left for. */
export const ADMISSION_MODES = ["reject", "queue"] as const;

/** Options of the `client-server` strategy. */
export interface ClientServerOptions {
  /** Size of a control message (request, goodbye), bytes. Default 100. */
  controlBytes: number;
  /**
   * `reject` (default): the source serves as many viewers as its uplink carries in full,
   * floor(upload x chunkDuration / (8 x chunkBytes)) (floor(upload / bitrate) when a chunk is a
   * whole number of bytes), and refuses the others, as a server with a listener limit does.
   * `queue`: it accepts every viewer and every chunk waits its turn on the uplink, so past
   * capacity all viewers fall behind together. `ideal-multicast` always accepts.
   */
  admission: (typeof ADMISSION_MODES)[number];
  /**
   * Seconds a viewer waits for the stream after a request before it asks again (under
   * `reject`; the source answers a refused request with silence). Default 10 s.
   */
  retryAfterSeconds: number;
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
 *
 * Admission (`admission: reject`): the source holds one slot per stream its uplink carries in
 * full and admits a request only while a slot is free. It refuses by not answering (as a full
 * listen queue drops a connection attempt), so refusals cost its uplink nothing and the admitted
 * streams keep all of it; the request itself costs the viewer's uplink and the source's
 * downlink, as control. A viewer that has received no stream `retryAfter` after a request asks
 * again, and so takes a slot at its first request after one frees. A slot frees when the
 * source hears a goodbye, or notices an abrupt departure.
 */
class ClientServer implements Strategy {
  private readonly c: StrategyContext;
  private readonly o: ClientServerOptions;
  private readonly audience: IndexedSet;
  private readonly msgRequest: number;
  private readonly msgChunk: number;
  private readonly msgGoodbye: number;
  private readonly evDetect: number;
  private readonly evRetry: number;
  /** Viewers the source admits at once (unlimited under `queue` or multicast). */
  private readonly slots: number;
  /** 1 once a viewer has received stream data (it then stops asking). */
  private readonly receiving: Uint8Array;
  /** 1 once the source has refused a viewer. */
  private readonly refused: Uint8Array;
  private sessions = 0;
  private refusedSessions = 0;
  private refusals = 0;

  constructor(context: StrategyContext, options: ClientServerOptions) {
    this.c = context;
    this.o = options;
    this.audience = new IndexedSet(context.nodes);
    this.receiving = new Uint8Array(context.nodes);
    this.refused = new Uint8Array(context.nodes);
    this.slots = this.limited()
      ? Math.floor(
          (context.transport.uploadBitsPerSecond(0) * context.stream.chunkMicros) /
            1e6 /
            (8 * context.stream.chunkBytes),
        )
      : Number.POSITIVE_INFINITY;
    const t = context.transport;
    this.msgRequest = t.register("cs/request", Traffic.Control, (from) => this.onRequest(from));
    this.msgChunk = t.register("cs/chunk", Traffic.Data, (_from, to, chunk, _p1, bytes) => {
      this.receiving[to] = 1;
      if (context.players.receive(to, chunk) === Receive.Duplicate) {
        context.probe.emitDuplicate(to, bytes);
      }
    });
    this.msgGoodbye = t.register("cs/goodbye", Traffic.Control, (from) =>
      this.audience.delete(from),
    );
    this.evDetect = context.sim.register("cs/detect-departure", ["peer"], (peer) =>
      this.audience.delete(peer),
    );
    this.evRetry = context.sim.register("cs/retry", ["peer"], (peer) => this.retry(peer));
  }

  /** True when the source admits a limited number of viewers (unicast under `reject`). */
  private limited(): boolean {
    return this.o.delivery === "unicast" && this.o.admission === "reject";
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
    this.sessions++;
    this.request(peer);
  }

  /** Sends a request; under admission control, checks back after `retryAfter`. */
  private request(peer: number): void {
    this.c.transport.send(peer, 0, this.msgRequest, this.o.controlBytes);
    if (this.limited()) {
      this.c.sim.after(Math.round(this.o.retryAfterSeconds * 1e6), this.evRetry, peer);
    }
  }

  /** A viewer's back-off ended: it asks again unless the stream has reached it. */
  private retry(peer: number): void {
    if (this.receiving[peer] === 1 || !this.c.transport.isUp(peer)) return;
    this.request(peer);
  }

  leave(peer: number, abrupt: boolean): void {
    if (abrupt) this.c.sim.after(this.c.detectionDelayMicros, this.evDetect, peer);
    else this.c.transport.send(peer, 0, this.msgGoodbye, this.o.controlBytes);
  }

  private onRequest(peer: number): void {
    if (!this.c.transport.isUp(peer)) return;
    // A repeated request from a viewer being served (its stream had not reached it yet).
    if (this.audience.has(peer)) return;
    if (this.audience.size >= this.slots) {
      this.refusals++;
      if (this.refused[peer] === 0) {
        this.refused[peer] = 1;
        this.refusedSessions++;
      }
      return;
    }
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

  summary(): Record<string, number> {
    if (this.o.delivery !== "unicast") return {};
    return {
      // Sessions the source refused at least once / sessions (some were admitted later).
      rejectedShare: this.sessions > 0 ? this.refusedSessions / this.sessions : 0,
      // Requests refused, retries included.
      refusals: this.refusals,
      // Viewers served at once (under `reject`).
      ...(this.limited() ? { admissionSlots: this.slots } : {}),
    };
  }
}

/** Registry entry of `client-server`. */
export const clientServer = defineStrategy<ClientServerOptions>({
  type: "client-server",
  description: "every viewer pulls the stream from the source (unicast baseline)",
  resolveOptions: (reader: OptionReader) => ({
    controlBytes: reader.bytes("controlBytes", 100, { min: 1 }),
    admission: reader.choice("admission", ADMISSION_MODES, "reject"),
    // A floor on the back-off bounds the requests (and events) refused viewers generate.
    retryAfterSeconds: reader.durationSeconds("retryAfter", 10, { min: 0.1 }),
    delivery: "unicast",
  }),
  create: (context, options) => new ClientServer(context, options),
  // On demand, every viewer pulls its own position of the video from the server.
  createOnDemand: (context, options) =>
    new VodDelivery(context, {
      policy: "server",
      controlBytes: options.controlBytes,
      neighbours: 0,
      maxChildren: 0,
      slotUtilization: 1,
    }),
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
    admission: "queue",
    retryAfterSeconds: 10,
    delivery: "multicast",
  }),
  create: (context, options) => new ClientServer(context, options),
});
