import { type NetworkModel, Traffic } from "../../network/transport.ts";
import { Receive } from "../../player/player.ts";
import type { StrategyContext } from "../types.ts";
import type { BufferRing } from "./bufferRing.ts";
import type { Membership } from "./membership.ts";
import type { PartnerTable } from "./partners.ts";

/**
 * Clears `peer`'s request for `chunk` if it still stands and went to `supplier`, and frees its
 * place in that partner's queue. Returns the partner's edge, or -1 when no such request stood.
 */
export function settleRequest(
  ring: BufferRing,
  table: PartnerTable,
  peer: number,
  supplier: number,
  chunk: number,
): number {
  const entry = ring.entry(peer, chunk);
  if (entry < 0 || ring.requestedChunk(entry) !== chunk) return -1;
  if (ring.requestedFrom(entry) !== supplier) return -1;
  ring.clearRequest(entry);
  const edge = table.find(peer, supplier);
  if (edge >= 0 && table.outstanding[edge] > 0) table.outstanding[edge]--;
  return edge;
}

/**
 * A chunk of `bytes` from `supplier` reached `peer` at `nowMicros`: settles the request and
 * measures the supplier's throughput as the chunk's bits over the time since it was asked for
 * or since the previous chunk from it arrived, whichever is later (its service interval).
 * Returns the supplier's edge (even for a chunk no standing request asked for), or -1 when the
 * supplier is not a partner.
 */
export function creditArrival(
  ring: BufferRing,
  table: PartnerTable,
  peer: number,
  supplier: number,
  chunk: number,
  bytes: number,
  nowMicros: number,
): number {
  const entry = ring.entry(peer, chunk);
  const requestedAt =
    entry >= 0 && ring.requestedChunk(entry) === chunk ? ring.requestedAt(entry) : -1;
  const matched = settleRequest(ring, table, peer, supplier, chunk);
  const edge = matched >= 0 ? matched : table.find(peer, supplier);
  if (edge < 0) return -1;
  const since = Math.max(requestedAt, table.lastArriveMicros[edge]);
  if (matched >= 0 && requestedAt >= 0 && nowMicros > since) {
    table.measure(edge, (bytes * 8 * 1e6) / (nowMicros - since));
  }
  table.lastArriveMicros[edge] = nowMicros;
  return edge;
}

/** What a pull strategy's requests came to, for its summary. */
export class PullCounters {
  /** Requests sent, requests given up after their timeout, refusals by reason. */
  requestsSent = 0;
  requestTimeouts = 0;
  refusedNotHeld = 0;
  refusedBusy = 0;
  /** Bytes of chunks that arrived for a peer that already had them. */
  duplicateBytes = 0;

  /** The summary fields, named as both pull strategies report them. */
  fields(): Record<string, number> {
    return {
      requestsSent: this.requestsSent,
      requestTimeouts: this.requestTimeouts,
      requestsRefusedNotHeld: this.refusedNotHeld,
      requestsRefusedBusy: this.refusedBusy,
      duplicateRequestBytes: this.duplicateBytes,
    };
  }
}

/**
 * A chunk of `bytes` reached `peer` at `nowMicros`: the player gets it, a new chunk goes into
 * the peer's ring, a duplicate is counted (and reported to the probe), and the peer counts as
 * fed. Returns whether the chunk was new.
 */
export function receiveChunk(
  context: StrategyContext,
  ring: BufferRing,
  members: Membership,
  counters: PullCounters,
  peer: number,
  chunk: number,
  bytes: number,
  nowMicros: number,
): boolean {
  const result = context.players.receive(peer, chunk);
  if (result === Receive.New) {
    ring.store(peer, chunk, nowMicros);
  } else if (result === Receive.Duplicate) {
    counters.duplicateBytes += bytes;
    context.probe.emitDuplicate(peer, bytes);
  }
  members.fed(peer);
  return result === Receive.New;
}

/** What a pull strategy does when its request, refusal and data messages arrive. */
export interface PullHandlers {
  /** `node` is asked for `chunk` by `requester`. */
  request(node: number, requester: number, chunk: number): void;
  /** `supplier` refused `peer`'s request for `chunk`; `why` is the strategy's reason code. */
  refused(peer: number, supplier: number, chunk: number, why: number): void;
  /** `chunk` (`bytes` long) from `supplier` reached `peer`. */
  data(peer: number, supplier: number, chunk: number, bytes: number): void;
}

/**
 * Registers a pull strategy's request and refusal (control) and chunk (data) messages as
 * `<prefix>/request`, `<prefix>/refuse` and `<prefix>/<dataName>`; returns their type ids.
 */
export function registerPullMessages(
  transport: NetworkModel,
  prefix: string,
  dataName: string,
  on: PullHandlers,
): { request: number; refuse: number; data: number } {
  const ctl = Traffic.Control;
  return {
    request: transport.register(`${prefix}/request`, ctl, (from, to, chunk) =>
      on.request(to, from, chunk),
    ),
    refuse: transport.register(`${prefix}/refuse`, ctl, (from, to, chunk, why) =>
      on.refused(to, from, chunk, why),
    ),
    data: transport.register(`${prefix}/${dataName}`, Traffic.Data, (from, to, chunk, _p, bytes) =>
      on.data(to, from, chunk, bytes),
    ),
  };
}
