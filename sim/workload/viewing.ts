import type { RandomStream } from "../engine/random.ts";
import type { PlayerOnDemandOptions } from "../ondemand/options.ts";

/** Most seeks one session may make (a limit, so a typo in a rate fails loudly). */
export const MAX_SEEKS_PER_SESSION = 10_000;

/** Most seeks one workload may hold. */
export const MAX_SEEKS = 5_000_000;

/** What a viewer of a stored video does: where it starts and when and how far it seeks. */
export interface Viewing {
  /** Start position in the video, seconds. */
  startSeconds: number;
  /** Seek times after joining, microseconds, increasing. */
  seekAfterMicros: number[];
  /** Signed jump of each seek, seconds (negative: backward). */
  seekJumpSeconds: number[];
}

/**
 * Draws one session's viewing behaviour: its start position (from `positions`), then its seeks
 * as a Poisson process of `seeks.ratePerMinute` over `sessionSeconds` (from `seeks`), each with a
 * direction and a distance. Every session makes its draws from the streams of its own arrival
 * process, so no other concern's draws move.
 */
export function drawViewing(
  options: PlayerOnDemandOptions,
  lengthSeconds: number,
  sessionSeconds: number,
  positions: RandomStream,
  seeks: RandomStream,
): Viewing {
  const u = positions.next();
  const startSeconds = options.startPosition === "uniform" ? u * lengthSeconds : 0;
  const seekAfterMicros: number[] = [];
  const seekJumpSeconds: number[] = [];
  const rate = options.seeks.ratePerMinute / 60;
  if (rate > 0) {
    let t = 0;
    for (;;) {
      t += -Math.log(1 - seeks.next()) / rate;
      if (t >= sessionSeconds || seekAfterMicros.length >= MAX_SEEKS_PER_SESSION) break;
      const backward = seeks.next() < options.seeks.backwardShare;
      const d = options.seeks.distance;
      const v = seeks.next();
      const distance =
        d.distribution === "uniform" ? (1 - v) * d.maxSeconds : -d.meanSeconds * Math.log(1 - v);
      seekAfterMicros.push(Math.max(1, Math.round(t * 1e6)));
      seekJumpSeconds.push(backward ? -distance : distance);
    }
  }
  return { startSeconds, seekAfterMicros, seekJumpSeconds };
}
