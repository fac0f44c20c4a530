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
 * Link messages carry (link serial, piece) packed as serial x RADIX + piece in one payload word.
 * Pieces are below RADIX; serials count links formed in a run and stay far below 2^37, so the
 * packing is exact in a double.
 */
export const RADIX = 65_536;

// Membership (one peer in one slice's swarm) states.
/** Membership state: the record is unused. */
export const M_FREE = 0;
/** Membership state: downloading the slice. */
export const M_LEECH = 1;
/** Membership state: holds the whole slice and serves it. */
export const M_SEED = 2;
/** Left the swarm; its record stays until its neighbours have noticed (then it is freed). */
export const M_GONE = 3;

// Half-link states.
/** Half state: unused cell of the neighbour table. */
export const H_FREE = 0;
/** Handshake sent, no answer yet. */
export const H_CONNECTING = 1;
/** Handshake answered with our bitfield; waiting for the initiator's bitfield. */
export const H_AWAIT = 2;
/** Half state: the link is up both ways. */
export const H_OPEN = 3;
/**
 * The neighbour closed its half and its goodbye is on the way: nothing more is asked or offered
 * through this half (the neighbour's record may be reused), but pieces already sent still count.
 */
export const H_CLOSING = 4;

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
  private readonly freeMemberships: number[] = [];

  // --- Per membership ---
  /** M_* state. */
  mState = new Uint8Array(0);
  /** The member's node id. */
  mPeer = new Int32Array(0);
  /** The swarm's slice index. */
  mSlice = new Int32Array(0);
  /** Serial of the record's current use (0 when free): stale events compare it. */
  mSerial = new Float64Array(0);
  /** Pieces held. */
  mHave = new Int32Array(0);
  /** Pieces requested and not yet received (first requests only). */
  mPending = new Int32Array(0);
  /** Length of the contiguous prefix of held pieces. */
  mPrefix = new Int32Array(0);
  /** Chunks of the slice given to the player so far. */
  mFed = new Int32Array(0);
  /** Halves in use in the member's neighbour table. */
  mLinks = new Int32Array(0);
  /** When the member entered the swarm, µs. */
  mReady = new Float64Array(0);
  /** When the member completed the slice, µs; INF until then. */
  mComplete = new Float64Array(0);
  /** When the member last got a piece, µs: every piece it holds was announced by then. */
  mLastGot = new Float64Array(0);
  /** When the member last announced to the tracker, µs. */
  mLastAnnounce = new Float64Array(0);
  /** 1 while a tracker announce awaits its reply. */
  mAnnouncing = new Uint8Array(0);
  /** Next (older) membership of the same node, or NONE. */
  mNext = new Int32Array(0);
  /** Previous (newer) membership of the same node, or NONE. */
  mPrev = new Int32Array(0);
  /** Position in the swarm's tracker list, or NONE when not listed. */
  mTrackPos = new Int32Array(0);
  /** Position in the swarm's list of all records. */
  mAllPos = new Int32Array(0);
  /** Peer ids in the member's tracker reply. */
  mReplyCount = new Int32Array(0);
  /** Tracker reply: up to trackerPeers peer ids per membership. */
  mReply = new Int32Array(0);

  // --- Per piece, P per membership ---
  /** When the member got the piece (and announced it), µs; INF when it has not. */
  pAt = new Float64Array(0);
  /**
   * 1 where the member holds the piece: a compact copy of pAt !== INF, so that the hot loops
   * read one byte per piece and touch pAt only for pieces got within the last latency.
   */
  pHas = new Uint8Array(0);
  /** Neighbour-table slot the piece is requested through; -1 when not requested. */
  pPending = new Int16Array(0);
  /** Endgame: a second slot the piece is also requested through; -1 when none. */
  pSecond = new Int16Array(0);
  /** 1 once an uploader has started sending the piece to the member (the bytes are flowing). */
  pOnWire = new Uint8Array(0);
  /** Neighbours known to hold the piece (rarest-first counts). */
  pAvail = new Uint16Array(0);
  /**
   * Each member's pieces partitioned: the first (P - have) entries of its row are the pieces it
   * lacks, the rest those it holds, each part in no order; choosing a piece scans only what is
   * missing, and interest checks only the smaller part.
   */
  pMissing = new Uint16Array(0);
  /** Where each piece sits in the member's missing row. */
  pMissingAt = new Uint16Array(0);

  // --- Per half link, K per membership ---
  /** H_* state. */
  hState = new Uint8Array(0);
  /** The neighbour's node id. */
  hPeer = new Int32Array(0);
  /** The neighbour's membership. */
  hNbr = new Int32Array(0);
  /** The neighbour's half of this link. */
  hNbrHalf = new Int32Array(0);
  /** The link's serial (both halves share it); 0 when free. */
  hSerial = new Float64Array(0);
  /** One-way latency to the neighbour, µs. */
  hLat = new Float64Array(0);
  /** Last sign of life (state change, piece, request start), µs: timeouts count from it. */
  hSince = new Float64Array(0);
  /** Bytes received from the neighbour, halved each rechoke (tit-for-tat rate). */
  hRecv = new Float64Array(0);
  /** Rechoke ranking key; its fraction is a random tie-break. */
  hKey = new Float64Array(0);
  /** Rechoke stamp marking candidates (stamp) and regular winners (stamp + 1). */
  hMark = new Float64Array(0);
  /** Counts our chokes of the half's neighbour: requests accepted before the last are void. */
  hEpoch = new Float64Array(0);
  /** Our requests outstanding through the half. */
  hInFlight = new Uint8Array(0);
  /** Why we unchoke the neighbour (0 = choked, else the kind of slot). */
  hUnchoking = new Uint8Array(0);
  /** 1 while the neighbour unchokes us. */
  hUnchoked = new Uint8Array(0);
  /** 1 once the neighbour said it wants nothing from us (until we get a new piece). */
  hNotInterested = new Uint8Array(0);
  /** 1 while the neighbour's pieces count in our rarity counts. */
  hCounted = new Uint8Array(0);
  /** 1 while the neighbour's half counts our pieces in its rarity counts (mirror of its flag). */
  hTheyCount = new Uint8Array(0);

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
   * A fresh membership record for `peer` in `slice` (state M_LEECH, holding nothing, no links),
   * linked first into the peer's list. `serial` tags this use; `now` is the time, µs.
   */
  allocate(peer: number, slice: number, serial: number, now: number): number {
    let m = this.freeMemberships.pop();
    if (m === undefined) {
      if (this.used === this.capacity) this.grow(this.capacity * 2);
      m = this.used++;
    }
    this.mState[m] = M_LEECH;
    this.mPeer[m] = peer;
    this.mSlice[m] = slice;
    this.mSerial[m] = serial;
    this.mHave[m] = 0;
    this.mPending[m] = 0;
    this.mPrefix[m] = 0;
    this.mFed[m] = 0;
    this.mLinks[m] = 0;
    this.mReady[m] = now;
    this.mComplete[m] = INF;
    this.mLastAnnounce[m] = -INF;
    this.mAnnouncing[m] = 0;
    this.mTrackPos[m] = NONE;
    this.mReplyCount[m] = 0;
    const P = this.pieces;
    this.pAt.fill(INF, m * P, (m + 1) * P);
    this.pHas.fill(0, m * P, (m + 1) * P);
    this.mLastGot[m] = -INF;
    this.pPending.fill(NONE, m * P, (m + 1) * P);
    this.pSecond.fill(NONE, m * P, (m + 1) * P);
    this.pOnWire.fill(0, m * P, (m + 1) * P);
    this.pAvail.fill(0, m * P, (m + 1) * P);
    for (let i = 0; i < P; i++) {
      this.pMissing[m * P + i] = i;
      this.pMissingAt[m * P + i] = i;
    }
    const k = this.k;
    for (let j = 0; j < k; j++) this.clearHalf(m * k + j);
    // Newest first in the peer's list.
    const head = this.firstMembership[peer];
    this.mPrev[m] = NONE;
    this.mNext[m] = head;
    if (head !== NONE) this.mPrev[head] = m;
    this.firstMembership[peer] = m;
    return m;
  }

  /** Unlinks a record from its peer's list and returns it to the pool (state M_FREE). */
  free(m: number): void {
    const peer = this.mPeer[m];
    const prev = this.mPrev[m];
    const next = this.mNext[m];
    if (prev !== NONE) this.mNext[prev] = next;
    else this.firstMembership[peer] = next;
    if (next !== NONE) this.mPrev[next] = prev;
    this.mState[m] = M_FREE;
    this.mSerial[m] = 0;
    this.freeMemberships.push(m);
  }

  /** `peer`'s membership in `slice`'s swarm, or NONE. */
  membershipOf(peer: number, slice: number): number {
    for (let m = this.firstMembership[peer]; m !== NONE; m = this.mNext[m]) {
      if (this.mSlice[m] === slice) return m;
    }
    return NONE;
  }

  /** Whether member m already has a half (in any state) linked to node q. */
  linked(m: number, q: number): boolean {
    const base = m * this.k;
    for (let j = 0; j < this.k; j++) {
      if (this.hState[base + j] !== H_FREE && this.hPeer[base + j] === q) return true;
    }
    return false;
  }

  /** A free half in member m's neighbour table, or NONE when it is full. */
  freeHalf(m: number): number {
    const base = m * this.k;
    for (let j = 0; j < this.k; j++) if (this.hState[base + j] === H_FREE) return base + j;
    return NONE;
  }

  /** Resets half h to H_FREE (its bookkeeping must already be undone). */
  clearHalf(h: number): void {
    this.hState[h] = H_FREE;
    this.hSerial[h] = 0;
    this.hPeer[h] = NONE;
    this.hNbr[h] = NONE;
    this.hNbrHalf[h] = NONE;
    this.hRecv[h] = 0;
    this.hInFlight[h] = 0;
    this.hUnchoking[h] = 0;
    this.hUnchoked[h] = 0;
    this.hNotInterested[h] = 0;
    this.hCounted[h] = 0;
    this.hTheyCount[h] = 0;
  }

  private grow(capacity: number): void {
    const P = this.pieces;
    const k = this.k;
    const t = this.trackerPeers;
    this.mState = grownUint8(this.mState, capacity);
    this.mPeer = grownInt32(this.mPeer, capacity, NONE);
    this.mSlice = grownInt32(this.mSlice, capacity, NONE);
    this.mSerial = grownFloat64(this.mSerial, capacity, 0);
    this.mHave = grownInt32(this.mHave, capacity, 0);
    this.mPending = grownInt32(this.mPending, capacity, 0);
    this.mPrefix = grownInt32(this.mPrefix, capacity, 0);
    this.mFed = grownInt32(this.mFed, capacity, 0);
    this.mLinks = grownInt32(this.mLinks, capacity, 0);
    this.mReady = grownFloat64(this.mReady, capacity, 0);
    this.mComplete = grownFloat64(this.mComplete, capacity, INF);
    this.mLastGot = grownFloat64(this.mLastGot, capacity, 0);
    this.mLastAnnounce = grownFloat64(this.mLastAnnounce, capacity, 0);
    this.mAnnouncing = grownUint8(this.mAnnouncing, capacity);
    this.mNext = grownInt32(this.mNext, capacity, NONE);
    this.mPrev = grownInt32(this.mPrev, capacity, NONE);
    this.mTrackPos = grownInt32(this.mTrackPos, capacity, NONE);
    this.mAllPos = grownInt32(this.mAllPos, capacity, NONE);
    this.mReplyCount = grownInt32(this.mReplyCount, capacity, 0);
    this.mReply = grownInt32(this.mReply, capacity * t, NONE);
    this.pAt = grownFloat64(this.pAt, capacity * P, INF);
    this.pHas = grownUint8(this.pHas, capacity * P);
    const pending = new Int16Array(capacity * P).fill(NONE);
    pending.set(this.pPending);
    this.pPending = pending;
    this.pOnWire = grownUint8(this.pOnWire, capacity * P);
    const second = new Int16Array(capacity * P).fill(NONE);
    second.set(this.pSecond);
    this.pSecond = second;
    const avail = new Uint16Array(capacity * P);
    avail.set(this.pAvail);
    this.pAvail = avail;
    const missing = new Uint16Array(capacity * P);
    missing.set(this.pMissing);
    this.pMissing = missing;
    const missingAt = new Uint16Array(capacity * P);
    missingAt.set(this.pMissingAt);
    this.pMissingAt = missingAt;
    this.hState = grownUint8(this.hState, capacity * k);
    this.hPeer = grownInt32(this.hPeer, capacity * k, NONE);
    this.hNbr = grownInt32(this.hNbr, capacity * k, NONE);
    this.hNbrHalf = grownInt32(this.hNbrHalf, capacity * k, NONE);
    this.hSerial = grownFloat64(this.hSerial, capacity * k, 0);
    this.hLat = grownFloat64(this.hLat, capacity * k, 0);
    this.hSince = grownFloat64(this.hSince, capacity * k, 0);
    this.hRecv = grownFloat64(this.hRecv, capacity * k, 0);
    this.hKey = grownFloat64(this.hKey, capacity * k, 0);
    this.hMark = grownFloat64(this.hMark, capacity * k, 0);
    this.hEpoch = grownFloat64(this.hEpoch, capacity * k, 0);
    this.hInFlight = grownUint8(this.hInFlight, capacity * k);
    this.hUnchoking = grownUint8(this.hUnchoking, capacity * k);
    this.hUnchoked = grownUint8(this.hUnchoked, capacity * k);
    this.hNotInterested = grownUint8(this.hNotInterested, capacity * k);
    this.hCounted = grownUint8(this.hCounted, capacity * k);
    this.hTheyCount = grownUint8(this.hTheyCount, capacity * k);
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
