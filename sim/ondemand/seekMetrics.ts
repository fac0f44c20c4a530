import { PlayerState, type PlayerStateValue, type RunListener } from "../metrics/probe.ts";
import { distribution } from "../metrics/statistics.ts";
import type { Distribution } from "../results/schema.ts";

/**
 * Seek figures of an on-demand run, from player events alone (it observes, never steers): a
 * seek shows as a player entering the Starting state again after its first time; its latency
 * runs from there to the next Playing. `seeksPerMinute` divides seeks by the minutes viewers
 * were online. A seek still waiting when its viewer leaves or the run ends has no latency and
 * is counted in `seeksUnfinished`.
 */
export class SeekMetrics implements RunListener {
  private readonly started: Uint8Array;
  private readonly seekAt: Float64Array;
  private readonly joinAt: Float64Array;
  private readonly leftAt: Float64Array;
  private readonly latencies: number[] = [];
  private seeks = 0;
  private unfinished = 0;

  constructor(nodes: number) {
    this.started = new Uint8Array(nodes);
    this.seekAt = new Float64Array(nodes).fill(-1);
    this.joinAt = new Float64Array(nodes).fill(-1);
    this.leftAt = new Float64Array(nodes).fill(-1);
  }

  onJoin(peer: number, timeMicros: number): void {
    this.joinAt[peer] = timeMicros;
  }

  onPlayerState(peer: number, timeMicros: number, state: PlayerStateValue): void {
    if (state === PlayerState.Starting) {
      if (this.started[peer] === 0) {
        this.started[peer] = 1;
        return;
      }
      if (this.seekAt[peer] >= 0) this.unfinished++;
      this.seeks++;
      this.seekAt[peer] = timeMicros;
    } else if (state === PlayerState.Playing && this.seekAt[peer] >= 0) {
      this.latencies.push(timeMicros - this.seekAt[peer]);
      this.seekAt[peer] = -1;
    } else if (state === PlayerState.Left) {
      this.leftAt[peer] = timeMicros;
      if (this.seekAt[peer] >= 0) this.unfinished++;
      this.seekAt[peer] = -1;
    }
  }

  /** Summary figures at the end of a run lasting `endMicros`. */
  summary(endMicros: number): Record<string, number | Distribution> {
    let onlineMicros = 0;
    let waiting = 0;
    for (let peer = 1; peer < this.joinAt.length; peer++) {
      if (this.joinAt[peer] < 0) continue;
      const leave = this.leftAt[peer] >= 0 ? this.leftAt[peer] : endMicros;
      onlineMicros += leave - this.joinAt[peer];
      if (this.seekAt[peer] >= 0) waiting++;
    }
    const d = distribution(this.latencies);
    const seconds = (v: number | null) => (v === null ? null : v / 1e6);
    return {
      seeks: this.seeks,
      seeksPerMinute: onlineMicros > 0 ? this.seeks / (onlineMicros / 60e6) : 0,
      seeksUnfinished: this.unfinished + waiting,
      seekLatencySeconds: {
        mean: seconds(d.mean),
        p50: seconds(d.p50),
        p95: seconds(d.p95),
        p99: seconds(d.p99),
        max: seconds(d.max),
      },
    };
  }
}
