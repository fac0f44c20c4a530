import { OverlayEvent } from "../../metrics/probe.ts";
import { Traffic } from "../../network/transport.ts";
import { secondsToMicros } from "../../scenario/units.ts";
import type { StrategyContext } from "../types.ts";
import { type TreeForest, TreeState } from "./forest.ts";
import type { TreeOptions } from "./options.ts";

const NONE = -1;

/** What the join protocol of one tree needs from the strategy that streams down that tree. */
export interface TreeStreaming {
  /** Newest chunk of this tree that `node` holds (the live edge, for the source); -1 none. */
  newestAt(node: number): number;
  /** True when `node` holds `chunk` of this tree and can send it again. */
  holds(node: number, chunk: number): boolean;
  /** The chunk a seeker asks a relay to start from; -1 when it holds nothing of this tree. */
  resumePoint(peer: number): number;
  /** Sends `chunk` of this tree from `from` to its child `to`. */
  send(from: number, to: number, chunk: number): void;
  /**
   * `relay` accepted `peer`, which now receives this tree from `startChunk` on (-1 when the
   * relay holds nothing yet: from the first chunk it forwards).
   */
  accepted(peer: number, relay: number, startChunk: number): void;
  /** Called just before the protocol links a child or pushes one down (for time integrals). */
  beforeReshape?(): void;
  /** Called after `child` was linked and its subtree connected (for gauges). */
  linked?(child: number): void;
}

/** How one tree's join protocol is run, beyond the user's {@link TreeOptions}. */
export interface TreeJoinSettings {
  /**
   * True (the default): each child keeps a heartbeat timer per tree, started when its parent
   * accepts it. False: the owner sends the heartbeats by calling {@link TreeJoin.heartbeat}
   * (striped: one timer per peer for all its stripe trees).
   */
  heartbeatTimers: boolean;
}

/** Counts kept by one tree's join protocol. */
export interface TreeJoinCounters {
  /** Queries sent to the directory. */
  queries: number;
  /** Directory replies without a candidate. */
  emptyReplies: number;
  /** Attach requests a relay refused. */
  rejects: number;
  /** Times an attached peer lost its parent and sought a new one. */
  rejoins: number;
  /** Leaf children pushed down to make room for a forwarding peer. */
  pushDowns: number;
  /** Attach requests that got no answer in time (the relay had left). */
  attachTimeouts: number;
}

/**
 * The join protocol of one tree, written once for every strategy built on relay trees: tree
 * relay runs one instance, striped one per stripe, each addressed by its tree id in a shared
 * {@link TreeForest} and registering its own message and event kinds (named `<name>/...`), so
 * that no payload has to say which tree it belongs to.
 *
 * A seeker asks the directory (co-located with the source, node 0) for candidates, tries them
 * in order and attaches to the first that accepts; a relay accepts while it is connected to the
 * source and has a free slot (or, with `favourForwarders`, pushes a leaf child down). Children
 * send heartbeats to their parent (every `heartbeat` seconds from the acceptance on, unless the
 * owner sends them itself, see {@link TreeJoinSettings}). When a relay leaves gracefully its neighbours hear a goodbye
 * after one latency; when it fails they notice after the detection delay. Orphans ask the
 * directory again and keep their own subtrees. Where an orphan resumes (jump to the relay's
 * newest chunk, or from its back buffer) is decided here; what a chunk is, and what the
 * receiver does with it, belongs to the strategy ({@link TreeStreaming}).
 *
 * Versions: each seek and each attach attempt bumps the peer's version, and every answer
 * carries the version it answers, so a late answer to an abandoned attempt is recognised and
 * ignored.
 *
 * Attach timeout: a relay that left takes the request with it and never answers. A live one
 * answers within a round trip, since control messages do not queue behind data; the peer waits
 * two round trips (4 x the one-way latency, which also covers the serialization of both control
 * messages and of other control messages ahead of them) plus the retry wait, then tries the
 * next candidate. A timeout finds the peer already linked when the acceptance is merely on its
 * way; then nothing was lost and it does nothing.
 */
export class TreeJoin {
  /** Counts, read by the strategy's summary. */
  readonly counters: TreeJoinCounters = {
    queries: 0,
    emptyReplies: 0,
    rejects: 0,
    rejoins: 0,
    pushDowns: 0,
    attachTimeouts: 0,
  };
  private readonly c: StrategyContext;
  private readonly forest: TreeForest;
  private readonly tree: number;
  private readonly options: TreeOptions;
  private readonly streaming: TreeStreaming;
  private readonly backBufferChunks: number;
  private readonly retryMicros: number;
  private readonly heartbeatMicros: number;
  /** Whether this protocol keeps a heartbeat timer per child ({@link TreeJoinSettings}). */
  private readonly heartbeatTimers: boolean;
  /** Per node: the version of its current seek or attach attempt. */
  private readonly seekVersion: Uint32Array;
  /**
   * Per node: 1 from losing its parent until it receives something again (its recovery), else
   * 0. Read on every chunk received, so one byte per node: the flags of thousands of peers
   * stay in cache.
   */
  private readonly orphaned: Uint8Array;
  /** Per node: the directory's candidates it has not tried yet. */
  private readonly candidates: (number[] | undefined)[];
  /** Per node: the relay whose slot the directory promised it, until its request arrives; -1 none. */
  private readonly promised: Int32Array;
  /** Per node: the relay its current attach request went to; -1 none. */
  private readonly trying: Int32Array;

  private readonly queryMessage: number;
  private readonly replyMessage: number;
  private readonly attachMessage: number;
  private readonly acceptMessage: number;
  private readonly rejectMessage: number;
  private readonly goodbyeToParentMessage: number;
  private readonly goodbyeToChildMessage: number;
  private readonly heartbeatMessage: number;
  private readonly pushDownMessage: number;
  private readonly retryEvent: number;
  private readonly attachTimeoutEvent: number;
  private readonly detectParentLossEvent: number;
  private readonly detectChildLossEvent: number;
  private readonly heartbeatDueEvent: number;

  /**
   * @param tree the tree's id in `forest`.
   * @param name prefix of the message and event kinds it registers (`tree`, `striped/stripe-2`).
   */
  constructor(
    context: StrategyContext,
    forest: TreeForest,
    tree: number,
    name: string,
    options: TreeOptions,
    streaming: TreeStreaming,
    settings: TreeJoinSettings = { heartbeatTimers: true },
  ) {
    this.c = context;
    this.forest = forest;
    this.tree = tree;
    this.options = options;
    this.streaming = streaming;
    const n = context.nodes;
    this.seekVersion = new Uint32Array(n);
    this.orphaned = new Uint8Array(n);
    this.candidates = new Array(n);
    this.promised = new Int32Array(n).fill(NONE);
    this.trying = new Int32Array(n).fill(NONE);
    this.backBufferChunks =
      options.resume === "back-buffer"
        ? Math.floor(secondsToMicros(options.backBufferSeconds) / context.stream.chunkMicros)
        : 0;
    this.retryMicros = secondsToMicros(options.retrySeconds);
    this.heartbeatMicros = secondsToMicros(options.heartbeatSeconds);
    this.heartbeatTimers = settings.heartbeatTimers;

    const t = context.transport;
    const control = Traffic.Control;
    this.queryMessage = t.register(`${name}/query`, control, (from, _to, version) =>
      this.onQuery(from, version),
    );
    this.replyMessage = t.register(`${name}/reply`, control, (_from, to, version) =>
      this.tryNextCandidate(to, version),
    );
    this.attachMessage = t.register(`${name}/attach`, control, (from, to, attempt, want) =>
      this.onAttachRequest(to, from, attempt, want),
    );
    this.acceptMessage = t.register(`${name}/accept`, control, (from, to, attempt, start) =>
      this.onAccept(to, from, attempt, start),
    );
    this.rejectMessage = t.register(`${name}/reject`, control, (_from, to, attempt) =>
      this.tryNextCandidate(to, attempt),
    );
    this.goodbyeToParentMessage = t.register(`${name}/goodbye-parent`, control, (from, to) =>
      this.removeChild(to, from),
    );
    this.goodbyeToChildMessage = t.register(`${name}/goodbye-child`, control, (_from, to, v) =>
      this.noticeParentLoss(to, v),
    );
    this.heartbeatMessage = t.register(`${name}/heartbeat`, control, () => {});
    this.pushDownMessage = t.register(`${name}/push-down`, control, (_from, to, version) =>
      this.noticeParentLoss(to, version),
    );
    const sim = context.sim;
    this.retryEvent = sim.register(`${name}/retry`, ["peer", "version"], (peer, version) => {
      if (this.isSeeking(peer, version)) this.query(peer);
    });
    this.attachTimeoutEvent = sim.register(
      `${name}/attach-timeout`,
      ["peer", "attempt"],
      (peer, attempt) => this.onAttachTimeout(peer, attempt),
    );
    this.detectParentLossEvent = sim.register(
      `${name}/detect-parent-loss`,
      ["peer", "version"],
      (peer, version) => this.noticeParentLoss(peer, version),
    );
    this.detectChildLossEvent = sim.register(
      `${name}/detect-child-loss`,
      ["relay", "child"],
      (relay, child) => this.removeChild(relay, child),
    );
    this.heartbeatDueEvent = sim.register(
      `${name}/heartbeat-due`,
      ["peer", "relay"],
      (peer, relay) => {
        const p = this.forest.at(peer, this.tree);
        if (this.forest.state[p] !== TreeState.Attached || this.forest.parent[p] !== relay) return;
        this.c.transport.send(peer, relay, this.heartbeatMessage, this.options.controlBytes);
        sim.after(this.heartbeatMicros, this.heartbeatDueEvent, peer, relay);
      },
    );
  }

  /** A peer that the forest has just marked seeking starts its search in this tree. */
  join(peer: number): void {
    this.seekVersion[peer]++;
    this.query(peer);
  }

  /**
   * `peer` leaves: its children in this tree are orphaned now (they learn it from a goodbye or
   * after the detection delay) and its parent frees the slot when it hears the goodbye or
   * notices the silence. Call before the forest's `leave`. `visit` sees every node cut off from
   * the source. Returns the number of children orphaned.
   */
  leave(peer: number, abrupt: boolean, visit?: (node: number) => void): number {
    this.releasePromises(peer);
    const forest = this.forest;
    const tree = this.tree;
    const now = this.c.sim.nowMicros;
    const delay = this.c.detectionDelayMicros;
    const t = this.c.transport;
    let orphaned = 0;
    // The children in sending order: each unlink takes the first off the list.
    for (;;) {
      const child = forest.childLists.pool[forest.childrenOf(peer, tree)];
      if (child === NONE) break;
      forest.unlink(tree, peer, child);
      forest.disconnectSubtree(tree, child, visit);
      this.orphaned[child] = 1;
      this.c.probe.emitOverlay(child, now, OverlayEvent.Orphaned);
      const version = ++this.seekVersion[child];
      if (abrupt) this.c.sim.after(delay, this.detectParentLossEvent, child, version);
      else t.send(peer, child, this.goodbyeToChildMessage, this.options.controlBytes, version);
      orphaned++;
    }
    const parent = forest.parent[forest.at(peer, tree)];
    if (parent !== NONE) {
      if (abrupt) this.c.sim.after(delay, this.detectChildLossEvent, parent, peer);
      else t.send(peer, parent, this.goodbyeToParentMessage, this.options.controlBytes);
    }
    return orphaned;
  }

  /**
   * `peer` sends a heartbeat to its parent in this tree, if it is attached; for owners that run
   * the heartbeat timers themselves ({@link TreeJoinSettings}).
   */
  heartbeat(peer: number): void {
    const p = this.forest.at(peer, this.tree);
    if (this.forest.state[p] !== TreeState.Attached) return;
    const relay = this.forest.parent[p];
    if (relay === NONE) return;
    this.c.transport.send(peer, relay, this.heartbeatMessage, this.options.controlBytes);
  }

  /** Sends `chunk` from `from` to each of its children in this tree that wants it. */
  forward(from: number, chunk: number): void {
    const lists = this.forest.childLists;
    // Sending changes no child list, so the pool stays the same array throughout.
    const pool = lists.pool;
    for (let e = this.forest.childrenOf(from, this.tree); pool[e] !== NONE; e += 2) {
      if (chunk >= pool[e + 1]) this.streaming.send(from, pool[e], chunk);
    }
  }

  /** `peer` received something new in this tree: an orphan that is attached again has recovered. */
  delivered(peer: number): void {
    if (this.orphaned[peer] === 0) return;
    if (this.forest.state[this.forest.at(peer, this.tree)] !== TreeState.Attached) return;
    this.orphaned[peer] = 0;
    this.c.probe.emitOverlay(peer, this.c.sim.nowMicros, OverlayEvent.Recovered);
  }

  // --- Seeking ---------------------------------------------------------------------------

  /**
   * Whether `peer` is still looking for a parent with search `version`. A peer whose request a
   * relay has accepted (linked, accept on its way) has stopped looking: without this, a retry
   * scheduled before the accept would start a second search and link it under two relays.
   */
  private isSeeking(peer: number, version: number): boolean {
    const p = this.forest.at(peer, this.tree);
    return (
      this.forest.state[p] === TreeState.Seeking &&
      this.seekVersion[peer] === version &&
      this.forest.parent[p] === NONE
    );
  }

  private query(peer: number): void {
    this.counters.queries++;
    const bytes = this.options.controlBytes;
    this.c.transport.send(peer, 0, this.queryMessage, bytes, this.seekVersion[peer]);
  }

  /**
   * The directory (at node 0) answers a query with up to `candidates` relays. It promises the
   * seeker the best one's free slot, and offers no one else that slot until the
   * seeker's request arrives there or the seeker gives the promise up: without promises, every
   * seeker asking within a round trip was offered the same few free slots, and all but one were
   * refused, so refusals per join grew with the audience (model change of issue 11).
   */
  private onQuery(peer: number, version: number): void {
    const t = this.c.transport;
    const o = this.options;
    this.releasePromises(peer);
    const list = this.forest.candidates(
      peer,
      this.tree,
      o.policy,
      o.candidates,
      this.c.random,
      (a, b) => t.latencyMicros(a, b),
    );
    if (list.length === 0) this.counters.emptyReplies++;
    // Only the best candidate's slot is promised: the others are fallbacks for the rare case
    // that it left or lost its path meanwhile, and promising them too would lock several slots
    // per seeker and turn other seekers away empty-handed.
    const best = list.find((relay) => this.forest.hasUnpromisedSlot(relay, this.tree));
    if (best !== undefined) {
      this.forest.reserve(best, this.tree);
      this.promised[peer] = best;
    }
    this.candidates[peer] = list;
    t.send(0, peer, this.replyMessage, o.controlBytes + 8 * list.length, version);
  }

  private tryNextCandidate(peer: number, version: number): void {
    if (!this.isSeeking(peer, version)) return;
    const next = this.candidates[peer]?.shift();
    if (next === undefined) {
      this.candidates[peer] = undefined;
      this.c.sim.after(this.retryMicros, this.retryEvent, peer, version);
      return;
    }
    // The request names the chunk the peer wants next, so the relay can resume it from there
    // (back buffer) or at least not resend what it has.
    const want = this.streaming.resumePoint(peer);
    const attempt = ++this.seekVersion[peer];
    this.trying[peer] = next;
    const t = this.c.transport;
    t.send(peer, next, this.attachMessage, this.options.controlBytes, attempt, want);
    const timeout = 4 * t.latencyMicros(peer, next) + this.retryMicros;
    this.c.sim.after(timeout, this.attachTimeoutEvent, peer, attempt);
  }

  /** No accept or reject came for attach request `attempt` in time: try the next candidate. */
  private onAttachTimeout(peer: number, attempt: number): void {
    if (!this.isSeeking(peer, attempt)) return;
    if (this.forest.parent[this.forest.at(peer, this.tree)] !== NONE) return;
    this.counters.attachTimeouts++;
    this.takePromise(peer, this.trying[peer]);
    this.tryNextCandidate(peer, attempt);
  }

  private onAttachRequest(relay: number, peer: number, attempt: number, want: number): void {
    const forest = this.forest;
    const tree = this.tree;
    const r = forest.at(relay, tree);
    const p = forest.at(peer, tree);
    const t = this.c.transport;
    // The slot promised to this peer, if any, is now its to take; a peer without a promise may
    // take only a slot nobody was promised.
    this.takePromise(peer, relay);
    // A full relay may make room for a peer that can forward by pushing a leaf child down.
    const victim = forest.pushDownVictim(relay, tree, peer);
    const ok =
      forest.state[r] === TreeState.Attached &&
      forest.connected[r] === 1 &&
      (forest.hasUnpromisedSlot(relay, tree) || victim !== NONE) &&
      this.isSeeking(peer, attempt) &&
      forest.connected[p] === 0;
    if (!ok) {
      this.counters.rejects++;
      t.send(relay, peer, this.rejectMessage, this.options.controlBytes, attempt);
      return;
    }
    // Where the child starts: a newcomer (want -1) at the relay's newest chunk; an orphan in
    // back-buffer mode at the chunk it wants if the back buffer still holds it; otherwise at
    // the relay's newest chunk, jumping over the gap (or at `want`, if the orphan is ahead).
    const relayNewest = this.streaming.newestAt(relay);
    let start = relayNewest;
    if (want >= 0) {
      const oldest = Math.max(0, relayNewest - this.backBufferChunks + 1);
      const fromBackBuffer = this.options.resume === "back-buffer" && want >= oldest;
      start = fromBackBuffer ? want : Math.max(want, relayNewest);
    }
    this.streaming.beforeReshape?.();
    if (victim !== NONE) this.pushDown(relay, victim);
    // A relay that holds nothing yet forwards from its first chunk on.
    forest.link(tree, relay, peer, Math.max(0, start));
    this.streaming.linked?.(peer);
    t.send(relay, peer, this.acceptMessage, this.options.controlBytes, attempt, start);
    for (let chunk = Math.max(0, start); chunk <= relayNewest; chunk++) {
      if (this.streaming.holds(relay, chunk)) this.streaming.send(relay, peer, chunk);
    }
  }

  private onAccept(peer: number, relay: number, attempt: number, startChunk: number): void {
    const p = this.forest.at(peer, this.tree);
    if (this.seekVersion[peer] !== attempt || this.forest.parent[p] !== relay) return;
    this.forest.setState(peer, this.tree, TreeState.Attached);
    this.candidates[peer] = undefined;
    this.releasePromises(peer);
    this.streaming.accepted(peer, relay, startChunk);
    if (this.heartbeatTimers && this.heartbeatMicros > 0) {
      this.c.sim.after(this.heartbeatMicros, this.heartbeatDueEvent, peer, relay);
    }
  }

  /**
   * The promise of `relay`'s slot to `peer`, if it holds one, ends: its request arrived there
   * (the slot is now its to take) or went unanswered.
   */
  private takePromise(peer: number, relay: number): void {
    if (relay !== NONE && this.promised[peer] === relay) this.releasePromises(peer);
  }

  /** Gives back the promise `peer` holds, if any (it attached, asked again, or left). */
  private releasePromises(peer: number): void {
    const held = this.promised[peer];
    if (held === NONE) return;
    this.promised[peer] = NONE;
    this.forest.release(held, this.tree);
  }

  // --- Departures ------------------------------------------------------------------------

  /** A relay drops a child that said goodbye or went silent; its slot frees. */
  private removeChild(relay: number, child: number): void {
    if (this.forest.parent[this.forest.at(child, this.tree)] !== relay) return;
    this.forest.dropChild(this.tree, relay, child);
  }

  /**
   * `relay` drops leaf child `child` to make room for a forwarding peer; the leaf hears it at
   * once (it was not a failure) and rejoins, typically below the newcomer.
   */
  private pushDown(relay: number, child: number): void {
    const forest = this.forest;
    forest.dropChild(this.tree, relay, child);
    forest.disconnectSubtree(this.tree, child);
    const now = this.c.sim.nowMicros;
    this.orphaned[child] = 1;
    this.c.probe.emitOverlay(child, now, OverlayEvent.Orphaned);
    const version = ++this.seekVersion[child];
    this.counters.pushDowns++;
    const bytes = this.options.controlBytes;
    this.c.transport.send(relay, child, this.pushDownMessage, bytes, version);
  }

  /** An orphan learns its relay is gone and asks the directory for a new one. */
  private noticeParentLoss(peer: number, version: number): void {
    const p = this.forest.at(peer, this.tree);
    if (this.seekVersion[peer] !== version || this.forest.parent[p] !== NONE) return;
    const state = this.forest.state[p];
    if (state === TreeState.Seeking) {
      // The relay had accepted the peer and left before its acceptance arrived (the acceptance
      // is now ignored as stale): the peer starts its search again.
      this.query(peer);
      return;
    }
    if (state !== TreeState.Attached) return;
    this.forest.setState(peer, this.tree, TreeState.Seeking);
    this.counters.rejoins++;
    this.c.probe.emitOverlay(peer, this.c.sim.nowMicros, OverlayEvent.Rejoin);
    this.query(peer);
  }
}
