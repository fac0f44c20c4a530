import { Traffic } from "../network/transport.ts";
import { IndexedSet } from "../strategies/shared/indexedSet.ts";
import type { OnDemandRun, Strategy, StrategyContext } from "../strategies/types.ts";
import { PeerCache } from "./peerCache.ts";

/**
 * Where a viewer of a stored video asks for each chunk:
 * - `server`: always the server (node 0): client-server video on demand.
 * - `chain`: its one parent, a peer that watched the same part earlier and still caches it
 *   (chaining and patching as in P2Cast, Guo et al. 2003: the parent serves from its cache what
 *   it holds, the server patches what it does not); a parent serves at most its slots of
 *   children (`floor(slotUtilization * upload / bitrate)`, capped by `maxChildren`).
 * - `mesh`: any of its neighbours that caches the chunk, the least busy one first (a swarm in
 *   on-demand mode, chunks nearest the playhead first), else the server.
 */
export type SupplierPolicy = "server" | "chain" | "mesh";

/** Options of on-demand delivery. */
export interface VodOptions {
  policy: SupplierPolicy;
  /** Size of a request, miss or tracker message, bytes. */
  controlBytes: number;
  /** Chain: most children per parent. */
  maxChildren: number;
  /** Chain: share of a parent's upload offered to children, in (0, 1]. */
  slotUtilization: number;
  /** Mesh: neighbours a viewer keeps. */
  neighbours: number;
}

/** Requests one viewer keeps in flight at once. */
const MAX_OUTSTANDING = 4;
/** Online peers the tracker looks at to answer one query (a limit on its work). */
const TRACKER_PROBES = 200;
/** A peer whose uplink holds more than this is too busy to ask, microseconds. */
const BUSY_MICROS = 1_000_000;
/** After a failed request, the viewer asks again this much later, microseconds. */
const RETRY_MICROS = 500_000;

/**
 * Video on demand: every chunk of the video exists from time 0 at the server. Each viewer pulls
 * the chunks from its playout point to `prefetch` ahead of it, nearest first, at most four at
 * a time, from the supplier its policy picks; a peer that lacks the chunk answers with a miss
 * and the viewer asks the server. Peers cache what they receive (`peers.cache`) and serve it to
 * others from their own uplink. A seek drops every request in flight (late answers are
 * discarded) and starts over from the new position; a chain viewer also looks for a new parent.
 * The tracker (at the server) answers at once; its queries and replies are charged as control
 * bytes. A viewer waits on a peer as long as the peer is there (a slow parent still answers);
 * once the peer has left, the viewer notices within the scenario's detection delay and asks the
 * server instead.
 */
export class VodDelivery implements Strategy {
  private readonly c: StrategyContext;
  private readonly o: VodOptions;
  private readonly run: OnDemandRun;
  private readonly cache: PeerCache;
  private readonly online: IndexedSet;
  private readonly epoch: Uint32Array;
  private readonly pending: (Set<number> | undefined)[];
  private readonly parent: Int32Array;
  private readonly children: Int32Array;
  private readonly slots: Int32Array;
  private readonly neighbourLists: (number[] | undefined)[];
  private readonly pumpVersion: Uint32Array;
  private readonly msgRequest: number;
  private readonly msgChunk: number;
  private readonly msgMiss: number;
  private readonly msgTracker: number;
  private readonly evPump: number;
  private readonly evTimeout: number;
  private serverRequests = 0;
  private peerRequests = 0;
  private misses = 0;
  private timeouts = 0;

  constructor(context: StrategyContext, options: VodOptions) {
    if (!context.onDemand) throw new Error("on-demand delivery needs stream.mode: on-demand");
    this.c = context;
    this.o = options;
    this.run = context.onDemand;
    const nodes = context.nodes;
    this.cache = new PeerCache(nodes, this.run.videoChunks, this.run.cacheChunks);
    this.online = new IndexedSet(nodes);
    this.epoch = new Uint32Array(nodes);
    this.pending = new Array(nodes);
    this.parent = new Int32Array(nodes).fill(-1);
    this.children = new Int32Array(nodes);
    this.slots = new Int32Array(nodes);
    this.neighbourLists = new Array(nodes);
    this.pumpVersion = new Uint32Array(nodes);
    const t = context.transport;
    this.msgRequest = t.register("vod/request", Traffic.Control, (from, to, chunk, epoch) =>
      this.onRequest(to, from, chunk, epoch),
    );
    this.msgChunk = t.register("vod/chunk", Traffic.Data, (from, to, chunk, epoch, bytes) =>
      this.onChunk(to, from, chunk, epoch, bytes),
    );
    this.msgMiss = t.register("vod/miss", Traffic.Control, (from, to, chunk, epoch) =>
      this.onMiss(to, from, chunk, epoch),
    );
    this.msgTracker = t.register("vod/tracker", Traffic.Control, () => {});
    this.evPump = context.sim.register("vod/pump", ["peer", "version"], (peer, v) => {
      if (v === this.pumpVersion[peer]) this.pump(peer);
    });
    this.evTimeout = context.sim.register("vod/timeout", ["peer", "key"], (peer, key) =>
      this.onTimeout(peer, key),
    );
  }

  start(): void {}

  join(peer: number): void {
    const { players, workload, stream } = this.c;
    this.cache.join(peer);
    this.online.add(peer);
    this.pending[peer] = new Set();
    const upload = workload.uploadBitsPerSecond[peer];
    this.slots[peer] = Math.min(
      this.o.maxChildren,
      Math.floor((this.o.slotUtilization * upload) / stream.bitrateBitsPerSecond),
    );
    const start = this.run.startChunk[peer - 1];
    players.startAt(peer, start);
    this.pump(peer);
  }

  leave(peer: number): void {
    this.online.delete(peer);
    this.cache.leave(peer);
    this.pending[peer] = undefined;
    this.neighbourLists[peer] = undefined;
    this.setParent(peer, -1);
    this.pumpVersion[peer]++;
  }

  seek(peer: number, _chunk: number): void {
    this.epoch[peer]++;
    this.pending[peer]?.clear();
    this.setParent(peer, -1);
    this.pump(peer);
  }

  summary(): Record<string, number> {
    return {
      serverRequests: this.serverRequests,
      peerRequests: this.peerRequests,
      peerMisses: this.misses,
      peerTimeouts: this.timeouts,
    };
  }

  /** Asks for the missing chunks of the prefetch window, nearest first. */
  private pump(peer: number): void {
    const { players, sim, stream } = this.c;
    const pending = this.pending[peer];
    if (!pending || !players.isOnline(peer)) return;
    const pos = players.playoutChunk(peer);
    const from = pos < 0 ? this.run.startChunk[peer - 1] : pos;
    const until = Math.min(this.run.videoChunks, from + this.run.prefetchChunks);
    for (let chunk = from; chunk < until && pending.size < MAX_OUTSTANDING; chunk++) {
      if (players.has(peer, chunk) || pending.has(chunk)) continue;
      if (this.cache.has(peer, chunk)) {
        // Watched before (a backward seek): played from the local cache, no network.
        players.receive(peer, chunk);
        continue;
      }
      this.request(peer, chunk, this.supplier(peer, chunk));
    }
    // Look again when the playout point has moved on by a chunk.
    const v = ++this.pumpVersion[peer];
    sim.after(stream.chunkMicros, this.evPump, peer, v);
  }

  private request(peer: number, chunk: number, supplier: number): void {
    const pending = this.pending[peer]!;
    pending.add(chunk);
    if (supplier === 0) this.serverRequests++;
    else this.peerRequests++;
    this.c.transport.send(
      peer,
      supplier,
      this.msgRequest,
      this.o.controlBytes,
      chunk,
      this.epoch[peer],
    );
    if (supplier !== 0) this.armTimeout(peer, supplier, chunk, this.epoch[peer]);
  }

  /** Checks on a request to a peer after the detection delay (one payload word: see below). */
  private armTimeout(peer: number, supplier: number, chunk: number, epoch: number): void {
    // Packs epoch, supplier and chunk into one exact integer (well below 2^53 for any run
    // within the limits: epochs count seeks, suppliers are node ids).
    const key = (epoch * this.c.nodes + supplier) * this.run.videoChunks + chunk;
    this.c.sim.after(Math.max(1, this.c.detectionDelayMicros), this.evTimeout, peer, key);
  }

  private onTimeout(peer: number, key: number): void {
    const chunk = key % this.run.videoChunks;
    const rest = (key - chunk) / this.run.videoChunks;
    const supplier = rest % this.c.nodes;
    const epoch = (rest - supplier) / this.c.nodes;
    const pending = this.pending[peer];
    if (!pending || epoch !== this.epoch[peer] || !pending.has(chunk)) return;
    if (this.c.transport.isUp(supplier)) {
      this.armTimeout(peer, supplier, chunk, epoch);
      return;
    }
    // The supplier left: forget it and ask the server.
    this.timeouts++;
    pending.delete(chunk);
    this.setParent(peer, -1);
    this.neighbourLists[peer] = undefined;
    this.request(peer, chunk, 0);
  }

  private onRequest(supplier: number, peer: number, chunk: number, epoch: number): void {
    const { transport, stream } = this.c;
    if (!transport.isUp(peer)) return;
    if (supplier !== 0 && !this.cache.has(supplier, chunk)) {
      transport.send(supplier, peer, this.msgMiss, this.o.controlBytes, chunk, epoch);
      return;
    }
    if (!transport.send(supplier, peer, this.msgChunk, stream.chunkBytes, chunk, epoch)) {
      // Dropped at the supplier's uplink (over its backlog limit): tell the viewer.
      transport.send(supplier, peer, this.msgMiss, this.o.controlBytes, chunk, epoch);
    }
  }

  private onMiss(peer: number, supplier: number, chunk: number, epoch: number): void {
    const pending = this.pending[peer];
    if (!pending || epoch !== this.epoch[peer] || !pending.delete(chunk)) return;
    this.misses++;
    if (supplier === 0) {
      // The server is swamped: try again shortly.
      const v = ++this.pumpVersion[peer];
      this.c.sim.after(RETRY_MICROS, this.evPump, peer, v);
      return;
    }
    // A peer without the chunk: the server patches it; a chain viewer keeps its parent while
    // the parent still holds the playout point.
    if (
      this.parent[peer] === supplier &&
      !this.cache.has(supplier, this.c.players.playoutChunk(peer))
    ) {
      this.setParent(peer, -1);
    }
    this.request(peer, chunk, 0);
  }

  private onChunk(
    peer: number,
    _supplier: number,
    chunk: number,
    epoch: number,
    bytes: number,
  ): void {
    const pending = this.pending[peer];
    if (!pending || epoch !== this.epoch[peer] || !pending.delete(chunk)) {
      // An answer to a request a seek abandoned: wasted.
      this.c.probe.emitDuplicate(peer, bytes);
      return;
    }
    this.cache.add(peer, chunk);
    this.c.players.receive(peer, chunk);
    this.pump(peer);
  }

  /** The supplier the policy picks for `chunk`. */
  private supplier(peer: number, chunk: number): number {
    switch (this.o.policy) {
      case "server":
        return 0;
      case "chain": {
        if (this.parent[peer] < 0) this.findParent(peer, chunk);
        const p = this.parent[peer];
        return p > 0 && this.cache.has(p, chunk) ? p : 0;
      }
      case "mesh": {
        let list = this.neighbourLists[peer];
        if (!list) {
          list = this.trackerQuery(peer, chunk, this.o.neighbours, () => true);
          this.neighbourLists[peer] = list;
        }
        let best = 0;
        let bestBacklog = BUSY_MICROS;
        for (const n of list) {
          if (!this.cache.has(n, chunk)) continue;
          const backlog = this.c.transport.uplinkBacklogMicros(n);
          if (backlog < bestBacklog) {
            best = n;
            bestBacklog = backlog;
          }
        }
        // No neighbour has it: ask the tracker for fresh neighbours next time.
        if (best === 0) this.neighbourLists[peer] = undefined;
        return best;
      }
    }
  }

  /**
   * Chain: a parent with a free slot that caches the chunk the viewer needs, preferring the one
   * whose playout point is nearest ahead of the viewer's (it will hold the next chunks longest).
   */
  private findParent(peer: number, chunk: number): void {
    const found = this.trackerQuery(
      peer,
      chunk,
      TRACKER_PROBES,
      (n) => this.children[n] < this.slots[n],
    );
    let best = -1;
    let bestAhead = Number.POSITIVE_INFINITY;
    for (const n of found) {
      const ahead = this.c.players.playoutChunk(n) - chunk;
      const score = ahead >= 0 ? ahead : this.run.videoChunks - ahead;
      if (score < bestAhead) {
        best = n;
        bestAhead = score;
      }
    }
    this.setParent(peer, best);
  }

  /**
   * The tracker's answer: up to `limit` online peers (other than `peer`) that cache `chunk` and
   * pass `accept`, from at most {@link TRACKER_PROBES} random online peers.
   */
  private trackerQuery(
    peer: number,
    chunk: number,
    limit: number,
    accept: (n: number) => boolean,
  ): number[] {
    const { transport, random } = this.c;
    transport.sendUndelivered(peer, 0, this.msgTracker, this.o.controlBytes);
    const out: number[] = [];
    const n = this.online.size;
    const probes = Math.min(n, TRACKER_PROBES);
    const offset = random.int(Math.max(1, n));
    for (let k = 0; k < probes && out.length < limit; k++) {
      // A random rotation of the online list: a uniform start, then consecutive peers.
      const candidate = this.online.at((offset + k) % n);
      if (candidate !== peer && this.cache.has(candidate, chunk) && accept(candidate)) {
        out.push(candidate);
      }
    }
    transport.sendUndelivered(0, peer, this.msgTracker, this.o.controlBytes + 8 * out.length);
    return out;
  }

  private setParent(peer: number, p: number): void {
    const old = this.parent[peer];
    if (old > 0) this.children[old]--;
    this.parent[peer] = p;
    if (p > 0) this.children[p]++;
  }
}
