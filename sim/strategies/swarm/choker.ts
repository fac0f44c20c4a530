import type { RandomStream } from "../../engine/random.ts";
import type { PieceKnowledge } from "./knowledge.ts";
import { Link, NONE, type SwarmRecords } from "./records.ts";

/** Unchoke kind: one of a peer's regular (tit-for-tat) slots. */
export const REGULAR = 1;
/** Unchoke kind: the peer's optimistic slot. */
export const OPTIMISTIC = 2;

/** How the choker tells a neighbour its decision (one control message each). */
export interface ChokeMessages {
  /** Sends UNCHOKE over half h. */
  unchoke(h: number): void;
  /** Sends CHOKE over half h. */
  choke(h: number): void;
}

/**
 * Upload slots per node: the source gives each unchoked peer about a stream's worth of its
 * uplink unless `sourceSlots` (> 0) says otherwise; a peer with no upload (a free rider)
 * unchokes no one, as it could not serve them. `uploadOf(node)` is in bits/s.
 */
export function uploadSlots(
  nodes: number,
  uploadOf: (node: number) => number,
  bitrateBitsPerSecond: number,
  peerSlots: number,
  sourceSlots: number,
): Int32Array {
  const slots = new Int32Array(nodes);
  for (let node = 0; node < nodes; node++) {
    const upload = uploadOf(node);
    if (node === 0) {
      const auto = Math.min(1024, Math.max(1, Math.floor(upload / bitrateBitsPerSecond)));
      slots[node] = sourceSlots > 0 ? sourceSlots : auto;
    } else {
      slots[node] = upload > 0 ? peerSlots : 0;
    }
  }
  return slots;
}

/**
 * Who each peer uploads to: `slots` regular slots across all its swarms, ranked at each rechoke
 * by the bytes each interested neighbour gave (tit-for-tat, a rolling half-life of one rechoke
 * period), plus one optimistic slot rotated every `optimisticEvery` rechokes; a slot freed
 * between rechokes goes at once to the best-ranked interested neighbour. State per half is
 * `unchokeKind` (the kind) and `chokeEpoch` (bumped on every choke) in the records.
 */
export class Choker {
  /** Regular upload slots per node. */
  readonly slots: Int32Array;
  /** Regular slots in use per node. */
  readonly regularCount: Int32Array;
  /** The half holding each node's optimistic slot, or NONE. */
  readonly optimisticHalf: Int32Array;
  private readonly rechokeRound: Int32Array;
  private readonly rec: SwarmRecords;
  private readonly know: PieceKnowledge;
  private readonly random: RandomStream;
  private readonly online: Uint8Array;
  private readonly messages: ChokeMessages;
  private readonly optimisticUnchoke: boolean;
  private readonly optimisticEvery: number;
  private readonly k: number;
  private markStamp = 0;
  private readonly candidates: number[] = [];
  private readonly chosen: number[] = [];
  /** Scratch list of a peer's halves (see SwarmRecords.halvesOfPeer). */
  private readonly halves: number[] = [];

  /**
   * @param slots regular slots per node (see {@link uploadSlots}); kept, not copied.
   * @param online 1 per online node; read in place.
   * @param optimisticUnchoke whether the optimistic slot exists.
   * @param optimisticEvery rechokes between optimistic rotations.
   */
  constructor(
    records: SwarmRecords,
    knowledge: PieceKnowledge,
    random: RandomStream,
    online: Uint8Array,
    slots: Int32Array,
    messages: ChokeMessages,
    optimisticUnchoke: boolean,
    optimisticEvery: number,
  ) {
    this.rec = records;
    this.know = knowledge;
    this.random = random;
    this.online = online;
    this.slots = slots;
    this.messages = messages;
    this.optimisticUnchoke = optimisticUnchoke;
    this.optimisticEvery = optimisticEvery;
    this.k = records.k;
    const n = slots.length;
    this.regularCount = new Int32Array(n);
    this.optimisticHalf = new Int32Array(n).fill(NONE);
    this.rechokeRound = new Int32Array(n);
  }

  /** Whether `peer` has a regular or optimistic slot free. */
  slotFree(peer: number): boolean {
    const slots = this.slots[peer];
    return (
      slots > 0 &&
      (this.regularCount[peer] < slots ||
        (this.optimisticUnchoke && this.optimisticHalf[peer] === NONE))
    );
  }

  /** Re-ranks a peer's upload slots: the neighbours that gave most, plus one optimistic. */
  rechoke(peer: number): void {
    const rec = this.rec;
    const slots = this.slots[peer];
    const round = ++this.rechokeRound[peer];
    const random = this.random;
    const cands = this.candidates;
    cands.length = 0;
    for (const h of rec.halvesOfPeer(peer, true, this.halves)) {
      if (rec.linkState[h] !== Link.Open) continue;
      if (rec.neighbourNotInterested[h] === 0 && this.know.interested(h)) {
        // Bytes received are whole numbers: the random fraction only breaks ties.
        rec.rankKey[h] = rec.receivedBytes[h] + random.next();
        cands.push(h);
      }
      // A rolling rate: what a neighbour gave counts half as much each period after.
      rec.receivedBytes[h] *= 0.5;
    }
    const rankKey = rec.rankKey;
    cands.sort((a, b) => rankKey[b] - rankKey[a]);
    this.markStamp += 2;
    const stamp = this.markStamp;
    const regular = Math.min(slots, cands.length);
    for (let i = 0; i < cands.length; i++)
      rec.rechokeMark[cands[i]] = i < regular ? stamp + 1 : stamp;
    let optimistic = NONE;
    if (this.optimisticUnchoke && cands.length > regular) {
      const current = this.optimisticHalf[peer];
      const keep =
        current !== NONE &&
        rec.rechokeMark[current] === stamp &&
        rec.linkState[current] === Link.Open &&
        round % this.optimisticEvery !== 0;
      optimistic = keep ? current : cands[regular + random.int(cands.length - regular)];
    }
    // Choke whoever lost their slot, then unchoke the new set.
    for (const h of rec.halvesOfPeer(peer, false, this.halves)) {
      if (rec.unchokeKind[h] === 0) continue;
      if (rec.rechokeMark[h] === stamp + 1 || h === optimistic) continue;
      this.chokeLocal(h);
      if (rec.linkState[h] === Link.Open) this.messages.choke(h);
    }
    this.regularCount[peer] = 0;
    this.optimisticHalf[peer] = NONE;
    for (let i = 0; i < regular; i++) this.setUnchoked(cands[i], REGULAR);
    if (optimistic !== NONE) this.setUnchoked(optimistic, OPTIMISTIC);
  }

  /** Marks a half unchoked; sends UNCHOKE unless it already was. */
  setUnchoked(h: number, kind: number): void {
    const rec = this.rec;
    const peer = rec.memberPeer[(h / this.k) | 0];
    const was = rec.unchokeKind[h];
    rec.unchokeKind[h] = kind;
    if (kind === REGULAR) this.regularCount[peer]++;
    else this.optimisticHalf[peer] = h;
    if (was === 0) this.messages.unchoke(h);
  }

  /** Clears our unchoke of a half and its slot (no message). */
  chokeLocal(h: number): void {
    const rec = this.rec;
    const peer = rec.memberPeer[(h / this.k) | 0];
    const kind = rec.unchokeKind[h];
    if (kind === REGULAR) this.regularCount[peer]--;
    else if (kind === OPTIMISTIC && this.optimisticHalf[peer] === h)
      this.optimisticHalf[peer] = NONE;
    rec.unchokeKind[h] = 0;
    rec.chokeEpoch[h]++;
  }

  /** A neighbour became interested: unchoke it if a slot is free. */
  offerSlot(peer: number, h: number): void {
    if (this.rec.unchokeKind[h] !== 0 || !this.online[peer]) return;
    if (this.regularCount[peer] < this.slots[peer]) this.setUnchoked(h, REGULAR);
    else if (this.optimisticUnchoke && this.slots[peer] > 0 && this.optimisticHalf[peer] === NONE) {
      this.setUnchoked(h, OPTIMISTIC);
    }
  }

  /** Fills free upload slots with the best interested neighbours (between rechokes). */
  fill(peer: number): void {
    const rec = this.rec;
    const slots = this.slots[peer];
    if (slots === 0 || !this.online[peer]) return;
    const halves = rec.halvesOfPeer(peer, true, this.halves);
    // Usually one slot is free: one pass per slot finds the best candidate.
    while (this.regularCount[peer] < slots) {
      let best = NONE;
      let bestKey = -1;
      for (const h of halves) {
        if (!this.mayUnchoke(h)) continue;
        const key = rec.receivedBytes[h] + rec.rankKey[h];
        if (key > bestKey && this.know.interested(h)) {
          best = h;
          bestKey = key;
        }
      }
      if (best === NONE) return;
      this.setUnchoked(best, REGULAR);
    }
    if (!this.optimisticUnchoke || this.optimisticHalf[peer] !== NONE) return;
    const cands = this.chosen;
    cands.length = 0;
    for (const h of halves) {
      if (this.mayUnchoke(h) && this.know.interested(h)) cands.push(h);
    }
    if (cands.length > 0) this.setUnchoked(cands[this.random.int(cands.length)], OPTIMISTIC);
  }

  /** True when half h is open, choked by us, and its neighbour has not said it wants nothing. */
  private mayUnchoke(h: number): boolean {
    const rec = this.rec;
    return (
      rec.linkState[h] === Link.Open &&
      rec.unchokeKind[h] === 0 &&
      rec.neighbourNotInterested[h] === 0
    );
  }
}
