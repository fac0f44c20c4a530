import { OverlayEvent } from "../../metrics/probe.ts";
import { Traffic } from "../../network/transport.ts";
import { IndexedSet } from "../shared/indexedSet.ts";
import type { StrategyContext } from "../types.ts";
import type { PartnerTable } from "./partners.ts";

/** How a mesh finds and keeps partners. */
export interface MembershipOptions {
  /** Prefix of the message and event names (`mesh`, `live`). */
  prefix: string;
  /** Partners a peer seeks: below this it asks the tracker for more. */
  target: number;
  /** Peers the tracker returns per query. */
  candidates: number;
  /** Size of a membership message, bytes. */
  controlBytes: number;
  /** Wait before asking the tracker again when a query left the peer short, µs. */
  retryMicros: number;
}

/**
 * Membership of a random mesh, shared by mesh pull and live swarming. A tracker beside the
 * source (node 0) knows which peers are online (an exact view; SCAMP's gossiped partial views
 * would give each peer a similar uniform sample). A peer with fewer than `target` partners asks
 * it for `candidates` peers drawn uniformly among those online (the source first while it has
 * room), and asks as many as it lacks to become partners; a node accepts while its partner table
 * has room. Partnership is symmetric. A peer still short `retry` after a query asks again.
 *
 * A graceful leaver says goodbye to each partner (one message each); after an abrupt departure
 * each partner notices after the detection delay. Either way, and when a partner drops it, a
 * peer then seeks a replacement. Partnerships lost count as partner churn.
 */
export class Membership {
  /** The tracker's view: peers online. */
  readonly tracker: IndexedSet;
  /** 1 per node online (the source from the start). */
  readonly online: Uint8Array;
  /** Partnerships peers lost (partner departed or dropped them, or they dropped a partner). */
  partnersLost = 0;
  /** Of those, partners that departed. */
  partnerDepartures = 0;
  /** Of those, partnerships the other side ended. */
  droppedByPartner = 0;
  /** Of those, partners dropped for being slow. */
  slowDrops = 0;
  /** Tracker queries sent. */
  trackerQueries = 0;

  private readonly c: StrategyContext;
  private readonly table: PartnerTable;
  private readonly o: MembershipOptions;
  private readonly onLost: (node: number, gone: number) => void;
  private readonly seeking: Uint8Array;
  private readonly seekVersion: Uint32Array;
  /** 0: fed; 2: has lost every partner; 1: has partners again, but no data yet. */
  private readonly orphaned: Uint8Array;
  private readonly candidates: Int32Array;
  private readonly joinMicros: Float64Array;
  private onlineMicros = 0;
  private readonly msgQuery: number;
  private readonly msgReply: number;
  private readonly msgPartner: number;
  private readonly msgAccept: number;
  private readonly msgUnpartner: number;
  private readonly evSeekCheck: number;
  private readonly evDetect: number;

  /** @param onLost called when `node` has just removed `gone` from its partners. */
  constructor(
    context: StrategyContext,
    table: PartnerTable,
    options: MembershipOptions,
    onLost: (node: number, gone: number) => void,
  ) {
    this.c = context;
    this.table = table;
    this.o = options;
    this.onLost = onLost;
    const n = context.nodes;
    this.tracker = new IndexedSet(n);
    this.online = new Uint8Array(n);
    this.online[0] = 1;
    this.seeking = new Uint8Array(n);
    this.seekVersion = new Uint32Array(n);
    this.orphaned = new Uint8Array(n);
    this.candidates = new Int32Array(n * options.candidates);
    this.joinMicros = new Float64Array(n);
    const t = context.transport;
    const ctl = Traffic.Control;
    const p = options.prefix;
    this.msgQuery = t.register(`${p}/query`, ctl, (from, _to, v) => this.onQuery(from, v));
    this.msgReply = t.register(`${p}/reply`, ctl, (_from, to, v, count) =>
      this.onReply(to, v, count),
    );
    this.msgPartner = t.register(`${p}/partner`, ctl, (from, to) => this.onPartnerAsk(to, from));
    this.msgAccept = t.register(`${p}/accept`, ctl, (from, to, accepted) => {
      if (accepted === 1) this.onAccept(to, from);
    });
    this.msgUnpartner = t.register(`${p}/unpartner`, ctl, (from, to, departed) =>
      this.lose(to, from, departed === 1),
    );
    const sim = context.sim;
    this.evSeekCheck = sim.register(`${p}/seek-check`, ["peer", "version"], (peer, v) => {
      if (!this.online[peer] || this.seekVersion[peer] !== v) return;
      this.seeking[peer] = 0;
      if (this.table.count[peer] < this.o.target) this.seek(peer, false);
    });
    this.evDetect = sim.register(`${p}/detect-departure`, ["node", "gone"], (node, gone) =>
      this.lose(node, gone, true),
    );
  }

  /** A peer joins: it is online, known to the tracker, and seeks partners. */
  join(peer: number): void {
    this.online[peer] = 1;
    this.joinMicros[peer] = this.c.sim.nowMicros;
    this.tracker.add(peer);
    this.seek(peer, false);
  }

  /** A peer leaves: goodbyes (graceful) or later detection (abrupt) at each partner. */
  leave(peer: number, abrupt: boolean): void {
    this.online[peer] = 0;
    this.onlineMicros += this.c.sim.nowMicros - this.joinMicros[peer];
    this.tracker.delete(peer);
    const table = this.table;
    const base = table.base(peer);
    for (let e = base; e < base + table.capacity(peer); e++) {
      const q = table.partner[e];
      if (q < 0) continue;
      if (abrupt) this.c.sim.after(this.c.detectionDelayMicros, this.evDetect, q, peer);
      else this.c.transport.send(peer, q, this.msgUnpartner, this.o.controlBytes, 1);
      table.remove(peer, e);
    }
  }

  /** Peer-hours online up to `nowMicros`, over every session so far. */
  peerHours(nowMicros: number): number {
    let online = this.onlineMicros;
    for (let i = 0; i < this.tracker.size; i++) {
      online += nowMicros - this.joinMicros[this.tracker.at(i)];
    }
    return online / 3600e6;
  }

  /** `peer` drops the partner of `edge` for being slow, tells it, and seeks a replacement. */
  dropSlow(peer: number, edge: number): void {
    const gone = this.table.partner[edge];
    if (gone < 0) return;
    this.c.transport.send(peer, gone, this.msgUnpartner, this.o.controlBytes, 0);
    this.table.remove(peer, edge);
    this.onLost(peer, gone);
    this.partnersLost++;
    this.slowDrops++;
    this.afterLoss(peer);
  }

  /** Stream data reached `peer`: an orphan has recovered. */
  fed(peer: number): void {
    if (this.orphaned[peer] === 0) return;
    this.orphaned[peer] = 0;
    this.c.probe.emitOverlay(peer, this.c.sim.nowMicros, OverlayEvent.Recovered);
  }

  /** Asks the tracker for candidates (unless a query is under way). */
  private seek(peer: number, replacing: boolean): void {
    if (this.seeking[peer]) return;
    this.seeking[peer] = 1;
    const v = ++this.seekVersion[peer];
    this.trackerQueries++;
    if (replacing) this.c.probe.emitOverlay(peer, this.c.sim.nowMicros, OverlayEvent.Rejoin);
    this.c.transport.send(peer, 0, this.msgQuery, this.o.controlBytes, v);
  }

  /** At the tracker: a uniform sample of online peers, the source first while it has room. */
  private onQuery(peer: number, v: number): void {
    const want = this.o.candidates;
    const row = peer * want;
    let count = 0;
    if (this.table.hasRoom(0)) this.candidates[row + count++] = 0;
    const size = this.tracker.size;
    const random = this.c.random;
    for (let tries = 0; count < want && tries < 4 * want && size > 1; tries++) {
      const q = this.tracker.at(random.int(size));
      if (q === peer) continue;
      let seen = false;
      for (let i = 0; i < count; i++) if (this.candidates[row + i] === q) seen = true;
      if (!seen) this.candidates[row + count++] = q;
    }
    this.c.transport.send(0, peer, this.msgReply, this.o.controlBytes + 4 * count, v, count);
  }

  private onReply(peer: number, v: number, count: number): void {
    if (!this.online[peer] || this.seekVersion[peer] !== v) return;
    const row = peer * this.o.candidates;
    let lacking = this.o.target - this.table.count[peer];
    for (let i = 0; i < count && lacking > 0; i++) {
      const q = this.candidates[row + i];
      if (this.table.find(peer, q) >= 0) continue;
      this.c.transport.send(peer, q, this.msgPartner, this.o.controlBytes);
      lacking--;
    }
    this.c.sim.after(this.o.retryMicros, this.evSeekCheck, peer, v);
  }

  /** At a candidate: accept while there is room (a refusal is sent and otherwise ignored). */
  private onPartnerAsk(node: number, asker: number): void {
    if (!this.online[node]) return;
    const accepted = this.table.add(node, asker) >= 0;
    this.c.transport.send(node, asker, this.msgAccept, this.o.controlBytes, accepted ? 1 : 0);
  }

  private onAccept(peer: number, partner: number): void {
    if (!this.online[peer]) return;
    if (this.table.add(peer, partner) >= 0) {
      if (this.orphaned[peer] === 2) this.orphaned[peer] = 1;
      return;
    }
    // Full meanwhile (or already partners): undo the acceptor's side.
    if (this.table.find(peer, partner) < 0) {
      this.c.transport.send(peer, partner, this.msgUnpartner, this.o.controlBytes, 0);
    }
  }

  /** `node` learns that `gone` is no longer its partner (it left, or dropped `node`). */
  private lose(node: number, gone: number, departed: boolean): void {
    if (!this.online[node]) return;
    const edge = this.table.find(node, gone);
    if (edge < 0) return;
    this.table.remove(node, edge);
    this.onLost(node, gone);
    if (node === 0) return;
    this.partnersLost++;
    if (departed) this.partnerDepartures++;
    else this.droppedByPartner++;
    this.afterLoss(node);
  }

  private afterLoss(peer: number): void {
    if (this.table.count[peer] === 0 && this.orphaned[peer] === 0) {
      this.orphaned[peer] = 2;
      this.c.probe.emitOverlay(peer, this.c.sim.nowMicros, OverlayEvent.Orphaned);
    }
    if (this.table.count[peer] < this.o.target) this.seek(peer, true);
  }
}
