import { Traffic } from "../../network/transport.ts";
import { Receive } from "../../player/player.ts";
import { secondsToMicros } from "../../scenario/units.ts";
import type { StrategyContext } from "../types.ts";
import { BufferRing } from "./bufferRing.ts";
import { creditArrival, PullCounters, settleRequest } from "./delivery.ts";
import { Membership } from "./membership.ts";
import { MeshGauges } from "./meshGauges.ts";
import { PartnerTable } from "./partners.ts";

/**
 * The options both pull strategies read alike, from YAML fields of the same names (their option
 * types document the defaults). Times in seconds, sizes in bytes.
 */
export interface PullMeshOptions {
  /** Peers the tracker returns per query (`candidates`). */
  candidates: number;
  /** Size of a membership message, request or refusal, bytes (`controlBytes`). */
  controlBytes: number;
  /** Wait before asking the tracker again when a query left the peer short (`retry`). */
  retrySeconds: number;
  /** Span of stream a peer keeps and advertises (`window`), rounded up to whole chunks. */
  windowSeconds: number;
  /** Seconds of work a supplier's uplink may hold before it refuses requests (`requestHorizon`). */
  requestHorizonSeconds: number;
}

/** How each pull strategy names and sizes its mesh where they differ. */
export interface PullMeshSettings {
  /** Prefix of the message and event names (`mesh`, `live`). */
  prefix: string;
  /** Name of the data message (`chunk`, `piece`): `<prefix>/<dataName>`. */
  dataName: string;
  /** Partners a peer seeks: below this it asks the tracker for more. */
  target: number;
  /** Most partners a peer keeps. */
  maxPartners: number;
  /** Most partners the source keeps. */
  sourcePartners: number;
  /**
   * Period of the strategy's per-peer tick, µs: partners read a leaver's holdings for the
   * detection delay plus one period, so its ring closes only then.
   */
  periodMicros: number;
}

/** What a pull strategy does when its messages arrive and when a peer loses a partner. */
export interface PullHandlers {
  /** `node` is asked for `chunk` by `requester`. */
  request(node: number, requester: number, chunk: number): void;
  /** `supplier` refused `peer`'s request for `chunk`; `why` is the strategy's reason code. */
  refused(peer: number, supplier: number, chunk: number, why: number): void;
  /** `chunk` (`bytes` long) from `supplier` reached `peer`. */
  data(peer: number, supplier: number, chunk: number, bytes: number): void;
  /** `node` has just removed `gone` from its partners (its requests there are cleared). */
  lost?(node: number, gone: number): void;
}

/**
 * The random partner mesh both pull strategies (mesh pull and live swarming) are built on: the
 * partner table, each peer's ring of recent chunks and requests, the tracker membership, the
 * mesh gauges and the request counters, with the request, refusal and data messages and the
 * delayed closing of a leaver's ring. The strategies differ in how they learn what partners hold
 * and in whom they ask for what; this part owns what they do alike.
 */
export class PullMesh {
  readonly table: PartnerTable;
  readonly ring: BufferRing;
  readonly members: Membership;
  readonly gauges: MeshGauges;
  readonly counters = new PullCounters();
  /** Bits of one chunk. */
  readonly chunkBits: number;
  /** The request horizon, µs. */
  readonly horizonMicros: number;

  private readonly c: StrategyContext;
  private readonly controlBytes: number;
  private readonly periodMicros: number;
  private readonly msgRequest: number;
  private readonly msgRefuse: number;
  private readonly msgData: number;
  private readonly evClose: number;

  constructor(
    context: StrategyContext,
    options: PullMeshOptions,
    settings: PullMeshSettings,
    on: PullHandlers,
  ) {
    this.c = context;
    this.controlBytes = options.controlBytes;
    this.periodMicros = settings.periodMicros;
    const n = context.nodes;
    const stream = context.stream;
    this.table = new PartnerTable(
      n,
      settings.maxPartners,
      settings.sourcePartners,
      stream.bitrateBitsPerSecond,
    );
    const windowChunks = Math.max(
      1,
      Math.ceil(secondsToMicros(options.windowSeconds) / stream.chunkMicros),
    );
    this.ring = new BufferRing(n, windowChunks, stream.chunkMicros, stream.chunkCount);
    this.chunkBits = stream.chunkBytes * 8;
    this.horizonMicros = secondsToMicros(options.requestHorizonSeconds);
    this.gauges = new MeshGauges(n, context.probe, this.table, this.ring);
    const p = settings.prefix;
    this.members = new Membership(
      context,
      this.table,
      {
        prefix: p,
        target: settings.target,
        candidates: options.candidates,
        controlBytes: options.controlBytes,
        retryMicros: Math.max(1, secondsToMicros(options.retrySeconds)),
      },
      (node, gone) => {
        this.ring.clearRequestsTo(node, gone);
        on.lost?.(node, gone);
      },
    );
    const t = context.transport;
    const ctl = Traffic.Control;
    this.msgRequest = t.register(`${p}/request`, ctl, (from, to, chunk) =>
      on.request(to, from, chunk),
    );
    this.msgRefuse = t.register(`${p}/refuse`, ctl, (from, to, chunk, why) =>
      on.refused(to, from, chunk, why),
    );
    this.msgData = t.register(
      `${p}/${settings.dataName}`,
      Traffic.Data,
      (from, to, chunk, _p, bytes) => on.data(to, from, chunk, bytes),
    );
    this.evClose = context.sim.register(`${p}/close-ring`, ["peer"], (peer) =>
      this.ring.close(peer),
    );
  }

  /** Whether `node` is online (the source always is). */
  online(node: number): boolean {
    return this.members.online[node] === 1;
  }

  /**
   * `peer` leaves: its session gauges are emitted and its partners dropped; its ring closes
   * once its partners can have learnt that it left.
   */
  leave(peer: number, abrupt: boolean): void {
    this.gauges.emitSession(peer, this.c.sim.nowMicros);
    this.members.leave(peer, abrupt);
    this.c.sim.after(this.c.detectionDelayMicros + this.periodMicros, this.evClose, peer);
  }

  /**
   * At the end of the run: emits the session gauges of the peers still online and returns the
   * partner figures both strategies report first in their summaries.
   */
  finish(nowMicros: number): { partnerChurnPerPeerHour: number; partnerDepartures: number } {
    const members = this.members;
    for (let i = 0; i < members.tracker.size; i++) {
      this.gauges.emitSession(members.tracker.at(i), nowMicros);
    }
    const peerHours = members.peerHours(nowMicros);
    return {
      partnerChurnPerPeerHour: peerHours > 0 ? members.partnersLost / peerHours : 0,
      partnerDepartures: members.partnerDepartures,
    };
  }

  /** Mean partners and buffer-map fill over the online peers. */
  sample(): Record<string, number> {
    return this.gauges.sample(this.members.tracker);
  }

  /** `peer` asks `supplier` for `chunk` (counted); false when the message was dropped. */
  request(peer: number, supplier: number, chunk: number): boolean {
    this.counters.requestsSent++;
    return this.c.transport.send(peer, supplier, this.msgRequest, this.controlBytes, chunk);
  }

  /**
   * At `node`: sends `chunk` to `requester` unless its uplink already holds more than the
   * request horizon. Returns 0 when it was sent, else how busy `node` is: the backlog beyond
   * the horizon, µs, at least 1 (1 also when the transport dropped the chunk).
   */
  serve(node: number, requester: number, chunk: number): number {
    const t = this.c.transport;
    const over = t.uplinkBacklogMicros(node) - this.horizonMicros;
    if (over > 0 || !t.send(node, requester, this.msgData, this.c.stream.chunkBytes, chunk)) {
      return Math.max(1, over);
    }
    return 0;
  }

  /** `node` refuses `requester`'s request for `chunk`, giving the strategy's reason `why`. */
  refuse(node: number, requester: number, chunk: number, why: number): void {
    this.c.transport.send(node, requester, this.msgRefuse, this.controlBytes, chunk, why);
  }

  /**
   * `supplier` refused `peer`'s request for `chunk`: settles the request and counts the
   * refusal by its reason. Returns the partner's edge if a request to it stood, else -1.
   */
  refused(peer: number, supplier: number, chunk: number, notHeld: boolean): number {
    const matched = settleRequest(this.ring, this.table, peer, supplier, chunk);
    if (notHeld) this.counters.refusedNotHeld++;
    else this.counters.refusedBusy++;
    return matched;
  }

  /**
   * A chunk of `bytes` reached `peer` at `nowMicros`: the player gets it, a new chunk goes into
   * the peer's ring, a duplicate is counted (and reported to the probe), and the peer counts as
   * fed. Returns whether the chunk was new.
   */
  receive(peer: number, chunk: number, bytes: number, nowMicros: number): boolean {
    const result = this.c.players.receive(peer, chunk);
    if (result === Receive.New) {
      this.ring.store(peer, chunk, nowMicros);
    } else if (result === Receive.Duplicate) {
      this.counters.duplicateBytes += bytes;
      this.c.probe.emitDuplicate(peer, bytes);
    }
    this.members.fed(peer);
    return result === Receive.New;
  }

  /**
   * Settles the request a chunk from `supplier` answered and measures the supplier (see
   * {@link creditArrival}). Returns the supplier's edge, or -1 when it is not a partner.
   */
  credit(peer: number, supplier: number, chunk: number, bytes: number, nowMicros: number): number {
    return creditArrival(this.ring, this.table, peer, supplier, chunk, bytes, nowMicros);
  }
}
