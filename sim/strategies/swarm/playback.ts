import type { Players } from "../../player/player.ts";
import type { SwarmRecords } from "./records.ts";

/**
 * Gives a member's slice to its player, chunk by chunk, each chunk once: all that is left when
 * the slice completes (`file` playback), or, in `progressive` playback, each chunk as soon as
 * the contiguous prefix of received pieces covers it. Progress is the member's `chunksFed` count.
 */
export class SliceFeeder {
  private readonly rec: SwarmRecords;
  private readonly players: Players;
  private readonly chunksPerSlice: number;
  private readonly chunkBytes: number;
  private readonly pieceBytes: number;
  private readonly sliceBytes: number;

  /** Sizes in bytes; `chunksPerSlice` chunks of `chunkBytes` make a slice of `sliceBytes`. */
  constructor(
    records: SwarmRecords,
    players: Players,
    chunksPerSlice: number,
    chunkBytes: number,
    pieceBytes: number,
    sliceBytes: number,
  ) {
    this.rec = records;
    this.players = players;
    this.chunksPerSlice = chunksPerSlice;
    this.chunkBytes = chunkBytes;
    this.pieceBytes = pieceBytes;
    this.sliceBytes = sliceBytes;
  }

  /** Progressive playback: feeds member m's node the chunks its piece prefix now covers. */
  feedPrefix(m: number): void {
    const rec = this.rec;
    const peer = rec.memberPeer[m];
    const covered = Math.min(rec.prefixPieces[m] * this.pieceBytes, this.sliceBytes);
    const playable = Math.floor(covered / this.chunkBytes);
    const first = rec.memberSlice[m] * this.chunksPerSlice;
    while (rec.chunksFed[m] < playable) this.feed(peer, first + rec.chunksFed[m]++);
  }

  /** The slice is complete: feeds member m's node every chunk not yet given. */
  feedAll(m: number): void {
    const rec = this.rec;
    const peer = rec.memberPeer[m];
    const first = rec.memberSlice[m] * this.chunksPerSlice;
    while (rec.chunksFed[m] < this.chunksPerSlice) this.feed(peer, first + rec.chunksFed[m]++);
  }

  private feed(peer: number, chunk: number): void {
    // mFed only grows, so the feeder never gives a chunk twice; a chunk the player already
    // holds came from elsewhere (the CDN fallback) and is simply not new to it.
    this.players.receive(peer, chunk);
  }
}
