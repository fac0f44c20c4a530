import {
  OverlayEvent,
  type OverlayEventValue,
  PlayerState,
  type PlayerStateValue,
  type RunListener,
} from "./probe.ts";
import { SampleList } from "./sampleList.ts";

/**
 * Per-peer quality-of-service accounting, fed only by probe events (it observes, never steers).
 *
 * Definitions (times in microseconds inside, seconds in results):
 * - startup latency: join to the first start of playback;
 * - watch time: time spent playing or stalled (after startup);
 * - stalls: transitions from playing to stalled; stalled time: time in the stalled state;
 * - playback lag: live edge minus playout point; constant while playing, growing by one second
 *   per second while stalled; each peer's lag is averaged over its watch time;
 * - chunks due: on time (held at the deadline), late (the stall chunk), missed (skipped);
 * - recovery: from being orphaned to receiving stream data again.
 */
export class QosCollector implements RunListener {
  readonly joinMicros: Float64Array;
  readonly leaveMicros: Float64Array;
  readonly startupMicros: Float64Array;
  /** Playback lag when playback first started, microseconds (-1 before a start). */
  readonly startLagMicros: Float64Array;
  readonly playingMicros: Float64Array;
  readonly stalledMicros: Float64Array;
  readonly stalls: Uint32Array;
  readonly onTime: Float64Array;
  readonly late: Float64Array;
  readonly missed: Float64Array;
  /** Integral of lag over watch time, microseconds squared. */
  readonly lagIntegral: Float64Array;
  readonly rejoins: Uint32Array;
  readonly duplicateBytes: Float64Array;
  /** FEC redundancy bytes received (see {@link RunListener.onRedundant}). */
  readonly redundantBytes: Float64Array;
  /** Recovery durations, microseconds. */
  readonly recoveries = new SampleList();

  /** Peers currently in each player state (index = state value). */
  readonly stateCounts = new Float64Array(5);
  private readonly state: Uint8Array;
  private readonly since: Float64Array;
  private readonly lagAtSince: Float64Array;
  private readonly orphanedAt: Float64Array;
  // Running sums for the mean lag of watching peers at an instant: playing peers contribute a
  // constant lag; stalled ones contribute lagAtSince + (now - since).
  private playingLagSum = 0;
  private stalledOffsetSum = 0;

  constructor(nodes: number) {
    this.joinMicros = new Float64Array(nodes).fill(-1);
    this.leaveMicros = new Float64Array(nodes).fill(-1);
    this.startupMicros = new Float64Array(nodes).fill(-1);
    this.startLagMicros = new Float64Array(nodes).fill(-1);
    this.playingMicros = new Float64Array(nodes);
    this.stalledMicros = new Float64Array(nodes);
    this.stalls = new Uint32Array(nodes);
    this.onTime = new Float64Array(nodes);
    this.late = new Float64Array(nodes);
    this.missed = new Float64Array(nodes);
    this.lagIntegral = new Float64Array(nodes);
    this.rejoins = new Uint32Array(nodes);
    this.duplicateBytes = new Float64Array(nodes);
    this.redundantBytes = new Float64Array(nodes);
    this.state = new Uint8Array(nodes);
    this.since = new Float64Array(nodes);
    this.lagAtSince = new Float64Array(nodes);
    this.orphanedAt = new Float64Array(nodes).fill(-1);
  }

  onJoin(peer: number, timeMicros: number): void {
    this.joinMicros[peer] = timeMicros;
  }

  onPlayerState(peer: number, t: number, state: PlayerStateValue, lagMicros: number): void {
    this.closeInterval(peer, t);
    const previous = this.state[peer];
    if (previous !== 0) this.stateCounts[previous]--;
    if (previous === PlayerState.Playing) this.playingLagSum -= this.lagAtSince[peer];
    if (previous === PlayerState.Stalled) {
      this.stalledOffsetSum -= this.lagAtSince[peer] - this.since[peer];
    }
    if (state === PlayerState.Playing && this.startupMicros[peer] < 0) {
      this.startupMicros[peer] = t - this.joinMicros[peer];
      this.startLagMicros[peer] = lagMicros;
    }
    if (state === PlayerState.Stalled && previous === PlayerState.Playing) this.stalls[peer]++;
    if (state === PlayerState.Left) {
      this.leaveMicros[peer] = t;
      this.orphanedAt[peer] = -1;
    }
    this.state[peer] = state;
    this.since[peer] = t;
    this.lagAtSince[peer] = lagMicros;
    this.stateCounts[state]++;
    if (state === PlayerState.Playing) this.playingLagSum += lagMicros;
    if (state === PlayerState.Stalled) this.stalledOffsetSum += lagMicros - t;
  }

  onChunksDue(peer: number, onTime: number, late: number, missed: number): void {
    this.onTime[peer] += onTime;
    this.late[peer] += late;
    this.missed[peer] += missed;
  }

  onOverlay(peer: number, t: number, event: OverlayEventValue): void {
    if (event === OverlayEvent.Orphaned) {
      if (this.orphanedAt[peer] < 0) this.orphanedAt[peer] = t;
    } else if (event === OverlayEvent.Recovered) {
      if (this.orphanedAt[peer] >= 0) {
        this.recoveries.push(t - this.orphanedAt[peer]);
        this.orphanedAt[peer] = -1;
      }
    } else if (event === OverlayEvent.Rejoin) {
      this.rejoins[peer]++;
    }
  }

  onDuplicate(peer: number, bytes: number): void {
    this.duplicateBytes[peer] += bytes;
  }

  onRedundant(peer: number, bytes: number): void {
    this.redundantBytes[peer] += bytes;
  }

  /** Mean lag (µs) over peers playing or stalled at time t; NaN when none are. */
  meanWatchingLag(t: number): number {
    const playing = this.stateCounts[PlayerState.Playing];
    const stalled = this.stateCounts[PlayerState.Stalled];
    const n = playing + stalled;
    if (n === 0) return Number.NaN;
    return (this.playingLagSum + this.stalledOffsetSum + stalled * t) / n;
  }

  /** Closes every open interval at the end of the run (peers still online stay online). */
  finish(t: number): void {
    for (let peer = 0; peer < this.state.length; peer++) {
      if (this.state[peer] !== 0 && this.state[peer] !== PlayerState.Left)
        this.closeInterval(peer, t);
    }
  }

  /** Adds the time since the last state change to the peer's playing or stalled totals. */
  private closeInterval(peer: number, t: number): void {
    const dt = t - this.since[peer];
    if (dt <= 0) return;
    const state = this.state[peer];
    const lag = this.lagAtSince[peer];
    if (state === PlayerState.Playing) {
      this.playingMicros[peer] += dt;
      this.lagIntegral[peer] += lag * dt;
    } else if (state === PlayerState.Stalled) {
      this.stalledMicros[peer] += dt;
      this.lagIntegral[peer] += lag * dt + (dt * dt) / 2;
    }
    this.since[peer] = t;
    // A stalled peer's lag grew by dt; lagAtSince - since (its term in stalledOffsetSum) stays.
    if (state === PlayerState.Stalled) this.lagAtSince[peer] = lag + dt;
  }
}

/** The per-session arrays {@link sessionLagMicros} reads (a collector, or a copy of one). */
export type SessionLagArrays = Pick<
  QosCollector,
  "startupMicros" | "startLagMicros" | "playingMicros" | "stalledMicros" | "lagIntegral"
>;

/**
 * A session's playback lag, microseconds: its lag averaged over its watch time (playing plus
 * stalled); the lag at its start when it started but watched for no time (it left, or the run
 * ended, at that instant); +Infinity when it never started (it never got the stream). A plain
 * function, not a method, because collectors come back from worker threads as plain objects.
 */
export function sessionLagMicros(q: SessionLagArrays, peer: number): number {
  if (q.startupMicros[peer] < 0) return Number.POSITIVE_INFINITY;
  const watch = q.playingMicros[peer] + q.stalledMicros[peer];
  return watch > 0 ? q.lagIntegral[peer] / watch : q.startLagMicros[peer];
}
