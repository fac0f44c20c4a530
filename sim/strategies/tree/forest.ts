import type { RandomStream } from "../../engine/random.ts";
import { ChildLists } from "./childLists.ts";
import { type ParentPolicy, RelayDirectory } from "./directory.ts";

/** A node's standing in one tree of the forest. */
export const TreeState = {
  /** Not in the tree (offline). */
  Offline: 0,
  /** Looking for a parent in this tree. */
  Seeking: 1,
  /** Has a parent in this tree (which may itself be cut off from the source). */
  Attached: 2,
} as const;

const NONE = -1;
/** Deepest tree the directory indexes (a limit; deeper relays are never offered). */
const MAX_INDEXED_DEPTH = 4096;
/** Highest chunk number a child list holds (a 32-bit integer). */
const MAX_CHUNK = 2 ** 31 - 1;

/** The forest at one instant (see {@link TreeForest.snapshot}); per-pair arrays use node x trees + tree. */
export interface ForestSnapshot {
  /** Trees in the forest (n). */
  trees: number;
  /** Parent per (node, tree); -1 none. */
  parent: Int32Array;
  /** Depth per (node, tree) (meaningful where connected). */
  depth: Int32Array;
  /** Children per (node, tree), departed ones included until the relay notices. */
  childCount: Int32Array;
  /** {@link TreeState} per (node, tree). */
  state: Uint8Array;
  /** 1 per (node, tree) with a path of attached relays up to the source. */
  connected: Uint8Array;
  /** Interior tree per node with interior-disjoint trees; -1 none (or trees shared). */
  interior: Int32Array;
  /** Children over all trees, per node. */
  totalChildren: Int32Array;
  /** Children each node's upload carries in total, over all trees. */
  capacitySlots: Int32Array;
  /** Most children per tree, per (node, tree). */
  treeCap: Int32Array;
}

/** How a forest shares each node's upload among its trees. */
export interface ForestConfig {
  /** Node ids are in [0, nodes); node 0 is the source, the root of every tree. */
  nodes: number;
  /** Trees in the forest (n): 1 for a single tree, one per stripe for a striped stream. */
  trees: number;
  /**
   * SplitStream's rule: each peer has children (is interior) in at most one tree, its interior
   * tree, and is a leaf in the others. Off: every tree may use any peer's slots.
   */
  interiorDisjoint: boolean;
  /**
   * SplitStream's rules that keep peers able to forward high in a tree: the source's slots go
   * to peers that can forward (others get one only when no other relay has room), and a full
   * relay pushes a leaf child down to make room for a peer that can forward. Off: relays are
   * offered only while they have a free slot, and the source like any other.
   */
  favourForwarders: boolean;
  /** Most children a peer takes in one tree. */
  maxChildren: number;
  /** Children the source takes in each tree. */
  sourceSlotsPerTree: number;
  /**
   * Children each node's upload carries across all trees: floor(upload / per-tree rate), so
   * that a node never commits more forwarding than its upload.
   */
  capacitySlots: Int32Array;
  /**
   * 32-bit integer fields per (node, tree) that the strategy keeps in the record of the pair's
   * child list, beside what forwarding a chunk reads (see {@link TreeForest.childLists});
   * default 0, at most 7. They start at -1.
   */
  ownerFields?: number;
}

/**
 * The n trees of a stream over the same nodes (one tree, or one per stripe): parent and child
 * links (a parent per pair, and each pair's children as a contiguous list), depths and connectivity to the source, the
 * slot accounting that keeps each node's forwarding within its upload, and the directory's
 * per-tree indexes: relays with a free slot, and (with `favourForwarders`) full relays with a
 * leaf child to push down.
 *
 * Slot accounting: a node forwarding c children in total (over all trees) sends c times the
 * per-tree rate. Its children across all trees never exceed `capacitySlots`, and per tree
 * never exceed `maxChildren`. With `interiorDisjoint`, a peer takes children only in its
 * interior tree, assigned at join to the tree whose online interior peers offer the fewest
 * slots so far (which balances capacity across trees); a peer without capacity for even one
 * child is a leaf everywhere.
 *
 * Arrays indexed by (node, tree) use node x trees + tree.
 */
export class TreeForest {
  /** Trees in the forest (n). */
  readonly trees: number;
  /** Parent in each tree; -1 none. */
  readonly parent: Int32Array;
  /** Depth below the source in each tree (meaningful while connected). */
  readonly depth: Int32Array;
  /** {@link TreeState} in each tree. */
  readonly state: Uint8Array;
  /** 1 where the node has an unbroken path to the source in that tree. */
  readonly connected: Uint8Array;
  /** Children in each tree. */
  readonly childCount: Int32Array;
  /** Each node's interior tree with `interiorDisjoint`; -1 when it forwards in none. */
  readonly interior: Int32Array;
  /** Children over all trees. */
  readonly totalChildren: Int32Array;
  /** Trees in which each node is connected to the source. */
  readonly connectedTrees: Uint16Array;
  /**
   * Each (node, tree) pair's children with their resume points, in sending order, as
   * contiguous lists (see {@link ChildLists}); the record of a pair's list also holds the
   * strategy's fields ({@link ForestConfig.ownerFields}). A peer that receives a chunk reads its
   * own record (where its list starts, and the strategy's marks of that tree), then its list:
   * two cache misses where a linked list missed once per child.
   */
  readonly childLists: ChildLists;
  private readonly config: ForestConfig;
  private readonly interiorSlots: Float64Array;
  /** Per tree: relays with a free slot. */
  private readonly free: RelayDirectory[] = [];
  /** Per tree: full relays with a leaf child that a forwarding seeker may push down. */
  private readonly preemptible: RelayDirectory[] = [];
  /** Per (relay, tree): children that cannot forward in that tree. */
  private readonly leafChildren: Int32Array;
  /** Per (child, tree): 1 when the child was linked as a leaf (it cannot forward there). */
  private readonly linkedAsLeaf: Uint8Array;
  /** Per (relay, tree): slots the directory has promised to seekers whose request is on its way. */
  private readonly reserved: Int32Array;
  /** Per relay: promised slots over all trees. */
  private readonly reservedTotal: Int32Array;
  private connectedPeerPairs = 0;
  private connectedDepthSum = 0;
  private readonly stack: number[] = [];

  constructor(config: ForestConfig) {
    this.config = config;
    const { nodes, trees } = config;
    this.trees = trees;
    const pairs = nodes * trees;
    this.parent = new Int32Array(pairs).fill(NONE);
    this.depth = new Int32Array(pairs);
    this.state = new Uint8Array(pairs);
    this.connected = new Uint8Array(pairs);
    this.childCount = new Int32Array(pairs);
    this.childLists = new ChildLists(pairs, config.ownerFields ?? 0);
    this.interior = new Int32Array(nodes).fill(NONE);
    this.totalChildren = new Int32Array(nodes);
    this.connectedTrees = new Uint16Array(nodes);
    this.interiorSlots = new Float64Array(trees);
    this.leafChildren = new Int32Array(pairs);
    this.linkedAsLeaf = new Uint8Array(pairs);
    this.reserved = new Int32Array(pairs);
    this.reservedTotal = new Int32Array(nodes);
    for (let s = 0; s < trees; s++) {
      this.free.push(new RelayDirectory(nodes));
      this.preemptible.push(new RelayDirectory(nodes));
    }
    // The source is the root of every tree.
    for (let s = 0; s < trees; s++) {
      this.state[s] = TreeState.Attached;
      this.connected[s] = 1;
    }
    this.connectedTrees[0] = trees;
    this.refreshAll(0);
  }

  /** Index of (node, tree) in the per-pair arrays. */
  at(node: number, tree: number): number {
    return node * this.trees + tree;
  }

  /** Most children `node` may have in `tree`, ignoring what it forwards elsewhere. */
  treeCap(node: number, tree: number): number {
    if (node === 0) return this.config.sourceSlotsPerTree;
    const capacity = Math.min(this.config.maxChildren, this.config.capacitySlots[node]);
    if (!this.config.interiorDisjoint) return capacity;
    return this.interior[node] === tree ? capacity : 0;
  }

  /** True when `node` can take one more child in `tree` within its upload. */
  hasFreeSlot(node: number, tree: number): boolean {
    if (this.childCount[this.at(node, tree)] >= this.treeCap(node, tree)) return false;
    return node === 0 || this.totalChildren[node] < this.config.capacitySlots[node];
  }

  /**
   * True when `node` can take one more child in `tree` beyond the slots the directory has
   * already promised: what the directory offers, so that no two seekers race for one slot.
   */
  hasUnpromisedSlot(node: number, tree: number): boolean {
    const p = this.at(node, tree);
    if (this.childCount[p] + this.reserved[p] >= this.treeCap(node, tree)) return false;
    return (
      node === 0 ||
      this.totalChildren[node] + this.reservedTotal[node] < this.config.capacitySlots[node]
    );
  }

  /** The directory promises a slot of `relay` in `tree` to a seeker; it is off offer while held. */
  reserve(relay: number, tree: number): void {
    this.reserved[this.at(relay, tree)]++;
    this.reservedTotal[relay]++;
    this.refreshCapacity(relay, tree);
  }

  /** A promised slot is taken up or given back (the request arrived, or was abandoned). */
  release(relay: number, tree: number): void {
    this.reserved[this.at(relay, tree)]--;
    this.reservedTotal[relay]--;
    this.refreshCapacity(relay, tree);
  }

  /** True when `node` may ever forward in `tree` (it is interior there, or trees are shared). */
  mayForward(node: number, tree: number): boolean {
    return this.treeCap(node, tree) > 0;
  }

  /** A peer comes online: seeking in every tree; with interior-disjoint trees, gets its interior tree. */
  join(node: number): void {
    if (this.config.interiorDisjoint) {
      const slots = Math.min(this.config.maxChildren, this.config.capacitySlots[node]);
      if (slots > 0) {
        let best = 0;
        for (let s = 1; s < this.trees; s++) {
          if (this.interiorSlots[s] < this.interiorSlots[best]) best = s;
        }
        this.interior[node] = best;
        this.interiorSlots[best] += slots;
      }
    }
    for (let s = 0; s < this.trees; s++) this.state[this.at(node, s)] = TreeState.Seeking;
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
    for (let s = 0; s < this.trees; s++) {
      const p = this.at(node, s);
      this.state[p] = TreeState.Offline;
      if (this.connected[p]) this.setConnected(node, s, false);
      this.free[s].update(node, false, 0);
      this.preemptible[s].update(node, false, 0);
    }
  }

  /** Sets a node's state in one tree and updates the directory. */
  setState(node: number, tree: number, state: number): void {
    this.state[this.at(node, tree)] = state;
    this.refresh(node, tree);
  }

  /**
   * Makes `child` a child of `relay` in `tree`, wanting chunks from `fromChunk` on, and
   * connects its subtree. The caller checks {@link hasFreeSlot} and that the child has no parent first; overcommitting a relay's
   * upload is a bug, so it throws.
   */
  link(tree: number, relay: number, child: number, fromChunk: number): void {
    if (!this.hasFreeSlot(relay, tree)) {
      throw new Error(`tree ${tree}: relay ${relay} has no free slot for ${child}`);
    }
    const c = this.at(child, tree);
    const r = this.at(relay, tree);
    // A node in two children lists corrupts both lists (and can make a cycle), so this is a
    // bug to stop at, not a state to repair.
    if (this.parent[c] !== NONE) {
      throw new Error(`tree ${tree}: ${child} is already a child of ${this.parent[c]}`);
    }
    if (!(fromChunk >= 0 && fromChunk <= MAX_CHUNK)) {
      throw new RangeError(`tree ${tree}: chunk ${fromChunk} is beyond the forest's ${MAX_CHUNK}`);
    }
    this.parent[c] = relay;
    // Appended, so that existing children keep their place in the relay's sending order.
    this.childLists.append(r, child, fromChunk);
    this.childCount[r]++;
    this.totalChildren[relay]++;
    const leaf = this.mayForward(child, tree) ? 0 : 1;
    this.linkedAsLeaf[c] = leaf;
    this.leafChildren[r] += leaf;
    this.refreshCapacity(relay, tree);
    if (this.connected[r]) this.connectSubtree(tree, child, this.depth[r] + 1);
  }

  /** Removes `child` from `relay`'s children in `tree`; the slot frees and the relay's offer is updated. */
  dropChild(tree: number, relay: number, child: number): void {
    this.unlink(tree, relay, child);
    this.refreshCapacity(relay, tree);
  }

  /**
   * Removes `child` from the children of `relay`, which is leaving: its offer is not updated,
   * since {@link leave} withdraws it from the directory once all its children are released.
   */
  unlink(tree: number, relay: number, child: number): void {
    const c = this.at(child, tree);
    const r = this.at(relay, tree);
    if (!this.childLists.remove(r, child)) {
      throw new Error(`tree ${tree}: ${child} is not a child of ${relay}`);
    }
    this.parent[c] = NONE;
    this.childCount[r]--;
    this.totalChildren[relay]--;
    this.leafChildren[r] -= this.linkedAsLeaf[c];
    this.linkedAsLeaf[c] = 0;
  }

  /**
   * Pool offset of the first entry of `node`'s children in `tree` (see {@link ChildLists}):
   * the child is at `childLists.pool[e]` (-1 past the last) and its resume point at `e + 1`;
   * the next entry is at `e + 2`.
   */
  childrenOf(node: number, tree: number): number {
    return this.childLists.first(this.at(node, tree));
  }

  /**
   * Marks the subtree of `root` in `tree` cut off from the source (its root lost its parent).
   * `visit` sees every node of the subtree, root included, once.
   */
  disconnectSubtree(tree: number, root: number, visit?: (node: number) => void): void {
    const stack = this.stack;
    stack.length = 0;
    stack.push(root);
    while (stack.length > 0) {
      const node = stack.pop()!;
      visit?.(node);
      if (this.connected[this.at(node, tree)]) this.setConnected(node, tree, false);
      this.refresh(node, tree);
      this.pushChildren(node, tree);
    }
  }

  /**
   * Relays for `peer` to try in `tree`, best first (see {@link RelayDirectory.pick}). With
   * `favourForwarders`, a peer that can forward in the tree is also offered full relays with a
   * leaf child, which push that leaf down to make room (SplitStream's push-down), so that
   * forwarding peers sit high in the tree and the tree keeps growing; offers are then merged by
   * depth (`shallowest`) or latency (`nearest`), relays with a free slot first (`random`).
   */
  candidates(
    peer: number,
    tree: number,
    policy: ParentPolicy,
    count: number,
    random: RandomStream,
    latencyMicros: (a: number, b: number) => number,
  ): number[] {
    if (!this.config.favourForwarders) {
      return this.free[tree].pick(peer, policy, count, random, latencyMicros, false);
    }
    const forwards = this.mayForward(peer, tree);
    // Source slots are scarce: a peer that will never forward in this tree takes one only
    // when no other relay has room, so they go to peers that extend the tree.
    const free = this.free[tree].pick(peer, policy, count, random, latencyMicros, !forwards);
    if (!forwards) return free;
    const full = this.preemptible[tree].pick(peer, policy, count, random, latencyMicros, false);
    if (full.length === 0) return free;
    const merged = [...free, ...full];
    if (policy === "shallowest") {
      merged.sort((a, b) => this.depth[this.at(a, tree)] - this.depth[this.at(b, tree)]);
    } else if (policy === "nearest") {
      merged.sort((a, b) => latencyMicros(peer, a) - latencyMicros(peer, b) || a - b);
    }
    merged.length = Math.min(merged.length, count);
    return merged;
  }

  /**
   * The child `relay` would push down in `tree` to make room for `seeker`: its most recently
   * attached leaf child, when the relay is full, the seeker can forward there and the relay has
   * a leaf; -1 otherwise (always without `favourForwarders`).
   */
  pushDownVictim(relay: number, tree: number, seeker: number): number {
    if (!this.config.favourForwarders) return NONE;
    // Full means full to this seeker: a slot promised to another seeker is not its to take, and
    // the directory lists such a relay among those that may push down.
    if (this.hasUnpromisedSlot(relay, tree) || !this.mayForward(seeker, tree)) return NONE;
    if (this.leafChildren[this.at(relay, tree)] === 0) return NONE;
    const pool = this.childLists.pool;
    const first = this.childrenOf(relay, tree);
    let e = first;
    while (pool[e] !== NONE) e += 2;
    for (e -= 2; e >= first; e -= 2) {
      const c = this.at(pool[e], tree);
      if (this.linkedAsLeaf[c] === 1 && this.state[c] !== TreeState.Offline) return pool[e];
    }
    return NONE;
  }

  /** A copy of the forest's state, for tests and traces; reading it changes nothing. */
  snapshot(): ForestSnapshot {
    const nodes = this.config.nodes;
    const treeCap = new Int32Array(nodes * this.trees);
    for (let node = 0; node < nodes; node++) {
      for (let s = 0; s < this.trees; s++) treeCap[this.at(node, s)] = this.treeCap(node, s);
    }
    return {
      trees: this.trees,
      parent: this.parent.slice(),
      depth: this.depth.slice(),
      childCount: this.childCount.slice(),
      state: this.state.slice(),
      connected: this.connected.slice(),
      interior: this.interior.slice(),
      totalChildren: this.totalChildren.slice(),
      capacitySlots: this.config.capacitySlots.slice(),
      treeCap,
    };
  }

  /** Relays with a free slot in `tree`. */
  offered(tree: number): number {
    return this.free[tree].size;
  }

  /** Mean depth over (peer, tree) pairs connected to the source; 0 when none. */
  meanDepth(): number {
    return this.connectedPeerPairs > 0 ? this.connectedDepthSum / this.connectedPeerPairs : 0;
  }

  /** (peer, tree) pairs connected to the source: the trees held, summed over peers. */
  get connectedPairs(): number {
    return this.connectedPeerPairs;
  }

  private connectSubtree(tree: number, root: number, rootDepth: number): void {
    const stack = this.stack;
    stack.length = 0;
    stack.push(root);
    while (stack.length > 0) {
      const node = stack.pop()!;
      const p = this.at(node, tree);
      // A child that left stays in its parent's list until the parent learns; it is no longer
      // part of the tree.
      if (this.state[p] === TreeState.Offline) continue;
      const d = node === root ? rootDepth : this.depth[this.at(this.parent[p], tree)] + 1;
      if (this.connected[p]) {
        this.connectedDepthSum += d - this.depth[p];
        this.depth[p] = d;
      } else {
        this.depth[p] = d;
        this.setConnected(node, tree, true);
      }
      this.refresh(node, tree);
      this.pushChildren(node, tree);
    }
  }

  /** Pushes the children of `node` in `tree` onto the walk stack, in sending order. */
  private pushChildren(node: number, tree: number): void {
    const pool = this.childLists.pool;
    for (let e = this.childrenOf(node, tree); pool[e] !== NONE; e += 2) this.stack.push(pool[e]);
  }

  private setConnected(node: number, tree: number, on: boolean): void {
    const p = this.at(node, tree);
    this.connected[p] = on ? 1 : 0;
    if (on) this.connectedTrees[node]++;
    else this.connectedTrees[node]--;
    if (node === 0) return;
    const sign = on ? 1 : -1;
    this.connectedPeerPairs += sign;
    this.connectedDepthSum += sign * this.depth[p];
  }

  /** After a change in a relay's children: its offer in `tree`, or in every tree when its upload is shared. */
  private refreshCapacity(relay: number, tree: number): void {
    if (this.config.interiorDisjoint || relay === 0) this.refresh(relay, tree);
    else this.refreshAll(relay);
  }

  private refreshAll(node: number): void {
    for (let s = 0; s < this.trees; s++) this.refresh(node, s);
  }

  /** Keeps the directory's view of one (node, tree) in step with the forest. */
  private refresh(node: number, tree: number): void {
    const p = this.at(node, tree);
    const usable =
      this.state[p] === TreeState.Attached &&
      this.connected[p] === 1 &&
      this.depth[p] < MAX_INDEXED_DEPTH;
    const free = usable && this.hasUnpromisedSlot(node, tree);
    this.free[tree].update(node, free, this.depth[p]);
    if (!this.config.favourForwarders) return;
    const full = usable && !free && this.leafChildren[p] > 0;
    this.preemptible[tree].update(node, full, this.depth[p]);
  }
}
