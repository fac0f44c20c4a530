import type { Simulator } from "../../engine/simulator.ts";
import { INF, Membership, type SwarmRecords } from "./records.ts";

/**
 * What one member knows of a neighbour's pieces, and the interest that follows (BitTorrent's
 * INTERESTED, derived here rather than sent). A member learns of a neighbour's piece one
 * one-way latency after the neighbour got it (its HAVE is then delivered), so knowledge is the
 * neighbour's pieces as of `now - latency`. Also the rarity counts' bookkeeping when a link
 * closes.
 */
export class PieceKnowledge {
  private readonly rec: SwarmRecords;
  private readonly sim: Simulator;

  /** Reads the records' arrays in place; `sim` gives the current time. */
  constructor(records: SwarmRecords, sim: Simulator) {
    this.rec = records;
    this.sim = sim;
  }

  /**
   * Whether a neighbour knows (by bitfield or HAVE) that member n holds piece i, when what it
   * knows of n dates from `known` (µs): n had it by then.
   */
  knows(n: number, i: number, known: number): boolean {
    const rec = this.rec;
    const at = n * rec.pieces + i;
    return (
      rec.pieceHeld[at] === 1 &&
      (rec.lastPieceMicros[n] <= known || rec.pieceGotMicros[at] <= known)
    );
  }

  /**
   * Whether neighbour n is known to hold a piece member m lacks (BitTorrent's interest), `lat`
   * being the one-way latency between them, µs.
   */
  lacksFrom(m: number, n: number, lat: number): boolean {
    const rec = this.rec;
    const P = rec.pieces;
    const mb = m * P;
    const known = this.sim.nowMicros - lat;
    const count = P - rec.piecesHeld[m];
    for (let at = 0; at < count; at++) {
      if (this.knows(n, rec.missingPieces[mb + at], known)) return true;
    }
    return false;
  }

  /** Whether, as far as we know, the neighbour behind half h lacks a piece we hold. */
  interested(h: number): boolean {
    const rec = this.rec;
    const m = (h / rec.k) | 0;
    const n = rec.neighbourMember[h];
    const known = this.sim.nowMicros - rec.linkLatencyMicros[h];
    if (rec.completedMicros[n] <= known) return false;
    if (rec.memberState[m] === Membership.Seeding) return true;
    const have = rec.piecesHeld[m];
    if (have === 0) return false;
    const P = rec.pieces;
    const mb = m * P;
    const nb = n * P;
    const rows = rec.missingPieces;
    const pieceHeld = rec.pieceHeld;
    const theyLack = P - rec.piecesHeld[n];
    if (have <= theyLack) {
      // Our held pieces, against what we know of theirs.
      for (let at = P - have; at < P; at++) if (!this.knows(n, rows[mb + at], known)) return true;
      return false;
    }
    // Their missing pieces, against ours (this ignores HAVEs still on the way to us: they would
    // only make the neighbour look interested a moment longer).
    for (let at = 0; at < theyLack; at++) if (pieceHeld[mb + rows[nb + at]] === 1) return true;
    return false;
  }

  /** Whether we got, after `since` (µs), a piece the neighbour behind h lacks as far as we know. */
  gotNewSince(h: number, since: number): boolean {
    const rec = this.rec;
    const m = (h / rec.k) | 0;
    const n = rec.neighbourMember[h];
    const known = this.sim.nowMicros - rec.linkLatencyMicros[h];
    const P = rec.pieces;
    const mb = m * P;
    for (let i = 0; i < P; i++) {
      const at = rec.pieceGotMicros[mb + i];
      if (at > since && at !== INF && !this.knows(n, i, known)) return true;
    }
    return false;
  }

  /** Member m stops counting neighbour n's pieces in its rarity counts. */
  uncount(m: number, n: number): void {
    const rec = this.rec;
    const P = rec.pieces;
    const mb = m * P;
    const nb = n * P;
    for (let i = 0; i < P; i++) {
      if (rec.pieceHeld[nb + i] === 1 && rec.pieceAvailability[mb + i] > 0)
        rec.pieceAvailability[mb + i]--;
    }
  }
}
