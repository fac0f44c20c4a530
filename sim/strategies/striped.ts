import type { ErasureCode } from "../fec/code.ts";
import { Traffic } from "../network/transport.ts";
import { secondsToMicros } from "../scenario/units.ts";
import { liveEdgeChunk, startSourceClock } from "./sourceClock.ts";
import { codeOf, resolveStripedOptions, type StripedOptions } from "./striped/options.ts";
import { SymbolLedger, SymbolReceipt } from "./striped/symbolLedger.ts";
import { type ForestSnapshot, TreeForest, TreeState } from "./tree/forest.ts";
import { TreeJoin, type TreeJoinCounters } from "./tree/joinProtocol.ts";
import { treeMemorySeconds } from "./tree/options.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "./types.ts";

/** {@link Striped}'s fields in each (peer, stripe) child-list record of the forest: the newest block. */
const NEWEST = 0;
/** Striped's second field in that record: the skip floor. */
const FLOOR = 1;
/** Fields striped keeps in the forest's child-list records. */
const OWNER_FIELDS = 2;

/** Most (node, stripe) pairs a run may track (a limit on the forest's typed arrays). */
const MAX_NODE_STRIPE_PAIRS = 1 << 23;

/**
 * Fountain-striped substreams. Each block (one player chunk) is split into k source symbols and
 * coded into n stripe symbols of ceil(chunkBytes / k) bytes; stripe i carries symbol i of every
 * block and is relayed down its own tree, so a stripe costs bitrate / k and the whole stream
 * n / k of the bitrate in upload. A peer rebuilds a block, and hands it to its player, once it
 * holds what the code needs (any k for parity and Reed-Solomon; ceil(k (1 + epsilon)) for LT;
 * k, k + 1, ... with RaptorQ's failure odds, see `sim/fec`). A block short of that by its
 * deadline stalls the player (or is skipped, per the player option).
 *
 * Forest: one tree per stripe, each joined through its own instance of the tree join protocol
 * ({@link TreeJoin}, the one tree relay uses: directory at node 0, candidates, attach, accept
 * or reject, heartbeats; orphans notice a departure from a goodbye or after the detection delay
 * and rejoin that stripe). A relay pushes each symbol of the stripes it forwards to its children
 * as soon as it arrives, before it can decode the block. Slots follow from upload across all
 * stripes a node forwards (see {@link TreeForest}). With `interiorDisjoint` (SplitStream) each peer forwards in one stripe
 * only, so one departure costs each descendant at most one stripe; a full relay pushes a leaf
 * child down to make room for a peer that forwards in that stripe, which keeps the trees
 * growing.
 *
 * Heartbeats: each peer keeps one timer. Every `heartbeat` seconds from its arrival it sends a
 * heartbeat to its parent in each stripe tree where it is attached (model change of issue 11:
 * with a timer per (peer, stripe), started at each acceptance, heartbeat timers were three
 * quarters of the pending events at 10,000 viewers, and one event processed in thirteen).
 *
 * Resume, per stripe: an orphan asks for the stripe from after its newest symbol of it. With
 * `jump-to-live` a parent ahead of that point starts at its own newest symbol. With
 * `back-buffer` the orphan asks from the first block it cannot rebuild without this stripe
 * (blocks the other stripes rebuild need no resend) and the parent resends from there while
 * its back buffer holds it. Each stripe carries a skip floor down its tree (as in tree relay);
 * a peer tells its player to skip a block only when the code can no longer rebuild it from the
 * symbols held plus those that may still come, so a jump in one stripe costs nothing while
 * enough others deliver.
 *
 * Accounting: symbols beyond the k-th a peer receives of a block are FEC redundancy, reported to
 * the probe as redundant bytes (so `overheadRatio` includes them) apart from duplicates (symbols
 * a peer already held) and control.
 *
 * Simplifications: no bytes are coded (the code models in `sim/fec` say what decodes); a block
 * is one chunk; the directory's view is exact and immediate, as in tree relay; a relay forwards
 * a stripe's symbols in arrival order and does not reorder or retransmit lost ones.
 */
class Striped implements Strategy {
  private readonly c: StrategyContext;
  private readonly o: StripedOptions;
  private readonly code: ErasureCode;
  private readonly n: number;
  private readonly k: number;
  private readonly forest: TreeForest;
  /** The join protocol of each stripe's tree, indexed by stripe. */
  private readonly trees: TreeJoin[] = [];
  private readonly ledger: SymbolLedger;
  /** Bytes of one stripe symbol: ceil(chunkBytes / k). */
  private readonly symbolBytes: number;
  /** Per stripe: the message type of its symbols. */
  private readonly symbolMessages: number[] = [];
  /**
   * The records of the forest's child lists ({@link TreeForest.childLists}), where each (peer,
   * stripe) pair keeps two marks beside where its children start, from {@link mark}: at +
   * NEWEST the newest block whose symbol of that stripe the peer holds, at + FLOOR the skip
   * floor (symbols of blocks below it will not reach the peer); -1 for none. A symbol's arrival
   * reads both and then forwards to the children: one 16-byte record, one cache line.
   */
  private readonly marks: Int32Array;
  /** Where the marks start in a record. */
  private readonly markOffset: number;
  /** Record length in ints. */
  private readonly markStride: number;
  /** Per peer: blocks below this were already counted as undecodable. */
  private readonly lostCountedUntil: Float64Array;
  private readonly lossStamp: Uint32Array;
  private lossEpoch = 0;
  /** Period of each peer's heartbeats, microseconds; 0 sends none. */
  private readonly heartbeatMicros: number;
  /** The event that sends a peer's heartbeats to all its parents and schedules the next. */
  private readonly heartbeatDueEvent: number;
  /**
   * Per node: sessions it has begun, so that a heartbeat timer left over from an earlier
   * session on the same node id stops instead of running beside the new one.
   */
  private readonly sessions: Uint32Array;

  private online = 0;
  private statsSinceMicros = 0;
  private heldPairMicros = 0;
  private onlineMicros = 0;
  private blocksDecoded = 0;
  private decodeFailures = 0;
  private undecodableBlocks = 0;
  private redundantBytes = 0;
  private duplicateBytes = 0;
  private departuresWithDescendants = 0;
  private stripesLost = 0;
  private descendantsHit = 0;
  private onTime = 0;
  private due = 0;

  constructor(context: StrategyContext, options: StripedOptions) {
    this.c = context;
    this.o = options;
    this.code = codeOf(options);
    this.n = this.code.codedSymbols;
    this.k = this.code.sourceSymbols;
    const nodes = context.nodes;
    const pairs = nodes * this.n;
    if (pairs > MAX_NODE_STRIPE_PAIRS) {
      throw new RangeError(
        `striped: ${nodes} nodes x ${this.n} stripes exceeds the limit of ${MAX_NODE_STRIPE_PAIRS} pairs`,
      );
    }
    const stream = context.stream;
    this.symbolBytes = Math.ceil(stream.chunkBytes / this.k);
    // The rate a stripe really takes, rounding included: one symbol per chunk duration.
    const stripeBitsPerSecond = (this.symbolBytes * 8 * 1e6) / stream.chunkMicros;
    const capacitySlots = new Int32Array(nodes);
    for (let node = 0; node < nodes; node++) {
      const upload = context.transport.uploadBitsPerSecond(node);
      const slots = Math.floor((options.slotUtilization * upload) / stripeBitsPerSecond);
      capacitySlots[node] = Math.min(slots, 1 << 30);
    }
    this.forest = new TreeForest({
      nodes,
      trees: this.n,
      interiorDisjoint: options.interiorDisjoint,
      favourForwarders: true,
      maxChildren: options.maxChildren,
      sourceSlotsPerTree: Math.min(
        options.sourceMaxChildren,
        Math.floor(capacitySlots[0] / this.n),
      ),
      capacitySlots,
      ownerFields: OWNER_FIELDS,
    });
    const lists = this.forest.childLists;
    this.marks = lists.records;
    this.markOffset = lists.ownerFieldOffset;
    this.markStride = lists.stride;
    this.ledger = new SymbolLedger(nodes, this.n, context.players.windowChunks);
    this.lostCountedUntil = new Float64Array(nodes);
    this.lossStamp = new Uint32Array(nodes);
    this.sessions = new Uint32Array(nodes);
    this.heartbeatMicros = secondsToMicros(options.heartbeatSeconds);
    this.heartbeatDueEvent = context.sim.register(
      "striped/heartbeat-due",
      ["peer", "session"],
      (peer, session) => this.onHeartbeatDue(peer, session),
    );

    // The player's deadline accounting is the authority on what was due when; counting it here
    // only feeds decodedOnTimeShare (an observation, it steers nothing).
    context.probe.add({
      onChunksDue: (_peer, onTime, late, missed) => {
        this.onTime += onTime;
        this.due += onTime + late + missed;
      },
    });

    for (let stripe = 0; stripe < this.n; stripe++) {
      const name = `striped/stripe-${stripe}`;
      this.trees.push(
        new TreeJoin(
          context,
          this.forest,
          stripe,
          name,
          options,
          {
            newestAt: (node) => this.newestAt(node, stripe),
            holds: (node, block) => this.holds(node, stripe, block),
            resumePoint: (peer) => this.resumePoint(peer, stripe),
            send: (from, to, block) => this.sendSymbol(from, to, stripe, block),
            accepted: (peer, _relay, startBlock) => {
              // The stripe restarts at startBlock: its symbols before that will not come (a first
              // attach included, so that a late stripe cannot hold up blocks the others rebuild).
              if (startBlock > this.marks[this.mark(peer, stripe) + NEWEST] + 1)
                this.raiseFloor(peer, stripe, startBlock);
            },
            beforeReshape: () => this.advanceStats(),
          },
          { heartbeatTimers: false },
        ),
      );
      this.symbolMessages.push(
        context.transport.register(
          `${name}/symbol`,
          Traffic.Data,
          (_from, to, block, floor, bytes) => this.onSymbol(to, stripe, block, floor, bytes),
        ),
      );
    }
  }

  start(): void {
    startSourceClock(this.c, "striped", (block) => {
      for (const tree of this.trees) tree.forward(0, block);
    });
  }

  join(peer: number): void {
    this.advanceStats();
    this.online++;
    this.ledger.join(peer);
    this.forest.join(peer);
    for (const tree of this.trees) tree.join(peer);
    const session = ++this.sessions[peer];
    if (this.heartbeatMicros > 0) {
      this.c.sim.after(this.heartbeatMicros, this.heartbeatDueEvent, peer, session);
    }
  }

  leave(peer: number, abrupt: boolean): void {
    this.advanceStats();
    const forest = this.forest;
    const epoch = ++this.lossEpoch;
    let lost = 0;
    let hit = 0;
    for (let s = 0; s < this.n; s++) {
      this.trees[s].leave(peer, abrupt, (node) => {
        if (forest.state[forest.at(node, s)] === TreeState.Offline) return;
        lost++;
        if (this.lossStamp[node] !== epoch) {
          this.lossStamp[node] = epoch;
          hit++;
        }
      });
    }
    if (hit > 0) {
      this.departuresWithDescendants++;
      this.stripesLost += lost;
      this.descendantsHit += hit;
      this.c.probe.emitGauge("stripesLostPerDescendant", peer, this.c.sim.nowMicros, lost / hit);
    }
    forest.leave(peer);
    this.ledger.leave(peer);
    this.online--;
  }

  /**
   * Figures beside the common summary:
   * - `k`, `n`: the code; `symbolBytes`: bytes per stripe symbol;
   * - `decodedOnTimeShare`: blocks decodable (held by the player) at their playout deadline /
   *   blocks due, over all peers, from the player's deadline accounting;
   * - `meanStripesHeld`: stripe trees in which a peer is connected to the source, averaged over
   *   peer-time online (n when every peer receives every stripe);
   * - `stripesLostPerDeparture`: over departures of relays with descendants, stripes lost
   *   summed over descendants / distinct descendants hit (1 when each loses one stripe);
   *   `departuresWithDescendants` counts those departures;
   * - `redundantBytes`: symbol bytes received beyond k per block; `redundancyOverheadRatio`:
   *   redundant bytes / useful stream bytes ((n - k) / k when every stripe arrives);
   *   `controlOverheadRatio`: control bytes / useful stream bytes, where useful = data bytes
   *   delivered - duplicates - redundancy (so overheadRatio = control + redundancy +
   *   duplicate ratios);
   * - `blocksDecoded`; `decodeFailures`: decode attempts that failed with enough symbols
   *   (fountain models); `undecodableBlocks`: blocks a peer's player was told to skip because
   *   the code could no longer rebuild them;
   * - `meanTreeDepth` over connected (peer, stripe) pairs; `rejoins` (per stripe),
   *   `trackerQueries`, `emptyTrackerReplies`, `attachRejects`, `pushDowns`, `attachTimeouts`
   *   (attach requests that got no answer: the relay had left).
   */
  summary(): Record<string, number> {
    this.advanceStats();
    const counters = this.c.transport.counters;
    const useful = counters.deliveredDataBytes - this.duplicateBytes - this.redundantBytes;
    return {
      k: this.k,
      n: this.n,
      symbolBytes: this.symbolBytes,
      decodedOnTimeShare: this.due > 0 ? this.onTime / this.due : 0,
      meanStripesHeld: this.onlineMicros > 0 ? this.heldPairMicros / this.onlineMicros : 0,
      stripesLostPerDeparture: this.descendantsHit > 0 ? this.stripesLost / this.descendantsHit : 0,
      departuresWithDescendants: this.departuresWithDescendants,
      redundantBytes: this.redundantBytes,
      redundancyOverheadRatio: useful > 0 ? this.redundantBytes / useful : 0,
      controlOverheadRatio: useful > 0 ? counters.controlBytes / useful : 0,
      blocksDecoded: this.blocksDecoded,
      decodeFailures: this.decodeFailures,
      undecodableBlocks: this.undecodableBlocks,
      meanTreeDepth: this.forest.meanDepth(),
      rejoins: this.total("rejoins"),
      trackerQueries: this.total("queries"),
      emptyTrackerReplies: this.total("emptyReplies"),
      attachRejects: this.total("rejects"),
      pushDowns: this.total("pushDowns"),
      attachTimeouts: this.total("attachTimeouts"),
    };
  }

  /** The stripe forest at this instant, for tests and traces; reading it changes nothing. */
  snapshot(): ForestSnapshot {
    return this.forest.snapshot();
  }

  /** Time-series columns: `stripesHeld` (mean over online peers now) and `meanTreeDepth`. */
  sample(): Record<string, number> {
    return {
      stripesHeld: this.online > 0 ? this.forest.connectedPairs / this.online : 0,
      meanTreeDepth: this.forest.meanDepth(),
    };
  }

  /** Accumulates peer-time and stripe-time integrals up to now (before any change to either). */
  private advanceStats(): void {
    const now = this.c.sim.nowMicros;
    const dt = now - this.statsSinceMicros;
    if (dt <= 0) return;
    this.heldPairMicros += this.forest.connectedPairs * dt;
    this.onlineMicros += this.online * dt;
    this.statsSinceMicros = now;
  }

  /** A join-protocol count summed over the stripes' trees. */
  private total(counter: keyof TreeJoinCounters): number {
    let sum = 0;
    for (const tree of this.trees) sum += tree.counters[counter];
    return sum;
  }

  /** Where the marks of (peer, stripe) start in {@link marks}. */
  private mark(peer: number, stripe: number): number {
    return (peer * this.n + stripe) * this.markStride + this.markOffset;
  }

  // --- Resuming, per stripe ----------------------------------------------------------------

  /**
   * The first block a seeker wants of a stripe; -1 when it holds nothing of it ("live"). Never
   * before its newest symbol of the stripe (a relay behind the seeker must not send it what it
   * holds). With `back-buffer`, the first block that cannot decode without this stripe: neither
   * decoded, nor able to collect enough symbols from the other stripes still connected. Blocks
   * the other stripes rebuild need no resend, which keeps catch-up bursts (forwarded down the
   * seeker's whole subtree) to what the code cannot do without. When no such block is known
   * yet, the block after the newest anything delivered.
   */
  private resumePoint(peer: number, stripe: number): number {
    const marks = this.marks;
    const newest = marks[this.mark(peer, stripe) + NEWEST];
    if (newest < 0) return -1;
    if (this.o.resume !== "back-buffer") return newest + 1;
    let frontier = -1;
    for (let s = 0; s < this.n; s++)
      frontier = Math.max(frontier, marks[this.mark(peer, s) + NEWEST]);
    let block = Math.max(newest + 1, this.c.players.position(peer), 0);
    for (; block <= frontier; block++) {
      if (!this.ledger.isDecoded(peer, block) && this.needsStripe(peer, stripe, block)) break;
    }
    return block;
  }

  /** True when `block` cannot collect what the code needs unless `stripe` delivers it. */
  private needsStripe(peer: number, stripe: number, block: number): boolean {
    const base = this.forest.at(peer, 0);
    const marks = this.marks;
    let possible = 0;
    for (let s = 0; s < this.n; s++) {
      if (s === stripe || this.forest.connected[base + s] === 0) continue;
      const m = this.mark(peer, s);
      const threshold = Math.max(marks[m + NEWEST], marks[m + FLOOR] - 1);
      if (block > threshold && !this.ledger.has(peer, s, block)) possible++;
    }
    return this.ledger.count(peer, block) + possible < this.code.minimumSymbols;
  }

  /** A peer's heartbeat period is up: one heartbeat to each of its parents, then the next. */
  private onHeartbeatDue(peer: number, session: number): void {
    if (session !== this.sessions[peer]) return;
    if (this.forest.state[this.forest.at(peer, 0)] === TreeState.Offline) return;
    for (const tree of this.trees) tree.heartbeat(peer);
    this.c.sim.after(this.heartbeatMicros, this.heartbeatDueEvent, peer, session);
  }

  // --- Streaming -----------------------------------------------------------------------

  private newestAt(node: number, stripe: number): number {
    if (node === 0) return liveEdgeChunk(this.c, this.c.sim.nowMicros);
    return this.marks[this.mark(node, stripe) + NEWEST];
  }

  private holds(node: number, stripe: number, block: number): boolean {
    if (node === 0) return block >= 0 && block <= liveEdgeChunk(this.c, this.c.sim.nowMicros);
    return this.ledger.has(node, stripe, block);
  }

  private sendSymbol(from: number, to: number, stripe: number, block: number): void {
    // Each symbol carries the sender's skip floor in its stripe, so a jump propagates down.
    const floor = this.marks[this.mark(from, stripe) + FLOOR];
    this.c.transport.send(from, to, this.symbolMessages[stripe], this.symbolBytes, block, floor);
  }

  private onSymbol(
    peer: number,
    stripe: number,
    block: number,
    floor: number,
    bytes: number,
  ): void {
    const marks = this.marks;
    const m = this.mark(peer, stripe);
    if (floor > marks[m + FLOOR]) this.raiseFloor(peer, stripe, floor);
    const receipt = this.ledger.add(peer, stripe, block);
    if (receipt === SymbolReceipt.Duplicate) {
      this.duplicateBytes += bytes;
      this.c.probe.emitDuplicate(peer, bytes);
      return;
    }
    if (receipt !== SymbolReceipt.New) return;
    const previousNewest = marks[m + NEWEST];
    if (block > previousNewest) marks[m + NEWEST] = block;
    const count = this.ledger.count(peer, block);
    if (count > this.k) {
      // Beyond the k symbols a block's content fills: the price of the code's redundancy.
      this.redundantBytes += bytes;
      this.c.probe.emitRedundant(peer, bytes);
    }
    if (count >= this.code.minimumSymbols && !this.ledger.isDecoded(peer, block)) {
      if (this.code.decodesWith(count, this.c.random)) {
        this.ledger.markDecoded(peer, block);
        this.blocksDecoded++;
        this.c.players.receive(peer, block);
      } else {
        this.decodeFailures++;
      }
    }
    this.trees[stripe].delivered(peer);
    this.trees[stripe].forward(peer, block);
    // A gap in a stripe (symbols lost on the way) may leave blocks that can no longer decode.
    if (previousNewest >= 0 && block > previousNewest + 1) this.skipHopelessBlocks(peer);
  }

  private raiseFloor(peer: number, stripe: number, floor: number): void {
    const m = this.mark(peer, stripe);
    if (floor <= this.marks[m + FLOOR]) return;
    this.marks[m + FLOOR] = floor;
    this.skipHopelessBlocks(peer);
  }

  /**
   * Tells the player to skip the blocks ahead of its position that can no longer decode: those
   * whose symbols held plus symbols that may still arrive fall short of what the code needs. A
   * symbol of stripe s for block b may still arrive only while b is beyond both the newest
   * symbol of s held (stripes arrive in order) and the stripe's skip floor. The player is told
   * to skip up to the first block that may still decode.
   */
  private skipHopelessBlocks(peer: number): void {
    const position = this.c.players.position(peer);
    if (position < 0) return;
    const marks = this.marks;
    let bound = -1;
    for (let s = 0; s < this.n; s++) {
      const m = this.mark(peer, s);
      bound = Math.max(bound, marks[m + NEWEST], marks[m + FLOOR] - 1);
    }
    let block = Math.max(position, bound - this.ledger.windowBlocks + 1);
    for (; block <= bound; block++) {
      if (this.ledger.isDecoded(peer, block)) continue;
      if (!this.isHopeless(peer, block)) break;
    }
    if (block <= position) return;
    for (let b = Math.max(position, this.lostCountedUntil[peer]); b < block; b++) {
      if (!this.ledger.isDecoded(peer, b)) this.undecodableBlocks++;
    }
    this.lostCountedUntil[peer] = Math.max(this.lostCountedUntil[peer], block);
    this.c.players.skipTo(peer, block);
  }

  private isHopeless(peer: number, block: number): boolean {
    const marks = this.marks;
    let possible = 0;
    for (let s = 0; s < this.n; s++) {
      const m = this.mark(peer, s);
      const threshold = Math.max(marks[m + NEWEST], marks[m + FLOOR] - 1);
      if (block > threshold && !this.ledger.has(peer, s, block)) possible++;
    }
    const held = this.ledger.count(peer, block);
    return possible === 0 || held + possible < this.code.minimumSymbols;
  }
}

/** Registry entry of `striped`. */
export const striped = defineStrategy<StripedOptions>({
  type: "striped",
  description: "k-of-n coded stripes (parity, Reed-Solomon, fountain), one tree per stripe",
  resolveOptions: resolveStripedOptions,
  memorySeconds: treeMemorySeconds,
  create: (context, options) => new Striped(context, options),
});
