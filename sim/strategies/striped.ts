import type { ErasureCode } from "../fec/code.ts";
import { OverlayEvent } from "../metrics/probe.ts";
import { Traffic } from "../network/transport.ts";
import { secondsToMicros } from "../scenario/units.ts";
import { liveEdgeChunk, startSourceClock } from "./sourceClock.ts";
import { type ForestSnapshot, StripeForest, StripeState } from "./striped/forest.ts";
import { codeOf, resolveStripedOptions, type StripedOptions } from "./striped/options.ts";
import { SymbolLedger, SymbolReceipt } from "./striped/symbolLedger.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "./types.ts";

const NONE = -1;
/**
 * Messages carry (version or block, stripe) packed as value x 256 + stripe in one payload word;
 * stripes are below 256 and every value stays far below 2^45, so the packing is exact.
 */
const RADIX = 256;
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
 * Forest: one tree per stripe, joined per stripe through the directory at node 0 as in tree
 * relay (query, candidates, attach, accept or reject; heartbeats; orphans notice a departure
 * from a goodbye or after the detection delay and rejoin that stripe). A relay pushes each
 * symbol of the stripes it forwards to its children as soon as it arrives, before it can decode
 * the block. Slots follow from upload across all stripes a node forwards (see
 * {@link StripeForest}). With `interiorDisjoint` (SplitStream) each peer forwards in one stripe
 * only, so one departure costs each descendant at most one stripe; a full relay pushes a leaf
 * child down to make room for a peer that forwards in that stripe, which keeps the trees
 * growing.
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
  private readonly forest: StripeForest;
  private readonly ledger: SymbolLedger;
  /** Bytes of one stripe symbol: ceil(chunkBytes / k). */
  private readonly symbolBytes: number;
  private readonly backBufferChunks: number;
  private readonly seekVersion: Uint32Array;
  /** Per (peer, stripe): attach requests sent, so a timeout knows whether it is stale. */
  private readonly attempts: Uint32Array;
  private readonly orphanedAt: Float64Array;
  /** Per (peer, stripe): symbols of blocks below this will not reach the peer; -1 none. */
  private readonly skipFloor: Float64Array;
  /** Per (peer, stripe): newest block whose symbol of that stripe the peer holds; -1 none. */
  private readonly newestOnStripe: Float64Array;
  /** Per peer: blocks below this were already counted as undecodable. */
  private readonly lostCountedUntil: Float64Array;
  private readonly candidates: (number[] | undefined)[];
  private readonly lossStamp: Uint32Array;
  private lossEpoch = 0;

  private online = 0;
  private statsSinceMicros = 0;
  private heldPairMicros = 0;
  private onlineMicros = 0;
  private rejoins = 0;
  private queries = 0;
  private rejects = 0;
  private emptyReplies = 0;
  private pushDowns = 0;
  private attachTimeouts = 0;
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

  private readonly msgQuery: number;
  private readonly msgReply: number;
  private readonly msgAttach: number;
  private readonly msgAccept: number;
  private readonly msgReject: number;
  private readonly msgSymbol: number;
  private readonly msgGoodbyeToParent: number;
  private readonly msgGoodbyeToChild: number;
  private readonly msgHeartbeat: number;
  private readonly msgPushDown: number;
  private readonly evRetry: number;
  private readonly evDetectChild: number;
  private readonly evDetectParent: number;
  private readonly evHeartbeat: number;
  private readonly evAttachTimeout: number;

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
    this.forest = new StripeForest({
      nodes,
      stripes: this.n,
      interiorDisjoint: options.interiorDisjoint,
      maxChildren: options.maxChildren,
      sourceSlotsPerStripe: Math.min(
        options.sourceMaxChildren,
        Math.floor(capacitySlots[0] / this.n),
      ),
      capacitySlots,
    });
    this.ledger = new SymbolLedger(nodes, this.n, context.players.windowChunks);
    this.backBufferChunks =
      options.resume === "back-buffer"
        ? Math.floor(secondsToMicros(options.backBufferSeconds) / stream.chunkMicros)
        : 0;
    this.seekVersion = new Uint32Array(pairs);
    this.attempts = new Uint32Array(pairs);
    this.orphanedAt = new Float64Array(pairs).fill(-1);
    this.skipFloor = new Float64Array(pairs).fill(-1);
    this.newestOnStripe = new Float64Array(pairs).fill(-1);
    this.lostCountedUntil = new Float64Array(nodes);
    this.candidates = new Array(pairs);
    this.lossStamp = new Uint32Array(nodes);

    // The player's deadline accounting is the authority on what was due when; counting it here
    // only feeds decodedOnTimeShare (an observation, it steers nothing).
    context.probe.add({
      onChunksDue: (_peer, onTime, late, missed) => {
        this.onTime += onTime;
        this.due += onTime + late + missed;
      },
    });

    const t = context.transport;
    const control = Traffic.Control;
    this.msgQuery = t.register("striped/query", control, (from, _to, tag) =>
      this.onQuery(from, tag),
    );
    this.msgReply = t.register("striped/reply", control, (_from, to, tag) => this.onReply(to, tag));
    this.msgAttach = t.register("striped/attach", control, (from, to, tag, resumeFrom) =>
      this.onAttachRequest(to, from, tag, resumeFrom),
    );
    this.msgAccept = t.register("striped/accept", control, (from, to, tag, startBlock) =>
      this.onAccept(to, from, tag, startBlock),
    );
    this.msgReject = t.register("striped/reject", control, (_from, to, tag) =>
      this.tryNextCandidate(to, tag % RADIX, Math.floor(tag / RADIX)),
    );
    this.msgSymbol = t.register("striped/symbol", Traffic.Data, (_from, to, tag, floor, bytes) =>
      this.onSymbol(to, tag, floor, bytes),
    );
    this.msgGoodbyeToParent = t.register("striped/goodbye-parent", control, (from, to, stripe) =>
      this.removeChild(to, from, stripe),
    );
    this.msgGoodbyeToChild = t.register("striped/goodbye-child", control, (_from, to, tag) =>
      this.noticeParentLoss(to, tag),
    );
    this.msgHeartbeat = t.register("striped/heartbeat", control, () => {});
    this.msgPushDown = t.register("striped/push-down", control, (_from, to, tag) =>
      this.noticeParentLoss(to, tag),
    );
    const sim = context.sim;
    this.evRetry = sim.register("striped/retry", (peer, tag) => {
      const stripe = tag % RADIX;
      const p = this.forest.at(peer, stripe);
      if (
        this.forest.state[p] === StripeState.Seeking &&
        this.seekVersion[p] === Math.floor(tag / RADIX)
      ) {
        this.query(peer, stripe);
      }
    });
    this.evDetectChild = sim.register("striped/detect-parent-loss", (peer, tag) =>
      this.noticeParentLoss(peer, tag),
    );
    this.evDetectParent = sim.register("striped/detect-child-loss", (relay, tag) =>
      this.removeChild(relay, Math.floor(tag / RADIX), tag % RADIX),
    );
    this.evAttachTimeout = sim.register("striped/attach-timeout", (peer, tag) =>
      this.onAttachTimeout(peer, tag % RADIX, Math.floor(tag / RADIX)),
    );
    this.evHeartbeat = sim.register("striped/heartbeat", (tag, relay) => {
      const stripe = tag % RADIX;
      const peer = Math.floor(tag / RADIX);
      const p = this.forest.at(peer, stripe);
      if (this.forest.state[p] !== StripeState.Attached || this.forest.parent[p] !== relay) return;
      this.c.transport.send(peer, relay, this.msgHeartbeat, this.o.controlBytes);
      sim.after(secondsToMicros(this.o.heartbeatSeconds), this.evHeartbeat, tag, relay);
    });
  }

  start(): void {
    startSourceClock(this.c, "striped", (block) => {
      const forest = this.forest;
      for (let s = 0; s < this.n; s++) {
        for (
          let child = forest.firstChildOf(0, s);
          child !== NONE;
          child = forest.nextChild(child, s)
        ) {
          if (block >= forest.childFrom[forest.at(child, s)]) this.sendSymbol(0, child, s, block);
        }
      }
    });
  }

  join(peer: number): void {
    this.advanceStats();
    this.online++;
    this.ledger.join(peer);
    this.forest.join(peer);
    for (let s = 0; s < this.n; s++) {
      this.seekVersion[this.forest.at(peer, s)]++;
      this.query(peer, s);
    }
  }

  leave(peer: number, abrupt: boolean): void {
    this.advanceStats();
    const now = this.c.sim.nowMicros;
    const delay = this.c.detectionDelayMicros;
    const t = this.c.transport;
    const forest = this.forest;
    const epoch = ++this.lossEpoch;
    let lost = 0;
    let hit = 0;
    const countLoss = (node: number, stripe: number) => {
      if (forest.state[forest.at(node, stripe)] === StripeState.Offline) return;
      lost++;
      if (this.lossStamp[node] !== epoch) {
        this.lossStamp[node] = epoch;
        hit++;
      }
    };
    for (let s = 0; s < this.n; s++) {
      // Children in this stripe are orphaned now; they learn it from a goodbye or the silence.
      let child = forest.firstChildOf(peer, s);
      while (child !== NONE) {
        const next = forest.nextChild(child, s);
        forest.unlink(s, peer, child);
        forest.disconnectSubtree(s, child, (node) => countLoss(node, s));
        const p = forest.at(child, s);
        this.orphanedAt[p] = now;
        this.c.probe.emitOverlay(child, now, OverlayEvent.Orphaned);
        const tag = ++this.seekVersion[p] * RADIX + s;
        if (abrupt) this.c.sim.after(delay, this.evDetectChild, child, tag);
        else t.send(peer, child, this.msgGoodbyeToChild, this.o.controlBytes, tag);
        child = next;
      }
      // Parent: frees the slot when it hears the goodbye or notices the silence.
      const parent = forest.parent[forest.at(peer, s)];
      if (parent !== NONE) {
        if (abrupt) this.c.sim.after(delay, this.evDetectParent, parent, peer * RADIX + s);
        else t.send(peer, parent, this.msgGoodbyeToParent, this.o.controlBytes, s);
      }
    }
    if (hit > 0) {
      this.departuresWithDescendants++;
      this.stripesLost += lost;
      this.descendantsHit += hit;
      this.c.probe.emitGauge("stripesLostPerDescendant", peer, now, lost / hit);
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
      rejoins: this.rejoins,
      trackerQueries: this.queries,
      emptyTrackerReplies: this.emptyReplies,
      attachRejects: this.rejects,
      pushDowns: this.pushDowns,
      attachTimeouts: this.attachTimeouts,
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

  // --- Joining, per stripe ----------------------------------------------------------------

  private query(peer: number, stripe: number): void {
    this.queries++;
    const tag = this.seekVersion[this.forest.at(peer, stripe)] * RADIX + stripe;
    this.c.transport.send(peer, 0, this.msgQuery, this.o.controlBytes, tag);
  }

  /** The directory (at node 0) answers with up to `candidates` relays of that stripe's tree. */
  private onQuery(peer: number, tag: number): void {
    const stripe = tag % RADIX;
    const t = this.c.transport;
    const list = this.forest.candidates(
      peer,
      stripe,
      this.o.policy,
      this.o.candidates,
      this.c.random,
      (a, b) => t.latencyMicros(a, b),
    );
    if (list.length === 0) this.emptyReplies++;
    this.candidates[this.forest.at(peer, stripe)] = list;
    t.send(0, peer, this.msgReply, this.o.controlBytes + 8 * list.length, tag);
  }

  private onReply(peer: number, tag: number): void {
    this.tryNextCandidate(peer, tag % RADIX, Math.floor(tag / RADIX));
  }

  private tryNextCandidate(peer: number, stripe: number, version: number): void {
    const p = this.forest.at(peer, stripe);
    if (this.forest.state[p] !== StripeState.Seeking || this.seekVersion[p] !== version) return;
    const tag = version * RADIX + stripe;
    const next = this.candidates[p]?.shift();
    if (next === undefined) {
      this.candidates[p] = undefined;
      this.c.sim.after(secondsToMicros(this.o.retrySeconds), this.evRetry, peer, tag);
      return;
    }
    const t = this.c.transport;
    t.send(peer, next, this.msgAttach, this.o.controlBytes, tag, this.resumePoint(peer, stripe));
    // A request to a relay that has just left is lost without a reply: give up on it after a
    // round trip plus the retry wait.
    const attempt = ++this.attempts[p];
    const timeout = 2 * t.latencyMicros(peer, next) + secondsToMicros(this.o.retrySeconds);
    this.c.sim.after(timeout, this.evAttachTimeout, peer, attempt * RADIX + stripe);
  }

  /** No accept or reject came for attach request `attempt`: try the next candidate. */
  private onAttachTimeout(peer: number, stripe: number, attempt: number): void {
    const p = this.forest.at(peer, stripe);
    if (this.attempts[p] !== attempt || this.forest.state[p] !== StripeState.Seeking) return;
    // Linked already (the accept is on its way): nothing was lost.
    if (this.forest.parent[p] !== NONE) return;
    this.attachTimeouts++;
    this.tryNextCandidate(peer, stripe, this.seekVersion[p]);
  }

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
    const base = this.forest.at(peer, 0);
    const newest = this.newestOnStripe[base + stripe];
    if (newest < 0) return -1;
    if (this.o.resume !== "back-buffer") return newest + 1;
    let frontier = -1;
    for (let s = 0; s < this.n; s++) frontier = Math.max(frontier, this.newestOnStripe[base + s]);
    let block = Math.max(newest + 1, this.c.players.position(peer), 0);
    for (; block <= frontier; block++) {
      if (!this.ledger.isDecoded(peer, block) && this.needsStripe(peer, stripe, block)) break;
    }
    return block;
  }

  /** True when `block` cannot collect what the code needs unless `stripe` delivers it. */
  private needsStripe(peer: number, stripe: number, block: number): boolean {
    const base = this.forest.at(peer, 0);
    let possible = 0;
    for (let s = 0; s < this.n; s++) {
      if (s === stripe || this.forest.connected[base + s] === 0) continue;
      const threshold = Math.max(this.newestOnStripe[base + s], this.skipFloor[base + s] - 1);
      if (block > threshold && !this.ledger.has(peer, s, block)) possible++;
    }
    return this.ledger.count(peer, block) + possible < this.code.minimumSymbols;
  }

  private onAttachRequest(relay: number, peer: number, tag: number, resumeFrom: number): void {
    const stripe = tag % RADIX;
    const forest = this.forest;
    const r = forest.at(relay, stripe);
    const p = forest.at(peer, stripe);
    // A full relay makes room for a peer that can forward here by pushing a leaf child down.
    const victim = forest.pushDownVictim(relay, stripe, peer);
    const ok =
      forest.state[r] === StripeState.Attached &&
      forest.connected[r] === 1 &&
      (forest.hasFreeSlot(relay, stripe) || victim !== NONE) &&
      forest.state[p] === StripeState.Seeking &&
      this.seekVersion[p] === Math.floor(tag / RADIX) &&
      forest.connected[p] === 0;
    const t = this.c.transport;
    if (!ok) {
      this.rejects++;
      t.send(relay, peer, this.msgReject, this.o.controlBytes, tag);
      return;
    }
    const relayNewest = this.newestAt(relay, stripe);
    // Behind the seeker: forward from where the seeker is. Ahead: resend from the back buffer
    // (back-buffer mode, when the point is still in it), else start at the newest symbol.
    let start = relayNewest;
    if (resumeFrom > relayNewest) {
      start = resumeFrom;
    } else if (resumeFrom >= 0 && this.o.resume === "back-buffer") {
      const oldest = Math.max(0, relayNewest - this.backBufferChunks + 1);
      if (resumeFrom >= oldest) start = resumeFrom;
    }
    this.advanceStats();
    if (victim !== NONE) this.pushDown(relay, victim, stripe);
    // A relay that holds nothing of this stripe yet forwards from its first symbol on.
    forest.link(stripe, relay, peer, Math.max(0, start));
    t.send(relay, peer, this.msgAccept, this.o.controlBytes, tag, start);
    for (let block = Math.max(0, start); block <= relayNewest; block++) {
      if (this.holds(relay, stripe, block)) this.sendSymbol(relay, peer, stripe, block);
    }
  }

  private onAccept(peer: number, relay: number, tag: number, startBlock: number): void {
    const stripe = tag % RADIX;
    const p = this.forest.at(peer, stripe);
    if (this.seekVersion[p] !== Math.floor(tag / RADIX) || this.forest.parent[p] !== relay) return;
    this.forest.setState(peer, stripe, StripeState.Attached);
    this.candidates[p] = undefined;
    // The stripe restarts at startBlock: its symbols before that will not come (a first attach
    // included, so that a late stripe cannot hold up blocks the others can rebuild).
    if (startBlock > this.newestOnStripe[p] + 1) this.raiseFloor(peer, stripe, startBlock);
    if (this.o.heartbeatSeconds > 0) {
      this.c.sim.after(
        secondsToMicros(this.o.heartbeatSeconds),
        this.evHeartbeat,
        peer * RADIX + stripe,
        relay,
      );
    }
  }

  // --- Streaming -----------------------------------------------------------------------

  private newestAt(node: number, stripe: number): number {
    if (node === 0) return liveEdgeChunk(this.c, this.c.sim.nowMicros);
    return this.newestOnStripe[this.forest.at(node, stripe)];
  }

  private holds(node: number, stripe: number, block: number): boolean {
    if (node === 0) return block >= 0 && block <= liveEdgeChunk(this.c, this.c.sim.nowMicros);
    return this.ledger.has(node, stripe, block);
  }

  private sendSymbol(from: number, to: number, stripe: number, block: number): void {
    // Each symbol carries the sender's skip floor in its stripe, so a jump propagates down.
    this.c.transport.send(
      from,
      to,
      this.msgSymbol,
      this.symbolBytes,
      block * RADIX + stripe,
      this.skipFloor[this.forest.at(from, stripe)],
    );
  }

  private onSymbol(peer: number, tag: number, floor: number, bytes: number): void {
    const stripe = tag % RADIX;
    const block = Math.floor(tag / RADIX);
    const forest = this.forest;
    const p = forest.at(peer, stripe);
    if (floor > this.skipFloor[p]) this.raiseFloor(peer, stripe, floor);
    const receipt = this.ledger.add(peer, stripe, block);
    if (receipt === SymbolReceipt.Duplicate) {
      this.duplicateBytes += bytes;
      this.c.probe.emitDuplicate(peer, bytes);
      return;
    }
    if (receipt !== SymbolReceipt.New) return;
    const previousNewest = this.newestOnStripe[p];
    if (block > previousNewest) this.newestOnStripe[p] = block;
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
    if (this.orphanedAt[p] >= 0 && forest.state[p] === StripeState.Attached) {
      this.orphanedAt[p] = -1;
      this.c.probe.emitOverlay(peer, this.c.sim.nowMicros, OverlayEvent.Recovered);
    }
    for (
      let child = forest.firstChildOf(peer, stripe);
      child !== NONE;
      child = forest.nextChild(child, stripe)
    ) {
      if (block >= forest.childFrom[forest.at(child, stripe)]) {
        this.sendSymbol(peer, child, stripe, block);
      }
    }
    // A gap in a stripe (symbols lost on the way) may leave blocks that can no longer decode.
    if (previousNewest >= 0 && block > previousNewest + 1) this.skipHopelessBlocks(peer);
  }

  private raiseFloor(peer: number, stripe: number, floor: number): void {
    const p = this.forest.at(peer, stripe);
    if (floor <= this.skipFloor[p]) return;
    this.skipFloor[p] = floor;
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
    const base = this.forest.at(peer, 0);
    let bound = -1;
    for (let s = 0; s < this.n; s++) {
      bound = Math.max(bound, this.newestOnStripe[base + s], this.skipFloor[base + s] - 1);
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
    const base = this.forest.at(peer, 0);
    let possible = 0;
    for (let s = 0; s < this.n; s++) {
      const threshold = Math.max(this.newestOnStripe[base + s], this.skipFloor[base + s] - 1);
      if (block > threshold && !this.ledger.has(peer, s, block)) possible++;
    }
    const held = this.ledger.count(peer, block);
    return possible === 0 || held + possible < this.code.minimumSymbols;
  }

  /**
   * `relay` drops leaf child `child` in `stripe` to make room for a forwarding peer; the leaf
   * hears it at once (it was not a failure) and rejoins, typically below the newcomer.
   */
  private pushDown(relay: number, child: number, stripe: number): void {
    const forest = this.forest;
    forest.unlink(stripe, relay, child);
    forest.disconnectSubtree(stripe, child);
    const p = forest.at(child, stripe);
    const now = this.c.sim.nowMicros;
    this.orphanedAt[p] = now;
    this.c.probe.emitOverlay(child, now, OverlayEvent.Orphaned);
    const tag = ++this.seekVersion[p] * RADIX + stripe;
    this.pushDowns++;
    this.c.transport.send(relay, child, this.msgPushDown, this.o.controlBytes, tag);
  }

  // --- Departures ----------------------------------------------------------------------

  /** A relay drops a child that said goodbye or went silent in `stripe`; its slot frees. */
  private removeChild(relay: number, child: number, stripe: number): void {
    if (this.forest.parent[this.forest.at(child, stripe)] !== relay) return;
    this.forest.unlink(stripe, relay, child);
  }

  /**
   * An orphan learns its parent in a stripe is gone and asks the directory for a new one. A
   * peer still seeking counts too: its relay linked it and then left before the accept arrived
   * (the accept, of the version the departure superseded, was ignored), so no reply will come.
   */
  private noticeParentLoss(peer: number, tag: number): void {
    const stripe = tag % RADIX;
    const p = this.forest.at(peer, stripe);
    if (this.seekVersion[p] !== Math.floor(tag / RADIX)) return;
    if (this.forest.state[p] === StripeState.Offline || this.forest.parent[p] !== NONE) return;
    this.forest.setState(peer, stripe, StripeState.Seeking);
    this.rejoins++;
    this.c.probe.emitOverlay(peer, this.c.sim.nowMicros, OverlayEvent.Rejoin);
    this.query(peer, stripe);
  }
}

/** Registry entry of `striped`. */
export const striped = defineStrategy<StripedOptions>({
  type: "striped",
  description: "k-of-n coded stripes (parity, Reed-Solomon, fountain), one tree per stripe",
  resolveOptions: resolveStripedOptions,
  memorySeconds: (options) => (options.resume === "back-buffer" ? options.backBufferSeconds : 0),
  create: (context, options) => new Striped(context, options),
});
