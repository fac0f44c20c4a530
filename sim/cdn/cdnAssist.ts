import type { Simulator } from "../engine/simulator.ts";
import { PlayerState, type Probe } from "../metrics/probe.ts";
import { LatencyModel } from "../network/latency.ts";
import { type NetworkModel, Traffic } from "../network/transport.ts";
import { type Players, Receive } from "../player/player.ts";
import { secondsToMicros } from "../scenario/units.ts";
import type { StreamInfo } from "../strategies/types.ts";
import type { CdnOptions } from "./cdnOptions.ts";

/**
 * Latency with edge servers added: nodes from `firstEdge` on are edges, `edgeMicros` away from
 * every other node; between other nodes the scenario's model applies unchanged.
 */
export class EdgeLatency extends LatencyModel {
  private readonly inner: LatencyModel;
  private readonly firstEdge: number;
  private readonly edgeMicros: number;

  constructor(inner: LatencyModel, firstEdge: number, edgeMicros: number) {
    super({ model: "constant", oneWaySeconds: 0 }, new Float64Array(0), new Float64Array(0), 0);
    this.inner = inner;
    this.firstEdge = firstEdge;
    this.edgeMicros = edgeMicros;
  }

  override micros(a: number, b: number): number {
    if (a === b) return 0;
    if (a >= this.firstEdge || b >= this.firstEdge) return this.edgeMicros;
    return this.inner.micros(a, b);
  }
}

/** Capacities of every node once the edges are appended after the peers, bits/s. */
export function withEdgeCapacities(capacities: Float64Array, options: CdnOptions): Float64Array {
  const out = new Float64Array(capacities.length + options.edges);
  out.set(capacities);
  out.fill(options.uploadBitsPerSecond, capacities.length);
  return out;
}

/** Most chunks one check may ask the CDN for (a limit; the next check continues). */
const MAX_REQUESTS_PER_CHECK = 64;

/** What the CDN needs from a run. */
export interface CdnRun {
  sim: Simulator;
  transport: NetworkModel;
  players: Players;
  probe: Probe;
  stream: StreamInfo;
  /** Node id of the first edge server; edges are firstEdge .. firstEdge + edges - 1. */
  firstEdge: number;
  /** True for a stored video: every chunk exists (at the edges too) from time 0. */
  onDemand?: boolean;
}

/**
 * The CDN fallback of a run, beside whatever strategy moves the stream between peers. For each
 * viewer it keeps one pending check, at the moment its first missing chunk (not yet asked for)
 * comes within `margin` of its playout deadline, or appears at the origin if later. If the chunk
 * is still missing then, the viewer sends a request to the edge with the shortest uplink queue
 * (a load balancer's choice; ties in turn), and the edge answers with the chunk from its own
 * uplink, through the transport like any node, so edges never send faster than their capacity.
 * Edges hold every chunk from the moment the source produces it (the origin feeds them over a
 * provisioned network that is not modelled). A starting viewer waits `startupWait` for the
 * peers (from its joining or the chunk's appearing, whichever is later) before asking for each
 * of its startup chunks; a stalled one asks at once. Each chunk is asked
 * for at most once per viewer; a chunk the peers deliver later counts as a duplicate.
 *
 * It changes nothing of the strategy: chunks go straight into the viewer's player, and
 * strategies that serve neighbours from what players hold may pass them on.
 */
export class CdnAssist {
  /** Data bytes that have left the edges' uplinks (updated when sampled or summarized). */
  egressBytes = 0;
  /** Data bytes from edges delivered to viewers. */
  deliveredBytes = 0;
  /** Requests sent to edges. */
  requests = 0;
  /** Chunks from edges a viewer already had when they arrived. */
  duplicateChunks = 0;

  private readonly r: CdnRun;
  private readonly o: CdnOptions;
  private readonly marginMicros: number;
  private readonly startupWaitMicros: number;
  private readonly lastRequested: Float64Array;
  private readonly joinedAt: Float64Array;
  private readonly version: Uint32Array;
  private readonly checkKind: number;
  private readonly msgRequest: number;
  private readonly msgChunk: number;
  /** Per edge, when each chunk it queued will have left its uplink (µs, increasing). */
  private readonly sendsDone: number[][];
  private readonly sendsHead: number[];
  private nextTie = 0;
  private lastSampleBytes = 0;
  private lastSampleMicros = 0;

  /** @param peers number of peer node ids (source plus sessions), below `run.firstEdge`. */
  constructor(run: CdnRun, options: CdnOptions, peers: number) {
    this.r = run;
    this.o = options;
    this.marginMicros = secondsToMicros(options.marginSeconds);
    this.startupWaitMicros = secondsToMicros(options.startupWaitSeconds);
    this.lastRequested = new Float64Array(peers).fill(-1);
    this.joinedAt = new Float64Array(peers);
    this.version = new Uint32Array(peers);
    this.sendsDone = Array.from({ length: options.edges }, () => []);
    this.sendsHead = new Array(options.edges).fill(0);
    this.checkKind = run.sim.register("cdn/check", ["peer", "version"], (peer, v) => {
      if (v === this.version[peer]) this.check(peer);
    });
    this.msgRequest = run.transport.register("cdn/request", Traffic.Control, (from, to, chunk) =>
      this.onRequest(to, from, chunk),
    );
    this.msgChunk = run.transport.register(
      "cdn/chunk",
      Traffic.Data,
      (_from, to, chunk, _p1, bytes) => {
        this.deliveredBytes += bytes;
        if (run.players.receive(to, chunk) === Receive.Duplicate) {
          this.duplicateChunks++;
          run.probe.emitDuplicate(to, bytes);
        }
        // The chunk may let a starting or stalled player move on: look again now.
        this.schedule(to, run.sim.nowMicros);
      },
    );
  }

  /**
   * On demand, a viewer's player jumped to a new position: the peers get `startupWait` again,
   * and chunks before the old requests may be asked for anew.
   */
  seek(peer: number): void {
    this.join(peer);
  }

  /** A viewer joined (after its player and its strategy saw it). */
  join(peer: number): void {
    this.joinedAt[peer] = this.r.sim.nowMicros;
    this.lastRequested[peer] = -1;
    this.schedule(peer, this.r.sim.nowMicros + this.startupWaitMicros);
  }

  /** Summary figures: `cdnShare` is CDN bytes delivered / all stream bytes delivered. */
  summary(): Record<string, number> {
    this.countEgress();
    const delivered = this.r.transport.counters.deliveredDataBytes;
    return {
      cdnShare: delivered > 0 ? this.deliveredBytes / delivered : 0,
      cdnEgressBytes: this.egressBytes,
      cdnRequests: this.requests,
      cdnDuplicateChunks: this.duplicateChunks,
    };
  }

  /** Time-series column: edge egress over the last interval, bits/s. */
  sample(): Record<string, number> {
    this.countEgress();
    const now = this.r.sim.nowMicros;
    const span = now - this.lastSampleMicros;
    const rate = span > 0 ? ((this.egressBytes - this.lastSampleBytes) * 8 * 1e6) / span : 0;
    this.lastSampleBytes = this.egressBytes;
    this.lastSampleMicros = now;
    return { cdnEgressBitsPerSecond: rate };
  }

  /**
   * Moves the chunks that have left an edge's uplink by now into {@link egressBytes}: egress is
   * counted as it happens, not when it is queued (an edge may hold up to the transport's
   * backlog limit), so the time series never shows more than the edges' capacity.
   */
  private countEgress(): void {
    const now = this.r.sim.nowMicros;
    for (let e = 0; e < this.o.edges; e++) {
      const done = this.sendsDone[e];
      let head = this.sendsHead[e];
      while (head < done.length && done[head] <= now) {
        this.egressBytes += this.r.stream.chunkBytes;
        head++;
      }
      // Drop the counted prefix now and then, so the queue stays as short as the backlog.
      if (head > 1024 && head * 2 > done.length) {
        done.splice(0, head);
        head = 0;
      }
      this.sendsHead[e] = head;
    }
  }

  private schedule(peer: number, atMicros: number): void {
    const v = ++this.version[peer];
    this.r.sim.at(Math.max(atMicros, this.r.sim.nowMicros), this.checkKind, peer, v);
  }

  /** Time chunk c exists at the origin (and so at the edges), µs. */
  private producedMicros(chunk: number): number {
    if (this.r.onDemand) return 0;
    return (chunk + 1) * this.r.stream.chunkMicros;
  }

  private check(peer: number): void {
    const { players, sim, stream } = this.r;
    if (!players.isOnline(peer)) return;
    const now = sim.nowMicros;
    const state = players.stateOf(peer);
    const pos = players.position(peer);
    const live = this.r.onDemand
      ? stream.chunkCount - 1
      : Math.min(Math.floor(now / stream.chunkMicros) - 1, stream.chunkCount - 1);
    if (state === PlayerState.Starting) {
      const patience = this.joinedAt[peer] + this.startupWaitMicros;
      if (now < patience) {
        this.schedule(peer, patience);
        return;
      }
      // No start point yet (the peers have sent nothing): start from the newest chunk that
      // has been out for startupWait.
      const waited = Math.floor((now - this.startupWaitMicros) / stream.chunkMicros) - 1;
      const first = pos < 0 ? Math.min(live, waited) : pos;
      if (first < 0) {
        this.schedule(peer, this.producedMicros(0) + this.startupWaitMicros);
        return;
      }
      const last = first + players.startupChunks - 1;
      for (let c = Math.max(first, this.lastRequested[peer] + 1); c <= last; c++) {
        if (players.has(peer, c)) continue;
        // The peers get startupWait from when the chunk appears to deliver it.
        const at = this.producedMicros(c) + this.startupWaitMicros;
        if (at > now) {
          this.schedule(peer, at);
          return;
        }
        this.request(peer, c);
      }
      // The startup chunks are held or on their way; look again a chunk later.
      this.schedule(peer, now + stream.chunkMicros);
      return;
    }
    // Playing or stalled: walk the chunks from the playout point (a stalled player's chunk is
    // due now; the ones after it as if it resumed now).
    const base = state === PlayerState.Playing ? players.deadlineMicros(peer, pos) : now;
    let c = Math.max(pos, this.lastRequested[peer] + 1);
    for (let asked = 0; asked < MAX_REQUESTS_PER_CHECK; c++) {
      if (c >= stream.chunkCount) return;
      if (players.has(peer, c)) continue;
      const deadline = base + (c - pos) * stream.chunkMicros;
      const at = Math.max(deadline - this.marginMicros, this.producedMicros(c));
      if (at > now) {
        this.schedule(peer, at);
        return;
      }
      this.request(peer, c);
      asked++;
    }
    this.schedule(peer, now);
  }

  private request(peer: number, chunk: number): void {
    const { transport } = this.r;
    this.lastRequested[peer] = chunk;
    let best = -1;
    let bestBacklog = Number.POSITIVE_INFINITY;
    for (let k = 0; k < this.o.edges; k++) {
      const edge = this.r.firstEdge + ((this.nextTie + k) % this.o.edges);
      const backlog = transport.uplinkBacklogMicros(edge);
      if (backlog < bestBacklog) {
        best = edge;
        bestBacklog = backlog;
      }
    }
    this.nextTie = (this.nextTie + 1) % this.o.edges;
    if (transport.send(peer, best, this.msgRequest, this.o.requestBytes, chunk)) this.requests++;
  }

  private onRequest(edge: number, peer: number, chunk: number): void {
    const { transport, stream } = this.r;
    if (!transport.isUp(peer)) return;
    if (transport.send(edge, peer, this.msgChunk, stream.chunkBytes, chunk)) {
      // The uplink is a FIFO: the chunk just queued leaves it when the backlog drains.
      const done = this.r.sim.nowMicros + transport.uplinkBacklogMicros(edge);
      this.sendsDone[edge - this.r.firstEdge].push(done);
    }
  }
}
