import type { StrategyContext } from "../types.ts";
import type { MinuteSwarmingOptions } from "./options.ts";
import { Link, type SwarmRecords } from "./records.ts";
import type { SwarmStats } from "./stats.ts";

/** Which overhead counter a control message's bytes go to. */
export const Overhead = {
  /** Forming swarms: tracker traffic, handshakes, bitfields, closes. */
  Formation: 0,
  /** Exchanging pieces: requests, HAVEs, chokes, interest, cancels. */
  Exchange: 1,
} as const;

/** One of {@link Overhead}'s values. */
export type OverheadKind = (typeof Overhead)[keyof typeof Overhead];

/** The message types of the swarm protocol (transport type ids, set once by the strategy). */
export interface SwarmMessageTypes {
  announce: number;
  peers: number;
  stopped: number;
  leaving: number;
  handshake: number;
  handshakeAck: number;
  reject: number;
  bitfield: number;
  close: number;
  unchoke: number;
  choke: number;
  notInterested: number;
  request: number;
  piece: number;
  have: number;
  haveWake: number;
  cancel: number;
}

/**
 * How the swarm's parts send control messages: with the transport header added and the bytes
 * counted as formation or exchange overhead. Link messages go over a half link to the
 * neighbour's half and carry three payload words: the neighbour's half, the link's serial (so a
 * message for a link since closed, and its cell reused, is recognised and ignored) and a piece
 * (0 when the message is about none).
 */
export class SwarmWire {
  /** Message type ids; filled in when the strategy registers its messages. */
  readonly types: SwarmMessageTypes = {
    announce: -1,
    peers: -1,
    stopped: -1,
    leaving: -1,
    handshake: -1,
    handshakeAck: -1,
    reject: -1,
    bitfield: -1,
    close: -1,
    unchoke: -1,
    choke: -1,
    notInterested: -1,
    request: -1,
    piece: -1,
    have: -1,
    haveWake: -1,
    cancel: -1,
  };
  private readonly c: StrategyContext;
  private readonly o: MinuteSwarmingOptions;
  private readonly records: SwarmRecords;
  private readonly stats: SwarmStats;
  private readonly k: number;

  constructor(
    context: StrategyContext,
    options: MinuteSwarmingOptions,
    records: SwarmRecords,
    stats: SwarmStats,
  ) {
    this.c = context;
    this.o = options;
    this.records = records;
    this.stats = stats;
    this.k = records.k;
  }

  /**
   * Sends a control message (plus transport headers) with payload words `p0`, `p1`, `p2` and
   * counts its bytes.
   */
  control(
    from: number,
    to: number,
    type: number,
    bytes: number,
    p0: number,
    p1: number,
    p2: number,
    kind: OverheadKind,
  ): void {
    const total = bytes + this.o.headerBytes;
    if (!this.c.transport.send(from, to, type, total, p0, p1, p2)) return;
    if (kind === Overhead.Formation) this.stats.formationBytes += total;
    else this.stats.exchangeBytes += total;
  }

  /**
   * Sends a tracker message (formation overhead) whose payload words are a membership and its
   * serial (or a peer and 0).
   */
  tracker(from: number, to: number, type: number, bytes: number, p0: number, p1: number): void {
    this.control(from, to, type, bytes, p0, p1, 0, Overhead.Formation);
  }

  /** Sends a control message over the link of half h to the neighbour's half. */
  linkControl(h: number, type: number, bytes: number, piece: number, kind: OverheadKind): void {
    const records = this.records;
    const m = (h / this.k) | 0;
    this.control(
      records.memberPeer[m],
      records.linkPeer[h],
      type,
      bytes,
      records.neighbourHalf[h],
      records.linkSerial[h],
      piece,
      kind,
    );
  }

  /** True when `serial` names the current use of half h (and h is in use). */
  linkValid(h: number, serial: number): boolean {
    return this.records.linkSerial[h] === serial && this.records.linkState[h] !== Link.Free;
  }
}
