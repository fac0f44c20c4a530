import type { RandomStream } from "../../engine/random.ts";
import type { Simulator } from "../../engine/simulator.ts";
import type { PieceKnowledge } from "./knowledge.ts";
import { INF, MAX_AVAILABILITY, NONE, type SwarmRecords } from "./records.ts";

/** Above any availability count: the rarest-first scan's starting best, beaten by any piece. */
const ABOVE_ANY_AVAILABILITY = MAX_AVAILABILITY + 1;

/**
 * Which piece a member asks a neighbour for: rarest first among its neighbours (a random piece
 * while it holds none), or in order; the source super-seeds; and endgame's second requests.
 * Only pieces the neighbour is known to hold (its HAVE or bitfield has arrived) are asked for.
 * Draws from the strategy's random stream exactly once per call where the mode needs it.
 */
export class PiecePicker {
  private readonly rec: SwarmRecords;
  private readonly knowledge: PieceKnowledge;
  private readonly sim: Simulator;
  private readonly random: RandomStream;
  private readonly inOrder: boolean;
  private readonly superSeeding: boolean;

  /**
   * @param inOrder lowest piece first instead of rarest first.
   * @param superSeeding the source (node 0) reveals the pieces it has sent least.
   */
  constructor(
    records: SwarmRecords,
    knowledge: PieceKnowledge,
    sim: Simulator,
    random: RandomStream,
    inOrder: boolean,
    superSeeding: boolean,
  ) {
    this.rec = records;
    this.knowledge = knowledge;
    this.sim = sim;
    this.random = random;
    this.inOrder = inOrder;
    this.superSeeding = superSeeding;
  }

  /**
   * The piece member m asks neighbour `n` for (one-way latency `lat`, µs): one m lacks, not
   * already requested, that `n` is known to hold; NONE when there is none. Rarest among m's
   * neighbours first, ties broken at random (and a random piece while m holds none), or the
   * lowest such piece in order.
   */
  pick(m: number, n: number, lat: number): number {
    const rec = this.rec;
    const P = rec.pieces;
    const mb = m * P;
    const nb = n * P;
    const known = this.sim.nowMicros - lat;
    const pieceGotMicros = rec.pieceGotMicros;
    const pieceHeld = rec.pieceHeld;
    const pending = rec.requestSlot;
    const missing = rec.missingPieces;
    const count = P - rec.piecesHeld[m];
    if (count === 0) return NONE;
    // Only when n got pieces within the last latency do their times matter.
    const stale = rec.lastPieceMicros[n] > known;
    if (this.superSeeding && rec.memberPeer[n] === 0) {
      // Super-seeding: the source reveals to each peer only the pieces it has sent least (its
      // counts sit in its own, otherwise unused, rarity counters), so each of its uploads injects
      // a piece the swarm lacks rather than one it already has. Ties go to the lowest piece in
      // order mode, to a random one otherwise.
      const sent = rec.pieceAvailability;
      const start = this.inOrder ? 0 : this.random.int(count);
      let best = NONE;
      let fewest = INF;
      for (let step = 0; step < count; step++) {
        let at = start + step;
        if (at >= count) at -= count;
        const i = missing[mb + at];
        if (
          pending[mb + i] >= 0 ||
          pieceHeld[nb + i] === 0 ||
          (stale && pieceGotMicros[nb + i] > known)
        )
          continue;
        const c = sent[nb + i];
        if (c < fewest || (c === fewest && this.inOrder && i < best)) {
          best = i;
          fewest = c;
        }
      }
      return best;
    }
    if (this.inOrder) {
      for (let i = rec.prefixPieces[m]; i < P; i++) {
        if (pieceHeld[mb + i] === 0 && pending[mb + i] < 0 && pieceHeld[nb + i] === 1) {
          if (!stale || pieceGotMicros[nb + i] <= known) return i;
        }
      }
      return NONE;
    }
    // Scanning the missing row from a random point breaks ties at random.
    const start = this.random.int(count);
    const avail = rec.pieceAvailability;
    const first = rec.piecesHeld[m] === 0;
    let best = NONE;
    let bestAvail = ABOVE_ANY_AVAILABILITY;
    for (let step = 0; step < count; step++) {
      let at = start + step;
      if (at >= count) at -= count;
      const i = missing[mb + at];
      if (
        pending[mb + i] >= 0 ||
        pieceHeld[nb + i] === 0 ||
        (stale && pieceGotMicros[nb + i] > known)
      )
        continue;
      if (first) return i;
      const a = avail[mb + i];
      if (a < bestAvail) {
        best = i;
        bestAvail = a;
        if (a <= 1) break;
      }
    }
    return best;
  }

  /**
   * An endgame piece for neighbour n (one-way latency `lat`, µs), asked through m's `slot`:
   * requested once elsewhere, not twice, and n holds it; NONE when there is none.
   */
  pickSecond(m: number, n: number, lat: number, slot: number): number {
    const rec = this.rec;
    const P = rec.pieces;
    const mb = m * P;
    const known = this.sim.nowMicros - lat;
    const count = P - rec.piecesHeld[m];
    for (let at = 0; at < count; at++) {
      const i = rec.missingPieces[mb + at];
      // Only a request still waiting in its uploader's queue: one whose bytes are already
      // flowing would arrive anyway, and a second copy would be wasted.
      if (
        rec.secondRequestSlot[mb + i] < 0 &&
        rec.pieceOnWire[mb + i] === 0 &&
        rec.requestSlot[mb + i] !== slot &&
        this.knowledge.knows(n, i, known)
      )
        return i;
    }
    return NONE;
  }
}
