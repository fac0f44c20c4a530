/** An empty partner entry. */
export const NO_PARTNER = -1;

/**
 * Every node's partner set as one table of edges: node 0 (the source) owns the first
 * `sourceCapacity` entries, each peer `peerCapacity` after them. An edge e of node p says what p
 * knows of one partner q: who it is, what p has learnt of q's buffer map (the time at which the
 * map it holds was taken and the next one on its way), and p's measurements of q as a supplier
 * (throughput, requests outstanding, bytes supplied). All in typed arrays: no object per edge.
 */
export class PartnerTable {
  /** Entries per peer. */
  readonly peerCapacity: number;
  /** Entries of the source. */
  readonly sourceCapacity: number;
  /** The partner of each edge, or {@link NO_PARTNER}. */
  readonly partner: Int32Array;
  /** Partners each node holds. */
  readonly count: Int32Array;
  /** When the partner took the buffer map this node reads, µs (-1: none yet). */
  readonly viewMicros: Float64Array;
  /** When the partner took the newest buffer map sent to this node, µs (-1: none). */
  readonly nextViewMicros: Float64Array;
  /** When that newest map arrives here, µs. */
  readonly nextArriveMicros: Float64Array;
  /** Measured throughput of the partner as this node's supplier, bits/s. */
  readonly rateBitsPerSecond: Float64Array;
  /** 1 once the throughput rests on a measurement (it starts at a guess). */
  readonly measured: Uint8Array;
  /** Requests outstanding at the partner. */
  readonly outstanding: Int32Array;
  /** Last time a chunk from the partner arrived, µs. */
  readonly lastArriveMicros: Float64Array;
  /** Until when the partner said it is too busy for requests, µs. */
  readonly busyUntilMicros: Float64Array;
  /** Cached edge of each edge's partner that points back (checked before use). */
  private readonly reverse: Int32Array;
  /** Called with each new edge (for per-edge state kept elsewhere). */
  onAdd: ((node: number, edge: number) => void) | undefined;

  /**
   * @param nodes node ids (source plus sessions).
   * @param initialRateBitsPerSecond the throughput a new partner is credited with before any
   *   measurement.
   */
  constructor(
    nodes: number,
    peerCapacity: number,
    sourceCapacity: number,
    private readonly initialRateBitsPerSecond: number,
  ) {
    this.peerCapacity = peerCapacity;
    this.sourceCapacity = sourceCapacity;
    const edges = sourceCapacity + Math.max(0, nodes - 1) * peerCapacity;
    this.partner = new Int32Array(edges).fill(NO_PARTNER);
    this.count = new Int32Array(nodes);
    this.viewMicros = new Float64Array(edges);
    this.nextViewMicros = new Float64Array(edges);
    this.nextArriveMicros = new Float64Array(edges);
    this.rateBitsPerSecond = new Float64Array(edges);
    this.measured = new Uint8Array(edges);
    this.outstanding = new Int32Array(edges);
    this.lastArriveMicros = new Float64Array(edges);
    this.busyUntilMicros = new Float64Array(edges);
    this.reverse = new Int32Array(edges).fill(-1);
  }

  /** The edge of `edge`'s partner that points back at `node` (the edge's owner), or -1. */
  back(node: number, edge: number): number {
    const q = this.partner[edge];
    if (q < 0) return -1;
    let b = this.reverse[edge];
    const qBase = this.base(q);
    if (b < qBase || b >= qBase + this.capacity(q) || this.partner[b] !== node) {
      b = this.find(q, node);
      this.reverse[edge] = b;
    }
    return b;
  }

  /** First edge of a node. */
  base(node: number): number {
    return node === 0 ? 0 : this.sourceCapacity + (node - 1) * this.peerCapacity;
  }

  /** Entries a node has. */
  capacity(node: number): number {
    return node === 0 ? this.sourceCapacity : this.peerCapacity;
  }

  /** The edge of `node` that points to `partner`, or -1. */
  find(node: number, partner: number): number {
    const base = this.base(node);
    const end = base + this.capacity(node);
    const p = this.partner;
    for (let e = base; e < end; e++) if (p[e] === partner) return e;
    return -1;
  }

  /** Whether `node` has room for another partner. */
  hasRoom(node: number): boolean {
    return this.count[node] < this.capacity(node);
  }

  /** Adds `partner` to `node`'s set; returns its edge, or -1 when full or already there. */
  add(node: number, partner: number): number {
    if (!this.hasRoom(node) || this.find(node, partner) >= 0) return -1;
    const base = this.base(node);
    const end = base + this.capacity(node);
    for (let e = base; e < end; e++) {
      if (this.partner[e] !== NO_PARTNER) continue;
      this.partner[e] = partner;
      this.viewMicros[e] = -1;
      this.nextViewMicros[e] = -1;
      this.nextArriveMicros[e] = 0;
      this.rateBitsPerSecond[e] = this.initialRateBitsPerSecond;
      this.measured[e] = 0;
      this.outstanding[e] = 0;
      this.lastArriveMicros[e] = -1;
      this.busyUntilMicros[e] = 0;
      this.count[node]++;
      this.onAdd?.(node, e);
      return e;
    }
    return -1;
  }

  /** Clears an edge of `node`. */
  remove(node: number, edge: number): void {
    if (this.partner[edge] === NO_PARTNER) return;
    this.partner[edge] = NO_PARTNER;
    this.count[node]--;
  }

  /**
   * A buffer map `partner` took at `takenMicros` reaches `node` at `arriveMicros`: it becomes the
   * next map, and the one it replaces becomes the current view if it has arrived by now.
   */
  offerView(edge: number, takenMicros: number, arriveMicros: number, nowMicros: number): void {
    this.settleView(edge, nowMicros);
    this.nextViewMicros[edge] = takenMicros;
    this.nextArriveMicros[edge] = arriveMicros;
  }

  /**
   * The time of the newest buffer map of the edge's partner that has reached the node by
   * `nowMicros`, µs, or -1 when none has.
   */
  settleView(edge: number, nowMicros: number): number {
    if (this.nextViewMicros[edge] >= 0 && this.nextArriveMicros[edge] <= nowMicros) {
      this.viewMicros[edge] = this.nextViewMicros[edge];
      this.nextViewMicros[edge] = -1;
    }
    return this.viewMicros[edge];
  }

  /** Folds one throughput sample into the edge's estimate (half weight to the newest). */
  measure(edge: number, sampleBitsPerSecond: number): void {
    this.rateBitsPerSecond[edge] =
      this.measured[edge] === 1
        ? 0.5 * (this.rateBitsPerSecond[edge] + sampleBitsPerSecond)
        : sampleBitsPerSecond;
    this.measured[edge] = 1;
  }
}
