import { NONE, type SwarmRecords } from "./records.ts";

/**
 * Changes to a member's piece row that keep its invariants: `pieceHeld` mirrors `pieceGotMicros`, the missing
 * row stays partitioned (missing pieces first), `prefixPieces` is the contiguous held prefix, and
 * `piecesRequested` counts the pieces with a first request out.
 */

/**
 * Member m now holds piece i, got at `now` (µs): it moves from the missing part of the row to
 * the held part and the prefix grows over it. Returns the pieces m now holds.
 */
export function holdPiece(rec: SwarmRecords, m: number, i: number, now: number): number {
  const P = rec.pieces;
  const base = m * P;
  rec.pieceGotMicros[base + i] = now;
  rec.pieceHeld[base + i] = 1;
  rec.lastPieceMicros[m] = now;
  const missing = rec.missingPieces;
  const missingAt = rec.missingPosition;
  const lastAt = P - 1 - rec.piecesHeld[m];
  const last = missing[base + lastAt];
  const at = missingAt[base + i];
  missing[base + at] = last;
  missingAt[base + last] = at;
  missing[base + lastAt] = i;
  missingAt[base + i] = lastAt;
  const have = ++rec.piecesHeld[m];
  if (i === rec.prefixPieces[m]) {
    let prefix = i + 1;
    while (prefix < P && rec.pieceHeld[base + prefix] === 1) prefix++;
    rec.prefixPieces[m] = prefix;
  }
  return have;
}

/**
 * Returns the requests made through half h to the pool (an endgame second request elsewhere
 * takes over a first one); true when some piece is left unrequested.
 */
export function releaseRequests(rec: SwarmRecords, h: number): boolean {
  const m = (h / rec.k) | 0;
  const slot = h - m * rec.k;
  const P = rec.pieces;
  const base = m * P;
  const pending = rec.requestSlot;
  const second = rec.secondRequestSlot;
  let released = false;
  for (let i = 0; i < P; i++) {
    if (second[base + i] === slot) second[base + i] = NONE;
    if (pending[base + i] === slot) {
      rec.pieceOnWire[base + i] = 0;
      const other = second[base + i];
      if (other >= 0) {
        // Still requested through the endgame's second link: that becomes the request.
        pending[base + i] = other;
        second[base + i] = NONE;
      } else {
        pending[base + i] = NONE;
        rec.piecesRequested[m]--;
        released = true;
      }
    }
  }
  rec.requestsInFlight[h] = 0;
  return released;
}
