import type { Players } from "../../player/player.ts";
import type { BufferRing } from "../meshPull/bufferRing.ts";
import type { PartnerTable } from "../meshPull/partners.ts";

/** Most candidates beyond the urgent span whose rarity a pick weighs (a cost limit). */
const RARITY_CANDIDATES = 8;

/**
 * Which piece a live-swarm peer asks a neighbour for. A peer knows a neighbour holds a piece
 * once the neighbour's HAVE has had time to arrive (one one-way latency after the piece did).
 * Only pieces inside the window (the W chunks ending at the live edge) count; older ones are
 * dropped. Near the playhead (`urgentChunks` from the playout point) the earliest deadline
 * comes first; beyond, the rarest among the peer's neighbours (ties: the earliest), weighing
 * the first few candidates only.
 */
export class LivePicker {
  /** Per peer: every chunk from its playout point up to this one is held (a scan hint). */
  private readonly heldBelow: Float64Array;

  constructor(
    private readonly players: Players,
    private readonly table: PartnerTable,
    private readonly ring: BufferRing,
    private readonly latencyMicros: (a: number, b: number) => number,
    private readonly urgentChunks: number,
  ) {
    this.heldBelow = new Float64Array(table.count.length).fill(-1);
  }

  /** Forgets what the picker remembered of `peer` (a new session). */
  reset(peer: number): void {
    this.heldBelow[peer] = -1;
  }

  /**
   * Sets `peer`'s playout point, if it has none, `startupChunks` before the newest piece a
   * neighbour is known to hold. Returns the playout point, or -1 while nothing is known.
   */
  position(peer: number, nowMicros: number): number {
    const players = this.players;
    const pos = players.position(peer);
    if (pos >= 0) return pos;
    const table = this.table;
    const base = table.base(peer);
    let newest = -1;
    for (let e = base; e < base + table.capacity(peer); e++) {
      const q = table.partner[e];
      if (q < 0) continue;
      const n = this.ring.newestAt(q, nowMicros - this.latencyMicros(q, peer));
      if (n > newest) newest = n;
    }
    if (newest < 0) return -1;
    const start = Math.max(0, newest - players.startupChunks + 1);
    players.startAt(peer, start);
    return start;
  }

  /** The piece `peer` should ask `supplier` for next at `nowMicros`, or -1 for none. */
  pick(peer: number, supplier: number, nowMicros: number): number {
    const pos = this.position(peer, nowMicros);
    if (pos < 0) return -1;
    const ring = this.ring;
    const players = this.players;
    const known = nowMicros - this.latencyMicros(supplier, peer);
    const oldest = ring.sourceNewest(nowMicros) - ring.windowChunks + 1;
    const to = ring.newestAt(supplier, known);
    let c = Math.max(pos, oldest, this.heldBelow[peer]);
    while (c <= to && players.has(peer, c)) c++;
    this.heldBelow[peer] = c;
    const urgentEnd = pos + this.urgentChunks - 1;
    let best = -1;
    let bestHolders = Number.POSITIVE_INFINITY;
    let weighed = 0;
    for (; c <= to && weighed < RARITY_CANDIDATES; c++) {
      if (players.has(peer, c) || ring.requestedChunk(ring.entry(peer, c)) === c) continue;
      if (!ring.heldAt(supplier, c, known)) continue;
      if (c <= urgentEnd) return c;
      const holders = this.holders(peer, c, nowMicros);
      weighed++;
      if (holders < bestHolders) {
        best = c;
        bestHolders = holders;
      }
    }
    return best;
  }

  /** Neighbours of `peer` known to hold `chunk`. */
  private holders(peer: number, chunk: number, nowMicros: number): number {
    const table = this.table;
    const base = table.base(peer);
    let count = 0;
    for (let e = base; e < base + table.capacity(peer); e++) {
      const q = table.partner[e];
      if (q >= 0 && this.ring.heldAt(q, chunk, nowMicros - this.latencyMicros(q, peer))) count++;
    }
    return count;
  }
}
