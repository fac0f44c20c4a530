import { Traffic } from "../../network/transport.ts";
import { secondsToMicros } from "../../scenario/units.ts";
import { IndexedSet } from "../shared/indexedSet.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "../types.ts";
import { Choker, uploadSlots } from "./choker.ts";
import { PieceExchange } from "./exchange.ts";
import { PieceKnowledge } from "./knowledge.ts";
import { SwarmLinks } from "./links.ts";
import {
  type MinuteSwarmingOptions,
  resolveMinuteSwarmingOptions,
  sliceProblem,
} from "./options.ts";
import { PiecePicker } from "./picker.ts";
import { SliceFeeder } from "./playback.ts";
import { Link, Membership, NONE, SwarmRecords } from "./records.ts";
import { SwarmRing } from "./ring.ts";
import { SwarmStats } from "./stats.ts";
import { trackerReply } from "./tracker.ts";
import { UplinkDispatch } from "./uplink.ts";
import { Overhead, SwarmWire } from "./wire.ts";

export type { MinuteSwarmingOptions } from "./options.ts";

/**
 * Minute swarming: the stream is cut into slice files of `sliceDuration`, and each slice is
 * distributed by its own BitTorrent-style swarm once the source has recorded all of it, so a
 * viewer plays at least one slice behind live. A viewer that joins starts at the newest complete
 * slice and enters that swarm at once.
 *
 * Forming a swarm, per slice: every online peer announces to the tracker (at node 0, beside the
 * source) and gets a random subset of the slice's swarm (`trackerPeers`); it connects to each
 * (handshake one way, handshake and bitfield back, bitfield again: one and a half round trips)
 * and accepts incoming connections up to `maxNeighbours`. All of it is control traffic counted
 * as formation bytes. The source is in every swarm as its first seed.
 *
 * Exchange: a peer requests pieces from neighbours that unchoked it, one outstanding per
 * neighbour (`pipeline`), choosing rarest first among its neighbours (a random first piece) or in
 * order, and only pieces it knows the neighbour holds: every piece a peer gets is announced at
 * once (HAVE) to its neighbours in that swarm, and one at one-way latency L knows it L later.
 * The source super-seeds (reveals the pieces it has sent least), and BitTorrent's endgame asks a
 * second neighbour for a last piece whose request still waits in a queue, cancelling the other
 * copy once one starts to flow.
 *
 * Upload: a peer serves only the neighbours it unchokes: `unchokeSlots` regular slots across all
 * its swarms, ranked every `rechokeInterval` by the bytes each gave it (tit-for-tat, a rolling
 * half-life of one period), plus one optimistic unchoke rotated every `optimisticInterval`. A
 * slot freed between rechokes (the neighbour said it is not interested, or left) goes at once to
 * the best-ranked interested neighbour. Requests wait in the uploader's queue and one piece at a
 * time goes onto its uplink (see {@link UplinkDispatch}), so a choke still drops what has not
 * started. A peer seeds a slice for `seedTime` after completing it, then leaves that swarm;
 * every swarm ends `swarmLifetime` after its slice exists, and a peer still missing pieces then
 * gives the slice up (its player skips it).
 *
 * Playback: a complete slice goes to the player chunk by chunk (`file`), or each chunk as soon
 * as the contiguous prefix of received pieces covers it (`progressive`).
 *
 * Departures: a graceful leaver closes its connections (one message each) and tells the tracker;
 * an abrupt one does neither: its neighbours keep requesting from it, and those requests time
 * out (`requestTimeout`) or the neighbours notice the silence after the detection delay,
 * whichever comes first, and ask elsewhere.
 *
 * Cost model: see {@link PieceExchange} (HAVEs aggregated, requests queued directly).
 * Simplifications: rarest-first counts change when a HAVE is sent, not when it arrives;
 * interest is derived from the bitfields (as BitTorrent's INTERESTED is) rather than sent, and an
 * uploader's view of a neighbour that holds more than it lacks ignores HAVEs still in flight; a
 * TCP connection's own round trip is not modelled apart from the handshake's; a peer reacts to an
 * endgame copy starting to flow at once rather than when its first bytes arrive; an acceptor
 * drops a handshake whose initiator gave up before it arrived.
 */
class MinuteSwarming implements Strategy {
  private readonly c: StrategyContext;
  private readonly o: MinuteSwarmingOptions;
  private readonly sliceMicros: number;
  private readonly chunksPerSlice: number;
  /** Pieces per slice (P). */
  private readonly pieces: number;
  private readonly sliceCount: number;
  /** Neighbour table size per membership (K). */
  private readonly k: number;
  private readonly lifetimeMicros: number;
  private readonly seedMicros: number;
  private readonly timeoutMicros: number;
  private readonly tickMicros: number;
  private readonly rechokeMicros: number;
  private readonly forgetMicros: number;

  // --- Per node --------------------------------------------------------------------------
  private readonly online: Uint8Array;
  private readonly onlinePeers: IndexedSet;
  private readonly startSlice: Int32Array;

  // --- The parts: each holds its own state; this class wires them ------------------------
  /** Membership, piece and half-link records. */
  private readonly records: SwarmRecords;
  /** The live swarms, one per slice. */
  private readonly ring: SwarmRing;
  /** Who each peer uploads to. */
  private readonly choker: Choker;
  /** Sending control messages and counting their bytes. */
  private readonly wire: SwarmWire;
  /** Handshakes, opening and closing links. */
  private readonly links: SwarmLinks;
  /** Requests, pieces, HAVEs. */
  private readonly exchange: PieceExchange;
  /** Counters and reports. */
  private readonly stats = new SwarmStats();

  private readonly sliceReadyEvent: number;
  private readonly swarmEndEvent: number;
  private readonly rechokeEvent: number;
  private readonly maintainEvent: number;
  private readonly seedExpireEvent: number;
  private readonly forgetEvent: number;

  constructor(context: StrategyContext, options: MinuteSwarmingOptions) {
    this.c = context;
    this.o = options;
    const stream = context.stream;
    const chunkSeconds = stream.chunkMicros / 1e6;
    const problem = sliceProblem(options.sliceSeconds, options.pieceBytes, {
      chunkSeconds,
      bitrateBitsPerSecond: stream.bitrateBitsPerSecond,
      durationSeconds: stream.durationMicros / 1e6,
    });
    if (problem) throw new RangeError(`minute-swarming ${problem.key} ${problem.message}`);
    this.chunksPerSlice = Math.round(options.sliceSeconds / chunkSeconds);
    this.sliceMicros = this.chunksPerSlice * stream.chunkMicros;
    const sliceBytes = this.chunksPerSlice * stream.chunkBytes;
    this.pieces = Math.ceil(sliceBytes / options.pieceBytes);
    const lastPieceBytes = sliceBytes - (this.pieces - 1) * options.pieceBytes;
    const whole = Math.floor(stream.chunkCount / this.chunksPerSlice);
    this.sliceCount = options.slices > 0 ? Math.min(options.slices, whole) : whole;
    this.k = options.maxNeighbours;
    this.lifetimeMicros = secondsToMicros(options.swarmLifetimeSeconds);
    this.seedMicros = secondsToMicros(options.seedSeconds);
    this.timeoutMicros = secondsToMicros(options.requestTimeoutSeconds);
    // Timeouts are checked twice per timeout period: one is noticed within 1.5 periods.
    this.tickMicros = Math.max(1, Math.round(this.timeoutMicros / 2));
    this.rechokeMicros = secondsToMicros(options.rechokeSeconds);
    this.forgetMicros = Math.max(1, context.detectionDelayMicros);

    const n = context.nodes;
    const online = new Uint8Array(n);
    this.online = online;
    this.onlinePeers = new IndexedSet(n);
    const records = new SwarmRecords(n, this.pieces, this.k, options.trackerPeers);
    this.records = records;
    this.startSlice = new Int32Array(n);
    const t = context.transport;
    const sim = context.sim;

    // Swarms alive at once: one per slice of the lifetime, plus the one being created.
    this.ring = new SwarmRing(Math.ceil(this.lifetimeMicros / this.sliceMicros) + 2, records);
    const knowledge = new PieceKnowledge(records, sim);
    const picker = new PiecePicker(
      records,
      knowledge,
      sim,
      context.random,
      options.pieceSelection === "in-order",
      options.superSeeding,
    );
    const feeder = new SliceFeeder(
      records,
      context.players,
      this.chunksPerSlice,
      stream.chunkBytes,
      options.pieceBytes,
      sliceBytes,
    );
    const wire = new SwarmWire(context, options, records, this.stats);
    this.wire = wire;
    const types = wire.types;
    this.choker = new Choker(
      records,
      knowledge,
      context.random,
      online,
      uploadSlots(
        n,
        (node) => t.uploadBitsPerSecond(node),
        stream.bitrateBitsPerSecond,
        options.unchokeSlots,
        options.sourceUnchokeSlots,
      ),
      {
        unchoke: (h) =>
          wire.linkControl(h, types.unchoke, options.messageBytes, 0, Overhead.Exchange),
        choke: (h) => wire.linkControl(h, types.choke, options.messageBytes, 0, Overhead.Exchange),
      },
      options.optimisticUnchoke,
      Math.max(1, Math.round(options.optimisticSeconds / options.rechokeSeconds)),
    );
    const uplink = new UplinkDispatch(
      sim,
      t,
      online,
      this.choker.slots,
      options.pipeline,
      (h, serial, i, epoch) => this.exchange.serveQueued(h, serial, i, epoch),
    );
    const common = { records, knowledge, choker: this.choker, stats: this.stats, wire, online };
    this.exchange = new PieceExchange(context, options, {
      ...common,
      picker,
      feeder,
      ring: this.ring,
      uplink,
      lastPieceBytes,
      completed: (m) =>
        sim.after(this.seedMicros, this.seedExpireEvent, m, records.memberSerial[m]),
    });
    const exchange = this.exchange;
    this.links = new SwarmLinks(context, options, { ...common, exchange });
    const links = this.links;

    // Wiring: the 17 message types and the strategy's own events.
    const control = Traffic.Control;
    types.announce = t.register("swarm/announce", control, (from, _to, m, s) =>
      this.onAnnounce(from, m, s),
    );
    types.peers = t.register("swarm/peers", control, (_from, to, m, s) => this.onPeers(to, m, s));
    types.stopped = t.register("swarm/stopped", control, (_from, _to, m, s) => {
      if (records.memberSerial[m] === s) this.ring.untrack(m);
    });
    types.leaving = t.register("swarm/leaving", control, (from) => {
      for (let m = records.firstMembership[from]; m !== NONE; m = records.nextMembership[m]) {
        this.ring.untrack(m);
      }
    });
    // Link messages carry (the receiver's half, the link's serial, a piece); see SwarmWire.
    const onLink = (name: string, handle: (h: number, serial: number) => void): number =>
      t.register(name, control, (_from, _to, h, serial) => handle(h, serial));
    types.handshake = t.register("swarm/handshake", control, (from, to, h, serial) =>
      links.onHandshake(from, to, h, serial),
    );
    types.handshakeAck = t.register(
      "swarm/handshake-ack",
      control,
      (from, to, h, serial, _bytes, slot) => links.onHandshakeAck(from, to, h, serial, slot),
    );
    types.reject = onLink("swarm/reject", (h, serial) => links.onReject(h, serial));
    types.bitfield = onLink("swarm/bitfield", (h, serial) => links.onBitfield(h, serial));
    types.close = onLink("swarm/close", (h, serial) => links.onClose(h, serial));
    types.unchoke = onLink("swarm/unchoke", (h, serial) => exchange.onUnchoke(h, serial));
    types.choke = onLink("swarm/choke", (h, serial) => exchange.onChoke(h, serial));
    types.notInterested = onLink("swarm/not-interested", (h, serial) =>
      exchange.onNotInterested(h, serial),
    );
    types.request = t.register("swarm/request", control, (_from, _to, h, serial, _bytes, i) =>
      exchange.onRequest(h, serial, i),
    );
    types.piece = t.register("swarm/piece", Traffic.Data, (_from, to, h, serial, bytes, i) =>
      exchange.onPiece(to, h, serial, i, bytes),
    );
    // The aggregated HAVEs of one piece: what they teach follows from the latency (see above).
    types.have = t.register("swarm/have", control, () => {});
    types.cancel = t.register("swarm/cancel", control, (_from, to, h, serial, _bytes, i) => {
      if (wire.linkValid(h, serial)) uplink.queues.cancel(to, h, serial, i);
    });
    types.haveWake = t.register("swarm/have-wake", control, (_from, _to, h, serial) => {
      if (wire.linkValid(h, serial) && records.linkState[h] === Link.Open) exchange.pump(h);
    });
    this.sliceReadyEvent = sim.register("swarm/slice-ready", ["slice"], (slice) =>
      this.onSliceReady(slice),
    );
    this.swarmEndEvent = sim.register("swarm/swarm-end", ["slice"], (slice) =>
      this.endSwarm(slice),
    );
    this.rechokeEvent = sim.register("swarm/rechoke", ["peer"], (peer) => this.rechoke(peer));
    this.maintainEvent = sim.register("swarm/maintain", ["peer"], (peer) => this.maintain(peer));
    this.seedExpireEvent = sim.register("swarm/seed-expire", ["membership", "serial"], (m, s) => {
      if (records.memberSerial[m] === s && records.memberState[m] === Membership.Seeding) {
        this.leaveSwarm(m, true, true);
      }
    });
    this.forgetEvent = sim.register("swarm/forget", ["membership", "serial"], (m, s) => {
      if (records.memberSerial[m] === s && records.memberState[m] === Membership.Gone) {
        this.forget(m);
      }
    });
  }

  // --- Strategy hooks --------------------------------------------------------------------

  start(): void {
    this.online[0] = 1;
    if (this.sliceCount > 0) this.c.sim.at(this.sliceMicros, this.sliceReadyEvent, 0);
    if (this.choker.slots[0] > 0) this.c.sim.after(this.rechokeMicros, this.rechokeEvent, 0);
  }

  join(peer: number): void {
    this.online[peer] = 1;
    this.onlinePeers.add(peer);
    const players = this.c.players;
    const newest = this.ring.newest;
    if (newest >= 0 && this.ring.slice[newest % this.ring.size] === newest) {
      // The newest complete slice: the nearest to live a viewer can get, one slice behind.
      this.startSlice[peer] = newest;
      players.startAt(peer, newest * this.chunksPerSlice);
      this.joinSwarm(peer, newest);
    } else {
      this.startSlice[peer] = newest + 1;
      players.startAt(peer, (newest + 1) * this.chunksPerSlice);
    }
    const sim = this.c.sim;
    if (this.choker.slots[peer] > 0) sim.after(this.rechokeMicros, this.rechokeEvent, peer);
    sim.after(this.tickMicros, this.maintainEvent, peer);
  }

  leave(peer: number, abrupt: boolean): void {
    const records = this.records;
    this.online[peer] = 0;
    this.onlinePeers.delete(peer);
    for (let m = records.firstMembership[peer]; m !== NONE; m = records.nextMembership[m]) {
      const state = records.memberState[m];
      if (state === Membership.Leeching || state === Membership.Seeding)
        this.leaveSwarm(m, !abrupt, false);
    }
    // A graceful leaver tells the tracker once for all its swarms; the tracker forgets an
    // abrupt one when its records are dropped (after the detection delay).
    if (!abrupt) {
      this.wire.tracker(peer, 0, this.wire.types.leaving, this.o.trackerBytes, peer, 0);
    }
  }

  summary(): Record<string, number> {
    return this.stats.summary(this.c.transport.counters, this.ring, this.sliceCount, this.pieces);
  }

  sample(): Record<string, number> {
    return this.stats.sample();
  }

  // --- Slices and swarms -----------------------------------------------------------------

  /** Slice `slice` is fully recorded: its swarm forms, seeded by the source. */
  private onSliceReady(slice: number): void {
    const records = this.records;
    const sim = this.c.sim;
    this.ring.open(slice);
    this.stats.swarmsFormed++;
    this.stats.liveSwarms++;
    const now = sim.nowMicros;
    const source = this.allocate(0, slice);
    const P = this.pieces;
    records.pieceGotMicros.fill(now, source * P, (source + 1) * P);
    records.pieceHeld.fill(1, source * P, (source + 1) * P);
    records.lastPieceMicros[source] = now;
    records.piecesHeld[source] = P;
    records.prefixPieces[source] = P;
    records.memberState[source] = Membership.Seeding;
    records.completedMicros[source] = now;
    this.ring.track(source);
    const online = this.onlinePeers;
    for (let i = 0; i < online.size; i++) {
      const peer = online.at(i);
      if (this.startSlice[peer] <= slice) this.joinSwarm(peer, slice);
    }
    sim.after(this.lifetimeMicros, this.swarmEndEvent, slice);
    if (slice + 1 < this.sliceCount) sim.after(this.sliceMicros, this.sliceReadyEvent, slice + 1);
  }

  /** The slice's swarm ends: every member leaves it; a peer still missing pieces gives it up. */
  private endSwarm(slice: number): void {
    const records = this.records;
    const r = slice % this.ring.size;
    if (this.ring.slice[r] !== slice) return;
    const all = this.ring.all[r];
    const players = this.c.players;
    const touched: number[] = [];
    while (this.ring.allCount[r] > 0) {
      const m = all[this.ring.allCount[r] - 1];
      const peer = records.memberPeer[m];
      if (records.memberState[m] === Membership.Leeching) {
        this.stats.slicesAbandoned++;
        if (this.online[peer]) players.skipTo(peer, (slice + 1) * this.chunksPerSlice);
      }
      const base = m * this.k;
      for (let j = 0; j < this.k; j++) {
        if (records.unchokeKind[base + j] !== 0) {
          this.choker.chokeLocal(base + j);
          touched.push(peer);
        }
      }
      this.release(m);
    }
    const ready = (slice + 1) * this.sliceMicros;
    this.stats.swarmEnded(this.c.probe, this.ring, r, slice, this.c.sim.nowMicros, ready);
    this.ring.close(r);
    for (const peer of touched) this.choker.fill(peer);
  }

  /** A peer enters a slice's swarm: a record, then an announce to the tracker. */
  private joinSwarm(peer: number, slice: number): void {
    const m = this.allocate(peer, slice);
    this.records.memberState[m] = Membership.Leeching;
    this.records.enteredMicros[m] = this.c.sim.nowMicros;
    this.announce(m);
  }

  /** Leaves a swarm: graceful leavers close their connections and tell the tracker. */
  private leaveSwarm(m: number, graceful: boolean, tellTracker: boolean): void {
    const records = this.records;
    const peer = records.memberPeer[m];
    const k = this.k;
    const base = m * k;
    if (records.isLive(m)) this.stats.aliveMembers--;
    records.memberState[m] = Membership.Gone;
    let freed = false;
    for (let j = 0; j < k; j++) {
      const h = base + j;
      const state = records.linkState[h];
      if (state === Link.Free) continue;
      if (records.unchokeKind[h] !== 0) {
        this.choker.chokeLocal(h);
        freed = true;
      }
      if (graceful && (state === Link.Open || state === Link.AwaitingBitfield)) {
        this.wire.linkControl(h, this.wire.types.close, this.o.messageBytes, 0, Overhead.Formation);
      }
    }
    if (tellTracker) {
      this.wire.tracker(
        peer,
        0,
        this.wire.types.stopped,
        this.o.trackerBytes,
        m,
        records.memberSerial[m],
      );
    }
    // The record stays until the neighbours have heard the goodbyes or noticed the silence.
    this.c.sim.after(this.forgetMicros, this.forgetEvent, m, records.memberSerial[m]);
    if (freed && this.online[peer]) this.choker.fill(peer);
  }

  /** A departed member's neighbours have all noticed: their halves close, the record goes. */
  private forget(m: number): void {
    const records = this.records;
    const base = m * this.k;
    for (let j = 0; j < this.k; j++) {
      const h = base + j;
      if (records.linkState[h] === Link.Free) continue;
      const h2 = records.neighbourHalf[h];
      if (
        h2 >= 0 &&
        records.linkSerial[h2] === records.linkSerial[h] &&
        records.linkState[h2] !== Link.Free
      ) {
        this.links.closeHalf(h2);
      }
    }
    this.ring.untrack(m);
    this.release(m);
  }

  // --- Tracker ---------------------------------------------------------------------------

  private announce(m: number): void {
    const records = this.records;
    this.stats.announces++;
    records.announcing[m] = 1;
    records.lastAnnounceMicros[m] = this.c.sim.nowMicros;
    const peer = records.memberPeer[m];
    this.wire.tracker(
      peer,
      0,
      this.wire.types.announce,
      this.o.trackerBytes,
      m,
      records.memberSerial[m],
    );
  }

  /** The tracker lists the member and answers with a random subset of the slice's swarm. */
  private onAnnounce(peer: number, m: number, serial: number): void {
    const records = this.records;
    if (
      records.memberSerial[m] !== serial ||
      records.memberState[m] === Membership.Gone ||
      records.memberState[m] === Membership.Free
    )
      return;
    this.ring.track(m);
    const count = trackerReply(this.records, this.ring, m, this.c.random);
    this.wire.tracker(0, peer, this.wire.types.peers, this.o.trackerBytes + 6 * count, m, serial);
  }

  /** The tracker's reply: connect to each listed peer not yet a neighbour, while there is room. */
  private onPeers(peer: number, m: number, serial: number): void {
    const records = this.records;
    if (records.memberSerial[m] !== serial || records.memberState[m] !== Membership.Leeching)
      return;
    records.announcing[m] = 0;
    const reply = m * this.o.trackerPeers;
    for (let i = 0; i < records.replyCount[m]; i++) {
      const q = records.replyPeers[reply + i];
      if (q === peer || records.linkCount[m] >= this.k) continue;
      if (!records.linked(m, q)) this.links.connect(m, q);
    }
  }

  // --- Choking and maintenance -----------------------------------------------------------

  /** A peer's periodic rechoke: the next is scheduled first, then its slots are re-ranked. */
  private rechoke(peer: number): void {
    if (!this.online[peer]) return;
    this.c.sim.after(this.rechokeMicros, this.rechokeEvent, peer);
    this.choker.rechoke(peer);
  }

  /**
   * Per peer, twice per request timeout: drops neighbours that stopped answering (their
   * requests go elsewhere), handshakes that got no answer, and asks the tracker again when a
   * swarm left it with few neighbours.
   */
  private maintain(peer: number): void {
    const records = this.records;
    if (!this.online[peer]) return;
    const sim = this.c.sim;
    sim.after(this.tickMicros, this.maintainEvent, peer);
    const now = sim.nowMicros;
    const limit = this.timeoutMicros;
    for (let m = records.firstMembership[peer]; m !== NONE; m = records.nextMembership[m]) {
      if (!records.isLive(m)) continue;
      this.links.dropSilent(m, now, limit);
      if (
        records.memberState[m] === Membership.Leeching &&
        records.announcing[m] === 0 &&
        records.linkCount[m] * 2 < this.o.trackerPeers &&
        now - records.lastAnnounceMicros[m] >= limit
      ) {
        this.announce(m);
      }
    }
  }

  // --- Records ---------------------------------------------------------------------------

  /** A fresh membership record for `peer` in `slice`, linked into the peer's list and the swarm. */
  private allocate(peer: number, slice: number): number {
    const m = this.records.allocate(peer, slice, this.records.nextSerial(), this.c.sim.nowMicros);
    this.ring.add(m);
    this.stats.aliveMembers++;
    return m;
  }

  /** Frees a membership record (its halves must need no bookkeeping any more). */
  private release(m: number): void {
    const records = this.records;
    const state = records.memberState[m];
    if (state === Membership.Free) return;
    if (state === Membership.Leeching || state === Membership.Seeding) this.stats.aliveMembers--;
    this.ring.remove(m);
    const k = this.k;
    for (let j = 0; j < k; j++) {
      const h = m * k + j;
      if (records.unchokeKind[h] !== 0) this.choker.chokeLocal(h);
      records.clearHalf(h);
    }
    records.free(m);
  }
}
/** Registry entry of `minute-swarming`. */
export const minuteSwarming = defineStrategy<MinuteSwarmingOptions>({
  type: "minute-swarming",
  description: "a BitTorrent-style swarm per slice file; each slice plays once downloaded",
  resolveOptions: resolveMinuteSwarmingOptions,
  // Slices may arrive while the player is still a whole swarm lifetime behind.
  memorySeconds: (options) => options.swarmLifetimeSeconds + 2 * options.sliceSeconds,
  create: (context, options) => new MinuteSwarming(context, options),
});
