import type { Probe } from "../../metrics/probe.ts";
import type { TrafficCounters } from "../../network/transport.ts";
import { NONE } from "./records.ts";
import type { SwarmRing } from "./ring.ts";

/**
 * The strategy's counters and what it reports from them: the run summary, the sampled gauges,
 * and one observation per ended swarm. Plain number fields, bumped in place by the strategy.
 */
export class SwarmStats {
  /** Swarms formed (one per slice). */
  swarmsFormed = 0;
  /** Swarms live now. */
  liveSwarms = 0;
  /** Leech and seed memberships now, across all swarms. */
  aliveMembers = 0;
  /** Peak sizes of the ended swarms, summed (peers). */
  swarmPeakSum = 0;
  /** Swarms ended. */
  swarmsEnded = 0;
  /** Tracker announces sent. */
  announces = 0;
  /** Handshakes sent. */
  handshakeAttempts = 0;
  /** Handshakes accepted (links formed). */
  handshakes = 0;
  /** Handshakes refused. */
  handshakeRejects = 0;
  /** Links dropped because a request got no answer in time. */
  requestTimeouts = 0;
  /** Pieces put on an uplink. */
  piecesServed = 0;
  /** Slices some peer completed (one per peer per slice). */
  slicesCompleted = 0;
  /** Slices a peer gave up when their swarm ended. */
  slicesAbandoned = 0;
  /** Download times of completed slices, summed, µs. */
  downloadMicrosSum = 0;
  /** Control bytes spent forming swarms (tracker, handshakes, bitfields, closes), headers in. */
  formationBytes = 0;
  /** Control bytes spent exchanging pieces (requests, HAVEs, chokes...), headers in. */
  exchangeBytes = 0;
  /** Piece bytes that arrived for nothing (duplicates, or for a swarm already left). */
  wastedBytes = 0;

  /**
   * One observation per slice (peer = the slice's index) as swarm slot r ends at `now` (µs): the
   * swarm's peak size, how many completed the slice, their mean download time, and when the
   * last did, in seconds from `readyMicros` (when the slice existed). Swarms still alive at the
   * end of the run report nothing.
   */
  swarmEnded(
    probe: Probe,
    ring: SwarmRing,
    r: number,
    slice: number,
    now: number,
    readyMicros: number,
  ): void {
    const completions = ring.completions[r];
    probe.emitGauge("swarmSize", slice, now, ring.peak[r]);
    probe.emitGauge("sliceCompletions", slice, now, completions);
    if (completions > 0) {
      probe.emitGauge(
        "sliceDownloadSeconds",
        slice,
        now,
        ring.downloadMicros[r] / completions / 1e6,
      );
      probe.emitGauge("sliceLastDoneSeconds", slice, now, (ring.lastDone[r] - readyMicros) / 1e6);
    }
    this.swarmPeakSum += ring.peak[r];
    this.swarmsEnded++;
    this.liveSwarms--;
  }

  /** The run summary; `slices` and `pieces` (per slice) describe the problem. */
  summary(
    counters: TrafficCounters,
    ring: SwarmRing,
    slices: number,
    pieces: number,
  ): Record<string, number> {
    const useful = counters.deliveredDataBytes - this.wastedBytes;
    let peakSum = this.swarmPeakSum;
    let swarms = this.swarmsEnded;
    for (let r = 0; r < ring.size; r++) {
      if (ring.slice[r] !== NONE) {
        peakSum += ring.peak[r];
        swarms++;
      }
    }
    const perStream = (bytes: number) => (useful > 0 ? bytes / useful : 0);
    return {
      slices,
      piecesPerSlice: pieces,
      swarmsFormed: this.swarmsFormed,
      meanSwarmSize: swarms > 0 ? peakSum / swarms : 0,
      trackerAnnounces: this.announces,
      handshakeAttempts: this.handshakeAttempts,
      handshakes: this.handshakes,
      handshakeRejects: this.handshakeRejects,
      requestTimeouts: this.requestTimeouts,
      piecesServed: this.piecesServed,
      slicesCompleted: this.slicesCompleted,
      slicesAbandoned: this.slicesAbandoned,
      meanSliceDownloadSeconds:
        this.slicesCompleted > 0 ? this.downloadMicrosSum / this.slicesCompleted / 1e6 : 0,
      formationControlBytes: this.formationBytes,
      exchangeControlBytes: this.exchangeBytes,
      wastedPieceBytes: this.wastedBytes,
      controlBytesPerStreamByte: perStream(counters.controlBytes),
      formationBytesPerStreamByte: perStream(this.formationBytes),
      exchangeBytesPerStreamByte: perStream(this.exchangeBytes),
    };
  }

  /** The sampled gauges: live swarms and their members. */
  sample(): Record<string, number> {
    return { activeSwarms: this.liveSwarms, swarmMembers: this.aliveMembers };
  }
}
