import { SimulationError } from "../../engine/simulator.ts";

/** No membership, flow or link (the end of a list). */
const NONE = -1;

/**
 * Max-min fair rates of flows over capacitated links, recomputed by progressive filling
 * (water-filling) over the connected components of the links a change touched, as SimGrid's
 * flow-level model does. A flow crosses one or more links (its sender's uplink and its
 * receivers' downlinks); a link is shared by the flows crossing it. Max-min fairness: no flow
 * can get more without taking from a flow whose rate is no larger. Progressive filling raises
 * every unfixed flow's rate together until some link is full; that link's flows are fixed at
 * its fair share, its capacity is taken from their other links, and the filling goes on.
 *
 * Memberships (flow, link) live in typed arrays with a free stack, linked twice: through the
 * flow's list and through the link's doubly-linked list, so adding and removing a flow costs
 * its number of links and no allocation. A recompute costs O((m + l) log l) for the m
 * memberships and l links of the touched components (a binary heap of links keyed by share,
 * an entry put back only when it surfaces below its link's share).
 * Links of capacity 0 are unlimited: give a flow no membership in them.
 */
export class MaxMinShares {
  /** Each flow's rate after the last {@link solve}, bits/s (0 until its first). */
  rate: Float64Array;
  private readonly capacity: Float64Array;
  private readonly maxFlows: number;
  // Flows: first membership, stamp of the last traversal, and a free stack.
  private flowFirst: Int32Array;
  private flowStamp: Int32Array;
  private flowFree: Int32Array;
  private flowFreeCount = 0;
  private flowsUsed = 0;
  /** Flows in progress. */
  live = 0;
  // Memberships.
  private memFlow: Int32Array;
  private memLink: Int32Array;
  private memNextOfFlow: Int32Array;
  private memPrevInLink: Int32Array;
  private memNextInLink: Int32Array;
  private memFree: Int32Array;
  private memFreeCount = 0;
  private memUsed = 0;
  // Links.
  private readonly linkHead: Int32Array;
  private readonly linkStamp: Int32Array;
  private readonly linkRemaining: Float64Array;
  private readonly linkUnfixed: Int32Array;
  private readonly dirty: Int32Array;
  private dirtyCount = 0;
  private stamp = 0;
  // Work lists of one recompute.
  private componentFlows: Int32Array;
  private componentFlowCount = 0;
  private readonly componentLinks: Int32Array;
  private componentLinkCount = 0;
  private previous: Float64Array;
  // The links' heap, keyed by fair share (lazy: stale entries are skipped).
  private heapShare: Float64Array;
  private heapLink: Int32Array;
  private heapSize = 0;

  /**
   * @param capacity each link's capacity, bits/s (0: unlimited, never a constraint).
   * @param maxFlows most flows at once (`network.maxFlows`); more is an error naming it.
   */
  constructor(capacity: Float64Array, maxFlows: number) {
    this.capacity = capacity;
    this.maxFlows = maxFlows;
    const links = capacity.length;
    const flows = 256;
    this.rate = new Float64Array(flows);
    this.flowFirst = new Int32Array(flows);
    this.flowStamp = new Int32Array(flows);
    this.flowFree = new Int32Array(flows);
    this.previous = new Float64Array(flows);
    this.componentFlows = new Int32Array(flows);
    this.memFlow = new Int32Array(flows * 2);
    this.memLink = new Int32Array(flows * 2);
    this.memNextOfFlow = new Int32Array(flows * 2);
    this.memPrevInLink = new Int32Array(flows * 2);
    this.memNextInLink = new Int32Array(flows * 2);
    this.memFree = new Int32Array(flows * 2);
    this.linkHead = new Int32Array(links).fill(NONE);
    this.linkStamp = new Int32Array(links);
    this.linkRemaining = new Float64Array(links);
    this.linkUnfixed = new Int32Array(links);
    this.dirty = new Int32Array(links);
    this.componentLinks = new Int32Array(links);
    this.heapShare = new Float64Array(links);
    this.heapLink = new Int32Array(links);
  }

  /** A new flow crossing no link yet, at rate 0 (throws at `network.maxFlows`). */
  addFlow(nowMicros: number): number {
    if (this.live >= this.maxFlows) {
      throw new SimulationError(
        `network.maxFlows: ${this.maxFlows} flows in progress at once at ${nowMicros / 1e6} s ` +
          "(raise the limit if the scenario really needs more)",
      );
    }
    this.live++;
    let f: number;
    if (this.flowFreeCount > 0) f = this.flowFree[--this.flowFreeCount];
    else {
      if (this.flowsUsed === this.rate.length) this.growFlows();
      f = this.flowsUsed++;
    }
    this.flowFirst[f] = NONE;
    this.rate[f] = 0;
    return f;
  }

  /** Adds `link` (of positive capacity) to the links flow `f` crosses, and marks it changed. */
  addLink(f: number, link: number): void {
    if (this.memFreeCount === 0 && this.memUsed === this.memFlow.length) this.growMemberships();
    const m = this.memFreeCount > 0 ? this.memFree[--this.memFreeCount] : this.memUsed++;
    this.memFlow[m] = f;
    this.memLink[m] = link;
    this.memNextOfFlow[m] = this.flowFirst[f];
    this.flowFirst[f] = m;
    const head = this.linkHead[link];
    this.memPrevInLink[m] = NONE;
    this.memNextInLink[m] = head;
    if (head !== NONE) this.memPrevInLink[head] = m;
    this.linkHead[link] = m;
    this.markDirty(link);
  }

  /** Removes flow `f` from its links (marked changed) and frees it. */
  removeFlow(f: number): void {
    for (let m = this.flowFirst[f]; m !== NONE; ) {
      const link = this.memLink[m];
      const prev = this.memPrevInLink[m];
      const next = this.memNextInLink[m];
      if (prev === NONE) this.linkHead[link] = next;
      else this.memNextInLink[prev] = next;
      if (next !== NONE) this.memPrevInLink[next] = prev;
      this.markDirty(link);
      const following = this.memNextOfFlow[m];
      this.memFree[this.memFreeCount++] = m;
      m = following;
    }
    this.flowFirst[f] = NONE;
    this.rate[f] = 0;
    this.flowFree[this.flowFreeCount++] = f;
    this.live--;
  }

  /** The first membership of `link` (iterate with {@link nextOnLink}), or -1. */
  firstOnLink(link: number): number {
    return this.linkHead[link];
  }

  /** The membership after `m` on its link, or -1. */
  nextOnLink(m: number): number {
    return this.memNextInLink[m];
  }

  /** The flow of membership `m`. */
  flowOf(m: number): number {
    return this.memFlow[m];
  }

  /** True when some link changed since the last {@link solve}. */
  get pending(): boolean {
    return this.dirtyCount > 0;
  }

  /**
   * Recomputes the rates of every flow in the components of the links changed since the last
   * call, and calls `changed(f, oldRate)` for each flow whose rate changed (its new rate is in
   * {@link rate}), in the order the filling fixed them.
   */
  solve(changed: (f: number, oldRate: number) => void): void {
    if (this.dirtyCount === 0) return;
    this.collectComponents();
    this.fill();
    const rate = this.rate;
    for (let i = 0; i < this.componentFlowCount; i++) {
      const f = this.componentFlows[i];
      const old = this.previous[i];
      if (rate[f] !== old) changed(f, old);
    }
  }

  private markDirty(link: number): void {
    if (this.dirty.length === 0) return;
    // A link is listed once per recompute: its stamp says it is listed already.
    if (this.linkStamp[link] === -1 - this.stamp) return;
    this.linkStamp[link] = -1 - this.stamp;
    this.dirty[this.dirtyCount++] = link;
  }

  /** Every flow and link reachable from the changed links, with the flows' old rates. */
  private collectComponents(): void {
    const stamp = ++this.stamp;
    const links = this.componentLinks;
    let linkCount = 0;
    let flowCount = 0;
    for (let i = 0; i < this.dirtyCount; i++) {
      const link = this.dirty[i];
      this.linkStamp[link] = stamp;
      links[linkCount++] = link;
    }
    this.dirtyCount = 0;
    for (let i = 0; i < linkCount; i++) {
      for (let m = this.linkHead[links[i]]; m !== NONE; m = this.memNextInLink[m]) {
        const f = this.memFlow[m];
        if (this.flowStamp[f] === stamp) continue;
        this.flowStamp[f] = stamp;
        this.componentFlows[flowCount] = f;
        this.previous[flowCount++] = this.rate[f];
        for (let n = this.flowFirst[f]; n !== NONE; n = this.memNextOfFlow[n]) {
          const other = this.memLink[n];
          if (this.linkStamp[other] === stamp) continue;
          this.linkStamp[other] = stamp;
          links[linkCount++] = other;
        }
      }
    }
    this.componentLinkCount = linkCount;
    this.componentFlowCount = flowCount;
  }

  /** Progressive filling over the collected component. */
  private fill(): void {
    const stamp = this.stamp;
    const links = this.componentLinks;
    this.heapSize = 0;
    for (let i = 0; i < this.componentLinkCount; i++) {
      const link = links[i];
      let unfixed = 0;
      for (let m = this.linkHead[link]; m !== NONE; m = this.memNextInLink[m]) unfixed++;
      this.linkRemaining[link] = this.capacity[link];
      this.linkUnfixed[link] = unfixed;
      if (unfixed > 0) this.push(this.capacity[link] / unfixed, link);
    }
    // A flow is fixed when its stamp moves past the component's.
    const fixed = stamp + 1;
    while (this.heapSize > 0) {
      const share = this.heapShare[0];
      const link = this.heapLink[0];
      this.pop();
      const unfixed = this.linkUnfixed[link];
      if (unfixed === 0) continue;
      // A link's share only rises as flows elsewhere are fixed below it, so its entry may be
      // stale (too low): put it back at its share now. The lowest share surfaces first.
      const current = Math.max(0, this.linkRemaining[link]) / unfixed;
      if (current > share) {
        this.push(current, link);
        continue;
      }
      for (let m = this.linkHead[link]; m !== NONE; m = this.memNextInLink[m]) {
        const f = this.memFlow[m];
        if (this.flowStamp[f] === fixed) continue;
        this.flowStamp[f] = fixed;
        this.rate[f] = current;
        for (let n = this.flowFirst[f]; n !== NONE; n = this.memNextOfFlow[n]) {
          const other = this.memLink[n];
          this.linkRemaining[other] -= current;
          this.linkUnfixed[other]--;
        }
      }
      this.linkUnfixed[link] = 0;
    }
    // The next recompute's stamp must be past the fixed marks.
    this.stamp = fixed;
  }

  private push(share: number, link: number): void {
    if (this.heapSize === this.heapShare.length) {
      const share2 = new Float64Array(this.heapSize * 2);
      const link2 = new Int32Array(this.heapSize * 2);
      share2.set(this.heapShare);
      link2.set(this.heapLink);
      this.heapShare = share2;
      this.heapLink = link2;
    }
    let i = this.heapSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(share, link, this.heapShare[parent], this.heapLink[parent])) break;
      this.heapShare[i] = this.heapShare[parent];
      this.heapLink[i] = this.heapLink[parent];
      i = parent;
    }
    this.heapShare[i] = share;
    this.heapLink[i] = link;
  }

  private pop(): void {
    const size = --this.heapSize;
    if (size === 0) return;
    const share = this.heapShare[size];
    const link = this.heapLink[size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (
        right < size &&
        this.before(
          this.heapShare[right],
          this.heapLink[right],
          this.heapShare[child],
          this.heapLink[child],
        )
      )
        child = right;
      if (!this.before(this.heapShare[child], this.heapLink[child], share, link)) break;
      this.heapShare[i] = this.heapShare[child];
      this.heapLink[i] = this.heapLink[child];
      i = child;
    }
    this.heapShare[i] = share;
    this.heapLink[i] = link;
  }

  /** Heap order: smaller share first, then smaller link id (deterministic ties). */
  private before(shareA: number, linkA: number, shareB: number, linkB: number): boolean {
    return shareA < shareB || (shareA === shareB && linkA < linkB);
  }

  private growFlows(): void {
    const n = Math.min(this.rate.length * 2, Math.max(this.maxFlows, 256));
    this.rate = grow(this.rate, n);
    this.flowFirst = grow(this.flowFirst, n);
    this.flowStamp = grow(this.flowStamp, n);
    this.flowFree = grow(this.flowFree, n);
    this.previous = grow(this.previous, n);
    this.componentFlows = grow(this.componentFlows, n);
  }

  private growMemberships(): void {
    const n = this.memFlow.length * 2;
    this.memFlow = grow(this.memFlow, n);
    this.memLink = grow(this.memLink, n);
    this.memNextOfFlow = grow(this.memNextOfFlow, n);
    this.memPrevInLink = grow(this.memPrevInLink, n);
    this.memNextInLink = grow(this.memNextInLink, n);
    this.memFree = grow(this.memFree, n);
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, capacity: number): T {
  const b = new (a.constructor as new (n: number) => T)(capacity);
  b.set(a);
  return b;
}
