import type { Simulator } from "../engine/simulator.ts";
import type { Players } from "../player/player.ts";
import type { OnDemandRun, Strategy } from "../strategies/types.ts";
import type { Workload } from "../workload/workload.ts";

/**
 * Plays the workload's seeks: when a viewer joins, its first seek is scheduled; each seek moves
 * its player by the drawn jump (clamped to the video), tells the strategy, and schedules the
 * next. One pending seek per viewer; seeks after it left are ignored.
 */
export class SeekDriver {
  private readonly sim: Simulator;
  private readonly players: Players;
  private readonly strategy: Strategy;
  private readonly workload: Workload;
  private readonly run: OnDemandRun;
  private readonly chunkSeconds: number;
  private readonly kind: number;
  /** Seeks performed. */
  seeks = 0;

  constructor(
    sim: Simulator,
    players: Players,
    strategy: Strategy,
    workload: Workload,
    run: OnDemandRun,
    chunkMicros: number,
    /** Called after each seek, once the strategy has seen it (the CDN fallback restarts). */
    private readonly afterSeek: (peer: number) => void = () => {},
  ) {
    this.sim = sim;
    this.players = players;
    this.strategy = strategy;
    this.workload = workload;
    this.run = run;
    this.chunkSeconds = chunkMicros / 1e6;
    this.kind = sim.register("ondemand/seek", ["peer", "index"], (peer, index) =>
      this.seek(peer, index),
    );
  }

  /** A viewer joined: schedules its first seek. */
  join(peer: number): void {
    const viewing = this.workload.viewing;
    if (!viewing) return;
    const first = viewing.seekFirst[peer - 1];
    if (first < viewing.seekFirst[peer]) {
      this.sim.after(viewing.seekAfterMicros[first], this.kind, peer, first);
    }
  }

  private seek(peer: number, index: number): void {
    const viewing = this.workload.viewing!;
    if (!this.players.isOnline(peer)) return;
    const here = this.players.playoutChunk(peer);
    const from = here < 0 ? this.run.startChunk[peer - 1] : here;
    const jump = Math.round(viewing.seekJumpSeconds[index] / this.chunkSeconds);
    const target = Math.max(0, Math.min(this.run.videoChunks - 1, from + jump));
    this.seeks++;
    this.players.seek(peer, target);
    this.strategy.seek?.(peer, target);
    this.afterSeek(peer);
    const next = index + 1;
    if (next < viewing.seekFirst[peer]) {
      const join = this.workload.joinMicros[peer - 1];
      this.sim.at(join + viewing.seekAfterMicros[next], this.kind, peer, next);
    }
  }
}
