import type { Simulator } from "../../engine/simulator.ts";
import type { NetworkModel } from "../../network/transport.ts";
import { UploadQueues } from "./uploadQueue.ts";

/**
 * Serves a queued request (piece i over half h of link `serial`, accepted under unchoke
 * `epoch`) if it is still valid; true when it was (a piece went, or was offered, to the uplink).
 */
export type ServeQueued = (h: number, serial: number, i: number, epoch: number) => boolean;

/**
 * Each uploader's dispatch of pieces: one piece on its uplink at a time, the other accepted
 * requests waiting in its {@link UploadQueues}, and at most one pending "uplink ready" event per
 * node, at which the oldest request still valid is served. Queue length per node is bounded by
 * its slots times the requests each may have out, twice.
 */
export class UplinkDispatch {
  /** Requests accepted and waiting for the uplink, per node. */
  readonly queues: UploadQueues;
  /** 1 while a node has an uplink-ready event pending. */
  readonly readyPending: Uint8Array;
  /** When that event fires, µs. */
  readonly readyAt: Float64Array;
  private readonly sim: Simulator;
  private readonly transport: NetworkModel;
  private readonly online: Uint8Array;
  private readonly slots: Int32Array;
  private readonly pipeline: number;
  private readonly serve: ServeQueued;
  private readonly evReady: number;

  /**
   * Registers the `swarm/uplink-ready` event (so construct it where that registration belongs).
   * @param online 1 per online node; read in place.
   * @param slots regular upload slots per node; read in place.
   * @param pipeline requests a downloader keeps out per neighbour.
   */
  constructor(
    sim: Simulator,
    transport: NetworkModel,
    online: Uint8Array,
    slots: Int32Array,
    pipeline: number,
    serve: ServeQueued,
  ) {
    const n = online.length;
    this.queues = new UploadQueues(n);
    this.readyPending = new Uint8Array(n);
    this.readyAt = new Float64Array(n);
    this.sim = sim;
    this.transport = transport;
    this.online = online;
    this.slots = slots;
    this.pipeline = pipeline;
    this.serve = serve;
    this.evReady = sim.register("swarm/uplink-ready", ["peer"], (peer) => this.onReady(peer));
  }

  /** Most requests `peer` holds: its slots times the requests each may have out, twice. */
  limit(peer: number): number {
    return 2 * (this.slots[peer] + 1) * (this.pipeline + 1);
  }

  /** Whether `peer` has nothing queued and nothing on its uplink: a piece can go at once. */
  idle(peer: number): boolean {
    return this.queues.size(peer) === 0 && this.transport.uplinkBacklogMicros(peer) === 0;
  }

  /**
   * Whether `peer` will look at its queue only at a pending ready event (at `readyAt`) and has
   * room: a request sent to it may then join the queue directly, without an arrival event.
   */
  acceptsAhead(peer: number): boolean {
    return this.readyPending[peer] === 1 && this.queues.size(peer) < this.limit(peer);
  }

  /** Schedules the node's next dispatch for when its uplink has sent what it holds. */
  await(peer: number): void {
    if (this.readyPending[peer] === 1) return;
    const now = this.sim.nowMicros;
    const at = Math.max(
      now + this.transport.uplinkBacklogMicros(peer),
      this.queues.nextArrival(peer),
    );
    this.readyPending[peer] = 1;
    this.readyAt[peer] = at;
    this.sim.at(at, this.evReady, peer);
  }

  /**
   * The uplink has sent its piece: the oldest request still valid is served. (Control messages
   * sent meanwhile may hold it a moment longer; the piece queues behind them.)
   */
  private onReady(peer: number): void {
    this.readyPending[peer] = 0;
    if (!this.online[peer]) {
      this.queues.clear(peer);
      return;
    }
    const queues = this.queues;
    const now = this.sim.nowMicros;
    for (;;) {
      const e = queues.shift(peer, now);
      if (e < 0) break;
      const h = queues.halfOf(e);
      if (h < 0) continue;
      if (this.serve(h, queues.serialOf(e), queues.pieceOf(e), queues.epochOf(e))) break;
    }
    if (queues.size(peer) > 0) this.await(peer);
  }
}
