import type { StrategyContext } from "../types.ts";
import type { PieceExchange } from "./exchange.ts";
import { type SwarmCommonParts, SwarmLinkPart } from "./linkPart.ts";
import type { MinuteSwarmingOptions } from "./options.ts";
import { releaseRequests } from "./pieces.ts";
import { Link, Membership, NONE } from "./records.ts";
import { Overhead } from "./wire.ts";

/**
 * The connections of the swarms: the handshake state machine (handshake one way, handshake and
 * bitfield back, bitfield again: one and a half round trips), opening a link (the neighbour's
 * pieces start to count for rarity, and we may unchoke it), closing a half (after a close, a
 * reject, a timeout or a departure), and dropping links that went silent.
 *
 * Half states ({@link Link}): Free -> Connecting (we sent a handshake) -> Open; or Free ->
 * AwaitingBitfield (we answered one) -> Open; Open -> Closing when the neighbour closed its half
 * and its goodbye is on the way.
 */
export class SwarmLinks extends SwarmLinkPart {
  private readonly exchange: PieceExchange;
  /** Bytes of a bitfield message: a header and one bit per piece. */
  private readonly bitfieldBytes: number;

  constructor(
    context: StrategyContext,
    options: MinuteSwarmingOptions,
    parts: SwarmCommonParts & { exchange: PieceExchange },
  ) {
    super(context, options, parts);
    this.exchange = parts.exchange;
    this.bitfieldBytes = 5 + Math.ceil(this.pieces / 8);
  }

  connect(m: number, q: number): void {
    const records = this.records;
    const h = records.freeHalf(m);
    if (h < 0) return;
    const serial = this.records.nextSerial();
    records.linkState[h] = Link.Connecting;
    records.linkPeer[h] = q;
    records.linkSerial[h] = serial;
    records.lastActivityMicros[h] = this.c.sim.nowMicros;
    records.linkCount[m]++;
    this.stats.handshakeAttempts++;
    this.wire.control(
      records.memberPeer[m],
      q,
      this.wire.types.handshake,
      this.o.handshakeBytes,
      h,
      serial,
      0,
      Overhead.Formation,
    );
  }

  /**
   * An incoming handshake for the initiator's half h of link `serial`: accept (answering with
   * our bitfield and the slot of our half) when there is room.
   */
  onHandshake(from: number, to: number, h: number, serial: number): void {
    const records = this.records;
    if (records.linkSerial[h] !== serial || records.linkState[h] !== Link.Connecting) return;
    const slice = records.memberSlice[(h / this.k) | 0];
    const mq = records.membershipOf(to, slice);
    let ok =
      mq !== NONE &&
      (records.memberState[mq] === Membership.Leeching ||
        records.memberState[mq] === Membership.Seeding);
    if (ok && records.linkCount[mq] >= this.k) ok = false;
    if (ok && records.linked(mq, from)) ok = false;
    if (!ok) {
      this.wire.control(
        to,
        from,
        this.wire.types.reject,
        this.o.messageBytes,
        h,
        serial,
        0,
        Overhead.Formation,
      );
      return;
    }
    const h2 = records.freeHalf(mq);
    records.linkState[h2] = Link.AwaitingBitfield;
    records.linkPeer[h2] = from;
    records.neighbourMember[h2] = (h / this.k) | 0;
    records.neighbourHalf[h2] = h;
    records.linkSerial[h2] = serial;
    records.linkLatencyMicros[h2] = this.c.transport.latencyMicros(from, to);
    records.lastActivityMicros[h2] = this.c.sim.nowMicros;
    records.linkCount[mq]++;
    this.wire.control(
      to,
      from,
      this.wire.types.handshakeAck,
      this.o.handshakeBytes + this.bitfieldBytes,
      h,
      serial,
      h2 - mq * this.k,
      Overhead.Formation,
    );
  }

  /**
   * Our handshake (half h, link `serial`) was accepted into the neighbour's slot `slot`: the
   * link opens on our side; we send our bitfield.
   */
  onHandshakeAck(from: number, to: number, h: number, serial: number, slot: number): void {
    const records = this.records;
    if (records.linkSerial[h] !== serial || records.linkState[h] !== Link.Connecting) return;
    const m = (h / this.k) | 0;
    const mq = records.membershipOf(from, records.memberSlice[m]);
    const h2 = mq === NONE ? NONE : mq * this.k + slot;
    if (h2 === NONE || records.linkSerial[h2] !== serial) {
      this.closeHalf(h);
      return;
    }
    if (records.memberState[m] === Membership.Gone) {
      // We left while the handshake was under way: say so, so the neighbour frees its half.
      this.wire.control(
        to,
        from,
        this.wire.types.close,
        this.o.messageBytes,
        h2,
        serial,
        0,
        Overhead.Formation,
      );
      return;
    }
    records.neighbourMember[h] = mq;
    records.neighbourHalf[h] = h2;
    records.linkLatencyMicros[h] = this.c.transport.latencyMicros(from, to);
    this.stats.handshakes++;
    this.wire.control(
      to,
      from,
      this.wire.types.bitfield,
      this.bitfieldBytes,
      h2,
      serial,
      0,
      Overhead.Formation,
    );
    this.open(h);
  }

  onBitfield(h: number, serial: number): void {
    const records = this.records;
    if (!this.wire.linkValid(h, serial) || records.linkState[h] !== Link.AwaitingBitfield) return;
    if (records.memberState[(h / this.k) | 0] === Membership.Gone) return;
    // The initiator's record must still be the one that sent it (it may have left since).
    const h2 = records.neighbourHalf[h];
    if (records.linkSerial[h2] !== records.linkSerial[h]) {
      this.closeHalf(h);
      return;
    }
    this.open(h);
  }

  /** A half opens: the neighbour's pieces count for rarity; we may unchoke it at once. */
  private open(h: number): void {
    const records = this.records;
    const m = (h / this.k) | 0;
    records.linkState[h] = Link.Open;
    records.lastActivityMicros[h] = this.c.sim.nowMicros;
    records.rankKey[h] = this.c.random.next();
    const P = this.pieces;
    const n = records.neighbourMember[h];
    const mb = m * P;
    const nb = n * P;
    for (let i = 0; i < P; i++)
      if (records.pieceHeld[nb + i] === 1) records.pieceAvailability[mb + i]++;
    records.countingNeighbour[h] = 1;
    // Our half is open only while the neighbour's is linked to it (it marks ours closing when it
    // closes), so the pair is valid here.
    records.neighbourCountsUs[records.neighbourHalf[h]] = 1;
    const peer = records.memberPeer[m];
    if (this.knowledge.interested(h)) this.choker.offerSlot(peer, h);
  }

  /**
   * Closes our half of a link (after a close, a reject, a timeout, or noticing a departure):
   * rarity counts drop on both sides, requests through it return to the pool and are made
   * elsewhere, and an upload slot it held frees.
   */
  closeHalf(h: number): void {
    const records = this.records;
    const state = records.linkState[h];
    if (state === Link.Free) return;
    const m = (h / this.k) | 0;
    const peer = records.memberPeer[m];
    const serial = records.linkSerial[h];
    const n = records.neighbourMember[h];
    const h2 = records.neighbourHalf[h];
    if (records.countingNeighbour[h] === 1) this.knowledge.uncount(m, n);
    if (h2 >= 0 && records.linkSerial[h2] === serial) {
      if (records.countingNeighbour[h2] === 1) this.knowledge.uncount(n, m);
      records.countingNeighbour[h2] = 0;
      records.neighbourCountsUs[h2] = 0;
    }
    const released = records.requestsInFlight[h] > 0 ? releaseRequests(this.records, h) : false;
    const slotFreed = records.unchokeKind[h] !== 0;
    if (slotFreed) this.choker.chokeLocal(h);
    if (h2 >= 0 && records.linkSerial[h2] === serial && records.linkState[h2] === Link.Open) {
      records.linkState[h2] = Link.Closing;
      records.lastActivityMicros[h2] = this.c.sim.nowMicros;
    }
    records.linkCount[m]--;
    records.clearHalf(h);
    const alive = records.isLive(m);
    if (alive && released) this.exchange.afterRelease(m);
    if (alive && slotFreed && this.online[peer]) this.choker.fill(peer);
  }

  /** The neighbour refused our handshake: our half closes. */
  onReject(h: number, serial: number): void {
    if (this.wire.linkValid(h, serial) && this.records.linkState[h] === Link.Connecting) {
      this.stats.handshakeRejects++;
      this.closeHalf(h);
    }
  }

  /** The neighbour closed the link: our half closes too. */
  onClose(h: number, serial: number): void {
    if (this.wire.linkValid(h, serial)) this.closeHalf(h);
  }

  /**
   * Drops membership m's halves that have been silent for `limitMicros`: handshakes that got no
   * answer, and neighbours that stopped answering our requests (their requests go elsewhere).
   */
  dropSilent(m: number, nowMicros: number, limitMicros: number): void {
    const records = this.records;
    const end = (m + 1) * this.k;
    for (let h = m * this.k; h < end; h++) {
      const state = records.linkState[h];
      if (state === Link.Free || nowMicros - records.lastActivityMicros[h] < limitMicros) continue;
      if (state === Link.Connecting || state === Link.Closing) {
        this.closeHalf(h);
      } else if (state === Link.AwaitingBitfield) {
        this.wire.linkControl(h, this.wire.types.close, this.o.messageBytes, 0, Overhead.Formation);
        this.closeHalf(h);
      } else if (records.requestsInFlight[h] > 0) {
        this.stats.requestTimeouts++;
        this.wire.linkControl(h, this.wire.types.close, this.o.messageBytes, 0, Overhead.Formation);
        this.closeHalf(h);
      }
    }
  }
}
