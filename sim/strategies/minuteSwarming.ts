import { Traffic } from "../network/transport.ts";
import { Receive } from "../player/player.ts";
import { secondsToMicros } from "../scenario/units.ts";
import { IndexedSet } from "./shared/indexedSet.ts";
import {
  type MinuteSwarmingOptions,
  resolveMinuteSwarmingOptions,
  sliceProblem,
} from "./swarm/options.ts";
import { UploadQueues } from "./swarm/uploadQueue.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "./types.ts";

export type { MinuteSwarmingOptions } from "./swarm/options.ts";

const INF = Number.POSITIVE_INFINITY;
const NONE = -1;
/**
 * Link messages carry (link serial, piece) packed as serial x RADIX + piece in one payload word.
 * Pieces are below RADIX; serials count links formed in a run and stay far below 2^37, so the
 * packing is exact in a double.
 */
const RADIX = 65_536;

// Membership (one peer in one slice's swarm) states.
const M_FREE = 0;
const M_LEECH = 1;
const M_SEED = 2;
/** Left the swarm; its record stays until its neighbours have noticed (then it is freed). */
const M_GONE = 3;

// Half-link states: each connection is two halves, one in each member's neighbour table.
const H_FREE = 0;
/** Handshake sent, no answer yet. */
const H_CONNECTING = 1;
/** Handshake answered with our bitfield; waiting for the initiator's bitfield. */
const H_AWAIT = 2;
const H_OPEN = 3;
/**
 * The neighbour closed its half and its goodbye is on the way: nothing more is asked or offered
 * through this half (the neighbour's record may be reused), but pieces already sent still count.
 */
const H_CLOSING = 4;

// Why an uploader lets a neighbour download.
const REGULAR = 1;
const OPTIMISTIC = 2;

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
 * time goes onto its uplink (see {@link UploadQueues}), so a choke still drops what has not
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
  private readonly optimisticEvery: number;
  private readonly inOrder: boolean;
  private readonly progressive: boolean;
  private readonly bitfieldBytes: number;

  // --- Per node --------------------------------------------------------------------------
  private readonly online: Uint8Array;
  private readonly onlinePeers: IndexedSet;
  private readonly firstMembership: Int32Array;
  private readonly slots: Int32Array;
  private readonly regularCount: Int32Array;
  private readonly optimisticHalf: Int32Array;
  private readonly rechokeRound: Int32Array;
  private readonly startSlice: Int32Array;
  /** Requests accepted and waiting for the uplink, per node. */
  private readonly queues: UploadQueues;
  /** 1 while a node has an uplink-ready event pending. */
  private readonly readyPending: Uint8Array;
  /** When that event fires, µs. */
  private readonly readyAt: Float64Array;

  // --- Memberships: a pool of records in parallel typed arrays, grown by doubling ------------
  private capacity = 0;
  private used = 0;
  private readonly freeMemberships: number[] = [];
  private mState = new Uint8Array(0);
  private mPeer = new Int32Array(0);
  private mSlice = new Int32Array(0);
  private mSerial = new Float64Array(0);
  private mHave = new Int32Array(0);
  private mPending = new Int32Array(0);
  private mPrefix = new Int32Array(0);
  private mFed = new Int32Array(0);
  private mLinks = new Int32Array(0);
  private mReady = new Float64Array(0);
  private mComplete = new Float64Array(0);
  /** When the member last got a piece, µs: every piece it holds was announced by then. */
  private mLastGot = new Float64Array(0);
  private mLastAnnounce = new Float64Array(0);
  private mAnnouncing = new Uint8Array(0);
  private mNext = new Int32Array(0);
  private mPrev = new Int32Array(0);
  private mTrackPos = new Int32Array(0);
  private mAllPos = new Int32Array(0);
  private mReplyCount = new Int32Array(0);
  /** Tracker reply: up to trackerPeers peer ids per membership. */
  private mReply = new Int32Array(0);
  // Pieces, P per membership.
  /** When the member got the piece (and announced it), µs; INF when it has not. */
  private pAt = new Float64Array(0);
  /**
   * 1 where the member holds the piece: a compact copy of pAt !== INF, so that the hot loops
   * read one byte per piece and touch pAt only for pieces got within the last latency.
   */
  private pHas = new Uint8Array(0);
  /** Neighbour-table slot the piece is requested through; -1 when not requested. */
  private pPending = new Int16Array(0);
  /** Endgame: a second slot the piece is also requested through; -1 when none. */
  private pSecond = new Int16Array(0);
  /** 1 once an uploader has started sending the piece to the member (the bytes are flowing). */
  private pOnWire = new Uint8Array(0);
  /** Neighbours known to hold the piece (rarest-first counts). */
  private pAvail = new Uint16Array(0);
  /**
   * Each member's pieces partitioned: the first (P - have) entries of its row are the pieces it
   * lacks, the rest those it holds, each part in no order; choosing a piece scans only what is
   * missing, and interest checks only the smaller part.
   */
  private pMissing = new Uint16Array(0);
  /** Where each piece sits in the member's missing row. */
  private pMissingAt = new Uint16Array(0);
  // Half links, K per membership.
  private hState = new Uint8Array(0);
  private hPeer = new Int32Array(0);
  private hNbr = new Int32Array(0);
  private hNbrHalf = new Int32Array(0);
  private hSerial = new Float64Array(0);
  private hLat = new Float64Array(0);
  private hSince = new Float64Array(0);
  private hRecv = new Float64Array(0);
  private hKey = new Float64Array(0);
  private hMark = new Float64Array(0);
  /** Counts our chokes of the half's neighbour: requests accepted before the last are void. */
  private hEpoch = new Float64Array(0);
  private hInFlight = new Uint8Array(0);
  private hUnchoking = new Uint8Array(0);
  private hUnchoked = new Uint8Array(0);
  private hNotInterested = new Uint8Array(0);
  private hCounted = new Uint8Array(0);
  /** 1 while the neighbour's half counts our pieces in its rarity counts (mirror of its flag). */
  private hTheyCount = new Uint8Array(0);

  // --- Swarms: a ring of the live slices -----------------------------------------------
  private readonly ringSize: number;
  private readonly ringSlice: Int32Array;
  private readonly ringTracked: Int32Array[] = [];
  private readonly ringTrackedCount: Int32Array;
  private readonly ringAll: Int32Array[] = [];
  private readonly ringAllCount: Int32Array;
  private readonly ringPeak: Int32Array;
  /** Per live swarm: peers that completed the slice, their download time summed (µs), the last. */
  private readonly ringCompletions: Int32Array;
  private readonly ringDownloadMicros: Float64Array;
  private readonly ringLastDone: Float64Array;
  private newestSlice = NONE;

  private serials = 0;
  private markStamp = 0;
  private readonly candidates: number[] = [];
  private readonly chosen: number[] = [];

  // --- Counters for the summary -----------------------------------------------------------
  private swarmsFormed = 0;
  private liveSwarms = 0;
  private aliveMembers = 0;
  private swarmPeakSum = 0;
  private swarmsEnded = 0;
  private announces = 0;
  private handshakeAttempts = 0;
  private handshakes = 0;
  private handshakeRejects = 0;
  private requestTimeouts = 0;
  private piecesServed = 0;
  private slicesCompleted = 0;
  private slicesAbandoned = 0;
  private downloadMicrosSum = 0;
  private formationBytes = 0;
  private exchangeBytes = 0;
  private wastedBytes = 0;

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
  private readonly evReady: number;
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
    this.optimisticEvery = Math.max(
      1,
      Math.round(options.optimisticSeconds / options.rechokeSeconds),
    );
    this.inOrder = options.pieceSelection === "in-order";
    this.progressive = options.playback === "progressive";
    this.bitfieldBytes = 5 + Math.ceil(this.pieces / 8);

    const n = context.nodes;
    this.online = new Uint8Array(n);
    this.onlinePeers = new IndexedSet(n);
    this.firstMembership = new Int32Array(n).fill(NONE);
    this.slots = new Int32Array(n);
    this.regularCount = new Int32Array(n);
    this.optimisticHalf = new Int32Array(n).fill(NONE);
    this.rechokeRound = new Int32Array(n);
    this.startSlice = new Int32Array(n);
    this.queues = new UploadQueues(n);
    this.readyPending = new Uint8Array(n);
    this.readyAt = new Float64Array(n);
    const t = context.transport;
    const bitrate = stream.bitrateBitsPerSecond;
    for (let node = 0; node < n; node++) {
      const upload = t.uploadBitsPerSecond(node);
      if (node === 0) {
        // The source gives each unchoked peer about a stream's worth of its uplink by default.
        const auto = Math.min(1024, Math.max(1, Math.floor(upload / bitrate)));
        this.slots[node] = options.sourceUnchokeSlots > 0 ? options.sourceUnchokeSlots : auto;
      } else {
        // A peer with no upload (a free rider) unchokes no one: it could not serve them.
        this.slots[node] = upload > 0 ? options.unchokeSlots : 0;
      }
    }

    // Swarms alive at once: one per slice of the lifetime, plus the one being created.
    this.ringSize = Math.ceil(this.lifetimeMicros / this.sliceMicros) + 2;
    this.ringSlice = new Int32Array(this.ringSize).fill(NONE);
    this.ringTrackedCount = new Int32Array(this.ringSize);
    this.ringAllCount = new Int32Array(this.ringSize);
    this.ringPeak = new Int32Array(this.ringSize);
    this.ringCompletions = new Int32Array(this.ringSize);
    this.ringDownloadMicros = new Float64Array(this.ringSize);
    this.ringLastDone = new Float64Array(this.ringSize);
    for (let r = 0; r < this.ringSize; r++) {
      this.ringTracked.push(new Int32Array(16));
      this.ringAll.push(new Int32Array(16));
    }
    this.growPool(64);

    this.msgAnnounce = t.register("swarm/announce", Traffic.Control, (from, _to, m, s) =>
      this.onAnnounce(from, m, s),
    );
    this.msgPeers = t.register("swarm/peers", Traffic.Control, (_from, to, m, s) =>
      this.onPeers(to, m, s),
    );
    this.msgStopped = t.register("swarm/stopped", Traffic.Control, (_from, _to, m, s) => {
      if (this.mSerial[m] === s) this.untrack(m);
    });
    this.msgLeaving = t.register("swarm/leaving", Traffic.Control, (from) => {
      for (let m = this.firstMembership[from]; m !== NONE; m = this.mNext[m]) this.untrack(m);
    });
    this.msgHandshake = t.register("swarm/handshake", Traffic.Control, (from, to, h, s) =>
      this.onHandshake(from, to, h, s),
    );
    this.msgHandshakeAck = t.register("swarm/handshake-ack", Traffic.Control, (from, to, h, code) =>
      this.onHandshakeAck(from, to, h, code),
    );
    this.msgReject = t.register("swarm/reject", Traffic.Control, (_from, _to, h, code) => {
      if (this.linkValid(h, code) && this.hState[h] === H_CONNECTING) {
        this.handshakeRejects++;
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
      if (this.linkValid(h, code)) this.queues.cancel(to, h, code);
    });
    this.msgHaveWake = t.register("swarm/have-wake", Traffic.Control, (_from, _to, h, code) => {
      if (this.linkValid(h, code) && this.hState[h] === H_OPEN) this.pump(h);
    });
    const sim = context.sim;
    this.evSliceReady = sim.register("swarm/slice-ready", (slice) => this.onSliceReady(slice));
    this.evSwarmEnd = sim.register("swarm/swarm-end", (slice) => this.endSwarm(slice));
    this.evRechoke = sim.register("swarm/rechoke", (peer) => this.rechoke(peer));
    this.evMaintain = sim.register("swarm/maintain", (peer) => this.maintain(peer));
    this.evSeedExpire = sim.register("swarm/seed-expire", (m, s) => {
      if (this.mSerial[m] === s && this.mState[m] === M_SEED) this.leaveSwarm(m, true, true);
    });
    this.evReady = sim.register("swarm/uplink-ready", (peer) => this.onUplinkReady(peer));
    this.evLateRequest = sim.register("swarm/request-arrives", (h, code) => {
      if (this.online[this.mPeer[(h / this.k) | 0]]) this.onRequest(h, code);
    });
    this.evForget = sim.register("swarm/forget", (m, s) => {
      if (this.mSerial[m] === s && this.mState[m] === M_GONE) this.forget(m);
    });
  }

  // --- Strategy hooks --------------------------------------------------------------------

  start(): void {
    this.online[0] = 1;
    if (this.sliceCount > 0) this.c.sim.at(this.sliceMicros, this.evSliceReady, 0);
    if (this.slots[0] > 0) this.c.sim.after(this.rechokeMicros, this.evRechoke, 0);
  }

  join(peer: number): void {
    this.online[peer] = 1;
    this.onlinePeers.add(peer);
    const players = this.c.players;
    const newest = this.newestSlice;
    if (newest >= 0 && this.ringSlice[newest % this.ringSize] === newest) {
      // The newest complete slice: the nearest to live a viewer can get, one slice behind.
      this.startSlice[peer] = newest;
      players.startAt(peer, newest * this.chunksPerSlice);
      this.joinSwarm(peer, newest);
    } else {
      this.startSlice[peer] = newest + 1;
      players.startAt(peer, (newest + 1) * this.chunksPerSlice);
    }
    const sim = this.c.sim;
    if (this.slots[peer] > 0) sim.after(this.rechokeMicros, this.evRechoke, peer);
    sim.after(this.tickMicros, this.evMaintain, peer);
  }

  leave(peer: number, abrupt: boolean): void {
    this.online[peer] = 0;
    this.onlinePeers.delete(peer);
    for (let m = this.firstMembership[peer]; m !== NONE; m = this.mNext[m]) {
      const state = this.mState[m];
      if (state === M_LEECH || state === M_SEED) this.leaveSwarm(m, !abrupt, false);
    }
    // A graceful leaver tells the tracker once for all its swarms; the tracker forgets an
    // abrupt one when its records are dropped (after the detection delay).
    if (!abrupt) {
      this.control(peer, 0, this.msgLeaving, this.o.trackerBytes, peer, 0, FORMATION);
    }
  }

  summary(): Record<string, number> {
    const counters = this.c.transport.counters;
    const useful = counters.deliveredDataBytes - this.wastedBytes;
    let peakSum = this.swarmPeakSum;
    let swarms = this.swarmsEnded;
    for (let r = 0; r < this.ringSize; r++) {
      if (this.ringSlice[r] !== NONE) {
        peakSum += this.ringPeak[r];
        swarms++;
      }
    }
    const perStream = (bytes: number) => (useful > 0 ? bytes / useful : 0);
    return {
      slices: this.sliceCount,
      piecesPerSlice: this.pieces,
      swarmsFormed: this.swarmsFormed,
      meanSwarmSize: swarms > 0 ? peakSum / swarms : 0,
      trackerAnnounces: this.announces,
      handshakeAttempts: this.handshakeAttempts,
      handshakes: this.handshakes,
      handshakeRejects: this.handshakeRejects,
      requestTimeouts: this.requestTimeouts,
      piecesServed: this.piecesServed,
      slicesCompleted: this.slicesCompleted,
      slicesAbandoned: this.slicesAbandoned,
      meanSliceDownloadSeconds:
        this.slicesCompleted > 0 ? this.downloadMicrosSum / this.slicesCompleted / 1e6 : 0,
      formationControlBytes: this.formationBytes,
      exchangeControlBytes: this.exchangeBytes,
      wastedPieceBytes: this.wastedBytes,
      controlBytesPerStreamByte: perStream(counters.controlBytes),
      formationBytesPerStreamByte: perStream(this.formationBytes),
      exchangeBytesPerStreamByte: perStream(this.exchangeBytes),
    };
  }

  sample(): Record<string, number> {
    return { activeSwarms: this.liveSwarms, swarmMembers: this.aliveMembers };
  }

  // --- Slices and swarms -----------------------------------------------------------------

  /** Slice `slice` is fully recorded: its swarm forms, seeded by the source. */
  private onSliceReady(slice: number): void {
    const sim = this.c.sim;
    const r = slice % this.ringSize;
    if (this.ringSlice[r] !== NONE) {
      throw new Error(`swarm ring full: slice ${this.ringSlice[r]} still live at slice ${slice}`);
    }
    this.ringSlice[r] = slice;
    this.ringTrackedCount[r] = 0;
    this.ringAllCount[r] = 0;
    this.ringPeak[r] = 0;
    this.ringCompletions[r] = 0;
    this.ringDownloadMicros[r] = 0;
    this.ringLastDone[r] = NONE;
    this.newestSlice = slice;
    this.swarmsFormed++;
    this.liveSwarms++;
    const now = sim.nowMicros;
    const source = this.allocate(0, slice);
    const P = this.pieces;
    this.pAt.fill(now, source * P, (source + 1) * P);
    this.pHas.fill(1, source * P, (source + 1) * P);
    this.mLastGot[source] = now;
    this.mHave[source] = P;
    this.mPrefix[source] = P;
    this.mState[source] = M_SEED;
    this.mComplete[source] = now;
    this.track(source);
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
    const r = slice % this.ringSize;
    if (this.ringSlice[r] !== slice) return;
    const all = this.ringAll[r];
    const players = this.c.players;
    const touched: number[] = [];
    while (this.ringAllCount[r] > 0) {
      const m = all[this.ringAllCount[r] - 1];
      const peer = this.mPeer[m];
      if (this.mState[m] === M_LEECH) {
        this.slicesAbandoned++;
        if (this.online[peer]) players.skipTo(peer, (slice + 1) * this.chunksPerSlice);
      }
      const base = m * this.k;
      for (let j = 0; j < this.k; j++) {
        if (this.hUnchoking[base + j] !== 0) {
          this.chokeLocal(base + j);
          touched.push(peer);
        }
      }
      this.release(m);
    }
    // One observation per slice (peer = the slice's index): the swarm's peak size, how many
    // completed the slice, their mean download time, and when the last did (from the slice's
    // existence). Swarms still alive at the end of the run report nothing.
    const now = this.c.sim.nowMicros;
    const probe = this.c.probe;
    const completions = this.ringCompletions[r];
    probe.emitGauge("swarmSize", slice, now, this.ringPeak[r]);
    probe.emitGauge("sliceCompletions", slice, now, completions);
    if (completions > 0) {
      probe.emitGauge(
        "sliceDownloadSeconds",
        slice,
        now,
        this.ringDownloadMicros[r] / completions / 1e6,
      );
      const ready = (slice + 1) * this.sliceMicros;
      probe.emitGauge("sliceLastDoneSeconds", slice, now, (this.ringLastDone[r] - ready) / 1e6);
    }
    this.swarmPeakSum += this.ringPeak[r];
    this.swarmsEnded++;
    this.ringSlice[r] = NONE;
    this.ringTrackedCount[r] = 0;
    this.liveSwarms--;
    for (const peer of touched) this.fill(peer);
  }

  /** A peer enters a slice's swarm: a record, then an announce to the tracker. */
  private joinSwarm(peer: number, slice: number): void {
    const m = this.allocate(peer, slice);
    this.mState[m] = M_LEECH;
    this.mReady[m] = this.c.sim.nowMicros;
    this.announce(m);
  }

  /** Leaves a swarm: graceful leavers close their connections and tell the tracker. */
  private leaveSwarm(m: number, graceful: boolean, tellTracker: boolean): void {
    const peer = this.mPeer[m];
    const k = this.k;
    const base = m * k;
    if (this.mState[m] === M_LEECH || this.mState[m] === M_SEED) this.aliveMembers--;
    this.mState[m] = M_GONE;
    let freed = false;
    for (let j = 0; j < k; j++) {
      const h = base + j;
      const state = this.hState[h];
      if (state === H_FREE) continue;
      if (this.hUnchoking[h] !== 0) {
        this.chokeLocal(h);
        freed = true;
      }
      if (graceful && (state === H_OPEN || state === H_AWAIT)) {
        this.linkControl(h, this.msgClose, this.o.messageBytes, 0, FORMATION);
      }
    }
    if (tellTracker) {
      this.control(peer, 0, this.msgStopped, this.o.trackerBytes, m, this.mSerial[m], FORMATION);
    }
    // The record stays until the neighbours have heard the goodbyes or noticed the silence.
    this.c.sim.after(this.forgetMicros, this.evForget, m, this.mSerial[m]);
    if (freed && this.online[peer]) this.fill(peer);
  }

  /** A departed member's neighbours have all noticed: their halves close, the record goes. */
  private forget(m: number): void {
    const base = m * this.k;
    for (let j = 0; j < this.k; j++) {
      const h = base + j;
      if (this.hState[h] === H_FREE) continue;
      const h2 = this.hNbrHalf[h];
      if (h2 >= 0 && this.hSerial[h2] === this.hSerial[h] && this.hState[h2] !== H_FREE) {
        this.closeHalf(h2);
      }
    }
    this.untrack(m);
    this.release(m);
  }

  // --- Tracker ---------------------------------------------------------------------------

  private announce(m: number): void {
    this.announces++;
    this.mAnnouncing[m] = 1;
    this.mLastAnnounce[m] = this.c.sim.nowMicros;
    const peer = this.mPeer[m];
    this.control(peer, 0, this.msgAnnounce, this.o.trackerBytes, m, this.mSerial[m], FORMATION);
  }

  /** The tracker lists the member and answers with a random subset of the slice's swarm. */
  private onAnnounce(peer: number, m: number, serial: number): void {
    if (this.mSerial[m] !== serial || this.mState[m] === M_GONE || this.mState[m] === M_FREE)
      return;
    this.track(m);
    const r = this.mSlice[m] % this.ringSize;
    const list = this.ringTracked[r];
    const size = this.ringTrackedCount[r];
    const want = Math.min(this.o.trackerPeers, size - 1);
    const reply = m * this.o.trackerPeers;
    let count = 0;
    const random = this.c.random;
    if (size - 1 <= this.o.trackerPeers) {
      for (let i = 0; i < size; i++) {
        if (list[i] !== m) this.mReply[reply + count++] = this.mPeer[list[i]];
      }
    } else {
      // Rejection sampling: the reply is small beside the swarm, so repeats are rare.
      for (let tries = 0; count < want && tries < 8 * want + 16; tries++) {
        const other = list[random.int(size)];
        if (other === m) continue;
        const q = this.mPeer[other];
        let seen = false;
        for (let i = 0; i < count; i++) {
          if (this.mReply[reply + i] === q) {
            seen = true;
            break;
          }
        }
        if (!seen) this.mReply[reply + count++] = q;
      }
    }
    this.mReplyCount[m] = count;
    this.control(0, peer, this.msgPeers, this.o.trackerBytes + 6 * count, m, serial, FORMATION);
  }

  /** The tracker's reply: connect to each listed peer not yet a neighbour, while there is room. */
  private onPeers(peer: number, m: number, serial: number): void {
    if (this.mSerial[m] !== serial || this.mState[m] !== M_LEECH) return;
    this.mAnnouncing[m] = 0;
    const reply = m * this.o.trackerPeers;
    const base = m * this.k;
    for (let i = 0; i < this.mReplyCount[m]; i++) {
      const q = this.mReply[reply + i];
      if (q === peer || this.mLinks[m] >= this.k) continue;
      let linked = false;
      for (let j = 0; j < this.k; j++) {
        if (this.hState[base + j] !== H_FREE && this.hPeer[base + j] === q) {
          linked = true;
          break;
        }
      }
      if (!linked) this.connect(m, q);
    }
  }

  private track(m: number): void {
    if (this.mTrackPos[m] >= 0) return;
    const r = this.mSlice[m] % this.ringSize;
    let list = this.ringTracked[r];
    const count = this.ringTrackedCount[r];
    if (count === list.length) {
      list = grownInt32(list, list.length * 2, 0);
      this.ringTracked[r] = list;
    }
    list[count] = m;
    this.mTrackPos[m] = count;
    this.ringTrackedCount[r] = count + 1;
    // The source is listed first and stays: the swarm's peers are the others.
    if (count > this.ringPeak[r]) this.ringPeak[r] = count;
  }

  private untrack(m: number): void {
    const pos = this.mTrackPos[m];
    if (pos < 0) return;
    const r = this.mSlice[m] % this.ringSize;
    const list = this.ringTracked[r];
    const last = list[--this.ringTrackedCount[r]];
    list[pos] = last;
    this.mTrackPos[last] = pos;
    this.mTrackPos[m] = NONE;
  }

  // --- Connections -----------------------------------------------------------------------

  private connect(m: number, q: number): void {
    const h = this.freeHalf(m);
    if (h < 0) return;
    const serial = ++this.serials;
    this.hState[h] = H_CONNECTING;
    this.hPeer[h] = q;
    this.hSerial[h] = serial;
    this.hSince[h] = this.c.sim.nowMicros;
    this.mLinks[m]++;
    this.handshakeAttempts++;
    this.control(
      this.mPeer[m],
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
    if (this.hSerial[h] !== code / RADIX || this.hState[h] !== H_CONNECTING) return;
    const slice = this.mSlice[(h / this.k) | 0];
    const mq = this.membershipOf(to, slice);
    let ok = mq !== NONE && (this.mState[mq] === M_LEECH || this.mState[mq] === M_SEED);
    if (ok && this.mLinks[mq] >= this.k) ok = false;
    if (ok) {
      const base = mq * this.k;
      for (let j = 0; j < this.k; j++) {
        if (this.hState[base + j] !== H_FREE && this.hPeer[base + j] === from) {
          ok = false;
          break;
        }
      }
    }
    if (!ok) {
      this.control(to, from, this.msgReject, this.o.messageBytes, h, code, FORMATION);
      return;
    }
    const h2 = this.freeHalf(mq);
    this.hState[h2] = H_AWAIT;
    this.hPeer[h2] = from;
    this.hNbr[h2] = (h / this.k) | 0;
    this.hNbrHalf[h2] = h;
    this.hSerial[h2] = code / RADIX;
    this.hLat[h2] = this.c.transport.latencyMicros(from, to);
    this.hSince[h2] = this.c.sim.nowMicros;
    this.mLinks[mq]++;
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
    const serial = Math.floor(code / RADIX);
    if (this.hSerial[h] !== serial || this.hState[h] !== H_CONNECTING) return;
    const m = (h / this.k) | 0;
    const mq = this.membershipOf(from, this.mSlice[m]);
    const h2 = mq === NONE ? NONE : mq * this.k + (code - serial * RADIX);
    if (h2 === NONE || this.hSerial[h2] !== serial) {
      this.closeHalf(h);
      return;
    }
    if (this.mState[m] === M_GONE) {
      // We left while the handshake was under way: say so, so the neighbour frees its half.
      this.control(to, from, this.msgClose, this.o.messageBytes, h2, serial * RADIX, FORMATION);
      return;
    }
    this.hNbr[h] = mq;
    this.hNbrHalf[h] = h2;
    this.hLat[h] = this.c.transport.latencyMicros(from, to);
    this.handshakes++;
    this.control(to, from, this.msgBitfield, this.bitfieldBytes, h2, serial * RADIX, FORMATION);
    this.open(h);
  }

  private onBitfield(h: number, code: number): void {
    if (!this.linkValid(h, code) || this.hState[h] !== H_AWAIT) return;
    if (this.mState[(h / this.k) | 0] === M_GONE) return;
    // The initiator's record must still be the one that sent it (it may have left since).
    const h2 = this.hNbrHalf[h];
    if (this.hSerial[h2] !== this.hSerial[h]) {
      this.closeHalf(h);
      return;
    }
    this.open(h);
  }

  /** A half opens: the neighbour's pieces count for rarity; we may unchoke it at once. */
  private open(h: number): void {
    const m = (h / this.k) | 0;
    this.hState[h] = H_OPEN;
    this.hSince[h] = this.c.sim.nowMicros;
    this.hKey[h] = this.c.random.next();
    const P = this.pieces;
    const n = this.hNbr[h];
    const mb = m * P;
    const nb = n * P;
    for (let i = 0; i < P; i++) if (this.pHas[nb + i] === 1) this.pAvail[mb + i]++;
    this.hCounted[h] = 1;
    // Our half is open only while the neighbour's is linked to it (it marks ours closing when it
    // closes), so the pair is valid here.
    this.hTheyCount[this.hNbrHalf[h]] = 1;
    const peer = this.mPeer[m];
    if (this.interested(h)) this.offerSlot(peer, h);
  }

  /**
   * Closes our half of a link (after a close, a reject, a timeout, or noticing a departure):
   * rarity counts drop on both sides, requests through it return to the pool and are made
   * elsewhere, and an upload slot it held frees.
   */
  private closeHalf(h: number): void {
    const state = this.hState[h];
    if (state === H_FREE) return;
    const m = (h / this.k) | 0;
    const peer = this.mPeer[m];
    const serial = this.hSerial[h];
    const n = this.hNbr[h];
    const h2 = this.hNbrHalf[h];
    if (this.hCounted[h] === 1) this.uncount(m, n);
    if (h2 >= 0 && this.hSerial[h2] === serial) {
      if (this.hCounted[h2] === 1) this.uncount(n, m);
      this.hCounted[h2] = 0;
      this.hTheyCount[h2] = 0;
    }
    const released = this.hInFlight[h] > 0 ? this.releaseRequests(h) : false;
    const slotFreed = this.hUnchoking[h] !== 0;
    if (slotFreed) this.chokeLocal(h);
    if (h2 >= 0 && this.hSerial[h2] === serial && this.hState[h2] === H_OPEN) {
      this.hState[h2] = H_CLOSING;
      this.hSince[h2] = this.c.sim.nowMicros;
    }
    this.mLinks[m]--;
    this.clearHalf(h);
    const alive = this.mState[m] === M_LEECH || this.mState[m] === M_SEED;
    if (alive && released) this.afterRelease(m);
    if (alive && slotFreed && this.online[peer]) this.fill(peer);
  }

  // --- Choking ---------------------------------------------------------------------------

  /** Re-ranks a peer's upload slots: the neighbours that gave most, plus one optimistic. */
  private rechoke(peer: number): void {
    if (!this.online[peer]) return;
    this.c.sim.after(this.rechokeMicros, this.evRechoke, peer);
    const slots = this.slots[peer];
    const round = ++this.rechokeRound[peer];
    const random = this.c.random;
    const cands = this.candidates;
    cands.length = 0;
    const k = this.k;
    for (let m = this.firstMembership[peer]; m !== NONE; m = this.mNext[m]) {
      const state = this.mState[m];
      if (state !== M_LEECH && state !== M_SEED) continue;
      const base = m * k;
      for (let j = 0; j < k; j++) {
        const h = base + j;
        if (this.hState[h] !== H_OPEN) continue;
        if (this.hNotInterested[h] === 0 && this.interested(h)) {
          // Bytes received are whole numbers: the random fraction only breaks ties.
          this.hKey[h] = this.hRecv[h] + random.next();
          cands.push(h);
        }
        // A rolling rate: what a neighbour gave counts half as much each period after.
        this.hRecv[h] *= 0.5;
      }
    }
    const hKey = this.hKey;
    cands.sort((a, b) => hKey[b] - hKey[a]);
    this.markStamp += 2;
    const stamp = this.markStamp;
    const regular = Math.min(slots, cands.length);
    for (let i = 0; i < cands.length; i++) this.hMark[cands[i]] = i < regular ? stamp + 1 : stamp;
    let optimistic = NONE;
    if (this.o.optimisticUnchoke && cands.length > regular) {
      const current = this.optimisticHalf[peer];
      const keep =
        current !== NONE &&
        this.hMark[current] === stamp &&
        this.hState[current] === H_OPEN &&
        round % this.optimisticEvery !== 0;
      optimistic = keep ? current : cands[regular + random.int(cands.length - regular)];
    }
    // Choke whoever lost their slot, then unchoke the new set.
    for (let m = this.firstMembership[peer]; m !== NONE; m = this.mNext[m]) {
      const base = m * k;
      for (let j = 0; j < k; j++) {
        const h = base + j;
        if (this.hUnchoking[h] === 0) continue;
        if (this.hMark[h] === stamp + 1 || h === optimistic) continue;
        this.chokeLocal(h);
        if (this.hState[h] === H_OPEN)
          this.linkControl(h, this.msgChoke, this.o.messageBytes, 0, EXCHANGE);
      }
    }
    this.regularCount[peer] = 0;
    this.optimisticHalf[peer] = NONE;
    for (let i = 0; i < regular; i++) this.setUnchoked(cands[i], REGULAR);
    if (optimistic !== NONE) this.setUnchoked(optimistic, OPTIMISTIC);
  }

  /** Marks a half unchoked; sends UNCHOKE unless it already was. */
  private setUnchoked(h: number, kind: number): void {
    const peer = this.mPeer[(h / this.k) | 0];
    const was = this.hUnchoking[h];
    this.hUnchoking[h] = kind;
    if (kind === REGULAR) this.regularCount[peer]++;
    else this.optimisticHalf[peer] = h;
    if (was === 0) this.linkControl(h, this.msgUnchoke, this.o.messageBytes, 0, EXCHANGE);
  }

  /** Clears our unchoke of a half and its slot (no message). */
  private chokeLocal(h: number): void {
    const peer = this.mPeer[(h / this.k) | 0];
    const kind = this.hUnchoking[h];
    if (kind === REGULAR) this.regularCount[peer]--;
    else if (kind === OPTIMISTIC && this.optimisticHalf[peer] === h)
      this.optimisticHalf[peer] = NONE;
    this.hUnchoking[h] = 0;
    this.hEpoch[h]++;
  }

  /** A neighbour became interested: unchoke it if a slot is free. */
  private offerSlot(peer: number, h: number): void {
    if (this.hUnchoking[h] !== 0 || !this.online[peer]) return;
    if (this.regularCount[peer] < this.slots[peer]) this.setUnchoked(h, REGULAR);
    else if (
      this.o.optimisticUnchoke &&
      this.slots[peer] > 0 &&
      this.optimisticHalf[peer] === NONE
    ) {
      this.setUnchoked(h, OPTIMISTIC);
    }
  }

  /** Fills free upload slots with the best interested neighbours (between rechokes). */
  private fill(peer: number): void {
    const slots = this.slots[peer];
    if (slots === 0 || !this.online[peer]) return;
    const k = this.k;
    // Usually one slot is free: one pass per slot finds the best candidate.
    while (this.regularCount[peer] < slots) {
      let best = NONE;
      let bestKey = -1;
      for (let m = this.firstMembership[peer]; m !== NONE; m = this.mNext[m]) {
        const state = this.mState[m];
        if (state !== M_LEECH && state !== M_SEED) continue;
        const base = m * k;
        for (let j = 0; j < k; j++) {
          const h = base + j;
          if (this.hState[h] !== H_OPEN || this.hUnchoking[h] !== 0 || this.hNotInterested[h])
            continue;
          const key = this.hRecv[h] + this.hKey[h];
          if (key > bestKey && this.interested(h)) {
            best = h;
            bestKey = key;
          }
        }
      }
      if (best === NONE) return;
      this.setUnchoked(best, REGULAR);
    }
    if (!this.o.optimisticUnchoke || this.optimisticHalf[peer] !== NONE) return;
    const cands = this.chosen;
    cands.length = 0;
    for (let m = this.firstMembership[peer]; m !== NONE; m = this.mNext[m]) {
      const state = this.mState[m];
      if (state !== M_LEECH && state !== M_SEED) continue;
      const base = m * k;
      for (let j = 0; j < k; j++) {
        const h = base + j;
        if (this.hState[h] !== H_OPEN || this.hUnchoking[h] !== 0 || this.hNotInterested[h])
          continue;
        if (this.interested(h)) cands.push(h);
      }
    }
    if (cands.length > 0) this.setUnchoked(cands[this.c.random.int(cands.length)], OPTIMISTIC);
  }

  private onUnchoke(h: number, code: number): void {
    if (!this.linkValid(h, code) || this.hState[h] !== H_OPEN) return;
    this.hUnchoked[h] = 1;
    this.pump(h);
  }

  /** Choked: the uploader drops our queued requests, so they go back to the pool. */
  private onChoke(h: number, code: number): void {
    if (!this.linkValid(h, code) || this.hState[h] !== H_OPEN) return;
    this.hUnchoked[h] = 0;
    const m = (h / this.k) | 0;
    if (this.hInFlight[h] > 0 && this.releaseRequests(h) && this.mState[m] === M_LEECH) {
      this.afterRelease(m);
    }
  }

  /**
   * The neighbour has nothing to ask us for: its slot frees. If we got a piece it lacks after it
   * decided, we unchoke it again straight away.
   */
  private onNotInterested(h: number, code: number): void {
    if (!this.linkValid(h, code) || this.hState[h] !== H_OPEN) return;
    const m = (h / this.k) | 0;
    const peer = this.mPeer[m];
    const kind = this.hUnchoking[h];
    if (kind !== 0) this.chokeLocal(h);
    const alive = this.mState[m] === M_LEECH || this.mState[m] === M_SEED;
    if (alive && this.gotNewSince(h, this.c.sim.nowMicros - this.hLat[h])) {
      if (kind !== 0) this.setUnchoked(h, kind);
      else this.offerSlot(peer, h);
      return;
    }
    this.hNotInterested[h] = 1;
    if (alive && kind !== 0) this.fill(peer);
  }

  // --- Pieces ----------------------------------------------------------------------------

  /** Keeps up to `pipeline` requests outstanding to a neighbour that unchoked us. */
  private pump(h: number): void {
    if (this.hState[h] !== H_OPEN || this.hUnchoked[h] === 0) return;
    const m = (h / this.k) | 0;
    if (this.mState[m] !== M_LEECH) return;
    const n = this.hNbr[h];
    const lat = this.hLat[h];
    const slot = h - m * this.k;
    const base = m * this.pieces;
    let inFlight = this.hInFlight[h];
    while (inFlight < this.o.pipeline) {
      const i = this.pick(m, n, lat);
      if (i < 0) break;
      this.pPending[base + i] = slot;
      this.mPending[m]++;
      if (inFlight === 0) this.hSince[h] = this.c.sim.nowMicros;
      inFlight++;
      this.sendRequest(h, i);
    }
    // Endgame (BitTorrent's): once every missing piece is requested, an idle link asks for one
    // requested elsewhere too; whichever copy comes first cancels the other.
    if (inFlight === 0 && this.o.endgame && this.mHave[m] + this.mPending[m] === this.pieces) {
      const i = this.pickSecond(m, n, lat, slot);
      if (i >= 0) {
        this.pSecond[base + i] = slot;
        this.hSince[h] = this.c.sim.nowMicros;
        inFlight++;
        this.sendRequest(h, i);
      }
    }
    this.hInFlight[h] = inFlight;
    // With nothing to ask for now we stay interested (and idle) while the neighbour holds a
    // piece we lack that is requested elsewhere; only when it holds none do we say so.
    if (inFlight === 0 && !this.lacksFrom(m, n, lat)) {
      this.hUnchoked[h] = 0;
      this.linkControl(h, this.msgNotInterested, this.o.messageBytes, 0, EXCHANGE);
    }
  }

  /** An endgame piece for neighbour n: requested once elsewhere, not twice, and n holds it. */
  private pickSecond(m: number, n: number, lat: number, slot: number): number {
    const P = this.pieces;
    const mb = m * P;
    const known = this.c.sim.nowMicros - lat;
    const count = P - this.mHave[m];
    for (let at = 0; at < count; at++) {
      const i = this.pMissing[mb + at];
      // Only a request still waiting in its uploader's queue: one whose bytes are already
      // flowing would arrive anyway, and a second copy would be wasted.
      if (
        this.pSecond[mb + i] < 0 &&
        this.pOnWire[mb + i] === 0 &&
        this.pPending[mb + i] !== slot &&
        this.knows(n, i, known)
      )
        return i;
    }
    return NONE;
  }

  /**
   * Whether a neighbour knows (by bitfield or HAVE) that member n holds piece i, when what it
   * knows of n dates from `known`: n had it by then.
   */
  private knows(n: number, i: number, known: number): boolean {
    const at = n * this.pieces + i;
    return this.pHas[at] === 1 && (this.mLastGot[n] <= known || this.pAt[at] <= known);
  }

  /** Whether neighbour n is known to hold a piece member m lacks (BitTorrent's interest). */
  private lacksFrom(m: number, n: number, lat: number): boolean {
    const P = this.pieces;
    const mb = m * P;
    const known = this.c.sim.nowMicros - lat;
    const count = P - this.mHave[m];
    for (let at = 0; at < count; at++) {
      if (this.knows(n, this.pMissing[mb + at], known)) return true;
    }
    return false;
  }

  /**
   * The piece to ask neighbour `n` for: one we lack, not already requested, that `n` is known to
   * hold (its HAVE or bitfield has arrived). Rarest among our neighbours first, ties broken at
   * random (and a random piece while we hold none), or the lowest such piece in order.
   */
  private pick(m: number, n: number, lat: number): number {
    const P = this.pieces;
    const mb = m * P;
    const nb = n * P;
    const known = this.c.sim.nowMicros - lat;
    const pAt = this.pAt;
    const pHas = this.pHas;
    const pending = this.pPending;
    const missing = this.pMissing;
    const count = P - this.mHave[m];
    if (count === 0) return NONE;
    // Only when n got pieces within the last latency do their times matter.
    const stale = this.mLastGot[n] > known;
    if (this.o.superSeeding && this.mPeer[n] === 0) {
      // Super-seeding: the source reveals to each peer only the pieces it has sent least (its
      // counts sit in its own, otherwise unused, rarity counters), so each of its uploads injects
      // a piece the swarm lacks rather than one it already has. Ties go to the lowest piece in
      // order mode, to a random one otherwise.
      const sent = this.pAvail;
      const start = this.inOrder ? 0 : this.c.random.int(count);
      let best = NONE;
      let fewest = INF;
      for (let step = 0; step < count; step++) {
        let at = start + step;
        if (at >= count) at -= count;
        const i = missing[mb + at];
        if (pending[mb + i] >= 0 || pHas[nb + i] === 0 || (stale && pAt[nb + i] > known)) continue;
        const c = sent[nb + i];
        if (c < fewest || (c === fewest && this.inOrder && i < best)) {
          best = i;
          fewest = c;
        }
      }
      return best;
    }
    if (this.inOrder) {
      for (let i = this.mPrefix[m]; i < P; i++) {
        if (pHas[mb + i] === 0 && pending[mb + i] < 0 && pHas[nb + i] === 1) {
          if (!stale || pAt[nb + i] <= known) return i;
        }
      }
      return NONE;
    }
    // Scanning the missing row from a random point breaks ties at random.
    const start = this.c.random.int(count);
    const avail = this.pAvail;
    const first = this.mHave[m] === 0;
    let best = NONE;
    let bestAvail = RADIX;
    for (let step = 0; step < count; step++) {
      let at = start + step;
      if (at >= count) at -= count;
      const i = missing[mb + at];
      if (pending[mb + i] >= 0 || pHas[nb + i] === 0 || (stale && pAt[nb + i] > known)) continue;
      if (first) return i;
      const a = avail[mb + i];
      if (a < bestAvail) {
        best = i;
        bestAvail = a;
        if (a <= 1) break;
      }
    }
    return best;
  }

  /** A request reaches the uploader: served if the requester is unchoked, dropped otherwise. */
  private onRequest(h: number, code: number): void {
    const serial = Math.floor(code / RADIX);
    if (this.hSerial[h] !== serial || this.hState[h] !== H_OPEN || this.hUnchoking[h] === 0) return;
    const m = (h / this.k) | 0;
    if (this.mState[m] !== M_LEECH && this.mState[m] !== M_SEED) return;
    const i = code - serial * RADIX;
    if (this.pHas[m * this.pieces + i] === 0) return;
    const peer = this.mPeer[m];
    const queues = this.queues;
    // One piece on the wire at a time, the rest queued here (see UploadQueues).
    if (queues.size(peer) === 0 && this.c.transport.uplinkBacklogMicros(peer) === 0) {
      this.sendPiece(m, h, code);
      return;
    }
    // A bound on what an uploader holds: its slots times the requests each may have out.
    if (queues.size(peer) >= this.queueLimit(peer)) return;
    queues.push(peer, h, code, this.hEpoch[h], this.c.sim.nowMicros);
    this.awaitUplink(peer);
  }

  /** Most requests an uploader holds: its slots times the requests each may have out, twice. */
  private queueLimit(peer: number): number {
    return 2 * (this.slots[peer] + 1) * (this.o.pipeline + 1);
  }

  /**
   * Sends a request for piece i over half h. When the uploader will look at its queue only after
   * the request arrives (its uplink is busy until then), the request joins that queue directly,
   * charged as a message but without an arrival event of its own; otherwise it is delivered.
   */
  private sendRequest(h: number, i: number): void {
    const q = this.hPeer[h];
    const h2 = this.hNbrHalf[h];
    if (this.readyPending[q] === 1 && this.queues.size(q) < this.queueLimit(q)) {
      const m = (h / this.k) | 0;
      const total = this.o.requestBytes + this.o.headerBytes;
      const at = this.c.transport.sendUndelivered(this.mPeer[m], q, this.msgRequest, total);
      if (at < 0) return;
      this.exchangeBytes += total;
      const code = this.hSerial[h] * RADIX + i;
      if (at <= this.readyAt[q]) {
        // The checks onRequest makes on arrival are made again when the request is served.
        this.queues.push(q, h2, code, this.hEpoch[h2], at);
        return;
      }
      // Too late for that look: it would be delivered after all. (Rare: charged as sent.)
      this.c.sim.at(at, this.evLateRequest, h2, code);
      return;
    }
    this.linkControl(h, this.msgRequest, this.o.requestBytes, i, EXCHANGE);
  }

  /** Schedules the node's next dispatch for when its uplink has sent what it holds. */
  private awaitUplink(peer: number): void {
    if (this.readyPending[peer] === 1) return;
    const now = this.c.sim.nowMicros;
    const at = Math.max(
      now + this.c.transport.uplinkBacklogMicros(peer),
      this.queues.nextArrival(peer),
    );
    this.readyPending[peer] = 1;
    this.readyAt[peer] = at;
    this.c.sim.at(at, this.evReady, peer);
  }

  /**
   * The uplink has sent its piece: the oldest request still valid is served. (Control messages
   * sent meanwhile may hold it a moment longer; the piece queues behind them.)
   */
  private onUplinkReady(peer: number): void {
    this.readyPending[peer] = 0;
    if (!this.online[peer]) {
      this.queues.clear(peer);
      return;
    }
    const queues = this.queues;
    const now = this.c.sim.nowMicros;
    for (;;) {
      const e = queues.shift(peer, now);
      if (e < 0) break;
      const h = queues.halfOf(e);
      if (h < 0) continue;
      const code = queues.codeOf(e);
      const epoch = queues.epochOf(e);
      const serial = Math.floor(code / RADIX);
      if (this.hSerial[h] !== serial || this.hState[h] !== H_OPEN) continue;
      if (this.hUnchoking[h] === 0 || this.hEpoch[h] !== epoch) continue;
      const m = (h / this.k) | 0;
      if (this.mState[m] !== M_LEECH && this.mState[m] !== M_SEED) continue;
      this.sendPiece(m, h, code);
      break;
    }
    if (queues.size(peer) > 0) this.awaitUplink(peer);
  }

  private sendPiece(m: number, h: number, code: number): void {
    const serial = Math.floor(code / RADIX);
    const i = code - serial * RADIX;
    const bytes = i === this.pieces - 1 ? this.lastPieceBytes : this.o.pieceBytes;
    const from = this.mPeer[m];
    if (!this.c.transport.send(from, this.hPeer[h], this.msgPiece, bytes, this.hNbrHalf[h], code))
      return;
    this.piecesServed++;
    const n = this.hNbr[h];
    const at = n * this.pieces + i;
    this.pOnWire[at] = 1;
    const second = this.pSecond[at];
    if (second >= 0) {
      // An endgame piece starts flowing: the requester withdraws its other request (it sees the
      // bytes coming; we let it act at once rather than one latency later).
      const slot = this.hNbrHalf[h] - n * this.k;
      const other = this.pPending[at] === slot ? second : this.pPending[at];
      this.pPending[at] = slot;
      this.pSecond[at] = NONE;
      if (other >= 0 && other !== slot) this.cancel(n * this.k + other, i);
    }
    // The source's rarity counters count its uploads of each piece (super-seeding).
    if (from === 0 && this.pAvail[m * this.pieces + i] < RADIX - 1)
      this.pAvail[m * this.pieces + i]++;
  }

  private onPiece(to: number, h: number, code: number, bytes: number): void {
    const serial = Math.floor(code / RADIX);
    const m = (h / this.k) | 0;
    const hs = this.hState[h];
    if (this.hSerial[h] !== serial || (hs !== H_OPEN && hs !== H_CLOSING)) {
      this.waste(to, bytes);
      return;
    }
    const state = this.mState[m];
    if (state !== M_LEECH && state !== M_SEED) {
      this.waste(to, bytes);
      return;
    }
    const i = code - serial * RADIX;
    this.hRecv[h] += bytes;
    this.hSince[h] = this.c.sim.nowMicros;
    if (this.hInFlight[h] > 0) this.hInFlight[h]--;
    const at = m * this.pieces + i;
    const slot = h - m * this.k;
    const first = this.pPending[at];
    const second = this.pSecond[at];
    this.pOnWire[at] = 0;
    if (first >= 0) {
      this.pPending[at] = NONE;
      this.mPending[m]--;
    }
    if (second >= 0) {
      this.pSecond[at] = NONE;
      // The other copy of an endgame request is no longer wanted.
      const other = first === slot ? second : first;
      if (other >= 0 && other !== slot) this.cancel(m * this.k + other, i);
    }
    if (this.pHas[at] === 1) this.waste(to, bytes);
    else this.acquire(m, i);
    this.pump(h);
  }

  /** Stream bytes that arrived for nothing (a duplicate, or for a swarm already left). */
  private waste(peer: number, bytes: number): void {
    this.wastedBytes += bytes;
    this.c.probe.emitDuplicate(peer, bytes);
  }

  /**
   * A member gets piece i: it announces it to every neighbour (one aggregated HAVE message),
   * neighbours' rarity counts rise, neighbours that lack it become interested in us, and the
   * player gets what is now playable.
   */
  private acquire(m: number, i: number): void {
    const now = this.c.sim.nowMicros;
    const P = this.pieces;
    const base = m * P;
    const pAt = this.pAt;
    pAt[base + i] = now;
    this.pHas[base + i] = 1;
    this.mLastGot[m] = now;
    // Move i from the missing part of the row to the held part.
    const lastAt = P - 1 - this.mHave[m];
    const last = this.pMissing[base + lastAt];
    const at = this.pMissingAt[base + i];
    this.pMissing[base + at] = last;
    this.pMissingAt[base + last] = at;
    this.pMissing[base + lastAt] = i;
    this.pMissingAt[base + i] = lastAt;
    const have = ++this.mHave[m];
    if (i === this.mPrefix[m]) {
      let prefix = i + 1;
      while (prefix < P && this.pHas[base + prefix] === 1) prefix++;
      this.mPrefix[m] = prefix;
    }
    const peer = this.mPeer[m];
    const k = this.k;
    const hb = m * k;
    let aggregated = 0;
    const slots = this.slots[peer];
    const hState = this.hState;
    const hNbr = this.hNbr;
    const hNbrHalf = this.hNbrHalf;
    const hUnchoking = this.hUnchoking;
    const hUnchoked = this.hUnchoked;
    const hInFlight = this.hInFlight;
    const hTheyCount = this.hTheyCount;
    const pAvail = this.pAvail;
    const mHave = this.mHave;
    const slotFree =
      slots > 0 &&
      (this.regularCount[peer] < slots ||
        (this.o.optimisticUnchoke && this.optimisticHalf[peer] === NONE));
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
      this.hNotInterested[h] = 0;
      if (
        hUnchoking[h] !== 0 &&
        hInFlight[hNbrHalf[h]] === 0 &&
        this.pHas[n * P + i] === 0 &&
        this.mState[n] === M_LEECH
      ) {
        // This HAVE would wake a neighbour we unchoke that sits idle: it travels on its own.
        this.linkControl(h, this.msgHaveWake, this.o.haveBytes, i, EXCHANGE);
      } else {
        aggregated++;
      }
      if (slotFree && hUnchoking[h] === 0 && pAt[n * P + i] + this.hLat[h] > now) {
        // A free slot, and as far as we know the neighbour lacks the piece: a candidate, ranked
        // as at a rechoke (by what it gave us), so that a free slot still rewards reciprocation.
        const key = this.hRecv[h] + this.hKey[h];
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
        this.knows(n, i, now - this.hLat[h]) &&
        !this.lacksFrom(m, n, this.hLat[h])
      ) {
        hUnchoked[h] = 0;
        this.linkControl(h, this.msgNotInterested, this.o.messageBytes, 0, EXCHANGE);
      }
    }
    if (offer !== NONE) this.offerSlot(peer, offer);
    const haveBytes = aggregated * (this.o.haveBytes + this.o.headerBytes);
    if (haveBytes > 0 && this.c.transport.sendUndelivered(peer, -1, this.msgHave, haveBytes) >= 0) {
      // The other neighbours' HAVEs: their bytes and uplink time are charged; what they teach
      // follows from the latency, so they need no delivery event.
      this.exchangeBytes += haveBytes;
    }
    const slice = this.mSlice[m];
    if (this.progressive && peer !== 0) {
      const chunkBytes = this.c.stream.chunkBytes;
      const covered = Math.min(this.mPrefix[m] * this.o.pieceBytes, this.sliceBytes);
      const playable = Math.floor(covered / chunkBytes);
      const first = slice * this.chunksPerSlice;
      while (this.mFed[m] < playable) this.feed(peer, first + this.mFed[m]++);
    }
    if (this.mHave[m] === P) this.complete(m);
  }

  /** The slice is complete: the player gets it (file mode); the member seeds for a while. */
  private complete(m: number): void {
    const now = this.c.sim.nowMicros;
    const peer = this.mPeer[m];
    this.mState[m] = M_SEED;
    this.mComplete[m] = now;
    this.slicesCompleted++;
    this.downloadMicrosSum += now - this.mReady[m];
    const r = this.mSlice[m] % this.ringSize;
    this.ringCompletions[r]++;
    this.ringDownloadMicros[r] += now - this.mReady[m];
    this.ringLastDone[r] = now;
    const first = this.mSlice[m] * this.chunksPerSlice;
    while (this.mFed[m] < this.chunksPerSlice) this.feed(peer, first + this.mFed[m]++);
    // Nothing more to ask anyone for: free the slots of those who unchoked us.
    const hb = m * this.k;
    for (let j = 0; j < this.k; j++) {
      const h = hb + j;
      this.hInFlight[h] = 0;
      if (this.hState[h] === H_OPEN && this.hUnchoked[h] === 1) {
        this.hUnchoked[h] = 0;
        this.linkControl(h, this.msgNotInterested, this.o.messageBytes, 0, EXCHANGE);
      }
    }
    this.c.sim.after(this.seedMicros, this.evSeedExpire, m, this.mSerial[m]);
  }

  private feed(peer: number, chunk: number): void {
    if (this.c.players.receive(peer, chunk) === Receive.Duplicate) {
      throw new Error(`minute-swarming fed chunk ${chunk} twice to peer ${peer}`);
    }
  }

  /** Returns the requests made through a half to the pool; true when there were any. */
  private releaseRequests(h: number): boolean {
    const m = (h / this.k) | 0;
    const slot = h - m * this.k;
    const P = this.pieces;
    const base = m * P;
    let released = false;
    for (let i = 0; i < P; i++) {
      if (this.pSecond[base + i] === slot) this.pSecond[base + i] = NONE;
      if (this.pPending[base + i] === slot) {
        this.pOnWire[base + i] = 0;
        const second = this.pSecond[base + i];
        if (second >= 0) {
          // Still requested through the endgame's second link: that becomes the request.
          this.pPending[base + i] = second;
          this.pSecond[base + i] = NONE;
        } else {
          this.pPending[base + i] = NONE;
          this.mPending[m]--;
          released = true;
        }
      }
    }
    this.hInFlight[h] = 0;
    return released;
  }

  /** Withdraws a request for piece i made through half h (the uploader drops it if queued). */
  private cancel(h: number, i: number): void {
    if (this.hState[h] !== H_OPEN && this.hState[h] !== H_CLOSING) return;
    if (this.hInFlight[h] > 0) this.hInFlight[h]--;
    if (this.hState[h] === H_OPEN)
      this.linkControl(h, this.msgCancel, this.o.requestBytes, i, EXCHANGE);
  }

  /** Requests came back to the pool: ask the unchoking neighbours again. */
  private afterRelease(m: number): void {
    const hb = m * this.k;
    for (let j = 0; j < this.k; j++) {
      const h = hb + j;
      if (this.hState[h] === H_OPEN && this.hUnchoked[h] === 1) this.pump(h);
    }
  }

  // --- Knowledge -------------------------------------------------------------------------

  /** Whether, as far as we know, the neighbour behind half h lacks a piece we hold. */
  private interested(h: number): boolean {
    const m = (h / this.k) | 0;
    const n = this.hNbr[h];
    const known = this.c.sim.nowMicros - this.hLat[h];
    if (this.mComplete[n] <= known) return false;
    if (this.mState[m] === M_SEED) return true;
    const have = this.mHave[m];
    if (have === 0) return false;
    const P = this.pieces;
    const mb = m * P;
    const nb = n * P;
    const rows = this.pMissing;
    const pHas = this.pHas;
    const theyLack = P - this.mHave[n];
    if (have <= theyLack) {
      // Our held pieces, against what we know of theirs.
      for (let at = P - have; at < P; at++) if (!this.knows(n, rows[mb + at], known)) return true;
      return false;
    }
    // Their missing pieces, against ours (this ignores HAVEs still on the way to us: they would
    // only make the neighbour look interested a moment longer).
    for (let at = 0; at < theyLack; at++) if (pHas[mb + rows[nb + at]] === 1) return true;
    return false;
  }

  /** Whether we got, after `since`, a piece the neighbour behind h lacks as far as we know. */
  private gotNewSince(h: number, since: number): boolean {
    const m = (h / this.k) | 0;
    const n = this.hNbr[h];
    const known = this.c.sim.nowMicros - this.hLat[h];
    const P = this.pieces;
    const mb = m * P;
    for (let i = 0; i < P; i++) {
      const at = this.pAt[mb + i];
      if (at > since && at !== INF && !this.knows(n, i, known)) return true;
    }
    return false;
  }

  private uncount(m: number, n: number): void {
    const P = this.pieces;
    const mb = m * P;
    const nb = n * P;
    for (let i = 0; i < P; i++) {
      if (this.pHas[nb + i] === 1 && this.pAvail[mb + i] > 0) this.pAvail[mb + i]--;
    }
  }

  // --- Maintenance -----------------------------------------------------------------------

  /**
   * Per peer, twice per request timeout: drops neighbours that stopped answering (their
   * requests go elsewhere), handshakes that got no answer, and asks the tracker again when a
   * swarm left it with few neighbours.
   */
  private maintain(peer: number): void {
    if (!this.online[peer]) return;
    const sim = this.c.sim;
    sim.after(this.tickMicros, this.evMaintain, peer);
    const now = sim.nowMicros;
    const limit = this.timeoutMicros;
    const k = this.k;
    for (let m = this.firstMembership[peer]; m !== NONE; m = this.mNext[m]) {
      const state = this.mState[m];
      if (state !== M_LEECH && state !== M_SEED) continue;
      const base = m * k;
      for (let j = 0; j < k; j++) {
        const h = base + j;
        const hs = this.hState[h];
        if (hs === H_FREE || now - this.hSince[h] < limit) continue;
        if (hs === H_CONNECTING || hs === H_CLOSING) {
          this.closeHalf(h);
        } else if (hs === H_AWAIT) {
          this.linkControl(h, this.msgClose, this.o.messageBytes, 0, FORMATION);
          this.closeHalf(h);
        } else if (this.hInFlight[h] > 0) {
          this.requestTimeouts++;
          this.linkControl(h, this.msgClose, this.o.messageBytes, 0, FORMATION);
          this.closeHalf(h);
        }
      }
      if (
        this.mState[m] === M_LEECH &&
        this.mAnnouncing[m] === 0 &&
        this.mLinks[m] * 2 < this.o.trackerPeers &&
        now - this.mLastAnnounce[m] >= limit
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
    if (kind === FORMATION) this.formationBytes += total;
    else this.exchangeBytes += total;
  }

  /** Sends a control message over the link of half h to the neighbour's half. */
  private linkControl(h: number, type: number, bytes: number, piece: number, kind: number): void {
    const m = (h / this.k) | 0;
    this.control(
      this.mPeer[m],
      this.hPeer[h],
      type,
      bytes,
      this.hNbrHalf[h],
      this.hSerial[h] * RADIX + piece,
      kind,
    );
  }

  private linkValid(h: number, code: number): boolean {
    return this.hSerial[h] === Math.floor(code / RADIX) && this.hState[h] !== H_FREE;
  }

  // --- Records ---------------------------------------------------------------------------

  private membershipOf(peer: number, slice: number): number {
    for (let m = this.firstMembership[peer]; m !== NONE; m = this.mNext[m]) {
      if (this.mSlice[m] === slice) return m;
    }
    return NONE;
  }

  private freeHalf(m: number): number {
    const base = m * this.k;
    for (let j = 0; j < this.k; j++) if (this.hState[base + j] === H_FREE) return base + j;
    return NONE;
  }

  private clearHalf(h: number): void {
    this.hState[h] = H_FREE;
    this.hSerial[h] = 0;
    this.hPeer[h] = NONE;
    this.hNbr[h] = NONE;
    this.hNbrHalf[h] = NONE;
    this.hRecv[h] = 0;
    this.hInFlight[h] = 0;
    this.hUnchoking[h] = 0;
    this.hUnchoked[h] = 0;
    this.hNotInterested[h] = 0;
    this.hCounted[h] = 0;
    this.hTheyCount[h] = 0;
  }

  /** A fresh membership record for `peer` in `slice`, linked into the peer's list and the swarm. */
  private allocate(peer: number, slice: number): number {
    let m = this.freeMemberships.pop();
    if (m === undefined) {
      if (this.used === this.capacity) this.growPool(this.capacity * 2);
      m = this.used++;
    }
    this.mState[m] = M_LEECH;
    this.mPeer[m] = peer;
    this.mSlice[m] = slice;
    this.mSerial[m] = ++this.serials;
    this.mHave[m] = 0;
    this.mPending[m] = 0;
    this.mPrefix[m] = 0;
    this.mFed[m] = 0;
    this.mLinks[m] = 0;
    this.mReady[m] = this.c.sim.nowMicros;
    this.mComplete[m] = INF;
    this.mLastAnnounce[m] = -INF;
    this.mAnnouncing[m] = 0;
    this.mTrackPos[m] = NONE;
    this.mReplyCount[m] = 0;
    const P = this.pieces;
    this.pAt.fill(INF, m * P, (m + 1) * P);
    this.pHas.fill(0, m * P, (m + 1) * P);
    this.mLastGot[m] = -INF;
    this.pPending.fill(NONE, m * P, (m + 1) * P);
    this.pSecond.fill(NONE, m * P, (m + 1) * P);
    this.pOnWire.fill(0, m * P, (m + 1) * P);
    this.pAvail.fill(0, m * P, (m + 1) * P);
    for (let i = 0; i < P; i++) {
      this.pMissing[m * P + i] = i;
      this.pMissingAt[m * P + i] = i;
    }
    const k = this.k;
    for (let j = 0; j < k; j++) this.clearHalf(m * k + j);
    // Newest first in the peer's list.
    const head = this.firstMembership[peer];
    this.mPrev[m] = NONE;
    this.mNext[m] = head;
    if (head !== NONE) this.mPrev[head] = m;
    this.firstMembership[peer] = m;
    const r = slice % this.ringSize;
    let all = this.ringAll[r];
    const count = this.ringAllCount[r];
    if (count === all.length) {
      all = grownInt32(all, all.length * 2, 0);
      this.ringAll[r] = all;
    }
    all[count] = m;
    this.mAllPos[m] = count;
    this.ringAllCount[r] = count + 1;
    this.aliveMembers++;
    return m;
  }

  /** Frees a membership record (its halves must need no bookkeeping any more). */
  private release(m: number): void {
    const state = this.mState[m];
    if (state === M_FREE) return;
    if (state === M_LEECH || state === M_SEED) this.aliveMembers--;
    const peer = this.mPeer[m];
    const prev = this.mPrev[m];
    const next = this.mNext[m];
    if (prev !== NONE) this.mNext[prev] = next;
    else this.firstMembership[peer] = next;
    if (next !== NONE) this.mPrev[next] = prev;
    const r = this.mSlice[m] % this.ringSize;
    const all = this.ringAll[r];
    const pos = this.mAllPos[m];
    const last = all[--this.ringAllCount[r]];
    all[pos] = last;
    this.mAllPos[last] = pos;
    this.untrackQuiet(m);
    const k = this.k;
    for (let j = 0; j < k; j++) {
      const h = m * k + j;
      if (this.hUnchoking[h] !== 0) this.chokeLocal(h);
      this.clearHalf(h);
    }
    this.mState[m] = M_FREE;
    this.mSerial[m] = 0;
    this.freeMemberships.push(m);
  }

  private untrackQuiet(m: number): void {
    if (this.mTrackPos[m] >= 0 && this.ringSlice[this.mSlice[m] % this.ringSize] !== NONE)
      this.untrack(m);
    this.mTrackPos[m] = NONE;
  }

  private growPool(capacity: number): void {
    const P = this.pieces;
    const k = this.k;
    const t = this.o.trackerPeers;
    this.mState = grownUint8(this.mState, capacity);
    this.mPeer = grownInt32(this.mPeer, capacity, NONE);
    this.mSlice = grownInt32(this.mSlice, capacity, NONE);
    this.mSerial = grownFloat64(this.mSerial, capacity, 0);
    this.mHave = grownInt32(this.mHave, capacity, 0);
    this.mPending = grownInt32(this.mPending, capacity, 0);
    this.mPrefix = grownInt32(this.mPrefix, capacity, 0);
    this.mFed = grownInt32(this.mFed, capacity, 0);
    this.mLinks = grownInt32(this.mLinks, capacity, 0);
    this.mReady = grownFloat64(this.mReady, capacity, 0);
    this.mComplete = grownFloat64(this.mComplete, capacity, INF);
    this.mLastGot = grownFloat64(this.mLastGot, capacity, 0);
    this.mLastAnnounce = grownFloat64(this.mLastAnnounce, capacity, 0);
    this.mAnnouncing = grownUint8(this.mAnnouncing, capacity);
    this.mNext = grownInt32(this.mNext, capacity, NONE);
    this.mPrev = grownInt32(this.mPrev, capacity, NONE);
    this.mTrackPos = grownInt32(this.mTrackPos, capacity, NONE);
    this.mAllPos = grownInt32(this.mAllPos, capacity, NONE);
    this.mReplyCount = grownInt32(this.mReplyCount, capacity, 0);
    this.mReply = grownInt32(this.mReply, capacity * t, NONE);
    this.pAt = grownFloat64(this.pAt, capacity * P, INF);
    this.pHas = grownUint8(this.pHas, capacity * P);
    const pending = new Int16Array(capacity * P).fill(NONE);
    pending.set(this.pPending);
    this.pPending = pending;
    this.pOnWire = grownUint8(this.pOnWire, capacity * P);
    const second = new Int16Array(capacity * P).fill(NONE);
    second.set(this.pSecond);
    this.pSecond = second;
    const avail = new Uint16Array(capacity * P);
    avail.set(this.pAvail);
    this.pAvail = avail;
    const missing = new Uint16Array(capacity * P);
    missing.set(this.pMissing);
    this.pMissing = missing;
    const missingAt = new Uint16Array(capacity * P);
    missingAt.set(this.pMissingAt);
    this.pMissingAt = missingAt;
    this.hState = grownUint8(this.hState, capacity * k);
    this.hPeer = grownInt32(this.hPeer, capacity * k, NONE);
    this.hNbr = grownInt32(this.hNbr, capacity * k, NONE);
    this.hNbrHalf = grownInt32(this.hNbrHalf, capacity * k, NONE);
    this.hSerial = grownFloat64(this.hSerial, capacity * k, 0);
    this.hLat = grownFloat64(this.hLat, capacity * k, 0);
    this.hSince = grownFloat64(this.hSince, capacity * k, 0);
    this.hRecv = grownFloat64(this.hRecv, capacity * k, 0);
    this.hKey = grownFloat64(this.hKey, capacity * k, 0);
    this.hMark = grownFloat64(this.hMark, capacity * k, 0);
    this.hEpoch = grownFloat64(this.hEpoch, capacity * k, 0);
    this.hInFlight = grownUint8(this.hInFlight, capacity * k);
    this.hUnchoking = grownUint8(this.hUnchoking, capacity * k);
    this.hUnchoked = grownUint8(this.hUnchoked, capacity * k);
    this.hNotInterested = grownUint8(this.hNotInterested, capacity * k);
    this.hCounted = grownUint8(this.hCounted, capacity * k);
    this.hTheyCount = grownUint8(this.hTheyCount, capacity * k);
    this.capacity = capacity;
  }
}

function grownInt32(a: Int32Array, length: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(length).fill(fill);
  b.set(a);
  return b;
}

function grownFloat64(a: Float64Array, length: number, fill: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(length).fill(fill);
  b.set(a);
  return b;
}

function grownUint8(a: Uint8Array, length: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(length);
  b.set(a);
  return b;
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
