import { type CdnOptions, resolveCdnOptions } from "../cdn/cdnOptions.ts";
import { MAX_REPLICATIONS } from "../experiments/limits.ts";
import { type LatencyOptions, resolveLatency } from "../network/latency.ts";
import { type PeerClass, resolvePeerClasses } from "../network/peerClasses.ts";
import { resolveTransportOptions, type TransportOptions } from "../network/transport.ts";
import {
  type OnDemandOptions,
  type PlayerOnDemandOptions,
  resolveCacheSeconds,
  resolvePlayerOnDemand,
  STREAM_MODES,
  type StreamMode,
} from "../ondemand/options.ts";
import { type PlayerOptions, resolvePlayerOptions } from "../player/player.ts";
import { STRATEGIES } from "../strategies/index.ts";
import { type ChurnOptions, resolveChurn } from "../workload/churn.ts";
import type { OptionReader } from "./reader.ts";

/** The stream (`stream:`). */
export interface StreamOptions {
  /** Bit rate, bits per second. Default 500 kbps. */
  bitrateBitsPerSecond: number;
  /** Chunk duration, seconds. Default 1 s. */
  chunkSeconds: number;
  /** `live` (default) or `on-demand` (a stored video; see {@link Scenario.onDemand}). */
  mode: StreamMode;
}

/** One strategy of the scenario's `strategies:` list. */
export interface StrategyEntry {
  /** Name shown in results; unique within the scenario. Default: the type. */
  name: string;
  /** Strategy type, a key of the strategy registry. */
  type: string;
  /** Options resolved by the strategy's own definition. */
  options: unknown;
}

/** A fully resolved scenario: every default applied, every unit converted. */
export interface Scenario {
  /** Scenario name (default: the file's base name). */
  name: string;
  /** Root seed of every random stream. Default 1. */
  seed: number;
  /** Simulated time, seconds. Default 10 min. */
  durationSeconds: number;
  /** Seeded replications of the whole scenario (see sim/experiments). Default 1. */
  replications: number;
  stream: StreamOptions;
  /**
   * Source capacities, bits per second: upload (default 10 Mbps) and download, which carries
   * the tracker's queries (default: the upload rate).
   */
  source: { uploadBitsPerSecond: number; downloadBitsPerSecond: number };
  peers: { classes: PeerClass[]; latency: LatencyOptions };
  churn: ChurnOptions;
  player: PlayerOptions;
  network: TransportOptions;
  /** On-demand mode's video length, start positions, seeks and caches; absent when live. */
  onDemand?: OnDemandOptions;
  /** CDN edge servers any strategy falls back on; absent when the scenario has no `cdn:`. */
  cdn?: CdnOptions;
  /** Metrics sampling interval for timeseries.csv, seconds. Default 10 s. */
  metrics: { intervalSeconds: number };
  /** Most events one strategy run may process. Default 2e9. */
  limits: { maxEvents: number };
  strategies: StrategyEntry[];
}

/**
 * Longest run a scenario may simulate, seconds: a week. A limit, so that a slip like `720h`
 * fails at load time instead of running for days.
 */
export const MAX_DURATION_SECONDS = 7 * 86_400;

/** Resolves a whole scenario document. `defaultName` is used when it has no `name`. */
export function resolveScenario(reader: OptionReader, defaultName: string): Scenario {
  const name = reader.string("name", defaultName);
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw reader.error("name", "may only contain letters, digits, '.', '_' and '-'");
  }
  const seed = reader.integer("seed", 1, { min: 0, max: 2 ** 32 - 1 });
  const durationSeconds = reader.durationSeconds("duration", 600, { above: 0 });
  if (durationSeconds > MAX_DURATION_SECONDS) {
    throw reader.error(
      "duration",
      `must be at most ${MAX_DURATION_SECONDS / 3600}h (a week of simulated time), got ` +
        `${Number((durationSeconds / 3600).toPrecision(6))}h`,
    );
  }
  let lengthSeconds = 0;
  const stream = reader.object("stream", (r) => {
    const options: StreamOptions = {
      bitrateBitsPerSecond: r.bitsPerSecond("bitrate", 500e3, { above: 0 }),
      chunkSeconds: r.durationSeconds("chunkDuration", 1, { min: 0.001, max: 600 }),
      mode: r.choice("mode", STREAM_MODES, "live"),
    };
    if (options.mode === "on-demand") {
      lengthSeconds = r.durationSeconds("length", undefined, {
        min: options.chunkSeconds,
        max: 86400,
      });
    } else if (r.has("length")) {
      throw r.error("length", "applies only with mode: on-demand");
    }
    return options;
  });
  if (durationSeconds < stream.chunkSeconds) {
    throw reader.error("duration", `must be at least one chunk (${stream.chunkSeconds}s)`);
  }
  const source = reader.object("source", (r) => {
    const uploadBitsPerSecond = r.bitsPerSecond("upload", 10e6, { above: 0 });
    return {
      uploadBitsPerSecond,
      downloadBitsPerSecond: r.bitsPerSecond("download", uploadBitsPerSecond, { above: 0 }),
    };
  });
  let cacheSeconds: number | "all" = "all";
  const peers = reader.object("peers", (r) => {
    cacheSeconds = resolveCacheSeconds(r, stream.mode);
    return { classes: resolvePeerClasses(r), latency: r.object("latency", resolveLatency) };
  });
  const churn = reader.object("churn", (r) => resolveChurn(r, durationSeconds));
  let playerOnDemand: PlayerOnDemandOptions | undefined;
  const player = reader.object("player", (r) => {
    playerOnDemand = resolvePlayerOnDemand(r, stream.mode);
    return resolvePlayerOptions(r);
  });
  const onDemand: OnDemandOptions | undefined =
    stream.mode === "on-demand" && playerOnDemand
      ? { ...playerOnDemand, lengthSeconds, cacheSeconds }
      : undefined;
  const network = reader.object("network", resolveTransportOptions);
  const cdn = reader.has("cdn") ? reader.object("cdn", resolveCdnOptions) : undefined;
  const metrics = reader.object("metrics", (r) => ({
    intervalSeconds: r.durationSeconds("interval", 10, { above: 0 }),
  }));
  const limits = reader.object("limits", (r) => ({
    maxEvents: r.integer("maxEvents", 2e9, { min: 1 }),
  }));
  const names = new Set<string>();
  const strategies = reader.list(
    "strategies",
    (item, path) => {
      const r = reader.child(item, path);
      const type = r.choice("type", [...STRATEGIES.keys()]);
      const definition = STRATEGIES.get(type)!;
      if (onDemand && !definition.createOnDemand) {
        const able = [...STRATEGIES.values()].filter((d) => d.createOnDemand).map((d) => d.type);
        throw r.error(
          "type",
          `${type} does not support stream.mode: on-demand (on-demand strategies: ${able.join(", ")})`,
        );
      }
      if (!onDemand && definition.onDemandOnly) {
        throw r.error("type", `${type} works only with stream.mode: on-demand`);
      }
      const entryName = r.string("name", type);
      if (!/^[A-Za-z0-9._-]+$/.test(entryName)) {
        throw r.error("name", "may only contain letters, digits, '.', '_' and '-'");
      }
      if (names.has(entryName)) throw r.error("name", `duplicate strategy name '${entryName}'`);
      names.add(entryName);
      const options = STRATEGIES.get(type)!.resolveOptions(r, {
        chunkSeconds: stream.chunkSeconds,
        bitrateBitsPerSecond: stream.bitrateBitsPerSecond,
        durationSeconds,
      });
      r.done();
      return { name: entryName, type, options };
    },
    { required: true, minLength: 1 },
  );
  const replications = reader.integer("replications", 1, { min: 1, max: MAX_REPLICATIONS });
  return {
    name,
    seed,
    durationSeconds,
    replications,
    stream,
    source,
    peers,
    churn,
    player,
    network,
    ...(cdn ? { cdn } : {}),
    ...(onDemand ? { onDemand } : {}),
    metrics,
    limits,
    strategies,
  };
}
