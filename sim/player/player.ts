import type { Simulator } from "../engine/simulator.ts";
import { PlayerState, type Probe } from "../metrics/probe.ts";
import type { OptionReader } from "../scenario/reader.ts";

/** How the player treats a chunk that is missing at its playout deadline. */
export const MISSING_CHUNK_POLICIES = ["stall", "skip"] as const;

/** Options of the viewer's player (`player:` in a scenario). */
export interface PlayerOptions {
  /** Seconds of contiguous content held before playback starts. Default 2 s. */
  startupBufferSeconds: number;
  /** Seconds of contiguous content needed to resume after a stall. Default 1 s. */
  rebufferSeconds: number;
  /**
   * `stall` (default): pause at a missing chunk until it arrives and the rebuffer threshold is
   * met. `skip`: drop the missing chunk and keep the playout clock running.
   */
  onMissing: (typeof MISSING_CHUNK_POLICIES)[number];
  /**
   * Seconds a player waits on a missing chunk while it holds later ones before it gives up on
   * it and skips to the next chunk it holds (as real players skip a segment that does not
   * come). Applies while stalled and while starting. Default 5 s; 0 never gives up.
   */
  skipMissingAfterSeconds: number;
}

/** Resolves `player`. */
export function resolvePlayerOptions(reader: OptionReader): PlayerOptions {
  return {
    startupBufferSeconds: reader.durationSeconds("startupBuffer", 2),
    rebufferSeconds: reader.durationSeconds("rebufferThreshold", 1),
    onMissing: reader.choice("onMissing", MISSING_CHUNK_POLICIES, "stall"),
    skipMissingAfterSeconds: reader.durationSeconds("skipMissingAfter", 5),
  };
}

/** What {@link Players.receive} found. */
export const Receive = {
  /** A chunk the peer did not have. */
  New: 0,
  /** The peer already had it. */
  Duplicate: 1,
  /** Older than the peer's buffer window remembers; dropped. */
  TooOld: 2,
  /** The peer is not online. */
  Offline: 3,
} as const;

const IDLE = 0;

/**
 * The players of all peers of one run, as parallel typed arrays (no object per peer).
 *
 * Chunk c holds media time [c d, (c + 1) d) and exists at the source from time (c + 1) d.
 * A player starts at a chunk chosen by the strategy (or at the first one it receives), waits
 * until `startupBuffer` seconds of contiguous chunks are held, then plays one chunk every d.
 * The instant chunk c's playout begins is its deadline. A chunk present at its deadline is on
 * time. A missing one makes the player stall (or skip it, per `onMissing`); after a stall the
 * player resumes once `rebufferThreshold` seconds of contiguous content are held, and the chunk
 * it stalled on counts as late. A strategy that knows chunks will never come (a jump to live)
 * calls {@link skipTo}: reaching them, the player jumps over them at once, counting them missed.
 *
 * Each peer remembers which of the last W chunks it holds in a ring of W flags (W a power of
 * two); older chunks are forgotten. Strategies use {@link has} to serve neighbours from it, so
 * W also bounds any back buffer. Rings live in slots reused after peers leave.
 *
 * Timers: a playing peer has at most one pending check event, at the deadline of the first chunk
 * it does not yet hold, so a steadily fed peer costs about one event per gap, not one per chunk.
 */
export class Players {
  /** Chunk duration, microseconds. */
  readonly chunkMicros: number;
  /** Ring length W in chunks. */
  readonly windowChunks: number;
  /** Chunks of content needed to start. */
  readonly startupChunks: number;
  /** Chunks of content needed to resume after a stall. */
  readonly rebufferChunks: number;
  private readonly skipMode: boolean;
  private readonly sim: Simulator;
  private readonly probe: Probe;
  private readonly checkKind: number;
  private readonly mask: number;

  private readonly state: Uint8Array;
  private readonly pos: Float64Array;
  private readonly anchor: Float64Array;
  private readonly newest: Float64Array;
  private readonly skipUntil: Float64Array;
  private readonly version: Uint32Array;
  /** 1 while a deadline check waits for same-time deliveries (see check). */
  private readonly tieDeferred: Uint8Array;
  /** Version of the pending give-up check of a waiting (starting or stalled) player. */
  private readonly waitVersion: Uint32Array;
  private readonly giveUpKind: number;
  private readonly giveUpMicros: number;
  private readonly slot: Int32Array;
  private rings: Uint8Array;
  private endChunk = Number.POSITIVE_INFINITY;
  private freeSlots: number[] = [];
  private slotCount = 0;

  /**
   * @param nodes number of node ids (peers are 1..nodes-1; node 0, the source, has no player).
   * @param minimumWindowChunks the ring must hold at least this many chunks (back buffer plus
   *   what may sit ahead of the playout point); rounded up to a power of two, at least 64.
   */
  constructor(
    sim: Simulator,
    probe: Probe,
    options: PlayerOptions,
    chunkMicros: number,
    nodes: number,
    minimumWindowChunks: number,
  ) {
    this.sim = sim;
    this.probe = probe;
    this.chunkMicros = chunkMicros;
    const chunkSeconds = chunkMicros / 1e6;
    this.startupChunks = Math.max(1, Math.ceil(options.startupBufferSeconds / chunkSeconds - 1e-9));
    this.rebufferChunks = Math.max(1, Math.ceil(options.rebufferSeconds / chunkSeconds - 1e-9));
    this.skipMode = options.onMissing === "skip";
    let w = 64;
    const need = Math.max(
      minimumWindowChunks,
      4 * Math.max(this.startupChunks, this.rebufferChunks),
    );
    while (w < need) w *= 2;
    if (w > 1 << 16)
      throw new RangeError(`player window of ${need} chunks exceeds the limit of 65536`);
    this.windowChunks = w;
    this.mask = w - 1;
    this.state = new Uint8Array(nodes);
    this.pos = new Float64Array(nodes).fill(-1);
    this.anchor = new Float64Array(nodes);
    this.newest = new Float64Array(nodes).fill(-1);
    this.skipUntil = new Float64Array(nodes).fill(-1);
    this.version = new Uint32Array(nodes);
    this.tieDeferred = new Uint8Array(nodes);
    this.waitVersion = new Uint32Array(nodes);
    this.giveUpMicros = Math.round(options.skipMissingAfterSeconds * 1e6);
    this.giveUpKind = sim.register("player/give-up", ["peer", "version"], (peer, v) =>
      this.giveUp(peer, v),
    );
    this.slot = new Int32Array(nodes).fill(-1);
    this.rings = new Uint8Array(w * 64);
    this.checkKind = sim.register("player/deadline", ["peer", "version"], (peer, v) =>
      this.check(peer, v),
    );
  }

  /** A peer joins: its player starts empty, in the Starting state. */
  join(peer: number): void {
    let s = this.freeSlots.pop();
    if (s === undefined) {
      s = this.slotCount++;
      if ((s + 1) * this.windowChunks > this.rings.length) {
        const grown = new Uint8Array(this.rings.length * 2);
        grown.set(this.rings);
        this.rings = grown;
      }
    } else {
      this.rings.fill(0, s * this.windowChunks, (s + 1) * this.windowChunks);
    }
    this.slot[peer] = s;
    this.state[peer] = PlayerState.Starting;
    this.pos[peer] = -1;
    this.newest[peer] = -1;
    this.skipUntil[peer] = -1;
    this.probe.emitPlayerState(peer, this.sim.nowMicros, PlayerState.Starting, 0);
    this.armGiveUp(peer);
  }

  /** A peer leaves: counts the chunks it played since its last check and frees its ring. */
  leave(peer: number): void {
    this.settle(peer);
    this.state[peer] = PlayerState.Left;
    this.version[peer]++;
    this.freeSlots.push(this.slot[peer]);
    this.slot[peer] = -1;
    this.probe.emitPlayerState(peer, this.sim.nowMicros, PlayerState.Left, 0);
  }

  /**
   * Counts the chunks whose deadlines have passed while playing without a check (used when a
   * peer leaves and when the run ends), so that on-time counts cover the whole session.
   */
  settle(peer: number): void {
    if (this.state[peer] !== PlayerState.Playing) return;
    const now = this.sim.nowMicros;
    const pos = this.pos[peer];
    const due = Math.floor((now - this.anchor[peer]) / this.chunkMicros) + 1;
    const first = this.firstMissing(peer, pos);
    const played = Math.max(0, Math.min(due, first - pos));
    if (played > 0) {
      this.pos[peer] = pos + played;
      this.anchor[peer] += played * this.chunkMicros;
      this.probe.emitChunksDue(peer, played, 0, 0);
    }
  }

  /** True when the peer is online (joined and not left). */
  isOnline(peer: number): boolean {
    const s = this.state[peer];
    return s !== IDLE && s !== PlayerState.Left;
  }

  /** The next chunk the player will play (or is waiting for); -1 before a start is known. */
  position(peer: number): number {
    return this.pos[peer];
  }

  /**
   * On-demand mode: the first chunk past the end of the video. A player that reaches it has
   * watched to the end and stays in the playing state with nothing more due until it leaves.
   * Live runs never set it.
   */
  setEndChunk(chunk: number): void {
    this.endChunk = chunk;
  }

  /**
   * On-demand mode: the viewer jumps to `chunk`. What it played so far is counted, its buffer
   * is emptied, and it starts again from the new position (the Starting state, as at joining:
   * the startup buffer must fill before playback resumes).
   */
  seek(peer: number, chunk: number): void {
    if (!this.isOnline(peer)) return;
    this.settle(peer);
    const s = this.slot[peer];
    this.rings.fill(0, s * this.windowChunks, (s + 1) * this.windowChunks);
    this.newest[peer] = -1;
    this.pos[peer] = chunk;
    this.skipUntil[peer] = -1;
    this.version[peer]++;
    this.state[peer] = PlayerState.Starting;
    this.probe.emitPlayerState(peer, this.sim.nowMicros, PlayerState.Starting, 0);
    this.armGiveUp(peer);
  }

  /**
   * The chunk playing now (or waited for): unlike {@link position}, which a steadily fed player
   * only moves at its next deadline check, this follows the playout clock.
   */
  playoutChunk(peer: number): number {
    const pos = this.pos[peer];
    if (this.state[peer] !== PlayerState.Playing) return pos;
    // Chunk pos starts playing at anchor; before that (after a settle or a resume moved anchor
    // ahead) the chunk before it is the one playing.
    const elapsed = this.sim.nowMicros - this.anchor[peer];
    if (elapsed < 0) return pos - 1;
    const due = pos + Math.floor(elapsed / this.chunkMicros);
    return Math.min(due, this.firstMissing(peer, pos));
  }

  /** The player's state: a {@link PlayerState} value, or 0 before the peer joined. */
  stateOf(peer: number): number {
    return this.state[peer];
  }

  /**
   * When chunk `chunk` (at or after the playout point) is due to play if nothing stalls,
   * microseconds; -1 unless the player is playing.
   */
  deadlineMicros(peer: number, chunk: number): number {
    if (this.state[peer] !== PlayerState.Playing) return -1;
    return this.anchor[peer] + (chunk - this.pos[peer]) * this.chunkMicros;
  }

  /** Newest chunk the peer holds; -1 when none. */
  newestChunk(peer: number): number {
    return this.newest[peer];
  }

  /** True when the peer holds chunk `chunk` (within its window). */
  has(peer: number, chunk: number): boolean {
    const newest = this.newest[peer];
    if (chunk > newest || chunk <= newest - this.windowChunks || chunk < 0) return false;
    const s = this.slot[peer];
    if (s < 0) return false;
    return this.rings[s * this.windowChunks + (chunk & this.mask)] === 1;
  }

  /**
   * Sets where playback starts (before the first chunk arrives). Without this call the first
   * chunk received sets it.
   */
  startAt(peer: number, chunk: number): void {
    if (this.state[peer] === PlayerState.Starting && this.pos[peer] < 0) this.pos[peer] = chunk;
  }

  /**
   * Declares that chunks before `chunk` will never arrive (the strategy jumped to a later point,
   * as a jump-to-live rejoin does). Playback reaching one of them that is missing skips to the
   * next chunk held, or to `chunk`, at once.
   */
  skipTo(peer: number, chunk: number): void {
    if (!this.isOnline(peer)) return;
    if (chunk > this.skipUntil[peer]) this.skipUntil[peer] = chunk;
    const state = this.state[peer];
    if (state === PlayerState.Starting) {
      if (this.pos[peer] < chunk) this.pos[peer] = chunk;
      this.tryStart(peer);
    } else if (state === PlayerState.Stalled && !this.has(peer, this.pos[peer])) {
      this.jumpGap(peer);
      this.tryResume(peer);
    }
  }

  /** A chunk reaches the peer. Returns one of {@link Receive}. */
  receive(peer: number, chunk: number): number {
    const state = this.state[peer];
    if (state === IDLE || state === PlayerState.Left) return Receive.Offline;
    const newest = this.newest[peer];
    const base = this.slot[peer] * this.windowChunks;
    const rings = this.rings;
    let fellForward = false;
    if (chunk > newest) {
      const pos = this.pos[peer];
      if (pos >= 0 && chunk >= pos + this.windowChunks) {
        this.fallForward(peer, chunk);
        fellForward = true;
      }
      // Forget the chunks the ring's slots held before they are reused for newer ones.
      const clearFrom = Math.max(newest + 1, chunk - this.windowChunks + 1);
      for (let c = clearFrom; c < chunk; c++) rings[base + (c & this.mask)] = 0;
      this.newest[peer] = chunk;
    } else if (chunk <= newest - this.windowChunks) {
      return Receive.TooOld;
    } else if (rings[base + (chunk & this.mask)] === 1) {
      return Receive.Duplicate;
    }
    rings[base + (chunk & this.mask)] = 1;
    this.probe.emitChunkReceived(peer, chunk, this.sim.nowMicros);
    if (this.pos[peer] < 0) this.pos[peer] = chunk;
    if (state === PlayerState.Starting) this.tryStart(peer);
    else if (state === PlayerState.Stalled) this.tryResume(peer);
    else if (fellForward) this.afterDeadline(peer);
    return Receive.New;
  }

  /** Marks the end of the run: settles every playing peer's on-time count. */
  finish(): void {
    for (let peer = 1; peer < this.state.length; peer++) this.settle(peer);
  }

  /** First chunk at or after `from` that the peer does not hold. */
  private firstMissing(peer: number, from: number): number {
    const newest = this.newest[peer];
    const base = this.slot[peer] * this.windowChunks;
    let c = Math.max(from, newest - this.windowChunks + 1);
    if (c > from) return from;
    while (c <= newest && this.rings[base + (c & this.mask)] === 1) c++;
    return c;
  }

  /**
   * True when `chunks` chunks of content are held from the playout point on. Gaps below
   * skipUntil do not break the run: they will never fill and playback jumps them, so a player
   * holding its next chunk must not wait for them (it would otherwise stall until it fell a
   * whole window behind).
   */
  private buffered(peer: number, chunks: number): boolean {
    const pos = this.pos[peer];
    if (pos < 0) return false;
    const until = this.skipUntil[peer];
    let held = 0;
    let c = pos;
    for (;;) {
      const first = this.firstMissing(peer, c);
      held += first - c;
      if (held >= chunks || first >= until) return held >= chunks;
      c = first;
      while (c < until && !this.has(peer, c)) c++;
      if (!this.has(peer, c)) return false;
    }
  }

  private lag(peer: number): number {
    // Playout point in media time is pos * d at the instant `anchor`; the live edge is `now`.
    return this.anchor[peer] - this.pos[peer] * this.chunkMicros;
  }

  private tryStart(peer: number): void {
    const pos = this.pos[peer];
    if (pos < 0) return;
    if (!this.has(peer, pos) && pos < this.skipUntil[peer]) this.jumpGap(peer);
    if (!this.buffered(peer, this.startupChunks)) return;
    this.state[peer] = PlayerState.Playing;
    this.anchor[peer] = this.sim.nowMicros;
    this.probe.emitPlayerState(peer, this.sim.nowMicros, PlayerState.Playing, this.lag(peer));
    this.scheduleCheck(peer);
  }

  private tryResume(peer: number): void {
    if (this.pos[peer] < this.skipUntil[peer] && !this.has(peer, this.pos[peer])) {
      this.jumpGap(peer);
    }
    if (!this.buffered(peer, this.rebufferChunks)) return;
    const now = this.sim.nowMicros;
    // The chunk the player stalled on plays now, late; the next one is due a chunk later.
    this.state[peer] = PlayerState.Playing;
    this.pos[peer] += 1;
    this.anchor[peer] = now + this.chunkMicros;
    this.probe.emitChunksDue(peer, 0, 1, 0);
    this.probe.emitPlayerState(peer, now, PlayerState.Playing, this.lag(peer));
    this.scheduleCheck(peer);
  }

  /**
   * The peer fell so far behind that a new chunk lies beyond its window: like a live player
   * with a latency limit, it abandons the oldest content and moves its playout point forward to
   * half a window behind the new chunk, counting the abandoned chunks as missed. Without this a
   * long-stalled player could never accept new chunks, and a relay would starve its subtree.
   */
  private fallForward(peer: number, chunk: number): void {
    this.settle(peer);
    const pos = this.pos[peer];
    const target = chunk - (this.windowChunks >> 1);
    if (target <= pos) return;
    this.pos[peer] = target;
    if (target > this.skipUntil[peer]) this.skipUntil[peer] = target;
    this.probe.emitChunksDue(peer, 0, 0, target - pos);
    if (this.state[peer] === PlayerState.Playing) {
      // Content jump: the new position is due now.
      this.anchor[peer] = this.sim.nowMicros;
      this.probe.emitPlayerState(peer, this.sim.nowMicros, PlayerState.Playing, this.lag(peer));
      // Cancel the pending check; receive() re-evaluates once the new chunk is stored.
      this.version[peer]++;
    }
  }

  /** Jumps over missing chunks the strategy declared lost (below skipUntil). */
  private jumpGap(peer: number): void {
    const pos = this.pos[peer];
    const until = this.skipUntil[peer];
    let next = pos;
    while (next < until && !this.has(peer, next)) next++;
    if (next === pos) return;
    this.pos[peer] = next;
    this.probe.emitChunksDue(peer, 0, 0, next - pos);
  }

  private scheduleCheck(peer: number): void {
    const first = this.firstMissing(peer, this.pos[peer]);
    const deadline = this.anchor[peer] + (first - this.pos[peer]) * this.chunkMicros;
    const v = ++this.version[peer];
    this.tieDeferred[peer] = 0;
    this.sim.at(deadline, this.checkKind, peer, v);
  }

  /** The deadline of the first chunk that was missing when the check was scheduled. */
  private check(peer: number, v: number): void {
    if (v !== this.version[peer] || this.state[peer] !== PlayerState.Playing) return;
    const now = this.sim.nowMicros;
    const pos = this.pos[peer];
    const due = Math.round((now - this.anchor[peer]) / this.chunkMicros);
    // A chunk delivered at exactly its deadline is on time. When the chunk due now is missing,
    // look once more after the events already queued for this microsecond (deliveries among
    // them), instead of stalling on a tie that insertion order happened to decide.
    if (this.tieDeferred[peer] === 0 && !this.has(peer, pos + due)) {
      this.tieDeferred[peer] = 1;
      this.sim.at(now, this.checkKind, peer, v);
      return;
    }
    this.tieDeferred[peer] = 0;
    // Chunks pos .. pos + due - 1 were held at their deadlines.
    this.pos[peer] = pos + due;
    this.anchor[peer] = now;
    this.probe.emitChunksDue(peer, due, 0, 0);
    this.afterDeadline(peer);
  }

  /** Playback reached chunk pos at its deadline (`anchor` = now): play, jump, skip or stall. */
  private afterDeadline(peer: number): void {
    const now = this.sim.nowMicros;
    // Watched to the end of a stored video: nothing more is due.
    if (this.pos[peer] >= this.endChunk) return;
    if (this.has(peer, this.pos[peer])) {
      this.scheduleCheck(peer);
      return;
    }
    if (this.pos[peer] < this.skipUntil[peer]) {
      this.jumpGap(peer);
      this.probe.emitPlayerState(peer, now, PlayerState.Playing, this.lag(peer));
      if (this.has(peer, this.pos[peer])) {
        this.scheduleCheck(peer);
        return;
      }
    }
    if (this.skipMode) {
      this.probe.emitChunksDue(peer, 0, 0, 1);
      this.pos[peer] += 1;
      this.anchor[peer] = now + this.chunkMicros;
      this.scheduleCheck(peer);
      return;
    }
    this.state[peer] = PlayerState.Stalled;
    this.probe.emitPlayerState(peer, now, PlayerState.Stalled, this.lag(peer));
    this.armGiveUp(peer);
  }

  /** Schedules a give-up check on the chunk the player now waits for. */
  private armGiveUp(peer: number): void {
    if (this.giveUpMicros <= 0) return;
    const v = ++this.waitVersion[peer];
    this.sim.after(this.giveUpMicros, this.giveUpKind, peer, v);
  }

  /**
   * The player has waited `skipMissingAfter` on a missing chunk: if it holds any later chunk,
   * it skips to the first one it holds (counting the skipped chunks missed once playback had
   * begun) and tries to go on; otherwise it keeps waiting.
   */
  private giveUp(peer: number, v: number): void {
    if (v !== this.waitVersion[peer]) return;
    const state = this.state[peer];
    if (state !== PlayerState.Stalled && state !== PlayerState.Starting) return;
    const pos = this.pos[peer];
    if (pos >= 0) {
      const hole = this.firstMissing(peer, pos);
      let next = hole;
      const newest = this.newest[peer];
      while (next <= newest && !this.has(peer, next)) next++;
      if (next <= newest) {
        if (state === PlayerState.Stalled) {
          // Skipping the hole the player stalls on; holes further ahead wait their turn.
          this.pos[peer] = next;
          if (next > pos) this.probe.emitChunksDue(peer, 0, 0, next - pos);
          this.tryResume(peer);
        } else {
          // Not yet playing, held up by a hole: start after it (nothing was due yet).
          this.pos[peer] = next;
          this.tryStart(peer);
        }
      }
    }
    if (this.state[peer] === state) this.armGiveUp(peer);
  }
}
