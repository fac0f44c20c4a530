import { Traffic } from "../../network/transport.ts";
import { secondsToMicros } from "../../scenario/units.ts";
import type { BufferRing } from "../meshPull/bufferRing.ts";
import { MAX_SOURCE_PARTNERS } from "../meshPull/options.ts";
import type { PartnerTable } from "../meshPull/partners.ts";
import { PullMesh } from "../meshPull/pullMesh.ts";
import { startSourceClock } from "../sourceClock.ts";
import { uploadSlots } from "../swarm/choker.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "../types.ts";
import { Choking } from "./choking.ts";
import { type LiveSwarmOptions, resolveLiveSwarmOptions } from "./options.ts";
import { LivePicker } from "./picker.ts";

export type { LiveSwarmOptions } from "./options.ts";

/** The second payload word of a refusal when the uploader does not hold the piece (else busy). */
const NOT_HELD = 0;
const BUSY = 1;

/**
 * Live swarming (BitTorrent over a sliding window, as Tribler's live mode and Ace Stream do):
 * one swarm for the whole broadcast, so no swarm is ever formed again (the contrast with minute
 * swarming), whose pieces (one per chunk) are valid only inside a window of `window` seconds
 * behind the live edge; older pieces are dropped, never requested or served.
 *
 * Neighbours come from a tracker and are replaced when they leave (the mesh's
 * {@link Membership}). Every piece a peer gets is announced to all its neighbours (HAVE); a
 * neighbour knows of it one one-way latency later. HAVEs are charged as one fan-out of
 * neighbours x `controlBytes` per piece and need no event of their own.
 *
 * Upload: `unchokeSlots` tit-for-tat slots plus an optimistic one ({@link Choking}), re-ranked
 * every `rechokeInterval`; the source's slots follow its capacity (one stream each, as in minute
 * swarming). CHOKE and UNCHOKE are charged as control messages; the neighbour acts on them at
 * once (a simplification: it would learn one latency later). A choke drops the requests still
 * waiting at the uploader.
 *
 * Download: a peer keeps requests outstanding at each neighbour that unchokes it, as many as
 * that neighbour's measured throughput delivers in `requestHorizon` (at least `pipeline`),
 * topping up when a piece arrives and every `tick`; which piece follows {@link LivePicker}
 * (deadline near the playhead, rarest first beyond). An uploader refuses a request when its
 * uplink already holds more than `requestHorizon` of data, and a request not served in time is
 * given up and may go elsewhere; a copy that then arrives twice is a duplicate, in overheadRatio.
 */
class LiveSwarm implements Strategy {
  private readonly c: StrategyContext;
  private readonly o: LiveSwarmOptions;
  private readonly mesh: PullMesh;
  private readonly table: PartnerTable;
  private readonly ring: BufferRing;
  /** Scratch: the partners a HAVE goes to (one node's partners at most). */
  private readonly haveReceivers: Int32Array;
  private readonly choking: Choking;
  private readonly picker: LivePicker;
  private readonly tickMicros: number;
  private readonly rechokeMicros: number;

  private haveBytes = 0;
  private chokeMessages = 0;

  private readonly msgHave: number;
  private readonly msgChoke: number;
  private readonly evTick: number;
  private readonly evRechoke: number;

  constructor(context: StrategyContext, options: LiveSwarmOptions) {
    this.c = context;
    this.o = options;
    const stream = context.stream;
    const transport = context.transport;
    const slots = uploadSlots(
      context.nodes,
      (node) => transport.uploadBitsPerSecond(node),
      stream.bitrateBitsPerSecond,
      options.unchokeSlots,
      0,
    );
    const sourceCapacity = Math.min(
      MAX_SOURCE_PARTNERS,
      Math.max(options.maxNeighbours, 2 * slots[0]),
    );
    this.tickMicros = Math.max(1, secondsToMicros(options.tickSeconds));
    this.rechokeMicros = Math.max(1, secondsToMicros(options.rechokeSeconds));
    this.mesh = new PullMesh(
      context,
      options,
      {
        prefix: "live",
        dataName: "piece",
        target: options.neighbours,
        maxPartners: options.maxNeighbours,
        sourcePartners: sourceCapacity,
        periodMicros: this.tickMicros,
      },
      {
        request: (node, requester, chunk) => this.onRequest(node, requester, chunk),
        refused: (peer, supplier, chunk, why) => this.onRefused(peer, supplier, chunk, why),
        data: (peer, supplier, chunk, bytes) => this.onPiece(peer, supplier, chunk, bytes),
        lost: (node) => this.choking.fill(node),
      },
    );
    this.table = this.mesh.table;
    this.ring = this.mesh.ring;
    this.haveReceivers = new Int32Array(Math.max(options.maxNeighbours, sourceCapacity));
    this.choking = new Choking(
      this.table,
      context.random,
      slots,
      options.optimisticUnchoke,
      Math.max(1, Math.round(options.optimisticSeconds / options.rechokeSeconds)),
      (node, edge, unchoked) => this.onChokeChange(node, edge, unchoked),
    );
    this.table.onAdd = (node, edge) => {
      this.choking.reset(edge);
      this.choking.fill(node);
    };
    this.picker = new LivePicker(
      context.players,
      this.table,
      this.ring,
      (a, b) => transport.latencyMicros(a, b),
      Math.round(secondsToMicros(options.urgentSeconds) / stream.chunkMicros),
    );

    const ctl = Traffic.Control;
    this.msgHave = transport.register("live/have", ctl, () => {});
    this.msgChoke = transport.register("live/choke", ctl, () => {});
    const sim = context.sim;
    this.evTick = sim.register("live/tick", ["peer"], (peer) => this.tick(peer));
    this.evRechoke = sim.register("live/rechoke", ["node"], (node) => {
      if (!this.mesh.online(node)) return;
      this.choking.rechoke(node);
      if (sim.nowMicros + this.rechokeMicros < context.stream.durationMicros) {
        sim.after(this.rechokeMicros, this.evRechoke, node);
      }
    });
  }

  start(): void {
    // Each new piece at the source is announced to its neighbours.
    startSourceClock(this.c, "live", () => this.announce(0));
    this.c.sim.at(this.rechokeMicros, this.evRechoke, 0);
  }

  join(peer: number): void {
    this.ring.open(peer);
    this.picker.reset(peer);
    this.mesh.members.join(peer);
    const random = this.c.random;
    this.c.sim.after(Math.floor(random.next() * this.tickMicros), this.evTick, peer);
    this.c.sim.after(Math.floor(random.next() * this.rechokeMicros), this.evRechoke, peer);
  }

  leave(peer: number, abrupt: boolean): void {
    // Neighbours read this peer's pieces (its HAVEs) until they learn it left.
    this.mesh.leave(peer, abrupt);
  }

  summary(): Record<string, number> {
    return {
      ...this.mesh.finish(this.c.sim.nowMicros),
      trackerQueries: this.mesh.members.trackerQueries,
      haveBytes: this.haveBytes,
      chokeMessages: this.chokeMessages,
      ...this.mesh.counters.fields(),
      windowChunks: this.ring.windowChunks,
    };
  }

  /** Mean neighbours and window fill over the online peers. */
  sample(): Record<string, number> {
    return this.mesh.sample();
  }

  /** Charges the HAVE fan-out of one new piece at `node`. */
  private announce(node: number): void {
    const table = this.table;
    const base = table.base(node);
    const receivers = this.haveReceivers;
    let count = 0;
    for (let e = base; e < base + table.capacity(node); e++) {
      if (table.partner[e] >= 0) receivers[count++] = table.partner[e];
    }
    if (count === 0) return;
    const each = this.o.controlBytes;
    if (this.c.transport.sendFanOut(node, this.msgHave, each, receivers, count) >= 0) {
      this.haveBytes += count * each;
    }
  }

  private onChokeChange(node: number, edge: number, unchoked: boolean): void {
    const q = this.table.partner[edge];
    this.chokeMessages++;
    this.c.transport.sendUndelivered(node, q, this.msgChoke, this.o.controlBytes);
    const back = this.table.back(node, edge);
    if (back < 0) return;
    if (unchoked) {
      this.topUp(q, back);
    } else {
      // A choke drops the requests still waiting at the uploader.
      this.ring.clearRequestsTo(q, node);
      this.table.outstanding[back] = 0;
    }
  }

  private tick(peer: number): void {
    if (!this.mesh.online(peer)) return;
    const now = this.c.sim.nowMicros;
    this.ring.expire(peer, now, (supplier) => {
      this.mesh.counters.requestTimeouts++;
      const e = this.table.find(peer, supplier);
      if (e >= 0 && this.table.outstanding[e] > 0) this.table.outstanding[e]--;
    });
    const table = this.table;
    const base = table.base(peer);
    for (let e = base; e < base + table.capacity(peer); e++) {
      if (table.partner[e] >= 0) this.topUp(peer, e);
    }
    this.mesh.gauges.tick(peer);
    if (now + this.tickMicros < this.c.stream.durationMicros) {
      this.c.sim.after(this.tickMicros, this.evTick, peer);
    }
  }

  /** Fills `peer`'s pipeline to the partner of `edge`, if that partner unchokes it. */
  private topUp(peer: number, edge: number): void {
    if (peer === 0 || !this.mesh.online(peer)) return;
    const table = this.table;
    const supplier = table.partner[edge];
    const back = this.table.back(peer, edge);
    if (back < 0 || this.choking.unchoked[back] === 0) return;
    const now = this.c.sim.nowMicros;
    const { chunkBits, horizonMicros } = this.mesh;
    // libtorrent sizes a peer's request queue as its measured download rate x a queue time;
    // here the queue time is the request horizon, and `pipeline` the least queue.
    const queue = Math.max(
      this.o.pipeline,
      Math.floor((table.rateBitsPerSecond[edge] * horizonMicros) / 1e6 / chunkBits),
    );
    while (table.outstanding[edge] < queue) {
      const chunk = this.picker.pick(peer, supplier, now);
      if (chunk < 0) return;
      if (!this.mesh.request(peer, supplier, chunk)) return;
      const rate = table.rateBitsPerSecond[edge];
      const expected =
        ((table.outstanding[edge] + 1) * chunkBits * 1e6) / rate +
        2 * this.c.transport.latencyMicros(peer, supplier);
      const until = now + horizonMicros + Math.ceil(2 * expected);
      this.ring.request(peer, this.ring.entry(peer, chunk), chunk, supplier, now, until);
      table.outstanding[edge]++;
    }
  }

  /** At the uploader: send the piece, or refuse. */
  private onRequest(node: number, requester: number, chunk: number): void {
    const mesh = this.mesh;
    if (!mesh.online(node)) return;
    const now = this.c.sim.nowMicros;
    const edge = this.table.find(node, requester);
    if (edge < 0 || this.choking.unchoked[edge] === 0) return; // choked: dropped
    const oldest = this.ring.sourceNewest(now) - this.ring.windowChunks + 1;
    if (chunk < oldest || !this.ring.heldAt(node, chunk, now)) {
      mesh.refuse(node, requester, chunk, NOT_HELD);
      return;
    }
    if (mesh.serve(node, requester, chunk) > 0) mesh.refuse(node, requester, chunk, BUSY);
  }

  private onRefused(peer: number, supplier: number, chunk: number, why: number): void {
    if (this.mesh.online(peer)) this.mesh.refused(peer, supplier, chunk, why === NOT_HELD);
  }

  private onPiece(peer: number, supplier: number, chunk: number, bytes: number): void {
    if (!this.mesh.online(peer)) return;
    const now = this.c.sim.nowMicros;
    if (this.mesh.receive(peer, chunk, bytes, now)) this.announce(peer);
    const edge = this.mesh.credit(peer, supplier, chunk, bytes, now);
    if (edge < 0) return;
    // Tit-for-tat credit.
    this.choking.given[edge] += bytes;
    this.topUp(peer, edge);
  }
}

/** The `live-swarm` strategy: one BitTorrent swarm over a sliding window of the live stream. */
export const liveSwarm = defineStrategy<LiveSwarmOptions>({
  type: "live-swarm",
  description:
    "BitTorrent live over a sliding window: one swarm, tit-for-tat with optimistic unchoke, HAVEs, deadline pieces near the playhead and rarest first beyond",
  resolveOptions: resolveLiveSwarmOptions,
  memorySeconds: (options) => options.windowSeconds,
  create: (context, options) => new LiveSwarm(context, options),
});
