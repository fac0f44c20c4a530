import type { Probe } from "../../metrics/probe.ts";
import type { IndexedSet } from "../shared/indexedSet.ts";
import type { BufferRing } from "./bufferRing.ts";
import type { PartnerTable } from "./partners.ts";

/**
 * The figures a partner mesh reports (mesh pull and live swarming alike): per session, its mean
 * partner count over its exchange periods and its mean buffer-map fill (share of the W chunks
 * ending at its newest one that it holds) over the metrics samples taken while it was online,
 * as the gauges `meshPartners` and `bufferMapFill`; over time, the means over online peers.
 * It only reads the mesh's state.
 */
export class MeshGauges {
  private readonly ticks: Uint32Array;
  private readonly partnerSum: Float64Array;
  private readonly fillSum: Float64Array;
  private readonly fillSamples: Uint32Array;

  constructor(
    nodes: number,
    private readonly probe: Probe,
    private readonly table: PartnerTable,
    private readonly ring: BufferRing,
  ) {
    this.ticks = new Uint32Array(nodes);
    this.partnerSum = new Float64Array(nodes);
    this.fillSum = new Float64Array(nodes);
    this.fillSamples = new Uint32Array(nodes);
  }

  /** One exchange period of `peer`: counts its partners. Returns the periods so far. */
  tick(peer: number): number {
    this.partnerSum[peer] += this.table.count[peer];
    return ++this.ticks[peer];
  }

  /** Means over the online peers (the strategy's time-series columns). */
  sample(online: IndexedSet): Record<string, number> {
    let partners = 0;
    let fill = 0;
    const n = online.size;
    for (let i = 0; i < n; i++) {
      const peer = online.at(i);
      partners += this.table.count[peer];
      const f = this.fill(peer);
      this.fillSum[peer] += f;
      this.fillSamples[peer]++;
      fill += f;
    }
    return {
      meanPartners: n > 0 ? partners / n : 0,
      meanBufferMapFill: n > 0 ? fill / n : 0,
    };
  }

  /** Emits `peer`'s session gauges (when it leaves, or is online at the end). */
  emitSession(peer: number, nowMicros: number): void {
    const ticks = this.ticks[peer];
    if (ticks === 0) return;
    const samples = this.fillSamples[peer];
    const fill = samples > 0 ? this.fillSum[peer] / samples : this.fill(peer);
    this.probe.emitGauge("meshPartners", peer, nowMicros, this.partnerSum[peer] / ticks);
    this.probe.emitGauge("bufferMapFill", peer, nowMicros, fill);
  }

  private fill(peer: number): number {
    const newest = this.ring.newest[peer];
    return newest < 0 ? 0 : this.ring.heldCount(peer, newest) / this.ring.windowChunks;
  }
}
