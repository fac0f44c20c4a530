import type { BufferRing } from "./bufferRing.ts";
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
