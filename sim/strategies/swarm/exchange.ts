import type { StrategyContext } from "../types.ts";
import { type SwarmCommonParts, SwarmLinkPart } from "./linkPart.ts";
import type { MinuteSwarmingOptions } from "./options.ts";
import type { PiecePicker } from "./picker.ts";
import { holdPiece, releaseRequests } from "./pieces.ts";
import type { SliceFeeder } from "./playback.ts";
import { Link, MAX_AVAILABILITY, Membership, NONE } from "./records.ts";
import type { SwarmRing } from "./ring.ts";
import type { UplinkDispatch } from "./uplink.ts";
import { Overhead } from "./wire.ts";

/**
 * The piece exchange over open links: requests (up to `pipeline` per neighbour that unchoked
 * us, BitTorrent's endgame for the last pieces), serving them from the uploader's queue, pieces
 * arriving, the HAVE announcements a new piece triggers, completion of a slice, and the
 * downloader's side of choke, unchoke and interest.
 *
 * Cost model (what keeps a 5,000-peer run fast). Every message is charged through the transport
 * (bytes, uplink time, latency), but some need no event of their own:
 * - the HAVEs of one piece are charged as one fan-out of neighbours x (HAVE + header) bytes;
 *   what they teach follows from the latency. Only a HAVE that would wake an idle neighbour we
 *   unchoke is delivered as a message;
 * - a request that reaches an uploader while its uplink is busy joins the uploader's queue
 *   directly, stamped with its arrival time, instead of arriving as an event.
 */
export class PieceExchange extends SwarmLinkPart {
  private readonly picker: PiecePicker;
  private readonly feeder: SliceFeeder;
  private readonly ring: SwarmRing;
  private readonly uplink: UplinkDispatch;
  private readonly completed: (m: number) => void;
  private readonly lastPieceBytes: number;
  private readonly progressive: boolean;
  private readonly lateRequestEvent: number;
  /** Scratch: the peers an aggregated HAVE goes to (one member's neighbours at most). */
  private readonly haveReceivers: Int32Array;

  /**
   * Registers the `swarm/request-arrives` event.
   * @param completed called when a member completes its slice (after the player got it).
   */
  constructor(
    context: StrategyContext,
    options: MinuteSwarmingOptions,
    parts: SwarmCommonParts & {
      picker: PiecePicker;
      feeder: SliceFeeder;
      ring: SwarmRing;
      uplink: UplinkDispatch;
      lastPieceBytes: number;
      completed: (m: number) => void;
    },
  ) {
    super(context, options, parts);
    this.picker = parts.picker;
    this.feeder = parts.feeder;
    this.ring = parts.ring;
    this.uplink = parts.uplink;
    this.completed = parts.completed;
    this.haveReceivers = new Int32Array(this.k);
    this.lastPieceBytes = parts.lastPieceBytes;
    this.progressive = options.playback === "progressive";
    const online = this.online;
    this.lateRequestEvent = context.sim.register(
      "swarm/request-arrives",
      ["half", "serial", "piece"],
      (h, serial, i) => {
        if (online[this.records.memberPeer[(h / this.k) | 0]]) this.onRequest(h, serial, i);
      },
    );
  }

  onUnchoke(h: number, serial: number): void {
    if (!this.wire.linkValid(h, serial) || this.records.linkState[h] !== Link.Open) return;
    this.records.unchokedByNeighbour[h] = 1;
    this.pump(h);
  }

  /** Choked: the uploader drops our queued requests, so they go back to the pool. */
  onChoke(h: number, serial: number): void {
    const records = this.records;
    if (!this.wire.linkValid(h, serial) || records.linkState[h] !== Link.Open) return;
    records.unchokedByNeighbour[h] = 0;
    const m = (h / this.k) | 0;
    if (
      records.requestsInFlight[h] > 0 &&
      releaseRequests(this.records, h) &&
      records.memberState[m] === Membership.Leeching
    ) {
      this.afterRelease(m);
    }
  }

  /**
   * The neighbour has nothing to ask us for: its slot frees. If we got a piece it lacks after it
   * decided, we unchoke it again straight away.
   */
  onNotInterested(h: number, serial: number): void {
    const records = this.records;
    if (!this.wire.linkValid(h, serial) || records.linkState[h] !== Link.Open) return;
    const m = (h / this.k) | 0;
    const peer = records.memberPeer[m];
    const kind = records.unchokeKind[h];
    if (kind !== 0) this.choker.chokeLocal(h);
    const alive = records.isLive(m);
    if (
      alive &&
      this.knowledge.gotNewSince(h, this.c.sim.nowMicros - records.linkLatencyMicros[h])
    ) {
      if (kind !== 0) this.choker.setUnchoked(h, kind);
      else this.choker.offerSlot(peer, h);
      return;
    }
    records.neighbourNotInterested[h] = 1;
    if (alive && kind !== 0) this.choker.fill(peer);
  }

  /** Keeps up to `pipeline` requests outstanding to a neighbour that unchoked us. */
  pump(h: number): void {
    const records = this.records;
    if (records.linkState[h] !== Link.Open || records.unchokedByNeighbour[h] === 0) return;
    const m = (h / this.k) | 0;
    if (records.memberState[m] !== Membership.Leeching) return;
    const n = records.neighbourMember[h];
    const lat = records.linkLatencyMicros[h];
    const slot = h - m * this.k;
    const base = m * this.pieces;
    let inFlight = records.requestsInFlight[h];
    while (inFlight < this.o.pipeline) {
      const i = this.picker.pick(m, n, lat);
      if (i < 0) break;
      records.requestSlot[base + i] = slot;
      records.piecesRequested[m]++;
      if (inFlight === 0) records.lastActivityMicros[h] = this.c.sim.nowMicros;
      inFlight++;
      this.sendRequest(h, i);
    }
    // Endgame (BitTorrent's): once every missing piece is requested, an idle link asks for one
    // requested elsewhere too; whichever copy comes first cancels the other.
    if (
      inFlight === 0 &&
      this.o.endgame &&
      records.piecesHeld[m] + records.piecesRequested[m] === this.pieces
    ) {
      const i = this.picker.pickSecond(m, n, lat, slot);
      if (i >= 0) {
        records.secondRequestSlot[base + i] = slot;
        records.lastActivityMicros[h] = this.c.sim.nowMicros;
        inFlight++;
        this.sendRequest(h, i);
      }
    }
    records.requestsInFlight[h] = inFlight;
    // With nothing to ask for now we stay interested (and idle) while the neighbour holds a
    // piece we lack that is requested elsewhere; only when it holds none do we say so.
    if (inFlight === 0 && !this.knowledge.lacksFrom(m, n, lat)) {
      records.unchokedByNeighbour[h] = 0;
      this.wire.linkControl(
        h,
        this.wire.types.notInterested,
        this.o.messageBytes,
        0,
        Overhead.Exchange,
      );
    }
  }

  /**
   * A request for piece i over half h of link `serial` reaches the uploader: served if the
   * requester is unchoked, dropped otherwise.
   */
  onRequest(h: number, serial: number, i: number): void {
    const records = this.records;
    if (
      records.linkSerial[h] !== serial ||
      records.linkState[h] !== Link.Open ||
      records.unchokeKind[h] === 0
    )
      return;
    const m = (h / this.k) | 0;
    if (
      records.memberState[m] !== Membership.Leeching &&
      records.memberState[m] !== Membership.Seeding
    )
      return;
    if (records.pieceHeld[m * this.pieces + i] === 0) return;
    const peer = records.memberPeer[m];
    const uplink = this.uplink;
    // One piece on the wire at a time, the rest queued here (see UploadQueues).
    if (uplink.idle(peer)) {
      this.sendPiece(m, h, serial, i);
      return;
    }
    // A bound on what an uploader holds: its slots times the requests each may have out.
    if (uplink.queues.size(peer) >= uplink.limit(peer)) return;
    uplink.queues.push(peer, h, serial, i, records.chokeEpoch[h], this.c.sim.nowMicros);
    uplink.await(peer);
  }

  /**
   * Sends a request for piece i over half h. When the uploader will look at its queue only after
   * the request arrives (its uplink is busy until then), the request joins that queue directly,
   * charged as a message but without an arrival event of its own; otherwise it is delivered.
   */
  private sendRequest(h: number, i: number): void {
    const records = this.records;
    const q = records.linkPeer[h];
    const h2 = records.neighbourHalf[h];
    if (this.uplink.acceptsAhead(q)) {
      const m = (h / this.k) | 0;
      const total = this.o.requestBytes + this.o.headerBytes;
      const at = this.c.transport.sendUndelivered(
        records.memberPeer[m],
        q,
        this.wire.types.request,
        total,
      );
      if (at < 0) return;
      this.stats.exchangeBytes += total;
      const serial = records.linkSerial[h];
      if (at <= this.uplink.readyAt[q]) {
        // The checks onRequest makes on arrival are made again when the request is served.
        this.uplink.queues.push(q, h2, serial, i, records.chokeEpoch[h2], at);
        return;
      }
      // Too late for that look: it would be delivered after all. (Rare: charged as sent.)
      this.c.sim.at(at, this.lateRequestEvent, h2, serial, i);
      return;
    }
    this.wire.linkControl(h, this.wire.types.request, this.o.requestBytes, i, Overhead.Exchange);
  }

  /**
   * A queued request (piece i over half h of link `serial`, accepted under unchoke `epoch`)
   * reaches the front of its uploader's queue: served if still valid.
   */
  serveQueued(h: number, serial: number, i: number, epoch: number): boolean {
    const records = this.records;
    if (records.linkSerial[h] !== serial || records.linkState[h] !== Link.Open) return false;
    if (records.unchokeKind[h] === 0 || records.chokeEpoch[h] !== epoch) return false;
    const m = (h / this.k) | 0;
    if (
      records.memberState[m] !== Membership.Leeching &&
      records.memberState[m] !== Membership.Seeding
    )
      return false;
    this.sendPiece(m, h, serial, i);
    return true;
  }

  private sendPiece(m: number, h: number, serial: number, i: number): void {
    const records = this.records;
    const bytes = i === this.pieces - 1 ? this.lastPieceBytes : this.o.pieceBytes;
    const from = records.memberPeer[m];
    if (
      !this.c.transport.send(
        from,
        records.linkPeer[h],
        this.wire.types.piece,
        bytes,
        records.neighbourHalf[h],
        serial,
        i,
      )
    )
      return;
    this.stats.piecesServed++;
    const n = records.neighbourMember[h];
    const at = n * this.pieces + i;
    records.pieceOnWire[at] = 1;
    const second = records.secondRequestSlot[at];
    if (second >= 0) {
      // An endgame piece starts flowing: the requester withdraws its other request (it sees the
      // bytes coming; we let it act at once rather than one latency later).
      const slot = records.neighbourHalf[h] - n * this.k;
      const other = records.requestSlot[at] === slot ? second : records.requestSlot[at];
      records.requestSlot[at] = slot;
      records.secondRequestSlot[at] = NONE;
      if (other >= 0 && other !== slot) this.cancel(n * this.k + other, i);
    }
    // The source's rarity counters count its uploads of each piece (super-seeding).
    if (from === 0 && records.pieceAvailability[m * this.pieces + i] < MAX_AVAILABILITY)
      records.pieceAvailability[m * this.pieces + i]++;
  }

  /** Piece i arrives at `to` over half h of link `serial`. */
  onPiece(to: number, h: number, serial: number, i: number, bytes: number): void {
    const records = this.records;
    const m = (h / this.k) | 0;
    const hs = records.linkState[h];
    if (records.linkSerial[h] !== serial || (hs !== Link.Open && hs !== Link.Closing)) {
      this.waste(to, bytes);
      return;
    }
    const state = records.memberState[m];
    if (state !== Membership.Leeching && state !== Membership.Seeding) {
      this.waste(to, bytes);
      return;
    }
    records.receivedBytes[h] += bytes;
    records.lastActivityMicros[h] = this.c.sim.nowMicros;
    if (records.requestsInFlight[h] > 0) records.requestsInFlight[h]--;
    const at = m * this.pieces + i;
    const slot = h - m * this.k;
    const first = records.requestSlot[at];
    const second = records.secondRequestSlot[at];
    records.pieceOnWire[at] = 0;
    if (first >= 0) {
      records.requestSlot[at] = NONE;
      records.piecesRequested[m]--;
    }
    if (second >= 0) {
      records.secondRequestSlot[at] = NONE;
      // The other copy of an endgame request is no longer wanted.
      const other = first === slot ? second : first;
      if (other >= 0 && other !== slot) this.cancel(m * this.k + other, i);
    }
    if (records.pieceHeld[at] === 1) this.waste(to, bytes);
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
    const records = this.records;
    const now = this.c.sim.nowMicros;
    const P = this.pieces;
    const have = holdPiece(this.records, m, i, now);
    const pieceGotMicros = records.pieceGotMicros;
    const peer = records.memberPeer[m];
    const k = this.k;
    const hb = m * k;
    let aggregated = 0;
    const linkState = records.linkState;
    const neighbourMember = records.neighbourMember;
    const neighbourHalf = records.neighbourHalf;
    const unchokeKind = records.unchokeKind;
    const unchokedByNeighbour = records.unchokedByNeighbour;
    const requestsInFlight = records.requestsInFlight;
    const neighbourCountsUs = records.neighbourCountsUs;
    const pieceAvailability = records.pieceAvailability;
    const piecesHeld = records.piecesHeld;
    const slotFree = this.choker.slotFree(peer);
    let offer = NONE;
    let offerKey = -1;
    // Neighbours' rows are touched only where needed: they are what makes this loop costly.
    for (let j = 0; j < k; j++) {
      const h = hb + j;
      if (linkState[h] !== Link.Open) continue;
      const n = neighbourMember[h];
      // A complete neighbour picks no more pieces: its rarity counts no longer matter.
      if (neighbourCountsUs[h] === 1 && piecesHeld[n] < P) pieceAvailability[n * P + i]++;
      // A new piece may interest anyone again; interested() decides when a slot is filled.
      records.neighbourNotInterested[h] = 0;
      if (
        unchokeKind[h] !== 0 &&
        requestsInFlight[neighbourHalf[h]] === 0 &&
        records.pieceHeld[n * P + i] === 0 &&
        records.memberState[n] === Membership.Leeching
      ) {
        // This HAVE would wake a neighbour we unchoke that sits idle: it travels on its own.
        this.wire.linkControl(h, this.wire.types.haveWake, this.o.haveBytes, i, Overhead.Exchange);
      } else {
        this.haveReceivers[aggregated++] = records.linkPeer[h];
      }
      if (
        slotFree &&
        unchokeKind[h] === 0 &&
        pieceGotMicros[n * P + i] + records.linkLatencyMicros[h] > now
      ) {
        // A free slot, and as far as we know the neighbour lacks the piece: a candidate, ranked
        // as at a rechoke (by what it gave us), so that a free slot still rewards reciprocation.
        const key = records.receivedBytes[h] + records.rankKey[h];
        if (key > offerKey) {
          offer = h;
          offerKey = key;
        }
      }
      // An idle uploader of ours that held this piece may now hold nothing we lack: free its
      // slot (BitTorrent re-evaluates interest in every peer when a piece completes).
      if (
        unchokedByNeighbour[h] === 1 &&
        requestsInFlight[h] === 0 &&
        have < P &&
        this.knowledge.knows(n, i, now - records.linkLatencyMicros[h]) &&
        !this.knowledge.lacksFrom(m, n, records.linkLatencyMicros[h])
      ) {
        unchokedByNeighbour[h] = 0;
        this.wire.linkControl(
          h,
          this.wire.types.notInterested,
          this.o.messageBytes,
          0,
          Overhead.Exchange,
        );
      }
    }
    if (offer !== NONE) this.choker.offerSlot(peer, offer);
    const haveEach = this.o.haveBytes + this.o.headerBytes;
    if (
      aggregated > 0 &&
      this.c.transport.sendFanOut(
        peer,
        this.wire.types.have,
        haveEach,
        this.haveReceivers,
        aggregated,
      ) >= 0
    ) {
      // The other neighbours' HAVEs: charged on our uplink and on each neighbour's downlink;
      // what they teach follows from the latency, so they need no delivery event.
      this.stats.exchangeBytes += aggregated * haveEach;
    }
    if (this.progressive && peer !== 0) this.feeder.feedPrefix(m);
    if (records.piecesHeld[m] === P) this.complete(m);
  }

  /** The slice is complete: the player gets it (file mode); the member seeds for a while. */
  private complete(m: number): void {
    const records = this.records;
    const now = this.c.sim.nowMicros;
    records.memberState[m] = Membership.Seeding;
    records.completedMicros[m] = now;
    this.stats.slicesCompleted++;
    this.stats.downloadMicrosSum += now - records.enteredMicros[m];
    const r = records.memberSlice[m] % this.ring.size;
    this.ring.completions[r]++;
    this.ring.downloadMicros[r] += now - records.enteredMicros[m];
    this.ring.lastDone[r] = now;
    this.feeder.feedAll(m);
    // Nothing more to ask anyone for: free the slots of those who unchoked us.
    const hb = m * this.k;
    for (let j = 0; j < this.k; j++) {
      const h = hb + j;
      records.requestsInFlight[h] = 0;
      if (records.linkState[h] === Link.Open && records.unchokedByNeighbour[h] === 1) {
        records.unchokedByNeighbour[h] = 0;
        this.wire.linkControl(
          h,
          this.wire.types.notInterested,
          this.o.messageBytes,
          0,
          Overhead.Exchange,
        );
      }
    }
    this.completed(m);
  }

  /** Withdraws a request for piece i made through half h (the uploader drops it if queued). */
  private cancel(h: number, i: number): void {
    const records = this.records;
    if (records.linkState[h] !== Link.Open && records.linkState[h] !== Link.Closing) return;
    if (records.requestsInFlight[h] > 0) records.requestsInFlight[h]--;
    if (records.linkState[h] === Link.Open)
      this.wire.linkControl(h, this.wire.types.cancel, this.o.requestBytes, i, Overhead.Exchange);
  }

  /** Requests came back to the pool: ask the unchoking neighbours again. */
  afterRelease(m: number): void {
    const hb = m * this.k;
    for (let j = 0; j < this.k; j++) {
      const h = hb + j;
      if (this.records.linkState[h] === Link.Open && this.records.unchokedByNeighbour[h] === 1)
        this.pump(h);
    }
  }
}
