import type { Players } from "../../player/player.ts";
import type { BufferRing } from "./bufferRing.ts";
import type { PartnerTable } from "./partners.ts";

/** How the scheduler acts on the world. */
export interface SchedulerActions {
  /** Sends a request for `chunk` from `peer` to `supplier`; false when it could not be sent. */
  sendRequest(peer: number, supplier: number, chunk: number): boolean;
  /** A request to the edge's partner was given up (timed out). */
  onTimeout(edge: number): void;
  /** One-way latency between two nodes, µs. */
  latencyMicros(a: number, b: number): number;
}

/** Most candidate chunks considered per scheduling round (the ring's length bounds it too). */
const MAX_CANDIDATES = 4096;
/**
 * Weight of one supplier in a rarest-first sort key (suppliers x weight + candidate index):
 * above every candidate index (below {@link MAX_CANDIDATES}), so keys order by supplier count
 * and then by index, and the index is the key modulo the weight.
 */
const SUPPLIER_KEY_WEIGHT = 8192;

/**
 * DONet's pull scheduler, run by each peer once per exchange period. It reads the buffer maps
 * its partners last sent (as they were when taken), lists the chunks from its playout point up
 * to the newest chunk any partner holds that it neither holds nor has asked for, and assigns
 * them to suppliers:
 * - `rarest-first` (Zhang et al., INFOCOM 2005): chunks with fewest suppliers first (ties:
 *   earliest deadline), each to the supplier that would finish it soonest, i.e. with the most
 *   spare bandwidth given what is already asked of it;
 * - `deadline`: the same assignment in playout order (earliest deadline first).
 * A supplier takes at most measured throughput x `requestHorizon` bytes of outstanding requests
 * (at least one chunk), so the limit follows what each partner has actually delivered, and
 * none while the partner has said it is too busy.
 *
 * A peer with no playout point yet starts `startupChunks` before the newest chunk a partner
 * holds: those chunks are already spread, so its startup buffer fills at the speed of its
 * partners rather than at the speed the source produces.
 */
export class PullScheduler {
  private readonly supplierEdges: Int32Array;
  private readonly supplierNodes: Int32Array;
  private readonly supplierViews: Float64Array;
  private readonly supplierNewest: Float64Array;
  private readonly candChunk = new Int32Array(MAX_CANDIDATES);
  private readonly candMask = new Int32Array(MAX_CANDIDATES);
  private readonly candKey = new Int32Array(MAX_CANDIDATES);
  /** Per peer: every chunk from its playout point up to this one is held (a scan hint). */
  private readonly heldBelow: Float64Array;

  constructor(
    private readonly actions: SchedulerActions,
    private readonly players: Players,
    private readonly table: PartnerTable,
    private readonly ring: BufferRing,
    private readonly rarestFirst: boolean,
    private readonly chunkBits: number,
    private readonly horizonMicros: number,
  ) {
    this.supplierEdges = new Int32Array(table.peerCapacity);
    this.supplierNodes = new Int32Array(table.peerCapacity);
    this.supplierViews = new Float64Array(table.peerCapacity);
    this.supplierNewest = new Float64Array(table.peerCapacity);
    this.heldBelow = new Float64Array(table.count.length).fill(-1);
  }

  /** Forgets what the scheduler remembered of `peer` (a new session). */
  reset(peer: number): void {
    this.heldBelow[peer] = -1;
  }

  /** Gives up `peer`'s requests whose time is over; returns how many. */
  expire(peer: number, nowMicros: number): number {
    return this.ring.expire(peer, nowMicros, (supplier) => {
      const edge = this.table.find(peer, supplier);
      if (edge >= 0) this.actions.onTimeout(edge);
    });
  }

  /** One scheduling round of `peer` at `nowMicros`; returns the requests sent. */
  schedule(peer: number, nowMicros: number): number {
    const table = this.table;
    const ring = this.ring;
    const players = this.players;
    // The partners whose buffer maps have arrived, and the newest chunk any of them holds.
    const base = table.base(peer);
    const end = base + table.capacity(peer);
    let suppliers = 0;
    let newest = -1;
    for (let e = base; e < end; e++) {
      const q = table.partner[e];
      if (q < 0) continue;
      const view = table.settleView(e, nowMicros);
      if (view < 0) continue;
      this.supplierEdges[suppliers] = e;
      this.supplierNodes[suppliers] = q;
      this.supplierViews[suppliers] = view;
      const n = ring.newestAt(q, view);
      this.supplierNewest[suppliers] = n;
      suppliers++;
      if (n > newest) newest = n;
    }
    if (suppliers === 0 || newest < 0) return 0;
    let from = players.position(peer);
    if (from < 0) {
      from = Math.max(0, newest - players.startupChunks + 1);
      players.startAt(peer, from);
    }
    const to = Math.min(newest, from + ring.windowChunks - 1, from + MAX_CANDIDATES - 1);

    // Candidates: missing, not asked for, held by at least one partner. Held chunks stay held
    // while they are ahead of the playout point, so the scan starts at the first gap.
    let first = Math.max(from, this.heldBelow[peer]);
    while (first <= to && players.has(peer, first)) first++;
    this.heldBelow[peer] = first;
    let count = 0;
    for (let c = first; c <= to; c++) {
      if (players.has(peer, c)) continue;
      if (ring.requestedChunk(ring.entry(peer, c)) === c) continue;
      let mask = 0;
      let holders = 0;
      for (let i = 0; i < suppliers; i++) {
        if (c > this.supplierNewest[i]) continue;
        if (ring.heldAt(this.supplierNodes[i], c, this.supplierViews[i])) {
          mask |= 1 << i;
          holders++;
        }
      }
      if (holders === 0) continue;
      this.candChunk[count] = c;
      this.candMask[count] = mask;
      // Rarest first: fewest holders, then earliest deadline; deadline: candidate order.
      this.candKey[count] = this.rarestFirst ? holders * SUPPLIER_KEY_WEIGHT + count : count;
      count++;
    }
    if (count === 0) return 0;
    const keys = this.candKey;
    if (this.rarestFirst) {
      // Insertion sort: a round has a few candidates, and this allocates nothing.
      for (let i = 1; i < count; i++) {
        const key = keys[i];
        let j = i - 1;
        while (j >= 0 && keys[j] > key) {
          keys[j + 1] = keys[j];
          j--;
        }
        keys[j + 1] = key;
      }
    }

    let sent = 0;
    const rate = table.rateBitsPerSecond;
    const outstanding = table.outstanding;
    const busyUntil = table.busyUntilMicros;
    const horizonSeconds = this.horizonMicros / 1e6;
    for (let k = 0; k < count; k++) {
      const i = keys[k] % SUPPLIER_KEY_WEIGHT;
      const mask = this.candMask[i];
      let best = -1;
      let bestFinish = Number.POSITIVE_INFINITY;
      for (let s = 0; s < suppliers; s++) {
        if ((mask & (1 << s)) === 0) continue;
        const e = this.supplierEdges[s];
        if (busyUntil[e] > nowMicros) continue;
        const r = rate[e];
        const limit = Math.max(1, Math.floor((r * horizonSeconds) / this.chunkBits));
        if (outstanding[e] >= limit) continue;
        const finish = ((outstanding[e] + 1) * this.chunkBits) / r;
        if (finish < bestFinish) {
          best = e;
          bestFinish = finish;
        }
      }
      if (best < 0) continue;
      const supplier = table.partner[best];
      const c = this.candChunk[i];
      if (!this.actions.sendRequest(peer, supplier, c)) break;
      // The request stands for the horizon (what the supplier may already have queued when it
      // accepts) plus twice its expected service time and round trip: a slow but steady
      // supplier is not abandoned too early.
      const expected = bestFinish * 1e6 + 2 * this.actions.latencyMicros(peer, supplier);
      const until = nowMicros + this.horizonMicros + Math.ceil(2 * expected);
      ring.request(peer, ring.entry(peer, c), c, supplier, nowMicros, until);
      outstanding[best]++;
      sent++;
    }
    return sent;
  }
}
