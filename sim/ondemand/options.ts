import type { OptionReader } from "../scenario/reader.ts";

/** Stream modes: a live broadcast, or a stored video watched on demand. */
export const STREAM_MODES = ["live", "on-demand"] as const;

/** One of {@link STREAM_MODES}. */
export type StreamMode = (typeof STREAM_MODES)[number];

/** Where a viewer starts watching: at the beginning, or anywhere (uniform over the video). */
export const START_POSITIONS = ["beginning", "uniform"] as const;

/** Distributions of seek jump distances. */
export const SEEK_DISTANCES = ["uniform", "exponential"] as const;

/** Seeking behaviour (`player.seeks`). */
export interface SeekOptions {
  /** Seeks per minute of a viewer's session (a Poisson process in wall time). Default 0. */
  ratePerMinute: number;
  /**
   * Jump distance: `uniform` over (0, `maxSeconds`], or `exponential` with mean `meanSeconds`.
   * Default uniform up to 5 minutes.
   */
  distance:
    | { distribution: "uniform"; maxSeconds: number }
    | { distribution: "exponential"; meanSeconds: number };
  /** Share of seeks that jump backward, in [0, 1]. Default 0.3. */
  backwardShare: number;
}

/** The player-side options of on-demand mode. */
export interface PlayerOnDemandOptions {
  /** Where viewers start. Default `beginning`. */
  startPosition: (typeof START_POSITIONS)[number];
  seeks: SeekOptions;
  /** How far ahead of its playout point a viewer asks for chunks, seconds. Default 10 s. */
  prefetchSeconds: number;
}

/** Everything on-demand mode adds to a scenario (absent in live mode). */
export interface OnDemandOptions extends PlayerOnDemandOptions {
  /** The video's duration (`stream.length`), seconds. */
  lengthSeconds: number;
  /**
   * What a peer keeps of what it watched, to serve others (`peers.cache`): seconds of video,
   * or `all` (the default). A string rather than Infinity, so manifest.json can say it.
   */
  cacheSeconds: number | "all";
}

/** Default seeking: none. */
export const NO_SEEKS: SeekOptions = {
  ratePerMinute: 0,
  distance: { distribution: "uniform", maxSeconds: 300 },
  backwardShare: 0.3,
};

/** Resolves `player.startPosition`, `player.seeks` and `player.prefetch`. */
export function resolvePlayerOnDemand(
  reader: OptionReader,
  mode: StreamMode,
): PlayerOnDemandOptions {
  if (mode === "live") {
    for (const key of ["startPosition", "seeks", "prefetch"]) {
      if (reader.has(key)) throw reader.error(key, "applies only with stream.mode: on-demand");
    }
  }
  const startPosition = reader.choice("startPosition", START_POSITIONS, "beginning");
  const seeks = reader.has("seeks")
    ? reader.object("seeks", (r): SeekOptions => {
        const ratePerMinute = r.ratePerSecond("rate", 0) * 60;
        const distribution = r.choice("distance", SEEK_DISTANCES, "uniform");
        const distance: SeekOptions["distance"] =
          distribution === "uniform"
            ? { distribution, maxSeconds: r.durationSeconds("max", 300, { above: 0 }) }
            : { distribution, meanSeconds: r.durationSeconds("mean", 120, { above: 0 }) };
        return { ratePerMinute, distance, backwardShare: r.probability("backwardShare", 0.3) };
      })
    : NO_SEEKS;
  const prefetchSeconds = reader.durationSeconds("prefetch", 10, { above: 0, max: 3600 });
  return { startPosition, seeks, prefetchSeconds };
}

/** Resolves `peers.cache`: a duration or `all` (default). */
export function resolveCacheSeconds(reader: OptionReader, mode: StreamMode): number | "all" {
  if (!reader.has("cache")) return "all";
  if (mode === "live") throw reader.error("cache", "applies only with stream.mode: on-demand");
  if (reader.raw("cache") === "all") return "all";
  return reader.durationSeconds("cache", undefined, { above: 0 });
}
