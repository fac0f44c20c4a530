import type { RandomStream } from "../../engine/random.ts";
import type { PartnerTable } from "../meshPull/partners.ts";

/**
 * Who each node uploads to, over its edges of a partner table: `slots[node]` regular slots
 * given at each rechoke to the neighbours that gave it most since (tit-for-tat; what a
 * neighbour gave counts half as much each period after), plus one optimistic slot rotated every
 * `optimisticEvery` rechokes to a random other neighbour (BitTorrent). A node that nobody gives
 * to (the source) ranks at random. In a live stream every neighbour lacks the newest pieces, so
 * every neighbour counts as interested.
 */
export class Choking {
  /** 1 on an edge of node p when p unchokes that edge's partner. */
  readonly unchoked: Uint8Array;
  /** Bytes each edge's partner gave the edge's node, decaying by half per rechoke. */
  readonly given: Float64Array;
  private readonly optimistic: Int32Array;
  private readonly rounds: Uint32Array;
  private readonly keys: Float64Array;
  private readonly order: number[] = [];

  /**
   * @param slots regular upload slots per node (kept, not copied).
   * @param onChange called when an edge's unchoke state changes (to send CHOKE or UNCHOKE).
   */
  constructor(
    private readonly table: PartnerTable,
    private readonly random: RandomStream,
    private readonly slots: Int32Array,
    private readonly optimisticUnchoke: boolean,
    private readonly optimisticEvery: number,
    private readonly onChange: (node: number, edge: number, unchoked: boolean) => void,
  ) {
    const edges = table.partner.length;
    this.unchoked = new Uint8Array(edges);
    this.given = new Float64Array(edges);
    this.keys = new Float64Array(edges);
    this.optimistic = new Int32Array(slots.length).fill(-1);
    this.rounds = new Uint32Array(slots.length);
  }

  /** A new edge starts choked, with nothing given. */
  reset(edge: number): void {
    this.unchoked[edge] = 0;
    this.given[edge] = 0;
  }

  /**
   * Between rechokes, a free regular slot (a neighbour left, or one just arrived) goes at once
   * to the choked neighbour that gave most, as BitTorrent clients do.
   */
  fill(node: number): void {
    const table = this.table;
    const base = table.base(node);
    const end = base + table.capacity(node);
    const optimistic = this.optimistic[node];
    let regular = 0;
    for (let e = base; e < end; e++) {
      if (table.partner[e] >= 0 && this.unchoked[e] === 1 && e !== optimistic) regular++;
    }
    while (regular < this.slots[node]) {
      let best = -1;
      for (let e = base; e < end; e++) {
        if (table.partner[e] < 0 || this.unchoked[e] === 1) continue;
        if (best < 0 || this.given[e] > this.given[best]) best = e;
      }
      if (best < 0) return;
      this.unchoked[best] = 1;
      this.onChange(node, best, true);
      regular++;
    }
  }

  /** Re-ranks `node`'s neighbours: regular slots by what they gave, plus one optimistic. */
  rechoke(node: number): void {
    const table = this.table;
    const base = table.base(node);
    const end = base + table.capacity(node);
    const order = this.order;
    order.length = 0;
    for (let e = base; e < end; e++) {
      if (table.partner[e] < 0) continue;
      // Bytes given are whole numbers: the random fraction only breaks ties.
      this.keys[e] = this.given[e] + this.random.next();
      this.given[e] *= 0.5;
      order.push(e);
    }
    const keys = this.keys;
    order.sort((a, b) => keys[b] - keys[a]);
    const regular = Math.min(this.slots[node], order.length);
    const round = ++this.rounds[node];
    let optimistic = this.optimistic[node];
    if (!this.optimisticUnchoke || order.length <= regular) optimistic = -1;
    else if (
      optimistic < 0 ||
      table.partner[optimistic] < 0 ||
      round % this.optimisticEvery === 0 ||
      order.indexOf(optimistic) < regular
    ) {
      optimistic = order[regular + this.random.int(order.length - regular)];
    }
    this.optimistic[node] = optimistic;
    for (let i = 0; i < order.length; i++) {
      const e = order[i];
      const on = i < regular || e === optimistic ? 1 : 0;
      if (this.unchoked[e] === on) continue;
      this.unchoked[e] = on;
      this.onChange(node, e, on === 1);
    }
  }
}
