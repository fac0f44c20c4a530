import { Traffic } from "../../network/transport.ts";
import { secondsToMicros } from "../../scenario/units.ts";
import { defineStrategy, type Strategy, type StrategyContext } from "../types.ts";
import type { BufferRing } from "./bufferRing.ts";
import { MAX_SOURCE_PARTNERS, type MeshPullOptions, resolveMeshPullOptions } from "./options.ts";
import type { PartnerTable } from "./partners.ts";
import { PullMesh } from "./pullMesh.ts";
import { PullScheduler } from "./scheduler.ts";

export type { MeshPullOptions } from "./options.ts";

/**
 * The second payload word of a refusal: this when the supplier does not hold the chunk, else
 * the microseconds until its uplink would accept a request again (it is busy).
 */
const NOT_HELD = -1;
/** Lowest throughput estimate a partner keeps after penalties, bits/s. */
const MIN_RATE_BITS_PER_SECOND = 1000;

/**
 * Mesh pull (CoolStreaming/DONet, Zhang et al., INFOCOM 2005): peers form a random mesh of
 * partners and pull chunks from them according to buffer maps.
 *
 * Membership (see {@link Membership}): a peer with fewer than `partners` partners gets
 * `candidates` peers from a tracker and asks as many as it lacks; a peer accepts while it holds
 * fewer than `maxPartners`. Partnership is symmetric.
 *
 * Buffer maps: every `exchangePeriod` each node sends each partner its buffer map (which of the
 * last W chunks it holds: a header plus W bits, counted as control bytes) and then schedules its
 * requests (see {@link PullScheduler}) from the maps that have reached it. Maps are charged on
 * the sender's uplink like any message, but need no event: the receiver reads the sender's
 * holdings as they were when the map was taken, once the map's arrival time has passed.
 *
 * Transfer: a request (one per chunk, a control message) reaches the supplier, which queues the
 * chunk on its uplink, or refuses when it no longer holds it or its uplink already holds more
 * than `requestHorizon` of data (the request would not be served in time). Each requester
 * measures each partner's throughput from the spacing of the chunks it delivers and keeps that
 * many seconds' worth outstanding there. A copy that arrives after its request was given up and
 * asked elsewhere is a duplicate, counted in `overheadRatio`.
 *
 * Partner replacement: a departed partner is dropped when its goodbye arrives or, after an
 * abrupt departure, after the detection delay; every `replaceInterval` a peer with its full set
 * drops its slowest partner if that partner's throughput is below `slowShare` of the stream
 * rate. Either way it then seeks a replacement. Partner churn counts partnerships lost, per
 * peer-hour online.
 */
class MeshPull implements Strategy {
  private readonly c: StrategyContext;
  private readonly o: MeshPullOptions;
  private readonly mesh: PullMesh;
  private readonly table: PartnerTable;
  private readonly ring: BufferRing;
  private readonly scheduler: PullScheduler;
  private readonly exchangeMicros: number;
  private readonly ticksPerReplace: number;
  private readonly bufferMapBytes: number;

  private bufferMapBytesSent = 0;

  private readonly msgBufferMap: number;
  private readonly evTick: number;

  constructor(context: StrategyContext, options: MeshPullOptions) {
    this.c = context;
    this.o = options;
    const bitrate = context.stream.bitrateBitsPerSecond;
    const sourceAuto = Math.floor(context.transport.uploadBitsPerSecond(0) / bitrate);
    this.exchangeMicros = Math.max(1, secondsToMicros(options.exchangeSeconds));
    this.mesh = new PullMesh(
      context,
      options,
      {
        prefix: "mesh",
        dataName: "chunk",
        target: options.partners,
        maxPartners: options.maxPartners,
        sourcePartners:
          options.sourcePartners > 0
            ? options.sourcePartners
            : Math.max(1, Math.min(MAX_SOURCE_PARTNERS, sourceAuto)),
        periodMicros: this.exchangeMicros,
      },
      {
        request: (node, requester, chunk) => this.onRequest(node, requester, chunk),
        refused: (peer, supplier, chunk, why) => this.onRefused(peer, supplier, chunk, why),
        data: (peer, supplier, chunk, bytes) => this.onChunk(peer, supplier, chunk, bytes),
      },
    );
    this.table = this.mesh.table;
    this.ring = this.mesh.ring;
    this.scheduler = new PullScheduler(
      {
        sendRequest: (peer, supplier, chunk) => this.mesh.request(peer, supplier, chunk),
        onTimeout: (edge) => this.onTimeout(edge),
        latencyMicros: (a, b) => context.transport.latencyMicros(a, b),
      },
      context.players,
      this.table,
      this.ring,
      options.scheduler === "rarest-first",
      this.mesh.chunkBits,
      this.mesh.horizonMicros,
    );
    this.ticksPerReplace =
      options.replaceSeconds > 0
        ? Math.max(1, Math.round(options.replaceSeconds / options.exchangeSeconds))
        : 0;
    this.bufferMapBytes = options.controlBytes + Math.ceil(this.ring.windowChunks / 8);
    this.msgBufferMap = context.transport.register("mesh/buffer-map", Traffic.Control, () => {});
    this.evTick = context.sim.register("mesh/tick", ["node"], (node) => this.tick(node));
  }

  start(): void {
    // The source's holdings follow from the clock (chunk c exists from (c + 1) d): no events.
    this.c.sim.at(0, this.evTick, 0);
  }

  join(peer: number): void {
    this.ring.open(peer);
    this.scheduler.reset(peer);
    this.mesh.members.join(peer);
    // Ticks at a random phase, so the mesh's exchanges do not march in step.
    this.c.sim.after(Math.floor(this.c.random.next() * this.exchangeMicros), this.evTick, peer);
  }

  leave(peer: number, abrupt: boolean): void {
    // Partners read this peer's buffer maps until they learn it left.
    this.mesh.leave(peer, abrupt);
  }

  summary(): Record<string, number> {
    const members = this.mesh.members;
    return {
      ...this.mesh.finish(this.c.sim.nowMicros),
      slowPartnerDrops: members.slowDrops,
      partnershipsEndedByPartner: members.droppedByPartner,
      trackerQueries: members.trackerQueries,
      ...this.mesh.counters.fields(),
      bufferMapBytes: this.bufferMapBytesSent,
      windowChunks: this.ring.windowChunks,
    };
  }

  /** Mean partners and buffer-map fill over the online peers. */
  sample(): Record<string, number> {
    return this.mesh.sample();
  }

  // --- Partners -------------------------------------------------------------------------

  /** Drops the slowest partner when it delivers below `slowShare` of the stream rate. */
  private replaceSlowest(peer: number): void {
    const table = this.table;
    if (table.count[peer] < this.o.partners) return;
    const base = table.base(peer);
    let worst = -1;
    for (let e = base; e < base + table.capacity(peer); e++) {
      if (table.partner[e] < 0 || table.measured[e] === 0) continue;
      if (worst < 0 || table.rateBitsPerSecond[e] < table.rateBitsPerSecond[worst]) worst = e;
    }
    const threshold = this.o.slowShare * this.c.stream.bitrateBitsPerSecond;
    if (worst < 0 || !(table.rateBitsPerSecond[worst] < threshold)) return;
    this.mesh.members.dropSlow(peer, worst);
  }

  // --- Exchange ---------------------------------------------------------------------------

  /** Every exchange period: send buffer maps, give up stale requests, schedule, check partners. */
  private tick(node: number): void {
    if (!this.mesh.online(node)) return;
    const now = this.c.sim.nowMicros;
    const table = this.table;
    const base = table.base(node);
    for (let e = base; e < base + table.capacity(node); e++) {
      const q = table.partner[e];
      if (q < 0) continue;
      const arrive = this.c.transport.sendUndelivered(
        node,
        q,
        this.msgBufferMap,
        this.bufferMapBytes,
      );
      this.bufferMapBytesSent += this.bufferMapBytes;
      if (arrive < 0) continue;
      const back = table.back(node, e);
      if (back >= 0) table.offerView(back, now, arrive, now);
    }
    if (node !== 0) {
      this.scheduler.expire(node, now);
      this.scheduler.schedule(node, now);
      const ticks = this.mesh.gauges.tick(node);
      if (this.ticksPerReplace > 0 && ticks % this.ticksPerReplace === 0) {
        this.replaceSlowest(node);
      }
    }
    if (now + this.exchangeMicros < this.c.stream.durationMicros) {
      this.c.sim.after(this.exchangeMicros, this.evTick, node);
    }
  }

  private onTimeout(edge: number): void {
    this.mesh.counters.requestTimeouts++;
    const table = this.table;
    table.outstanding[edge]--;
    // A supplier that did not deliver in time is worth half what we thought.
    table.rateBitsPerSecond[edge] = Math.max(
      MIN_RATE_BITS_PER_SECOND,
      table.rateBitsPerSecond[edge] / 2,
    );
    table.measured[edge] = 1;
  }

  /** At the supplier: send the chunk, or refuse. */
  private onRequest(node: number, requester: number, chunk: number): void {
    const mesh = this.mesh;
    if (!mesh.online(node)) return;
    if (!this.ring.heldAt(node, chunk, this.c.sim.nowMicros)) {
      mesh.refuse(node, requester, chunk, NOT_HELD);
      return;
    }
    const busy = mesh.serve(node, requester, chunk);
    if (busy > 0) mesh.refuse(node, requester, chunk, busy);
  }

  /**
   * A refusal costs the requester one exchange period for that chunk. A busy supplier says when
   * it will take requests again, and is not asked before then; the throughput estimate stands
   * (the refusal says nothing of what the supplier delivers to this peer).
   */
  private onRefused(peer: number, supplier: number, chunk: number, why: number): void {
    if (!this.mesh.online(peer)) return;
    const matched = this.mesh.refused(peer, supplier, chunk, why === NOT_HELD);
    if (why === NOT_HELD) return;
    const edge = matched >= 0 ? matched : this.table.find(peer, supplier);
    if (edge >= 0) this.table.busyUntilMicros[edge] = this.c.sim.nowMicros + why;
  }

  private onChunk(peer: number, supplier: number, chunk: number, bytes: number): void {
    if (!this.mesh.online(peer)) return;
    const now = this.c.sim.nowMicros;
    this.mesh.receive(peer, chunk, bytes, now);
    this.mesh.credit(peer, supplier, chunk, bytes, now);
  }
}

/** The `mesh-pull` strategy: DONet-style pull over a random partner mesh with buffer maps. */
export const meshPull = defineStrategy<MeshPullOptions>({
  type: "mesh-pull",
  description:
    "CoolStreaming/DONet mesh pull: random partners from a tracker, buffer maps every exchange period, rarest-first or deadline requests",
  resolveOptions: resolveMeshPullOptions,
  memorySeconds: (options) => options.windowSeconds,
  create: (context, options) => new MeshPull(context, options),
});
