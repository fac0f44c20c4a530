import type { RandomStream } from "../../engine/random.ts";
import { StripeDirectory, type StripeParentPolicy } from "./directory.ts";

/** A node's standing in one stripe tree. */
export const StripeState = {
  /** Not in the tree (offline). */
  Offline: 0,
  /** Looking for a parent in this stripe. */
  Seeking: 1,
  /** Has a parent in this stripe (which may itself be cut off from the source). */
  Attached: 2,
} as const;

const NONE = -1;
/** Deepest tree the directory indexes (a limit; deeper relays are never offered). */
const MAX_INDEXED_DEPTH = 4096;

/** The forest at one instant (see {@link StripeForest.snapshot}); per-pair arrays use node x stripes + stripe. */
export interface ForestSnapshot {
  /** Stripe trees (n). */
  stripes: number;
  /** Parent per (node, stripe); -1 none. */
  parent: Int32Array;
  /** Depth per (node, stripe) (meaningful where connected). */
  depth: Int32Array;
  /** Children per (node, stripe), departed ones included until the relay notices. */
  childCount: Int32Array;
  /** {@link StripeState} per (node, stripe). */
  state: Uint8Array;
  /** 1 per (node, stripe) with a path of attached relays up to the source. */
  connected: Uint8Array;
  /** Interior stripe per node with interior-disjoint trees; -1 none (or trees shared). */
  interior: Int32Array;
  /** Children over all stripes, per node. */
  totalChildren: Int32Array;
  /** Stripe children each node's upload carries in total. */
  capacitySlots: Int32Array;
  /** Most children per stripe tree, per (node, stripe). */
  stripeCap: Int32Array;
}

/** How a forest shares each node's upload among the stripe trees. */
export interface ForestConfig {
  /** Node ids are in [0, nodes); node 0 is the source. */
  nodes: number;
  /** Stripe trees (n). */
  stripes: number;
  /**
   * SplitStream's rule: each peer has children (is interior) in at most one stripe tree, its
   * interior stripe, and is a leaf in the others. Off: every tree may use any peer's slots.
   */
  interiorDisjoint: boolean;
  /** Most children a peer takes in one stripe tree. */
  maxChildren: number;
  /** Children the source takes in each stripe tree. */
  sourceSlotsPerStripe: number;
  /**
   * Children each node's upload carries across all stripes: floor(upload / stripe rate), so
   * that a node never commits more stripe traffic than its upload.
   */
  capacitySlots: Int32Array;
}

/**
 * The n stripe trees of a striped stream, one per stripe, over the same nodes: parent and
 * child links (intrusive typed-array lists per stripe), depths and connectivity to the source,
 * the slot accounting that keeps each node's forwarding within its upload, and the directory's
 * per-stripe indexes: relays with a free slot, and full relays with a leaf child to push down.
 *
 * Slot accounting: a node forwarding c children in total (over all stripes) sends c stripe
 * symbols per block, c x stripe rate bits per second. Its children across all stripes never
 * exceed `capacitySlots`, and per stripe never exceed `maxChildren`. With `interiorDisjoint`,
 * a peer takes children only in its interior stripe, assigned at join to the stripe whose
 * online interior peers offer the fewest slots so far (which balances capacity across trees);
 * a peer without capacity for even one child is a leaf everywhere.
 *
 * Arrays indexed by (node, stripe) use node x stripes + stripe.
 */
export class StripeForest {
  /** Stripe trees (n). */
  readonly stripes: number;
  /** Parent in each stripe; -1 none. */
  readonly parent: Int32Array;
  /** Depth below the source in each stripe (meaningful while connected). */
  readonly depth: Int32Array;
  /** {@link StripeState} in each stripe. */
  readonly state: Uint8Array;
  /** 1 where the node has an unbroken path to the source in that stripe. */
  readonly connected: Uint8Array;
  /** Children in each stripe. */
  readonly childCount: Int32Array;
  /** First block a child wants from its parent in this stripe (its resume point). */
  readonly childFrom: Float64Array;
  /** Each node's interior stripe with `interiorDisjoint`; -1 when it forwards in none. */
  readonly interior: Int32Array;
  /** Children over all stripes. */
  readonly totalChildren: Int32Array;
  /** Stripes in which each node is connected to the source. */
  readonly connectedStripes: Uint16Array;
  private readonly config: ForestConfig;
  private readonly firstChild: Int32Array;
  private readonly lastChild: Int32Array;
  private readonly nextSibling: Int32Array;
  private readonly prevSibling: Int32Array;
  private readonly interiorSlots: Float64Array;
  /** Per stripe: relays with a free slot. */
  private readonly free: StripeDirectory[] = [];
  /** Per stripe: full relays with a leaf child that a forwarding seeker may push down. */
  private readonly preemptible: StripeDirectory[] = [];
  /** Per (relay, stripe): children that cannot forward in that stripe. */
  private readonly leafChildren: Int32Array;
  /** Per (child, stripe): 1 when the child was linked as a leaf (it cannot forward there). */
  private readonly linkedAsLeaf: Uint8Array;
  private connectedPeerPairs = 0;
  private connectedDepthSum = 0;
  private readonly stack: number[] = [];

  constructor(config: ForestConfig) {
    this.config = config;
    const { nodes, stripes } = config;
    this.stripes = stripes;
    const pairs = nodes * stripes;
    this.parent = new Int32Array(pairs).fill(NONE);
    this.depth = new Int32Array(pairs);
    this.state = new Uint8Array(pairs);
    this.connected = new Uint8Array(pairs);
    this.childCount = new Int32Array(pairs);
    this.childFrom = new Float64Array(pairs);
    this.firstChild = new Int32Array(pairs).fill(NONE);
    this.lastChild = new Int32Array(pairs).fill(NONE);
    this.nextSibling = new Int32Array(pairs).fill(NONE);
    this.prevSibling = new Int32Array(pairs).fill(NONE);
    this.interior = new Int32Array(nodes).fill(NONE);
    this.totalChildren = new Int32Array(nodes);
    this.connectedStripes = new Uint16Array(nodes);
    this.interiorSlots = new Float64Array(stripes);
    this.leafChildren = new Int32Array(pairs);
    this.linkedAsLeaf = new Uint8Array(pairs);
    for (let s = 0; s < stripes; s++) {
      this.free.push(new StripeDirectory(nodes));
      this.preemptible.push(new StripeDirectory(nodes));
    }
    // The source is the root of every tree.
    for (let s = 0; s < stripes; s++) {
      this.state[s] = StripeState.Attached;
      this.connected[s] = 1;
    }
    this.connectedStripes[0] = stripes;
    this.refreshAll(0);
  }

  /** Index of (node, stripe) in the per-pair arrays. */
  at(node: number, stripe: number): number {
    return node * this.stripes + stripe;
  }

  /** Most children `node` may have in `stripe`, ignoring what it forwards elsewhere. */
  stripeCap(node: number, stripe: number): number {
    if (node === 0) return this.config.sourceSlotsPerStripe;
    const capacity = Math.min(this.config.maxChildren, this.config.capacitySlots[node]);
    if (!this.config.interiorDisjoint) return capacity;
    return this.interior[node] === stripe ? capacity : 0;
  }

  /** True when `node` can take one more child in `stripe` within its upload. */
  hasFreeSlot(node: number, stripe: number): boolean {
    if (this.childCount[this.at(node, stripe)] >= this.stripeCap(node, stripe)) return false;
    return node === 0 || this.totalChildren[node] < this.config.capacitySlots[node];
  }

  /** True when `node` may ever forward in `stripe` (it is interior there, or trees are shared). */
  mayForward(node: number, stripe: number): boolean {
    return this.stripeCap(node, stripe) > 0;
  }

  /** A peer comes online: seeking in every stripe; with interior-disjoint trees, gets its interior stripe. */
  join(node: number): void {
    if (this.config.interiorDisjoint) {
      const slots = Math.min(this.config.maxChildren, this.config.capacitySlots[node]);
      if (slots > 0) {
        let best = 0;
        for (let s = 1; s < this.stripes; s++) {
          if (this.interiorSlots[s] < this.interiorSlots[best]) best = s;
        }
        this.interior[node] = best;
        this.interiorSlots[best] += slots;
      }
    }
    for (let s = 0; s < this.stripes; s++) this.state[this.at(node, s)] = StripeState.Seeking;
  }

  /**
   * A peer goes offline: out of every tree and the directory. Its links stay for the caller to
   * dissolve (children are orphaned by the caller, the parent frees the slot when it learns).
   */
  leave(node: number): void {
    const i = this.interior[node];
    if (i >= 0) {
      this.interiorSlots[i] -= Math.min(this.config.maxChildren, this.config.capacitySlots[node]);
      this.interior[node] = NONE;
    }
    for (let s = 0; s < this.stripes; s++) {
      const p = this.at(node, s);
      this.state[p] = StripeState.Offline;
      if (this.connected[p]) this.setConnected(node, s, false);
      this.free[s].update(node, false, 0);
      this.preemptible[s].update(node, false, 0);
    }
  }

  /** Sets a node's state in one stripe and updates the directory. */
  setState(node: number, stripe: number, state: number): void {
    this.state[this.at(node, stripe)] = state;
    this.refresh(node, stripe);
  }

  /**
   * Makes `child` a child of `relay` in `stripe`, wanting blocks from `fromBlock` on, and
   * connects its subtree. The caller checks {@link hasFreeSlot} first; overcommitting a relay's
   * upload is a bug, so it throws.
   */
  link(stripe: number, relay: number, child: number, fromBlock: number): void {
    if (!this.hasFreeSlot(relay, stripe)) {
      throw new Error(`stripe ${stripe}: relay ${relay} has no free slot for ${child}`);
    }
    const c = this.at(child, stripe);
    const r = this.at(relay, stripe);
    this.parent[c] = relay;
    this.childFrom[c] = fromBlock;
    // Append, so that existing children keep their place in the relay's sending order.
    const tail = this.lastChild[r];
    this.prevSibling[c] = tail;
    this.nextSibling[c] = NONE;
    if (tail !== NONE) this.nextSibling[this.at(tail, stripe)] = child;
    else this.firstChild[r] = child;
    this.lastChild[r] = child;
    this.childCount[r]++;
    this.totalChildren[relay]++;
    const leaf = this.mayForward(child, stripe) ? 0 : 1;
    this.linkedAsLeaf[c] = leaf;
    this.leafChildren[r] += leaf;
    this.refreshCapacity(relay, stripe);
    if (this.connected[r]) this.connectSubtree(stripe, child, this.depth[r] + 1);
  }

  /** Removes `child` from `relay`'s children in `stripe`; the slot frees. */
  unlink(stripe: number, relay: number, child: number): void {
    const c = this.at(child, stripe);
    const r = this.at(relay, stripe);
    const prev = this.prevSibling[c];
    const next = this.nextSibling[c];
    if (prev !== NONE) this.nextSibling[this.at(prev, stripe)] = next;
    else this.firstChild[r] = next;
    if (next !== NONE) this.prevSibling[this.at(next, stripe)] = prev;
    else this.lastChild[r] = prev;
    this.nextSibling[c] = NONE;
    this.prevSibling[c] = NONE;
    this.parent[c] = NONE;
    this.childCount[r]--;
    this.totalChildren[relay]--;
    this.leafChildren[r] -= this.linkedAsLeaf[c];
    this.linkedAsLeaf[c] = 0;
    this.refreshCapacity(relay, stripe);
  }

  /** First child of `node` in `stripe`; -1 none. Iterate with {@link nextChild}. */
  firstChildOf(node: number, stripe: number): number {
    return this.firstChild[this.at(node, stripe)];
  }

  /** The sibling after `child` in its parent's list in `stripe`; -1 at the end. */
  nextChild(child: number, stripe: number): number {
    return this.nextSibling[this.at(child, stripe)];
  }

  /**
   * Marks the subtree of `root` in `stripe` cut off from the source (its root lost its parent).
   * `visit` sees every node of the subtree, root included, once.
   */
  disconnectSubtree(stripe: number, root: number, visit?: (node: number) => void): void {
    const stack = this.stack;
    stack.length = 0;
    stack.push(root);
    while (stack.length > 0) {
      const node = stack.pop()!;
      visit?.(node);
      if (this.connected[this.at(node, stripe)]) this.setConnected(node, stripe, false);
      this.refresh(node, stripe);
      for (let ch = this.firstChildOf(node, stripe); ch !== NONE; ch = this.nextChild(ch, stripe)) {
        stack.push(ch);
      }
    }
  }

  /**
   * Relays for `peer` to try in `stripe`, best first (see {@link StripeDirectory.pick}). A peer
   * that can forward in the stripe is also offered full relays with a leaf child, which push
   * that leaf down to make room (SplitStream's push-down), so that forwarding peers sit high in
   * the tree and the tree keeps growing; offers are then merged by depth (`shallowest`) or
   * latency (`nearest`), relays with a free slot first (`random`).
   */
  candidates(
    peer: number,
    stripe: number,
    policy: StripeParentPolicy,
    count: number,
    random: RandomStream,
    latencyMicros: (a: number, b: number) => number,
  ): number[] {
    const forwards = this.mayForward(peer, stripe);
    // Source slots are scarce: a peer that will never forward in this stripe takes one only
    // when no other relay has room, so they go to peers that extend the tree.
    const free = this.free[stripe].pick(peer, policy, count, random, latencyMicros, !forwards);
    if (!forwards) return free;
    const full = this.preemptible[stripe].pick(peer, policy, count, random, latencyMicros, false);
    if (full.length === 0) return free;
    const merged = [...free, ...full];
    if (policy === "shallowest") {
      merged.sort((a, b) => this.depth[this.at(a, stripe)] - this.depth[this.at(b, stripe)]);
    } else if (policy === "nearest") {
      merged.sort((a, b) => latencyMicros(peer, a) - latencyMicros(peer, b) || a - b);
    }
    merged.length = Math.min(merged.length, count);
    return merged;
  }

  /**
   * The child `relay` would push down in `stripe` to make room for `seeker`: its most recently
   * attached leaf child, when the relay is full, the seeker can forward there and the relay has
   * a leaf; -1 otherwise.
   */
  pushDownVictim(relay: number, stripe: number, seeker: number): number {
    if (this.hasFreeSlot(relay, stripe) || !this.mayForward(seeker, stripe)) return NONE;
    if (this.leafChildren[this.at(relay, stripe)] === 0) return NONE;
    for (let ch = this.lastChild[this.at(relay, stripe)]; ch !== NONE; ) {
      const c = this.at(ch, stripe);
      if (this.linkedAsLeaf[c] === 1 && this.state[c] !== StripeState.Offline) return ch;
      ch = this.prevSibling[c];
    }
    return NONE;
  }

  /** A copy of the forest's state, for tests and traces; reading it changes nothing. */
  snapshot(): ForestSnapshot {
    const nodes = this.config.nodes;
    const stripeCap = new Int32Array(nodes * this.stripes);
    for (let node = 0; node < nodes; node++) {
      for (let s = 0; s < this.stripes; s++) stripeCap[this.at(node, s)] = this.stripeCap(node, s);
    }
    return {
      stripes: this.stripes,
      parent: this.parent.slice(),
      depth: this.depth.slice(),
      childCount: this.childCount.slice(),
      state: this.state.slice(),
      connected: this.connected.slice(),
      interior: this.interior.slice(),
      totalChildren: this.totalChildren.slice(),
      capacitySlots: this.config.capacitySlots.slice(),
      stripeCap,
    };
  }

  /** Relays with a free slot in `stripe`. */
  offered(stripe: number): number {
    return this.free[stripe].size;
  }

  /** Mean depth over (peer, stripe) pairs connected to the source; 0 when none. */
  meanDepth(): number {
    return this.connectedPeerPairs > 0 ? this.connectedDepthSum / this.connectedPeerPairs : 0;
  }

  /** (peer, stripe) pairs connected to the source: the stripes held, summed over peers. */
  get connectedPairs(): number {
    return this.connectedPeerPairs;
  }

  private connectSubtree(stripe: number, root: number, rootDepth: number): void {
    const stack = this.stack;
    stack.length = 0;
    stack.push(root);
    while (stack.length > 0) {
      const node = stack.pop()!;
      const p = this.at(node, stripe);
      // A child that left stays in its parent's list until the parent learns; it is no longer
      // part of the tree.
      if (this.state[p] === StripeState.Offline) continue;
      const d = node === root ? rootDepth : this.depth[this.at(this.parent[p], stripe)] + 1;
      if (this.connected[p]) {
        this.connectedDepthSum += d - this.depth[p];
        this.depth[p] = d;
      } else {
        this.depth[p] = d;
        this.setConnected(node, stripe, true);
      }
      this.refresh(node, stripe);
      for (let ch = this.firstChildOf(node, stripe); ch !== NONE; ch = this.nextChild(ch, stripe)) {
        stack.push(ch);
      }
    }
  }

  private setConnected(node: number, stripe: number, on: boolean): void {
    const p = this.at(node, stripe);
    this.connected[p] = on ? 1 : 0;
    if (on) this.connectedStripes[node]++;
    else this.connectedStripes[node]--;
    if (node === 0) return;
    const sign = on ? 1 : -1;
    this.connectedPeerPairs += sign;
    this.connectedDepthSum += sign * this.depth[p];
  }

  /** After a change in a relay's children: its offer in `stripe`, or in every stripe when its upload is shared. */
  private refreshCapacity(relay: number, stripe: number): void {
    if (this.config.interiorDisjoint || relay === 0) this.refresh(relay, stripe);
    else this.refreshAll(relay);
  }

  private refreshAll(node: number): void {
    for (let s = 0; s < this.stripes; s++) this.refresh(node, s);
  }

  /** Keeps the directory's view of one (node, stripe) in step with the forest. */
  private refresh(node: number, stripe: number): void {
    const p = this.at(node, stripe);
    const usable =
      this.state[p] === StripeState.Attached &&
      this.connected[p] === 1 &&
      this.depth[p] < MAX_INDEXED_DEPTH;
    const free = usable && this.hasFreeSlot(node, stripe);
    this.free[stripe].update(node, free, this.depth[p]);
    const full = usable && !free && this.leafChildren[p] > 0;
    this.preemptible[stripe].update(node, full, this.depth[p]);
  }
}
