import { Traffic } from "../network/transport.ts";
import { secondsToMicros } from "../scenario/units.ts";
import { IndexedSet } from "./shared/indexedSet.ts";
import { Choker, uploadSlots } from "./swarm/choker.ts";
import { PieceKnowledge } from "./swarm/knowledge.ts";
import {
  type MinuteSwarmingOptions,
  resolveMinuteSwarmingOptions,
  sliceProblem,
} from "./swarm/options.ts";
import { PiecePicker } from "./swarm/picker.ts";
import { holdPiece, releaseRequests } from "./swarm/pieces.ts";
import { SliceFeeder } from "./swarm/playback.ts";
import {
  H_AWAIT,
  H_CLOSING,
  H_CONNECTING,
  H_FREE,
  H_OPEN,
  M_FREE,
  M_GONE,
  M_LEECH,
  M_SEED,
  NONE,
  RADIX,
  SwarmRecords,
} from "./swarm/records.ts";
import { SwarmRing } from "./swarm/ring.ts";
import { SwarmStats } from "./swarm/stats.ts";
import { trackerReply } from "./swarm/tracker.ts";
import { UplinkDispatch } from "./swarm/uplink.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "./types.ts";

export type { MinuteSwarmingOptions } from "./swarm/options.ts";

/** Which counter a control message's bytes go to. */
const FORMATION = 0;
const EXCHANGE = 1;

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
 * Cost model (what keeps a 5,000-peer run fast). Every message is charged through the transport
 * (bytes, uplink time, latency), but some need no event of their own:
 * - the HAVEs of one piece are charged as one fan-out of neighbours x (HAVE + header) bytes;
 *   what they teach follows from the latency. Only a HAVE that would wake an idle neighbour we
 *   unchoke is delivered as a message;
 * - a request that reaches an uploader while its uplink is busy joins the uploader's queue
 *   directly, stamped with its arrival time, instead of arriving as an event.
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
  private readonly sliceBytes: number;
  /** Pieces per slice (P). */
  private readonly pieces: number;
  private readonly lastPieceBytes: number;
  private readonly sliceCount: number;
  /** Neighbour table size per membership (K). */
  private readonly k: number;
  private readonly lifetimeMicros: number;
  private readonly seedMicros: number;
  private readonly timeoutMicros: number;
  private readonly tickMicros: number;
  private readonly rechokeMicros: number;
  private readonly forgetMicros: number;
  private readonly inOrder: boolean;
  private readonly progressive: boolean;
  private readonly bitfieldBytes: number;

  // --- Per node --------------------------------------------------------------------------
  private readonly online: Uint8Array;
  private readonly onlinePeers: IndexedSet;
  private readonly startSlice: Int32Array;

  // --- The parts (see swarm/): each holds its own state; this class wires them -----------
  /** Membership, piece and half-link records. */
  private readonly rec: SwarmRecords;
  /** The live swarms, one per slice. */
  private readonly ring: SwarmRing;
  /** What members know of their neighbours' pieces, and interest. */
  private readonly know: PieceKnowledge;
  /** Which piece to request. */
  private readonly picker: PiecePicker;
  /** Who each peer uploads to. */
  private readonly choker: Choker;
  /** Piece dispatch onto each node's uplink (request queues, ready events). */
  private readonly uplink: UplinkDispatch;
  /** Slices to the players. */
  private readonly feeder: SliceFeeder;
  /** Counters and reports. */
  private readonly stats = new SwarmStats();

  /** Serials of membership records and links, shared so each use is unique in a run. */
  private serials = 0;

  private readonly msgAnnounce: number;
  private readonly msgPeers: number;
  private readonly msgStopped: number;
  private readonly msgLeaving: number;
  private readonly msgHandshake: number;
  private readonly msgHandshakeAck: number;
  private readonly msgReject: number;
  private readonly msgBitfield: number;
  private readonly msgClose: number;
  private readonly msgUnchoke: number;
  private readonly msgChoke: number;
  private readonly msgNotInterested: number;
  private readonly msgRequest: number;
  private readonly msgPiece: number;
  private readonly msgHave: number;
  private readonly msgHaveWake: number;
  private readonly msgCancel: number;
  private readonly evSliceReady: number;
  private readonly evSwarmEnd: number;
  private readonly evRechoke: number;
  private readonly evMaintain: number;
  private readonly evSeedExpire: number;
  private readonly evForget: number;
  private readonly evLateRequest: number;

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
    this.sliceBytes = this.chunksPerSlice * stream.chunkBytes;
    this.pieces = Math.ceil(this.sliceBytes / options.pieceBytes);
    this.lastPieceBytes = this.sliceBytes - (this.pieces - 1) * options.pieceBytes;
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
    this.inOrder = options.pieceSelection === "in-order";
    this.progressive = options.playback === "progressive";
    this.bitfieldBytes = 5 + Math.ceil(this.pieces / 8);

    const n = context.nodes;
    this.online = new Uint8Array(n);
    this.onlinePeers = new IndexedSet(n);
    this.rec = new SwarmRecords(n, this.pieces, this.k, options.trackerPeers);
    this.startSlice = new Int32Array(n);
    const t = context.transport;

    // Swarms alive at once: one per slice of the lifetime, plus the one being created.
    this.ring = new SwarmRing(Math.ceil(this.lifetimeMicros / this.sliceMicros) + 2, this.rec);
    this.know = new PieceKnowledge(this.rec, context.sim);
    this.picker = new PiecePicker(
      this.rec,
      this.know,
      context.sim,
      context.random,
      this.inOrder,
      options.superSeeding,
    );
    this.feeder = new SliceFeeder(
      this.rec,
      context.players,
      this.chunksPerSlice,
      stream.chunkBytes,
      options.pieceBytes,
      this.sliceBytes,
    );
    this.choker = new Choker(
      this.rec,
      this.know,
      context.random,
      this.online,
      uploadSlots(
        n,
        (node) => t.uploadBitsPerSecond(node),
        stream.bitrateBitsPerSecond,
        options.unchokeSlots,
        options.sourceUnchokeSlots,
      ),
      {
        unchoke: (h) => this.linkControl(h, this.msgUnchoke, this.o.messageBytes, 0, EXCHANGE),
        choke: (h) => this.linkControl(h, this.msgChoke, this.o.messageBytes, 0, EXCHANGE),
      },
      options.optimisticUnchoke,
      Math.max(1, Math.round(options.optimisticSeconds / options.rechokeSeconds)),
    );

    this.msgAnnounce = t.register("swarm/announce", Traffic.Control, (from, _to, m, s) =>
      this.onAnnounce(from, m, s),
    );
    this.msgPeers = t.register("swarm/peers", Traffic.Control, (_from, to, m, s) =>
      this.onPeers(to, m, s),
    );
    this.msgStopped = t.register("swarm/stopped", Traffic.Control, (_from, _to, m, s) => {
      if (this.rec.mSerial[m] === s) this.ring.untrack(m);
    });
    this.msgLeaving = t.register("swarm/leaving", Traffic.Control, (from) => {
      for (let m = this.rec.firstMembership[from]; m !== NONE; m = this.rec.mNext[m])
        this.ring.untrack(m);
    });
    this.msgHandshake = t.register("swarm/handshake", Traffic.Control, (from, to, h, s) =>
      this.onHandshake(from, to, h, s),
    );
    this.msgHandshakeAck = t.register("swarm/handshake-ack", Traffic.Control, (from, to, h, code) =>
      this.onHandshakeAck(from, to, h, code),
    );
    this.msgReject = t.register("swarm/reject", Traffic.Control, (_from, _to, h, code) => {
      if (this.linkValid(h, code) && this.rec.hState[h] === H_CONNECTING) {
        this.stats.handshakeRejects++;
        this.closeHalf(h);
      }
    });
    this.msgBitfield = t.register("swarm/bitfield", Traffic.Control, (_from, _to, h, code) =>
      this.onBitfield(h, code),
    );
    this.msgClose = t.register("swarm/close", Traffic.Control, (_from, _to, h, code) => {
      if (this.linkValid(h, code)) this.closeHalf(h);
    });
    this.msgUnchoke = t.register("swarm/unchoke", Traffic.Control, (_from, _to, h, code) =>
      this.onUnchoke(h, code),
    );
    this.msgChoke = t.register("swarm/choke", Traffic.Control, (_from, _to, h, code) =>
      this.onChoke(h, code),
    );
    this.msgNotInterested = t.register(
      "swarm/not-interested",
      Traffic.Control,
      (_from, _to, h, code) => this.onNotInterested(h, code),
    );
    this.msgRequest = t.register("swarm/request", Traffic.Control, (_from, _to, h, code) =>
      this.onRequest(h, code),
    );
    this.msgPiece = t.register("swarm/piece", Traffic.Data, (_from, to, h, code, bytes) =>
      this.onPiece(to, h, code, bytes),
    );
    // The aggregated HAVEs of one piece: what they teach follows from the latency (see above).
    this.msgHave = t.register("swarm/have", Traffic.Control, () => {});
    this.msgCancel = t.register("swarm/cancel", Traffic.Control, (_from, to, h, code) => {
      if (this.linkValid(h, code)) this.uplink.queues.cancel(to, h, code);
    });
    this.msgHaveWake = t.register("swarm/have-wake", Traffic.Control, (_from, _to, h, code) => {
      if (this.linkValid(h, code) && this.rec.hState[h] === H_OPEN) this.pump(h);
    });
    const sim = context.sim;
    this.evSliceReady = sim.register("swarm/slice-ready", (slice) => this.onSliceReady(slice));
    this.evSwarmEnd = sim.register("swarm/swarm-end", (slice) => this.endSwarm(slice));
    this.evRechoke = sim.register("swarm/rechoke", (peer) => this.rechoke(peer));
    this.evMaintain = sim.register("swarm/maintain", (peer) => this.maintain(peer));
    this.evSeedExpire = sim.register("swarm/seed-expire", (m, s) => {
      if (this.rec.mSerial[m] === s && this.rec.mState[m] === M_SEED)
        this.leaveSwarm(m, true, true);
    });
    // Registers its ready event here, keeping the event registration order.
    this.uplink = new UplinkDispatch(
      sim,
      t,
      this.online,
      this.choker.slots,
      options.pipeline,
      (h, code, epoch) => this.serveQueued(h, code, epoch),
    );
    this.evLateRequest = sim.register("swarm/request-arrives", (h, code) => {
      if (this.online[this.rec.mPeer[(h / this.k) | 0]]) this.onRequest(h, code);
    });
    this.evForget = sim.register("swarm/forget", (m, s) => {
      if (this.rec.mSerial[m] === s && this.rec.mState[m] === M_GONE) this.forget(m);
    });
  }

  // --- Strategy hooks --------------------------------------------------------------------

  start(): void {
    this.online[0] = 1;
    if (this.sliceCount > 0) this.c.sim.at(this.sliceMicros, this.evSliceReady, 0);
    if (this.choker.slots[0] > 0) this.c.sim.after(this.rechokeMicros, this.evRechoke, 0);
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
    if (this.choker.slots[peer] > 0) sim.after(this.rechokeMicros, this.evRechoke, peer);
    sim.after(this.tickMicros, this.evMaintain, peer);
  }

  leave(peer: number, abrupt: boolean): void {
    const rec = this.rec;
    this.online[peer] = 0;
    this.onlinePeers.delete(peer);
    for (let m = rec.firstMembership[peer]; m !== NONE; m = rec.mNext[m]) {
      const state = rec.mState[m];
      if (state === M_LEECH || state === M_SEED) this.leaveSwarm(m, !abrupt, false);
    }
    // A graceful leaver tells the tracker once for all its swarms; the tracker forgets an
    // abrupt one when its records are dropped (after the detection delay).
    if (!abrupt) {
      this.control(peer, 0, this.msgLeaving, this.o.trackerBytes, peer, 0, FORMATION);
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
    const rec = this.rec;
    const sim = this.c.sim;
    this.ring.open(slice);
    this.stats.swarmsFormed++;
    this.stats.liveSwarms++;
    const now = sim.nowMicros;
    const source = this.allocate(0, slice);
    const P = this.pieces;
    rec.pAt.fill(now, source * P, (source + 1) * P);
    rec.pHas.fill(1, source * P, (source + 1) * P);
    rec.mLastGot[source] = now;
    rec.mHave[source] = P;
    rec.mPrefix[source] = P;
    rec.mState[source] = M_SEED;
    rec.mComplete[source] = now;
    this.ring.track(source);
    const online = this.onlinePeers;
    for (let i = 0; i < online.size; i++) {
      const peer = online.at(i);
      if (this.startSlice[peer] <= slice) this.joinSwarm(peer, slice);
    }
    sim.after(this.lifetimeMicros, this.evSwarmEnd, slice);
    if (slice + 1 < this.sliceCount) sim.after(this.sliceMicros, this.evSliceReady, slice + 1);
  }

  /** The slice's swarm ends: every member leaves it; a peer still missing pieces gives it up. */
  private endSwarm(slice: number): void {
    const rec = this.rec;
    const r = slice % this.ring.size;
    if (this.ring.slice[r] !== slice) return;
    const all = this.ring.all[r];
    const players = this.c.players;
    const touched: number[] = [];
    while (this.ring.allCount[r] > 0) {
      const m = all[this.ring.allCount[r] - 1];
      const peer = rec.mPeer[m];
      if (rec.mState[m] === M_LEECH) {
        this.stats.slicesAbandoned++;
        if (this.online[peer]) players.skipTo(peer, (slice + 1) * this.chunksPerSlice);
      }
      const base = m * this.k;
      for (let j = 0; j < this.k; j++) {
        if (rec.hUnchoking[base + j] !== 0) {
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
    this.rec.mState[m] = M_LEECH;
    this.rec.mReady[m] = this.c.sim.nowMicros;
    this.announce(m);
  }

  /** Leaves a swarm: graceful leavers close their connections and tell the tracker. */
  private leaveSwarm(m: number, graceful: boolean, tellTracker: boolean): void {
    const rec = this.rec;
    const peer = rec.mPeer[m];
    const k = this.k;
    const base = m * k;
    if (rec.mState[m] === M_LEECH || rec.mState[m] === M_SEED) this.stats.aliveMembers--;
    rec.mState[m] = M_GONE;
    let freed = false;
    for (let j = 0; j < k; j++) {
      const h = base + j;
      const state = rec.hState[h];
      if (state === H_FREE) continue;
      if (rec.hUnchoking[h] !== 0) {
        this.choker.chokeLocal(h);
        freed = true;
      }
      if (graceful && (state === H_OPEN || state === H_AWAIT)) {
        this.linkControl(h, this.msgClose, this.o.messageBytes, 0, FORMATION);
      }
    }
    if (tellTracker) {
      this.control(peer, 0, this.msgStopped, this.o.trackerBytes, m, rec.mSerial[m], FORMATION);
    }
    // The record stays until the neighbours have heard the goodbyes or noticed the silence.
    this.c.sim.after(this.forgetMicros, this.evForget, m, rec.mSerial[m]);
    if (freed && this.online[peer]) this.choker.fill(peer);
  }

  /** A departed member's neighbours have all noticed: their halves close, the record goes. */
  private forget(m: number): void {
    const rec = this.rec;
    const base = m * this.k;
    for (let j = 0; j < this.k; j++) {
      const h = base + j;
      if (rec.hState[h] === H_FREE) continue;
      const h2 = rec.hNbrHalf[h];
      if (h2 >= 0 && rec.hSerial[h2] === rec.hSerial[h] && rec.hState[h2] !== H_FREE) {
        this.closeHalf(h2);
      }
    }
    this.ring.untrack(m);
    this.release(m);
  }

  // --- Tracker ---------------------------------------------------------------------------

  private announce(m: number): void {
    const rec = this.rec;
    this.stats.announces++;
    rec.mAnnouncing[m] = 1;
    rec.mLastAnnounce[m] = this.c.sim.nowMicros;
    const peer = rec.mPeer[m];
    this.control(peer, 0, this.msgAnnounce, this.o.trackerBytes, m, rec.mSerial[m], FORMATION);
  }

  /** The tracker lists the member and answers with a random subset of the slice's swarm. */
  private onAnnounce(peer: number, m: number, serial: number): void {
    const rec = this.rec;
    if (rec.mSerial[m] !== serial || rec.mState[m] === M_GONE || rec.mState[m] === M_FREE) return;
    this.ring.track(m);
    const count = trackerReply(this.rec, this.ring, m, this.c.random);
    this.control(0, peer, this.msgPeers, this.o.trackerBytes + 6 * count, m, serial, FORMATION);
  }

  /** The tracker's reply: connect to each listed peer not yet a neighbour, while there is room. */
  private onPeers(peer: number, m: number, serial: number): void {
    const rec = this.rec;
    if (rec.mSerial[m] !== serial || rec.mState[m] !== M_LEECH) return;
    rec.mAnnouncing[m] = 0;
    const reply = m * this.o.trackerPeers;
    for (let i = 0; i < rec.mReplyCount[m]; i++) {
      const q = rec.mReply[reply + i];
      if (q === peer || rec.mLinks[m] >= this.k) continue;
      if (!rec.linked(m, q)) this.connect(m, q);
    }
  }

  // --- Connections -----------------------------------------------------------------------

  private connect(m: number, q: number): void {
    const rec = this.rec;
    const h = rec.freeHalf(m);
    if (h < 0) return;
    const serial = ++this.serials;
    rec.hState[h] = H_CONNECTING;
    rec.hPeer[h] = q;
    rec.hSerial[h] = serial;
    rec.hSince[h] = this.c.sim.nowMicros;
    rec.mLinks[m]++;
    this.stats.handshakeAttempts++;
    this.control(
      rec.mPeer[m],
      q,
      this.msgHandshake,
      this.o.handshakeBytes,
      h,
      serial * RADIX,
      FORMATION,
    );
  }

  /** An incoming handshake: accept (answering with our bitfield) when there is room. */
  private onHandshake(from: number, to: number, h: number, code: number): void {
    const rec = this.rec;
    if (rec.hSerial[h] !== code / RADIX || rec.hState[h] !== H_CONNECTING) return;
    const slice = rec.mSlice[(h / this.k) | 0];
    const mq = rec.membershipOf(to, slice);
    let ok = mq !== NONE && (rec.mState[mq] === M_LEECH || rec.mState[mq] === M_SEED);
    if (ok && rec.mLinks[mq] >= this.k) ok = false;
    if (ok && rec.linked(mq, from)) ok = false;
    if (!ok) {
      this.control(to, from, this.msgReject, this.o.messageBytes, h, code, FORMATION);
      return;
    }
    const h2 = rec.freeHalf(mq);
    rec.hState[h2] = H_AWAIT;
    rec.hPeer[h2] = from;
    rec.hNbr[h2] = (h / this.k) | 0;
    rec.hNbrHalf[h2] = h;
    rec.hSerial[h2] = code / RADIX;
    rec.hLat[h2] = this.c.transport.latencyMicros(from, to);
    rec.hSince[h2] = this.c.sim.nowMicros;
    rec.mLinks[mq]++;
    this.control(
      to,
      from,
      this.msgHandshakeAck,
      this.o.handshakeBytes + this.bitfieldBytes,
      h,
      code + (h2 - mq * this.k),
      FORMATION,
    );
  }

  /** Our handshake was accepted: the link opens on our side; we send our bitfield. */
  private onHandshakeAck(from: number, to: number, h: number, code: number): void {
    const rec = this.rec;
    const serial = Math.floor(code / RADIX);
    if (rec.hSerial[h] !== serial || rec.hState[h] !== H_CONNECTING) return;
    const m = (h / this.k) | 0;
    const mq = rec.membershipOf(from, rec.mSlice[m]);
    const h2 = mq === NONE ? NONE : mq * this.k + (code - serial * RADIX);
    if (h2 === NONE || rec.hSerial[h2] !== serial) {
      this.closeHalf(h);
      return;
    }
    if (rec.mState[m] === M_GONE) {
      // We left while the handshake was under way: say so, so the neighbour frees its half.
      this.control(to, from, this.msgClose, this.o.messageBytes, h2, serial * RADIX, FORMATION);
      return;
    }
    rec.hNbr[h] = mq;
    rec.hNbrHalf[h] = h2;
    rec.hLat[h] = this.c.transport.latencyMicros(from, to);
    this.stats.handshakes++;
    this.control(to, from, this.msgBitfield, this.bitfieldBytes, h2, serial * RADIX, FORMATION);
    this.open(h);
  }

  private onBitfield(h: number, code: number): void {
    const rec = this.rec;
    if (!this.linkValid(h, code) || rec.hState[h] !== H_AWAIT) return;
    if (rec.mState[(h / this.k) | 0] === M_GONE) return;
    // The initiator's record must still be the one that sent it (it may have left since).
    const h2 = rec.hNbrHalf[h];
    if (rec.hSerial[h2] !== rec.hSerial[h]) {
      this.closeHalf(h);
      return;
    }
    this.open(h);
  }

  /** A half opens: the neighbour's pieces count for rarity; we may unchoke it at once. */
  private open(h: number): void {
    const rec = this.rec;
    const m = (h / this.k) | 0;
    rec.hState[h] = H_OPEN;
    rec.hSince[h] = this.c.sim.nowMicros;
    rec.hKey[h] = this.c.random.next();
    const P = this.pieces;
    const n = rec.hNbr[h];
    const mb = m * P;
    const nb = n * P;
    for (let i = 0; i < P; i++) if (rec.pHas[nb + i] === 1) rec.pAvail[mb + i]++;
    rec.hCounted[h] = 1;
    // Our half is open only while the neighbour's is linked to it (it marks ours closing when it
    // closes), so the pair is valid here.
    rec.hTheyCount[rec.hNbrHalf[h]] = 1;
    const peer = rec.mPeer[m];
    if (this.know.interested(h)) this.choker.offerSlot(peer, h);
  }

  /**
   * Closes our half of a link (after a close, a reject, a timeout, or noticing a departure):
   * rarity counts drop on both sides, requests through it return to the pool and are made
   * elsewhere, and an upload slot it held frees.
   */
  private closeHalf(h: number): void {
    const rec = this.rec;
    const state = rec.hState[h];
    if (state === H_FREE) return;
    const m = (h / this.k) | 0;
    const peer = rec.mPeer[m];
    const serial = rec.hSerial[h];
    const n = rec.hNbr[h];
    const h2 = rec.hNbrHalf[h];
    if (rec.hCounted[h] === 1) this.know.uncount(m, n);
    if (h2 >= 0 && rec.hSerial[h2] === serial) {
      if (rec.hCounted[h2] === 1) this.know.uncount(n, m);
      rec.hCounted[h2] = 0;
      rec.hTheyCount[h2] = 0;
    }
    const released = rec.hInFlight[h] > 0 ? releaseRequests(this.rec, h) : false;
    const slotFreed = rec.hUnchoking[h] !== 0;
    if (slotFreed) this.choker.chokeLocal(h);
    if (h2 >= 0 && rec.hSerial[h2] === serial && rec.hState[h2] === H_OPEN) {
      rec.hState[h2] = H_CLOSING;
      rec.hSince[h2] = this.c.sim.nowMicros;
    }
    rec.mLinks[m]--;
    rec.clearHalf(h);
    const alive = rec.mState[m] === M_LEECH || rec.mState[m] === M_SEED;
    if (alive && released) this.afterRelease(m);
    if (alive && slotFreed && this.online[peer]) this.choker.fill(peer);
  }

  // --- Choking ---------------------------------------------------------------------------

  /** A peer's periodic rechoke: the next is scheduled first, then its slots are re-ranked. */
  private rechoke(peer: number): void {
    if (!this.online[peer]) return;
    this.c.sim.after(this.rechokeMicros, this.evRechoke, peer);
    this.choker.rechoke(peer);
  }

  private onUnchoke(h: number, code: number): void {
    if (!this.linkValid(h, code) || this.rec.hState[h] !== H_OPEN) return;
    this.rec.hUnchoked[h] = 1;
    this.pump(h);
  }

  /** Choked: the uploader drops our queued requests, so they go back to the pool. */
  private onChoke(h: number, code: number): void {
    const rec = this.rec;
    if (!this.linkValid(h, code) || rec.hState[h] !== H_OPEN) return;
    rec.hUnchoked[h] = 0;
    const m = (h / this.k) | 0;
    if (rec.hInFlight[h] > 0 && releaseRequests(this.rec, h) && rec.mState[m] === M_LEECH) {
      this.afterRelease(m);
    }
  }

  /**
   * The neighbour has nothing to ask us for: its slot frees. If we got a piece it lacks after it
   * decided, we unchoke it again straight away.
   */
  private onNotInterested(h: number, code: number): void {
    const rec = this.rec;
    if (!this.linkValid(h, code) || rec.hState[h] !== H_OPEN) return;
    const m = (h / this.k) | 0;
    const peer = rec.mPeer[m];
    const kind = rec.hUnchoking[h];
    if (kind !== 0) this.choker.chokeLocal(h);
    const alive = rec.mState[m] === M_LEECH || rec.mState[m] === M_SEED;
    if (alive && this.know.gotNewSince(h, this.c.sim.nowMicros - rec.hLat[h])) {
      if (kind !== 0) this.choker.setUnchoked(h, kind);
      else this.choker.offerSlot(peer, h);
      return;
    }
    rec.hNotInterested[h] = 1;
    if (alive && kind !== 0) this.choker.fill(peer);
  }

  // --- Pieces ----------------------------------------------------------------------------

  /** Keeps up to `pipeline` requests outstanding to a neighbour that unchoked us. */
  private pump(h: number): void {
    const rec = this.rec;
    if (rec.hState[h] !== H_OPEN || rec.hUnchoked[h] === 0) return;
    const m = (h / this.k) | 0;
    if (rec.mState[m] !== M_LEECH) return;
    const n = rec.hNbr[h];
    const lat = rec.hLat[h];
    const slot = h - m * this.k;
    const base = m * this.pieces;
    let inFlight = rec.hInFlight[h];
    while (inFlight < this.o.pipeline) {
      const i = this.picker.pick(m, n, lat);
      if (i < 0) break;
      rec.pPending[base + i] = slot;
      rec.mPending[m]++;
      if (inFlight === 0) rec.hSince[h] = this.c.sim.nowMicros;
      inFlight++;
      this.sendRequest(h, i);
    }
    // Endgame (BitTorrent's): once every missing piece is requested, an idle link asks for one
    // requested elsewhere too; whichever copy comes first cancels the other.
    if (inFlight === 0 && this.o.endgame && rec.mHave[m] + rec.mPending[m] === this.pieces) {
      const i = this.picker.pickSecond(m, n, lat, slot);
      if (i >= 0) {
        rec.pSecond[base + i] = slot;
        rec.hSince[h] = this.c.sim.nowMicros;
        inFlight++;
        this.sendRequest(h, i);
      }
    }
    rec.hInFlight[h] = inFlight;
    // With nothing to ask for now we stay interested (and idle) while the neighbour holds a
    // piece we lack that is requested elsewhere; only when it holds none do we say so.
    if (inFlight === 0 && !this.know.lacksFrom(m, n, lat)) {
      rec.hUnchoked[h] = 0;
      this.linkControl(h, this.msgNotInterested, this.o.messageBytes, 0, EXCHANGE);
    }
  }

  /** A request reaches the uploader: served if the requester is unchoked, dropped otherwise. */
  private onRequest(h: number, code: number): void {
    const rec = this.rec;
    const serial = Math.floor(code / RADIX);
    if (rec.hSerial[h] !== serial || rec.hState[h] !== H_OPEN || rec.hUnchoking[h] === 0) return;
    const m = (h / this.k) | 0;
    if (rec.mState[m] !== M_LEECH && rec.mState[m] !== M_SEED) return;
    const i = code - serial * RADIX;
    if (rec.pHas[m * this.pieces + i] === 0) return;
    const peer = rec.mPeer[m];
    const uplink = this.uplink;
    // One piece on the wire at a time, the rest queued here (see UploadQueues).
    if (uplink.idle(peer)) {
      this.sendPiece(m, h, code);
      return;
    }
    // A bound on what an uploader holds: its slots times the requests each may have out.
    if (uplink.queues.size(peer) >= uplink.limit(peer)) return;
    uplink.queues.push(peer, h, code, rec.hEpoch[h], this.c.sim.nowMicros);
    uplink.await(peer);
  }

  /**
   * Sends a request for piece i over half h. When the uploader will look at its queue only after
   * the request arrives (its uplink is busy until then), the request joins that queue directly,
   * charged as a message but without an arrival event of its own; otherwise it is delivered.
   */
  private sendRequest(h: number, i: number): void {
    const rec = this.rec;
    const q = rec.hPeer[h];
    const h2 = rec.hNbrHalf[h];
    if (this.uplink.acceptsAhead(q)) {
      const m = (h / this.k) | 0;
      const total = this.o.requestBytes + this.o.headerBytes;
      const at = this.c.transport.sendUndelivered(rec.mPeer[m], q, this.msgRequest, total);
      if (at < 0) return;
      this.stats.exchangeBytes += total;
      const code = rec.hSerial[h] * RADIX + i;
      if (at <= this.uplink.readyAt[q]) {
        // The checks onRequest makes on arrival are made again when the request is served.
        this.uplink.queues.push(q, h2, code, rec.hEpoch[h2], at);
        return;
      }
      // Too late for that look: it would be delivered after all. (Rare: charged as sent.)
      this.c.sim.at(at, this.evLateRequest, h2, code);
      return;
    }
    this.linkControl(h, this.msgRequest, this.o.requestBytes, i, EXCHANGE);
  }

  /** A queued request reaches the front of its uploader's queue: served if still valid. */
  private serveQueued(h: number, code: number, epoch: number): boolean {
    const rec = this.rec;
    const serial = Math.floor(code / RADIX);
    if (rec.hSerial[h] !== serial || rec.hState[h] !== H_OPEN) return false;
    if (rec.hUnchoking[h] === 0 || rec.hEpoch[h] !== epoch) return false;
    const m = (h / this.k) | 0;
    if (rec.mState[m] !== M_LEECH && rec.mState[m] !== M_SEED) return false;
    this.sendPiece(m, h, code);
    return true;
  }

  private sendPiece(m: number, h: number, code: number): void {
    const rec = this.rec;
    const serial = Math.floor(code / RADIX);
    const i = code - serial * RADIX;
    const bytes = i === this.pieces - 1 ? this.lastPieceBytes : this.o.pieceBytes;
    const from = rec.mPeer[m];
    if (!this.c.transport.send(from, rec.hPeer[h], this.msgPiece, bytes, rec.hNbrHalf[h], code))
      return;
    this.stats.piecesServed++;
    const n = rec.hNbr[h];
    const at = n * this.pieces + i;
    rec.pOnWire[at] = 1;
    const second = rec.pSecond[at];
    if (second >= 0) {
      // An endgame piece starts flowing: the requester withdraws its other request (it sees the
      // bytes coming; we let it act at once rather than one latency later).
      const slot = rec.hNbrHalf[h] - n * this.k;
      const other = rec.pPending[at] === slot ? second : rec.pPending[at];
      rec.pPending[at] = slot;
      rec.pSecond[at] = NONE;
      if (other >= 0 && other !== slot) this.cancel(n * this.k + other, i);
    }
    // The source's rarity counters count its uploads of each piece (super-seeding).
    if (from === 0 && rec.pAvail[m * this.pieces + i] < RADIX - 1)
      rec.pAvail[m * this.pieces + i]++;
  }

  private onPiece(to: number, h: number, code: number, bytes: number): void {
    const rec = this.rec;
    const serial = Math.floor(code / RADIX);
    const m = (h / this.k) | 0;
    const hs = rec.hState[h];
    if (rec.hSerial[h] !== serial || (hs !== H_OPEN && hs !== H_CLOSING)) {
      this.waste(to, bytes);
      return;
    }
    const state = rec.mState[m];
    if (state !== M_LEECH && state !== M_SEED) {
      this.waste(to, bytes);
      return;
    }
    const i = code - serial * RADIX;
    rec.hRecv[h] += bytes;
    rec.hSince[h] = this.c.sim.nowMicros;
    if (rec.hInFlight[h] > 0) rec.hInFlight[h]--;
    const at = m * this.pieces + i;
    const slot = h - m * this.k;
    const first = rec.pPending[at];
    const second = rec.pSecond[at];
    rec.pOnWire[at] = 0;
    if (first >= 0) {
      rec.pPending[at] = NONE;
      rec.mPending[m]--;
    }
    if (second >= 0) {
      rec.pSecond[at] = NONE;
      // The other copy of an endgame request is no longer wanted.
      const other = first === slot ? second : first;
      if (other >= 0 && other !== slot) this.cancel(m * this.k + other, i);
    }
    if (rec.pHas[at] === 1) this.waste(to, bytes);
    else this.acquire(m, i);
    this.pump(h);
  }

  /** Stream bytes that arrived for nothing (a duplicate, or for a swarm already left). */
  private waste(peer: number, bytes: number): void {
    this.stats.wastedBytes += bytes;
    this.c.probe.emitDuplicate(peer, bytes);
  }

  /**
   * A member gets piece i: it announces it to every neighbour (one aggregated HAVE message),
   * neighbours' rarity counts rise, neighbours that lack it become interested in us, and the
   * player gets what is now playable.
   */
  private acquire(m: number, i: number): void {
    const rec = this.rec;
    const now = this.c.sim.nowMicros;
    const P = this.pieces;
    const have = holdPiece(this.rec, m, i, now);
    const pAt = rec.pAt;
    const peer = rec.mPeer[m];
    const k = this.k;
    const hb = m * k;
    let aggregated = 0;
    const hState = rec.hState;
    const hNbr = rec.hNbr;
    const hNbrHalf = rec.hNbrHalf;
    const hUnchoking = rec.hUnchoking;
    const hUnchoked = rec.hUnchoked;
    const hInFlight = rec.hInFlight;
    const hTheyCount = rec.hTheyCount;
    const pAvail = rec.pAvail;
    const mHave = rec.mHave;
    const slotFree = this.choker.slotFree(peer);
    let offer = NONE;
    let offerKey = -1;
    // Neighbours' rows are touched only where needed: they are what makes this loop costly.
    for (let j = 0; j < k; j++) {
      const h = hb + j;
      if (hState[h] !== H_OPEN) continue;
      const n = hNbr[h];
      // A complete neighbour picks no more pieces: its rarity counts no longer matter.
      if (hTheyCount[h] === 1 && mHave[n] < P) pAvail[n * P + i]++;
      // A new piece may interest anyone again; interested() decides when a slot is filled.
      rec.hNotInterested[h] = 0;
      if (
        hUnchoking[h] !== 0 &&
        hInFlight[hNbrHalf[h]] === 0 &&
        rec.pHas[n * P + i] === 0 &&
        rec.mState[n] === M_LEECH
      ) {
        // This HAVE would wake a neighbour we unchoke that sits idle: it travels on its own.
        this.linkControl(h, this.msgHaveWake, this.o.haveBytes, i, EXCHANGE);
      } else {
        aggregated++;
      }
      if (slotFree && hUnchoking[h] === 0 && pAt[n * P + i] + rec.hLat[h] > now) {
        // A free slot, and as far as we know the neighbour lacks the piece: a candidate, ranked
        // as at a rechoke (by what it gave us), so that a free slot still rewards reciprocation.
        const key = rec.hRecv[h] + rec.hKey[h];
        if (key > offerKey) {
          offer = h;
          offerKey = key;
        }
      }
      // An idle uploader of ours that held this piece may now hold nothing we lack: free its
      // slot (BitTorrent re-evaluates interest in every peer when a piece completes).
      if (
        hUnchoked[h] === 1 &&
        hInFlight[h] === 0 &&
        have < P &&
        this.know.knows(n, i, now - rec.hLat[h]) &&
        !this.know.lacksFrom(m, n, rec.hLat[h])
      ) {
        hUnchoked[h] = 0;
        this.linkControl(h, this.msgNotInterested, this.o.messageBytes, 0, EXCHANGE);
      }
    }
    if (offer !== NONE) this.choker.offerSlot(peer, offer);
    const haveBytes = aggregated * (this.o.haveBytes + this.o.headerBytes);
    if (haveBytes > 0 && this.c.transport.sendUndelivered(peer, -1, this.msgHave, haveBytes) >= 0) {
      // The other neighbours' HAVEs: their bytes and uplink time are charged; what they teach
      // follows from the latency, so they need no delivery event.
      this.stats.exchangeBytes += haveBytes;
    }
    if (this.progressive && peer !== 0) this.feeder.feedPrefix(m);
    if (rec.mHave[m] === P) this.complete(m);
  }

  /** The slice is complete: the player gets it (file mode); the member seeds for a while. */
  private complete(m: number): void {
    const rec = this.rec;
    const now = this.c.sim.nowMicros;
    rec.mState[m] = M_SEED;
    rec.mComplete[m] = now;
    this.stats.slicesCompleted++;
    this.stats.downloadMicrosSum += now - rec.mReady[m];
    const r = rec.mSlice[m] % this.ring.size;
    this.ring.completions[r]++;
    this.ring.downloadMicros[r] += now - rec.mReady[m];
    this.ring.lastDone[r] = now;
    this.feeder.feedAll(m);
    // Nothing more to ask anyone for: free the slots of those who unchoked us.
    const hb = m * this.k;
    for (let j = 0; j < this.k; j++) {
      const h = hb + j;
      rec.hInFlight[h] = 0;
      if (rec.hState[h] === H_OPEN && rec.hUnchoked[h] === 1) {
        rec.hUnchoked[h] = 0;
        this.linkControl(h, this.msgNotInterested, this.o.messageBytes, 0, EXCHANGE);
      }
    }
    this.c.sim.after(this.seedMicros, this.evSeedExpire, m, rec.mSerial[m]);
  }

  /** Withdraws a request for piece i made through half h (the uploader drops it if queued). */
  private cancel(h: number, i: number): void {
    const rec = this.rec;
    if (rec.hState[h] !== H_OPEN && rec.hState[h] !== H_CLOSING) return;
    if (rec.hInFlight[h] > 0) rec.hInFlight[h]--;
    if (rec.hState[h] === H_OPEN)
      this.linkControl(h, this.msgCancel, this.o.requestBytes, i, EXCHANGE);
  }

  /** Requests came back to the pool: ask the unchoking neighbours again. */
  private afterRelease(m: number): void {
    const hb = m * this.k;
    for (let j = 0; j < this.k; j++) {
      const h = hb + j;
      if (this.rec.hState[h] === H_OPEN && this.rec.hUnchoked[h] === 1) this.pump(h);
    }
  }

  // --- Knowledge -------------------------------------------------------------------------

  // --- Maintenance -----------------------------------------------------------------------

  /**
   * Per peer, twice per request timeout: drops neighbours that stopped answering (their
   * requests go elsewhere), handshakes that got no answer, and asks the tracker again when a
   * swarm left it with few neighbours.
   */
  private maintain(peer: number): void {
    const rec = this.rec;
    if (!this.online[peer]) return;
    const sim = this.c.sim;
    sim.after(this.tickMicros, this.evMaintain, peer);
    const now = sim.nowMicros;
    const limit = this.timeoutMicros;
    const k = this.k;
    for (let m = rec.firstMembership[peer]; m !== NONE; m = rec.mNext[m]) {
      const state = rec.mState[m];
      if (state !== M_LEECH && state !== M_SEED) continue;
      const base = m * k;
      for (let j = 0; j < k; j++) {
        const h = base + j;
        const hs = rec.hState[h];
        if (hs === H_FREE || now - rec.hSince[h] < limit) continue;
        if (hs === H_CONNECTING || hs === H_CLOSING) {
          this.closeHalf(h);
        } else if (hs === H_AWAIT) {
          this.linkControl(h, this.msgClose, this.o.messageBytes, 0, FORMATION);
          this.closeHalf(h);
        } else if (rec.hInFlight[h] > 0) {
          this.stats.requestTimeouts++;
          this.linkControl(h, this.msgClose, this.o.messageBytes, 0, FORMATION);
          this.closeHalf(h);
        }
      }
      if (
        rec.mState[m] === M_LEECH &&
        rec.mAnnouncing[m] === 0 &&
        rec.mLinks[m] * 2 < this.o.trackerPeers &&
        now - rec.mLastAnnounce[m] >= limit
      ) {
        this.announce(m);
      }
    }
  }

  // --- Messages --------------------------------------------------------------------------

  /** Sends a control message (plus transport headers) and counts its bytes. */
  private control(
    from: number,
    to: number,
    type: number,
    bytes: number,
    p0: number,
    p1: number,
    kind: number,
  ): void {
    const total = bytes + this.o.headerBytes;
    if (!this.c.transport.send(from, to, type, total, p0, p1)) return;
    if (kind === FORMATION) this.stats.formationBytes += total;
    else this.stats.exchangeBytes += total;
  }

  /** Sends a control message over the link of half h to the neighbour's half. */
  private linkControl(h: number, type: number, bytes: number, piece: number, kind: number): void {
    const rec = this.rec;
    const m = (h / this.k) | 0;
    this.control(
      rec.mPeer[m],
      rec.hPeer[h],
      type,
      bytes,
      rec.hNbrHalf[h],
      rec.hSerial[h] * RADIX + piece,
      kind,
    );
  }

  private linkValid(h: number, code: number): boolean {
    return this.rec.hSerial[h] === Math.floor(code / RADIX) && this.rec.hState[h] !== H_FREE;
  }

  // --- Records ---------------------------------------------------------------------------

  /** A fresh membership record for `peer` in `slice`, linked into the peer's list and the swarm. */
  private allocate(peer: number, slice: number): number {
    const m = this.rec.allocate(peer, slice, ++this.serials, this.c.sim.nowMicros);
    this.ring.add(m);
    this.stats.aliveMembers++;
    return m;
  }

  /** Frees a membership record (its halves must need no bookkeeping any more). */
  private release(m: number): void {
    const rec = this.rec;
    const state = rec.mState[m];
    if (state === M_FREE) return;
    if (state === M_LEECH || state === M_SEED) this.stats.aliveMembers--;
    this.ring.remove(m);
    const k = this.k;
    for (let j = 0; j < k; j++) {
      const h = m * k + j;
      if (rec.hUnchoking[h] !== 0) this.choker.chokeLocal(h);
      rec.clearHalf(h);
    }
    rec.free(m);
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
