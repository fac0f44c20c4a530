import { OverlayEvent } from "../metrics/probe.ts";
import { Traffic } from "../network/transport.ts";
import { Receive } from "../player/player.ts";
import type { OptionReader } from "../scenario/reader.ts";
import { secondsToMicros } from "../scenario/units.ts";
import { IndexedSet } from "./shared/indexedSet.ts";
import { liveEdgeChunk, startSourceClock } from "./sourceClock.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "./types.ts";

/** How the tracker ranks relays with a free slot. */
export const PARENT_POLICIES = ["random", "shallowest", "nearest"] as const;
/** Where an orphan resumes after it finds a new relay. */
export const RESUME_MODES = ["jump-to-live", "back-buffer"] as const;

/** Options of the `tree-relay` strategy. */
export interface TreeRelayOptions {
  /** Most children a relay takes, whatever its capacity. Default 8. */
  maxChildren: number;
  /**
   * Most children the source takes; its slots are also bounded by its upload capacity.
   * Default: capacity only.
   */
  sourceMaxChildren: number;
  /**
   * Parent choice: `random` (any relay with a free slot), `shallowest` (least depth below the
   * source first), `nearest` (least latency among a sample). Default `shallowest`.
   */
  policy: (typeof PARENT_POLICIES)[number];
  /**
   * Share of upload capacity a relay commits to children, in (0, 1]: slots are
   * floor(slotUtilization * upload / bitrate). Default 0.9: a relay that commits its whole uplink
   * has no room left for control traffic or catch-up bursts, so its queue (and every
   * descendant's lag) grows without bound.
   */
  slotUtilization: number;
  /** Candidates the tracker returns per query. Default 4. */
  candidates: number;
  /**
   * `jump-to-live` (default): an orphan skips what it missed. `back-buffer`: the new relay
   * serves the orphan from where it left off if that is still in its back buffer.
   */
  resume: (typeof RESUME_MODES)[number];
  /** Seconds of stream a relay keeps to serve orphans in `back-buffer` mode. Default 20 s. */
  backBufferSeconds: number;
  /** Size of a control message (query, request, reply, heartbeat, goodbye), bytes. Default 100. */
  controlBytes: number;
  /** Period of child-to-parent heartbeats, seconds; 0 turns them off. Default 5 s. */
  heartbeatSeconds: number;
  /** Wait before asking the tracker again when no candidate accepted, seconds. Default 1 s. */
  retrySeconds: number;
}

function resolveTreeRelayOptions(reader: OptionReader): TreeRelayOptions {
  return {
    maxChildren: reader.integer("maxChildren", 8, { min: 1, max: 10_000 }),
    sourceMaxChildren: reader.integer("sourceMaxChildren", 100_000, { min: 1 }),
    policy: reader.choice("policy", PARENT_POLICIES, "shallowest"),
    slotUtilization: reader.number("slotUtilization", 0.9, { above: 0, max: 1 }),
    candidates: reader.integer("candidates", 4, { min: 1, max: 64 }),
    resume: reader.choice("resume", RESUME_MODES, "jump-to-live"),
    backBufferSeconds: reader.durationSeconds("backBuffer", 20),
    controlBytes: reader.bytes("controlBytes", 100, { min: 1 }),
    heartbeatSeconds: reader.durationSeconds("heartbeat", 5),
    retrySeconds: reader.durationSeconds("retry", 1, { above: 0 }),
  };
}

/** The tree at one instant (see {@link TreeRelay.snapshot}), indexed by node. */
export interface TreeSnapshot {
  /** Parent node, -1 for none (the source, a seeker, an orphan). */
  parent: Int32Array;
  /** Depth below the source (meaningful for connected nodes). */
  depth: Int32Array;
  /** Children the node counts against its slots (departed ones until it notices). */
  childCount: Int32Array;
  /** Most children the node takes. */
  slots: Int32Array;
  /** 1 where the node has a path of attached relays up to the source. */
  connected: Uint8Array;
  /** 1 where the node is attached to a relay (or is the source). */
  attached: Uint8Array;
}

const OFFLINE = 0;
const SEEKING = 1;
const ATTACHED = 2;
const NONE = -1;
/** Deepest tree the directory indexes (a limit; deeper relays are never offered). */
const MAX_INDEXED_DEPTH = 4096;

/**
 * Tree relay (single-tree application-level multicast). A directory co-located with the source
 * (node 0) knows which relays are connected to the source and have a free slot; a joining peer
 * queries it, tries the candidates in order and attaches to the first that accepts. Slots follow
 * from upload capacity: floor(slotUtilization * upload / bitrate), capped by `maxChildren`.
 *
 * Each relay pushes every new chunk to its children. When a relay leaves gracefully its
 * neighbours hear a goodbye after one latency; when it fails they notice after the detection
 * delay. Orphans rejoin through the directory and keep their own subtrees. With `back-buffer`
 * resume, the new relay first sends, from its back buffer, the chunks the orphan lacks
 * (everything after the newest chunk the orphan holds), then continues live; when that point
 * has left its buffer, or in `jump-to-live` mode, the orphan starts at the relay's newest chunk
 * and its player skips the gap.
 *
 * The directory's view is exact and immediate (it learns every attach and departure at once);
 * only connected relays are offered, which also rules out cycles, since an orphan's own subtree
 * is disconnected while it seeks.
 */
class TreeRelay implements Strategy {
  private readonly c: StrategyContext;
  private readonly o: TreeRelayOptions;
  private readonly parent: Int32Array;
  private readonly depth: Int32Array;
  private readonly connected: Uint8Array;
  private readonly state: Uint8Array;
  private readonly slots: Int32Array;
  private readonly childCount: Int32Array;
  private readonly firstChild: Int32Array;
  private readonly lastChild: Int32Array;
  private readonly nextSibling: Int32Array;
  private readonly prevSibling: Int32Array;
  private readonly childFrom: Float64Array;
  private readonly seekVersion: Uint32Array;
  private readonly orphanedAt: Float64Array;
  /** Chunks below this will never reach the node (its path jumped over them); -1 none. */
  private readonly skipFloor: Float64Array;
  private readonly candidates: (number[] | undefined)[];
  private readonly available: IndexedSet;
  private readonly byDepth: IndexedSet[] = [];
  /** The depth bucket a node offered by the directory sits in. */
  private readonly bucketOf: Int32Array;
  private readonly backBufferChunks: number;
  private connectedDepthSum = 0;
  private connectedCount = 0;
  private rejoins = 0;
  private queries = 0;
  private rejects = 0;
  private emptyReplies = 0;

  private readonly msgQuery: number;
  private readonly msgReply: number;
  private readonly msgAttach: number;
  private readonly msgAccept: number;
  private readonly msgReject: number;
  private readonly msgChunk: number;
  private readonly msgGoodbyeToParent: number;
  private readonly msgGoodbyeToChild: number;
  private readonly msgHeartbeat: number;
  private readonly evRetry: number;
  private readonly evAttachTimeout: number;
  private readonly evDetectChild: number;
  private readonly evDetectParent: number;
  private readonly evHeartbeat: number;

  constructor(context: StrategyContext, options: TreeRelayOptions) {
    this.c = context;
    this.o = options;
    const n = context.nodes;
    this.parent = new Int32Array(n).fill(NONE);
    this.depth = new Int32Array(n);
    this.connected = new Uint8Array(n);
    this.state = new Uint8Array(n);
    this.slots = new Int32Array(n);
    this.childCount = new Int32Array(n);
    this.firstChild = new Int32Array(n).fill(NONE);
    this.lastChild = new Int32Array(n).fill(NONE);
    this.nextSibling = new Int32Array(n).fill(NONE);
    this.prevSibling = new Int32Array(n).fill(NONE);
    this.childFrom = new Float64Array(n);
    this.seekVersion = new Uint32Array(n);
    this.orphanedAt = new Float64Array(n).fill(-1);
    this.skipFloor = new Float64Array(n).fill(-1);
    this.candidates = new Array(n);
    this.available = new IndexedSet(n);
    this.bucketOf = new Int32Array(n);
    this.backBufferChunks =
      options.resume === "back-buffer"
        ? Math.floor(secondsToMicros(options.backBufferSeconds) / context.stream.chunkMicros)
        : 0;
    const bitrate = context.stream.bitrateBitsPerSecond;
    for (let node = 0; node < n; node++) {
      const capacitySlots = Math.floor(
        (options.slotUtilization * context.transport.uploadBitsPerSecond(node)) / bitrate,
      );
      const cap = node === 0 ? options.sourceMaxChildren : options.maxChildren;
      this.slots[node] = Math.min(cap, capacitySlots);
    }
    const t = context.transport;
    this.msgQuery = t.register("tree/query", Traffic.Control, (from, _to, v) =>
      this.onQuery(from, v),
    );
    this.msgReply = t.register("tree/reply", Traffic.Control, (_from, to, v) =>
      this.onReply(to, v),
    );
    this.msgAttach = t.register("tree/attach", Traffic.Control, (from, to, v, want) =>
      this.onAttachRequest(to, from, v, want),
    );
    this.msgAccept = t.register("tree/accept", Traffic.Control, (from, to, v, startChunk) =>
      this.onAccept(to, from, v, startChunk),
    );
    this.msgReject = t.register("tree/reject", Traffic.Control, (_from, to, v) =>
      this.tryNextCandidate(to, v),
    );
    this.msgChunk = t.register("tree/chunk", Traffic.Data, (from, to, chunk, floor, bytes) =>
      this.onChunk(to, from, chunk, floor, bytes),
    );
    this.msgGoodbyeToParent = t.register("tree/goodbye-parent", Traffic.Control, (from, to) =>
      this.removeChild(to, from),
    );
    this.msgGoodbyeToChild = t.register("tree/goodbye-child", Traffic.Control, (_from, to, v) =>
      this.noticeParentLoss(to, v),
    );
    this.msgHeartbeat = t.register("tree/heartbeat", Traffic.Control, () => {});
    const sim = context.sim;
    this.evRetry = sim.register("tree/retry", (peer, v) => {
      if (this.state[peer] === SEEKING && this.seekVersion[peer] === v) this.query(peer);
    });
    this.evAttachTimeout = sim.register("tree/attach-timeout", (peer, v) =>
      this.tryNextCandidate(peer, v),
    );
    this.evDetectChild = sim.register("tree/detect-parent-loss", (peer, v) =>
      this.noticeParentLoss(peer, v),
    );
    this.evDetectParent = sim.register("tree/detect-child-loss", (parentNode, child) =>
      this.removeChild(parentNode, child),
    );
    this.evHeartbeat = sim.register("tree/heartbeat", (peer, parentNode) => {
      if (this.state[peer] !== ATTACHED || this.parent[peer] !== parentNode) return;
      this.c.transport.send(peer, parentNode, this.msgHeartbeat, this.o.controlBytes);
      sim.after(secondsToMicros(this.o.heartbeatSeconds), this.evHeartbeat, peer, parentNode);
    });
  }

  start(): void {
    this.state[0] = ATTACHED;
    this.connected[0] = 1;
    this.depth[0] = 0;
    this.refresh(0);
    startSourceClock(this.c, "tree", (chunk) => {
      for (let child = this.firstChild[0]; child !== NONE; child = this.nextSibling[child]) {
        if (chunk >= this.childFrom[child]) this.sendChunk(0, child, chunk);
      }
    });
  }

  join(peer: number): void {
    this.state[peer] = SEEKING;
    this.seekVersion[peer]++;
    this.query(peer);
  }

  leave(peer: number, abrupt: boolean): void {
    const now = this.c.sim.nowMicros;
    const delay = this.c.detectionDelayMicros;
    const t = this.c.transport;
    // Children: orphaned now; they learn it from a goodbye or after the detection delay.
    let lostChildren = 0;
    let child = this.firstChild[peer];
    while (child !== NONE) {
      const next = this.nextSibling[child];
      this.unlink(peer, child);
      this.parent[child] = NONE;
      this.disconnectSubtree(child);
      this.orphanedAt[child] = now;
      this.c.probe.emitOverlay(child, now, OverlayEvent.Orphaned);
      const v = ++this.seekVersion[child];
      if (abrupt) this.c.sim.after(delay, this.evDetectChild, child, v);
      else t.send(peer, child, this.msgGoodbyeToChild, this.o.controlBytes, v);
      lostChildren++;
      child = next;
    }
    if (lostChildren > 0) this.c.probe.emitGauge("relayDeparture", peer, now, lostChildren);
    // Parent: frees the slot when it hears the goodbye or notices the silence.
    const p = this.parent[peer];
    if (p !== NONE) {
      if (abrupt) this.c.sim.after(delay, this.evDetectParent, p, peer);
      else t.send(peer, p, this.msgGoodbyeToParent, this.o.controlBytes);
    }
    if (this.connected[peer]) {
      this.connected[peer] = 0;
      this.connectedCount--;
      this.connectedDepthSum -= this.depth[peer];
    }
    this.state[peer] = OFFLINE;
    this.refresh(peer);
  }

  summary(): Record<string, number> {
    return {
      meanTreeDepth: this.connectedCount > 0 ? this.connectedDepthSum / this.connectedCount : 0,
      rejoins: this.rejoins,
      trackerQueries: this.queries,
      emptyTrackerReplies: this.emptyReplies,
      attachRejects: this.rejects,
    };
  }

  sample(): Record<string, number> {
    return {
      meanTreeDepth: this.connectedCount > 0 ? this.connectedDepthSum / this.connectedCount : 0,
    };
  }

  /** A copy of the tree's state, for tests and traces; reading it changes nothing. */
  snapshot(): TreeSnapshot {
    return {
      parent: this.parent.slice(),
      depth: this.depth.slice(),
      childCount: this.childCount.slice(),
      slots: this.slots.slice(),
      connected: this.connected.slice(),
      attached: this.state.map((s) => (s === ATTACHED ? 1 : 0)),
    };
  }

  // --- Joining ---------------------------------------------------------------------------

  private query(peer: number): void {
    this.queries++;
    this.c.transport.send(peer, 0, this.msgQuery, this.o.controlBytes, this.seekVersion[peer]);
  }

  /** The directory (at node 0) answers a query with up to `candidates` relays. */
  private onQuery(peer: number, v: number): void {
    const list = this.pickCandidates(peer);
    if (list.length === 0) this.emptyReplies++;
    this.candidates[peer] = list;
    this.c.transport.send(0, peer, this.msgReply, this.o.controlBytes + 8 * list.length, v);
  }

  private onReply(peer: number, v: number): void {
    if (this.state[peer] !== SEEKING || this.seekVersion[peer] !== v) return;
    this.tryNextCandidate(peer, v);
  }

  private tryNextCandidate(peer: number, v: number): void {
    if (this.state[peer] !== SEEKING || this.seekVersion[peer] !== v) return;
    const list = this.candidates[peer];
    const next = list?.shift();
    if (next === undefined) {
      this.candidates[peer] = undefined;
      this.c.sim.after(secondsToMicros(this.o.retrySeconds), this.evRetry, peer, v);
      return;
    }
    // The request names the next chunk the peer lacks (-1 when it holds none), so the relay
    // can resume it from there (back buffer) or at least not resend what it has. Each attempt
    // gets its own version, so a late answer to an abandoned attempt is recognised and ignored.
    const newest = this.c.players.newestChunk(peer);
    const want = newest >= 0 ? newest + 1 : -1;
    const attempt = ++this.seekVersion[peer];
    this.c.transport.send(peer, next, this.msgAttach, this.o.controlBytes, attempt, want);
    // A relay that left takes the request with it and never answers. A live one answers within
    // a round trip (control messages do not queue behind data), so after two round trips plus
    // the retry wait the peer gives up on it and tries the next candidate.
    const timeout =
      4 * this.c.transport.latencyMicros(peer, next) + secondsToMicros(this.o.retrySeconds);
    this.c.sim.after(timeout, this.evAttachTimeout, peer, attempt);
  }

  private onAttachRequest(relay: number, peer: number, v: number, want: number): void {
    const t = this.c.transport;
    const ok =
      (relay === 0 || this.state[relay] === ATTACHED) &&
      this.connected[relay] === 1 &&
      this.childCount[relay] < this.slots[relay] &&
      this.state[peer] === SEEKING &&
      this.seekVersion[peer] === v &&
      this.connected[peer] === 0;
    if (!ok) {
      this.rejects++;
      t.send(relay, peer, this.msgReject, this.o.controlBytes, v);
      return;
    }
    // Where the child starts: a newcomer (want -1) at the relay's newest chunk; an orphan in
    // back-buffer mode at the chunk it lacks if the back buffer still holds it; otherwise at the
    // relay's newest chunk, jumping over the gap (or at `want`, if the orphan is ahead).
    const relayNewest = this.newestAt(relay);
    let start = relayNewest;
    if (want >= 0) {
      const oldest = Math.max(0, relayNewest - this.backBufferChunks + 1);
      start =
        this.o.resume === "back-buffer" && want >= oldest ? want : Math.max(want, relayNewest);
    }
    // A relay that holds nothing yet forwards from its first chunk on; the child's player then
    // starts at the first chunk it receives (start -1).
    this.link(relay, peer, Math.max(0, start));
    t.send(relay, peer, this.msgAccept, this.o.controlBytes, v, start);
    for (let chunk = start; chunk <= relayNewest; chunk++) {
      if (this.holds(relay, chunk)) this.sendChunk(relay, peer, chunk);
    }
  }

  private onAccept(peer: number, relay: number, v: number, startChunk: number): void {
    if (this.seekVersion[peer] !== v || this.parent[peer] !== relay) return;
    this.state[peer] = ATTACHED;
    this.candidates[peer] = undefined;
    const players = this.c.players;
    if (players.position(peer) < 0) {
      if (startChunk >= 0) players.startAt(peer, startChunk);
    } else if (startChunk > players.newestChunk(peer) + 1) {
      // Jumped over a gap: neither this peer nor its subtree will get the chunks before it.
      this.raiseFloor(peer, startChunk);
    }
    this.refresh(peer);
    if (this.o.heartbeatSeconds > 0) {
      this.c.sim.after(secondsToMicros(this.o.heartbeatSeconds), this.evHeartbeat, peer, relay);
    }
  }

  // --- Streaming -------------------------------------------------------------------------

  private newestAt(node: number): number {
    return node === 0
      ? liveEdgeChunk(this.c, this.c.sim.nowMicros)
      : this.c.players.newestChunk(node);
  }

  private holds(node: number, chunk: number): boolean {
    if (node === 0) return chunk >= 0 && chunk <= liveEdgeChunk(this.c, this.c.sim.nowMicros);
    return this.c.players.has(node, chunk);
  }

  private sendChunk(from: number, to: number, chunk: number): void {
    // Each chunk carries the sender's skip floor, so a jump propagates down the subtree.
    this.c.transport.send(
      from,
      to,
      this.msgChunk,
      this.c.stream.chunkBytes,
      chunk,
      this.skipFloor[from],
    );
  }

  private raiseFloor(peer: number, floor: number): void {
    if (floor <= this.skipFloor[peer]) return;
    this.skipFloor[peer] = floor;
    this.c.players.skipTo(peer, floor);
  }

  private onChunk(peer: number, _from: number, chunk: number, floor: number, bytes: number): void {
    if (floor > this.skipFloor[peer]) this.raiseFloor(peer, floor);
    const result = this.c.players.receive(peer, chunk);
    if (result === Receive.Duplicate) {
      this.c.probe.emitDuplicate(peer, bytes);
      return;
    }
    if (result !== Receive.New) return;
    if (this.orphanedAt[peer] >= 0 && this.state[peer] === ATTACHED) {
      this.orphanedAt[peer] = -1;
      this.c.probe.emitOverlay(peer, this.c.sim.nowMicros, OverlayEvent.Recovered);
    }
    for (let child = this.firstChild[peer]; child !== NONE; child = this.nextSibling[child]) {
      if (chunk >= this.childFrom[child]) this.sendChunk(peer, child, chunk);
    }
  }

  // --- Departures ------------------------------------------------------------------------

  /** A relay drops a child that said goodbye or went silent; its slot frees. */
  private removeChild(relay: number, child: number): void {
    if (this.parent[child] !== relay) return;
    this.unlink(relay, child);
    this.parent[child] = NONE;
    this.refresh(relay);
  }

  /** An orphan learns its relay is gone and asks the directory for a new one. */
  private noticeParentLoss(peer: number, v: number): void {
    if (this.seekVersion[peer] !== v || this.parent[peer] !== NONE) return;
    if (this.state[peer] === SEEKING) {
      // The relay had accepted the peer and left before its acceptance arrived (the acceptance
      // is now ignored as stale): the peer starts its search again.
      this.query(peer);
      return;
    }
    if (this.state[peer] !== ATTACHED) return;
    this.state[peer] = SEEKING;
    this.rejoins++;
    this.c.probe.emitOverlay(peer, this.c.sim.nowMicros, OverlayEvent.Rejoin);
    this.query(peer);
  }

  // --- Tree structure and directory ------------------------------------------------------

  private link(relay: number, child: number, fromChunk: number): void {
    this.parent[child] = relay;
    this.childFrom[child] = fromChunk;
    // Append, so that existing children keep their place in the relay's sending order (and
    // their chunks' timing) when a new child arrives.
    const tail = this.lastChild[relay];
    this.prevSibling[child] = tail;
    this.nextSibling[child] = NONE;
    if (tail !== NONE) this.nextSibling[tail] = child;
    else this.firstChild[relay] = child;
    this.lastChild[relay] = child;
    this.childCount[relay]++;
    this.refresh(relay);
    this.connectSubtree(child, this.depth[relay] + 1);
    this.c.probe.emitGauge("treeDepth", child, this.c.sim.nowMicros, this.depth[child]);
  }

  private unlink(relay: number, child: number): void {
    const prev = this.prevSibling[child];
    const next = this.nextSibling[child];
    if (prev !== NONE) this.nextSibling[prev] = next;
    else this.firstChild[relay] = next;
    if (next !== NONE) this.prevSibling[next] = prev;
    else this.lastChild[relay] = prev;
    this.nextSibling[child] = NONE;
    this.prevSibling[child] = NONE;
    this.childCount[relay]--;
  }

  /** Marks `root` (at `rootDepth`) and its subtree connected, with their new depths. */
  private connectSubtree(root: number, rootDepth: number): void {
    const stack = [root];
    this.depth[root] = rootDepth;
    while (stack.length > 0) {
      const node = stack.pop()!;
      // A child that left without a goodbye stays listed until its relay notices; it is gone,
      // and counting it connected would leave it in the depth figures for good.
      if (this.state[node] === OFFLINE) continue;
      if (!this.connected[node]) {
        this.connected[node] = 1;
        this.connectedCount++;
      } else {
        this.connectedDepthSum -= this.depth[node];
      }
      if (node !== root) this.depth[node] = this.depth[this.parent[node]] + 1;
      this.connectedDepthSum += this.depth[node];
      this.refresh(node);
      for (let ch = this.firstChild[node]; ch !== NONE; ch = this.nextSibling[ch]) stack.push(ch);
    }
  }

  private disconnectSubtree(root: number): void {
    const stack = [root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (this.connected[node]) {
        this.connected[node] = 0;
        this.connectedCount--;
        this.connectedDepthSum -= this.depth[node];
      }
      this.refresh(node);
      for (let ch = this.firstChild[node]; ch !== NONE; ch = this.nextSibling[ch]) stack.push(ch);
    }
  }

  /** Keeps the directory's sets in step with a node's state. */
  private refresh(node: number): void {
    const offer =
      (node === 0 || this.state[node] === ATTACHED) &&
      this.connected[node] === 1 &&
      this.childCount[node] < this.slots[node] &&
      this.depth[node] < MAX_INDEXED_DEPTH;
    const d = this.depth[node];
    if (offer) {
      // Re-add to its (possibly new) depth bucket.
      if (this.available.has(node)) this.byDepth[this.bucketOf[node]].delete(node);
      this.available.add(node);
      while (this.byDepth.length <= d) this.byDepth.push(new IndexedSet(this.c.nodes));
      this.byDepth[d].add(node);
      this.bucketOf[node] = d;
    } else if (this.available.has(node)) {
      this.available.delete(node);
      this.byDepth[this.bucketOf[node]].delete(node);
    }
  }

  private pickCandidates(peer: number): number[] {
    const k = this.o.candidates;
    const random = this.c.random;
    const out: number[] = [];
    if (this.o.policy === "shallowest") {
      for (const bucket of this.byDepth) {
        if (out.length >= k) break;
        const size = bucket.size;
        if (size === 0) continue;
        // A random starting point within the bucket spreads load among equally shallow relays.
        const offset = random.int(size);
        for (let i = 0; i < size && out.length < k; i++) {
          const node = bucket.at((offset + i) % size);
          if (node !== peer) out.push(node);
        }
      }
      return out;
    }
    const size = this.available.size;
    const want = this.o.policy === "nearest" ? Math.min(size, 4 * k) : Math.min(size, k);
    const seen = new Set<number>();
    for (let tries = 0; out.length < want && tries < 4 * want + 8; tries++) {
      const node = this.available.at(random.int(size));
      if (node === peer || seen.has(node)) continue;
      seen.add(node);
      out.push(node);
    }
    if (this.o.policy === "nearest") {
      const t = this.c.transport;
      out.sort((a, b) => t.latencyMicros(peer, a) - t.latencyMicros(peer, b) || a - b);
      out.length = Math.min(out.length, k);
    }
    return out;
  }
}

/** Registry entry of `tree-relay`. */
export const treeRelay = defineStrategy<TreeRelayOptions>({
  type: "tree-relay",
  description: "single tree; a directory finds relays with free slots; orphans rejoin",
  resolveOptions: resolveTreeRelayOptions,
  memorySeconds: (options) => (options.resume === "back-buffer" ? options.backBufferSeconds : 0),
  create: (context, options) => new TreeRelay(context, options),
});
