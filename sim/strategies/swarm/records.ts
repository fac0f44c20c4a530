/**
 * The swarm strategy's records, in parallel typed arrays grown by doubling (no object per
 * member, piece or link, so the hot loops stay allocation-free): one membership record per peer
 * per slice swarm it is in, P piece cells per membership, and K half-link cells per membership
 * (each connection is two halves, one in each member's neighbour table). Indices: membership m;
 * piece cell m x P + i; half h = m x K + slot.
 */

/** "No record": an absent membership, half, slot or peer. */
export const NONE = -1;
/** Not yet (a time that has not come), µs. */
export const INF = Number.POSITIVE_INFINITY;
/**
 * The most a piece's availability (rarity) count holds: the counts are 16-bit, and the source's
 * count of its own uploads stops here rather than wrap.
 */
export const MAX_AVAILABILITY = 65_535;

/** States of a membership record (one peer in one slice's swarm). */
export const Membership = {
  /** The record is unused. */
  Free: 0,
  /** Downloading the slice. */
  Leeching: 1,
  /** Holds the whole slice and serves it. */
  Seeding: 2,
  /** Left the swarm; its record stays until its neighbours have noticed (then it is freed). */
  Gone: 3,
} as const;

/** States of a half link (one cell of a member's neighbour table). */
export const Link = {
  /** Unused cell of the neighbour table. */
  Free: 0,
  /** Handshake sent, no answer yet. */
  Connecting: 1,
  /** Handshake answered with our bitfield; waiting for the initiator's bitfield. */
  AwaitingBitfield: 2,
  /** The link is up both ways. */
  Open: 3,
  /**
   * The neighbour closed its half and its goodbye is on the way: nothing more is asked or
   * offered through this half (the neighbour's record may be reused), but pieces already sent
   * still count.
   */
  Closing: 4,
} as const;

/**
 * Membership, piece and half-link records, plus each node's list of memberships (newest first).
 * Fields are public arrays read in place by the strategy's hot loops; a pool growth replaces
 * them, so callers must not keep a reference across an {@link allocate}.
 */
export class SwarmRecords {
  /** Pieces per slice (P). */
  readonly pieces: number;
  /** Neighbour table size per membership (K). */
  readonly k: number;
  /** Tracker reply size per membership, peer ids. */
  readonly trackerPeers: number;
  /** Per node: its newest membership, or NONE. */
  readonly firstMembership: Int32Array;
  private capacity = 0;
  private used = 0;
  /** Serials handed out so far (memberships and links share them, so each use is unique). */
  private serials = 0;
  private readonly freeMemberships: number[] = [];

  // --- Per membership ---
  /** {@link Membership} state. */
  memberState = new Uint8Array(0);
  /** The member's node id. */
  memberPeer = new Int32Array(0);
  /** The swarm's slice index. */
  memberSlice = new Int32Array(0);
  /** Serial of the record's current use (0 when free): stale events compare it. */
  memberSerial = new Float64Array(0);
  /** Pieces held. */
  piecesHeld = new Int32Array(0);
  /** Pieces requested and not yet received (first requests only). */
  piecesRequested = new Int32Array(0);
  /** Length of the contiguous prefix of held pieces. */
  prefixPieces = new Int32Array(0);
  /** Chunks of the slice given to the player so far. */
  chunksFed = new Int32Array(0);
  /** Halves in use in the member's neighbour table. */
  linkCount = new Int32Array(0);
  /** When the member entered the swarm, µs. */
  enteredMicros = new Float64Array(0);
  /** When the member completed the slice, µs; INF until then. */
  completedMicros = new Float64Array(0);
  /** When the member last got a piece, µs: every piece it holds was announced by then. */
  lastPieceMicros = new Float64Array(0);
  /** When the member last announced to the tracker, µs. */
  lastAnnounceMicros = new Float64Array(0);
  /** 1 while a tracker announce awaits its reply. */
  announcing = new Uint8Array(0);
  /** Next (older) membership of the same node, or NONE. */
  nextMembership = new Int32Array(0);
  /** Previous (newer) membership of the same node, or NONE. */
  previousMembership = new Int32Array(0);
  /** Position in the swarm's tracker list, or NONE when not listed. */
  trackerPosition = new Int32Array(0);
  /** Position in the swarm's list of all records. */
  swarmPosition = new Int32Array(0);
  /** Peer ids in the member's tracker reply. */
  replyCount = new Int32Array(0);
  /** Tracker reply: up to trackerPeers peer ids per membership. */
  replyPeers = new Int32Array(0);

  // --- Per piece, P per membership ---
  /** When the member got the piece (and announced it), µs; INF when it has not. */
  pieceGotMicros = new Float64Array(0);
  /**
   * 1 where the member holds the piece: a compact copy of pieceGotMicros !== INF, so that the hot loops
   * read one byte per piece and touch pieceGotMicros only for pieces got within the last latency.
   */
  pieceHeld = new Uint8Array(0);
  /** Neighbour-table slot the piece is requested through; -1 when not requested. */
  requestSlot = new Int16Array(0);
  /** Endgame: a second slot the piece is also requested through; -1 when none. */
  secondRequestSlot = new Int16Array(0);
  /** 1 once an uploader has started sending the piece to the member (the bytes are flowing). */
  pieceOnWire = new Uint8Array(0);
  /** Neighbours known to hold the piece (rarest-first counts). */
  pieceAvailability = new Uint16Array(0);
  /**
   * Each member's pieces partitioned: the first (P - have) entries of its row are the pieces it
   * lacks, the rest those it holds, each part in no order; choosing a piece scans only what is
   * missing, and interest checks only the smaller part.
   */
  missingPieces = new Uint16Array(0);
  /** Where each piece sits in the member's missing row. */
  missingPosition = new Uint16Array(0);

  // --- Per half link, K per membership ---
  /** {@link Link} state. */
  linkState = new Uint8Array(0);
  /** The neighbour's node id. */
  linkPeer = new Int32Array(0);
  /** The neighbour's membership. */
  neighbourMember = new Int32Array(0);
  /** The neighbour's half of this link. */
  neighbourHalf = new Int32Array(0);
  /** The link's serial (both halves share it); 0 when free. */
  linkSerial = new Float64Array(0);
  /** One-way latency to the neighbour, µs. */
  linkLatencyMicros = new Float64Array(0);
  /** Last sign of life (state change, piece, request start), µs: timeouts count from it. */
  lastActivityMicros = new Float64Array(0);
  /** Bytes received from the neighbour, halved each rechoke (tit-for-tat rate). */
  receivedBytes = new Float64Array(0);
  /** Rechoke ranking key; its fraction is a random tie-break. */
  rankKey = new Float64Array(0);
  /** Rechoke stamp marking candidates (stamp) and regular winners (stamp + 1). */
  rechokeMark = new Float64Array(0);
  /** Counts our chokes of the half's neighbour: requests accepted before the last are void. */
  chokeEpoch = new Float64Array(0);
  /** Our requests outstanding through the half. */
  requestsInFlight = new Uint8Array(0);
  /** Why we unchoke the neighbour (0 = choked, else the kind of slot). */
  unchokeKind = new Uint8Array(0);
  /** 1 while the neighbour unchokes us. */
  unchokedByNeighbour = new Uint8Array(0);
  /** 1 once the neighbour said it wants nothing from us (until we get a new piece). */
  neighbourNotInterested = new Uint8Array(0);
  /** 1 while the neighbour's pieces count in our rarity counts. */
  countingNeighbour = new Uint8Array(0);
  /** 1 while the neighbour's half counts our pieces in its rarity counts (mirror of its flag). */
  neighbourCountsUs = new Uint8Array(0);

  /**
   * @param nodes number of node ids.
   * @param pieces pieces per slice (P).
   * @param k neighbour table size per membership (K).
   * @param trackerPeers peer ids per tracker reply.
   */
  constructor(nodes: number, pieces: number, k: number, trackerPeers: number) {
    this.pieces = pieces;
    this.k = k;
    this.trackerPeers = trackerPeers;
    this.firstMembership = new Int32Array(nodes).fill(NONE);
    this.grow(64);
  }

  /**
   * A fresh membership record for `peer` in `slice` (state Membership.Leeching, holding nothing, no links),
   * linked first into the peer's list. `serial` tags this use; `now` is the time, µs.
   */
  allocate(peer: number, slice: number, serial: number, now: number): number {
    let m = this.freeMemberships.pop();
    if (m === undefined) {
      if (this.used === this.capacity) this.grow(this.capacity * 2);
      m = this.used++;
    }
    this.memberState[m] = Membership.Leeching;
    this.memberPeer[m] = peer;
    this.memberSlice[m] = slice;
    this.memberSerial[m] = serial;
    this.piecesHeld[m] = 0;
    this.piecesRequested[m] = 0;
    this.prefixPieces[m] = 0;
    this.chunksFed[m] = 0;
    this.linkCount[m] = 0;
    this.enteredMicros[m] = now;
    this.completedMicros[m] = INF;
    this.lastAnnounceMicros[m] = -INF;
    this.announcing[m] = 0;
    this.trackerPosition[m] = NONE;
    this.replyCount[m] = 0;
    const P = this.pieces;
    this.pieceGotMicros.fill(INF, m * P, (m + 1) * P);
    this.pieceHeld.fill(0, m * P, (m + 1) * P);
    this.lastPieceMicros[m] = -INF;
    this.requestSlot.fill(NONE, m * P, (m + 1) * P);
    this.secondRequestSlot.fill(NONE, m * P, (m + 1) * P);
    this.pieceOnWire.fill(0, m * P, (m + 1) * P);
    this.pieceAvailability.fill(0, m * P, (m + 1) * P);
    for (let i = 0; i < P; i++) {
      this.missingPieces[m * P + i] = i;
      this.missingPosition[m * P + i] = i;
    }
    const k = this.k;
    for (let j = 0; j < k; j++) this.clearHalf(m * k + j);
    // Newest first in the peer's list.
    const head = this.firstMembership[peer];
    this.previousMembership[m] = NONE;
    this.nextMembership[m] = head;
    if (head !== NONE) this.previousMembership[head] = m;
    this.firstMembership[peer] = m;
    return m;
  }

  /** Unlinks a record from its peer's list and returns it to the pool (state Membership.Free). */
  free(m: number): void {
    const peer = this.memberPeer[m];
    const prev = this.previousMembership[m];
    const next = this.nextMembership[m];
    if (prev !== NONE) this.nextMembership[prev] = next;
    else this.firstMembership[peer] = next;
    if (next !== NONE) this.previousMembership[next] = prev;
    this.memberState[m] = Membership.Free;
    this.memberSerial[m] = 0;
    this.freeMemberships.push(m);
  }

  /** A new serial for a membership's or a link's use, unique in the run. */
  nextSerial(): number {
    return ++this.serials;
  }

  /** True while membership m is in its swarm (leeching or seeding). */
  isLive(m: number): boolean {
    const state = this.memberState[m];
    return state === Membership.Leeching || state === Membership.Seeding;
  }

  /**
   * Collects into `out` (cleared first) the halves in use of `peer`'s memberships, newest
   * membership first and in table order within each: of every membership, or with `liveOnly`
   * of those still in their swarm. Returns `out`. Walking a peer's neighbours across all its
   * swarms is what rechokes and slot fills do; collecting first lets the caller change the
   * records as it goes.
   */
  halvesOfPeer(peer: number, liveOnly: boolean, out: number[]): number[] {
    out.length = 0;
    const k = this.k;
    for (let m = this.firstMembership[peer]; m !== NONE; m = this.nextMembership[m]) {
      if (liveOnly && !this.isLive(m)) continue;
      const end = (m + 1) * k;
      for (let h = m * k; h < end; h++) if (this.linkState[h] !== Link.Free) out.push(h);
    }
    return out;
  }

  /** `peer`'s membership in `slice`'s swarm, or NONE. */
  membershipOf(peer: number, slice: number): number {
    for (let m = this.firstMembership[peer]; m !== NONE; m = this.nextMembership[m]) {
      if (this.memberSlice[m] === slice) return m;
    }
    return NONE;
  }

  /** Whether member m already has a half (in any state) linked to node q. */
  linked(m: number, q: number): boolean {
    const base = m * this.k;
    for (let j = 0; j < this.k; j++) {
      if (this.linkState[base + j] !== Link.Free && this.linkPeer[base + j] === q) return true;
    }
    return false;
  }

  /** A free half in member m's neighbour table, or NONE when it is full. */
  freeHalf(m: number): number {
    const base = m * this.k;
    for (let j = 0; j < this.k; j++) if (this.linkState[base + j] === Link.Free) return base + j;
    return NONE;
  }

  /** Resets half h to Link.Free (its bookkeeping must already be undone). */
  clearHalf(h: number): void {
    this.linkState[h] = Link.Free;
    this.linkSerial[h] = 0;
    this.linkPeer[h] = NONE;
    this.neighbourMember[h] = NONE;
    this.neighbourHalf[h] = NONE;
    this.receivedBytes[h] = 0;
    this.requestsInFlight[h] = 0;
    this.unchokeKind[h] = 0;
    this.unchokedByNeighbour[h] = 0;
    this.neighbourNotInterested[h] = 0;
    this.countingNeighbour[h] = 0;
    this.neighbourCountsUs[h] = 0;
  }

  private grow(capacity: number): void {
    const P = this.pieces;
    const k = this.k;
    const t = this.trackerPeers;
    this.memberState = grownUint8(this.memberState, capacity);
    this.memberPeer = grownInt32(this.memberPeer, capacity, NONE);
    this.memberSlice = grownInt32(this.memberSlice, capacity, NONE);
    this.memberSerial = grownFloat64(this.memberSerial, capacity, 0);
    this.piecesHeld = grownInt32(this.piecesHeld, capacity, 0);
    this.piecesRequested = grownInt32(this.piecesRequested, capacity, 0);
    this.prefixPieces = grownInt32(this.prefixPieces, capacity, 0);
    this.chunksFed = grownInt32(this.chunksFed, capacity, 0);
    this.linkCount = grownInt32(this.linkCount, capacity, 0);
    this.enteredMicros = grownFloat64(this.enteredMicros, capacity, 0);
    this.completedMicros = grownFloat64(this.completedMicros, capacity, INF);
    this.lastPieceMicros = grownFloat64(this.lastPieceMicros, capacity, 0);
    this.lastAnnounceMicros = grownFloat64(this.lastAnnounceMicros, capacity, 0);
    this.announcing = grownUint8(this.announcing, capacity);
    this.nextMembership = grownInt32(this.nextMembership, capacity, NONE);
    this.previousMembership = grownInt32(this.previousMembership, capacity, NONE);
    this.trackerPosition = grownInt32(this.trackerPosition, capacity, NONE);
    this.swarmPosition = grownInt32(this.swarmPosition, capacity, NONE);
    this.replyCount = grownInt32(this.replyCount, capacity, 0);
    this.replyPeers = grownInt32(this.replyPeers, capacity * t, NONE);
    this.pieceGotMicros = grownFloat64(this.pieceGotMicros, capacity * P, INF);
    this.pieceHeld = grownUint8(this.pieceHeld, capacity * P);
    const pending = new Int16Array(capacity * P).fill(NONE);
    pending.set(this.requestSlot);
    this.requestSlot = pending;
    this.pieceOnWire = grownUint8(this.pieceOnWire, capacity * P);
    const second = new Int16Array(capacity * P).fill(NONE);
    second.set(this.secondRequestSlot);
    this.secondRequestSlot = second;
    const avail = new Uint16Array(capacity * P);
    avail.set(this.pieceAvailability);
    this.pieceAvailability = avail;
    const missing = new Uint16Array(capacity * P);
    missing.set(this.missingPieces);
    this.missingPieces = missing;
    const missingAt = new Uint16Array(capacity * P);
    missingAt.set(this.missingPosition);
    this.missingPosition = missingAt;
    this.linkState = grownUint8(this.linkState, capacity * k);
    this.linkPeer = grownInt32(this.linkPeer, capacity * k, NONE);
    this.neighbourMember = grownInt32(this.neighbourMember, capacity * k, NONE);
    this.neighbourHalf = grownInt32(this.neighbourHalf, capacity * k, NONE);
    this.linkSerial = grownFloat64(this.linkSerial, capacity * k, 0);
    this.linkLatencyMicros = grownFloat64(this.linkLatencyMicros, capacity * k, 0);
    this.lastActivityMicros = grownFloat64(this.lastActivityMicros, capacity * k, 0);
    this.receivedBytes = grownFloat64(this.receivedBytes, capacity * k, 0);
    this.rankKey = grownFloat64(this.rankKey, capacity * k, 0);
    this.rechokeMark = grownFloat64(this.rechokeMark, capacity * k, 0);
    this.chokeEpoch = grownFloat64(this.chokeEpoch, capacity * k, 0);
    this.requestsInFlight = grownUint8(this.requestsInFlight, capacity * k);
    this.unchokeKind = grownUint8(this.unchokeKind, capacity * k);
    this.unchokedByNeighbour = grownUint8(this.unchokedByNeighbour, capacity * k);
    this.neighbourNotInterested = grownUint8(this.neighbourNotInterested, capacity * k);
    this.countingNeighbour = grownUint8(this.countingNeighbour, capacity * k);
    this.neighbourCountsUs = grownUint8(this.neighbourCountsUs, capacity * k);
    this.capacity = capacity;
  }
}

/** A copy of `a` lengthened to `length`, new cells set to `fill`. */
export function grownInt32(a: Int32Array, length: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(length).fill(fill);
  b.set(a);
  return b;
}

function grownFloat64(a: Float64Array, length: number, fill: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(length).fill(fill);
  b.set(a);
  return b;
}

function grownUint8(a: Uint8Array, length: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(length);
  b.set(a);
  return b;
}
