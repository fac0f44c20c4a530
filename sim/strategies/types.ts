import type { RandomStream } from "../engine/random.ts";
import type { Simulator } from "../engine/simulator.ts";
import type { Probe } from "../metrics/probe.ts";
import type { NetworkModel } from "../network/transport.ts";
import type { Players } from "../player/player.ts";
import type { ExtraFigure } from "../results/schema.ts";
import type { OptionReader } from "../scenario/reader.ts";
import type { Workload } from "../workload/workload.ts";

/** The stream being broadcast, in the engine's units. */
export interface StreamInfo {
  /** Stream bit rate, bits per second. */
  bitrateBitsPerSecond: number;
  /** Duration of one chunk, microseconds. */
  chunkMicros: number;
  /** Size of one chunk, bytes (bit rate times chunk duration). */
  chunkBytes: number;
  /** Number of chunks the source produces during the run. */
  chunkCount: number;
  /** Length of the run, microseconds. */
  durationMicros: number;
}

/** Everything a strategy may use. Peers talk only through `transport`. */
export interface StrategyContext {
  /** The engine: clock and scheduling. */
  sim: Simulator;
  /** The network between nodes (node 0 is the source, node i + 1 is workload session i). */
  transport: NetworkModel;
  /** The viewers' players; strategies feed them chunks. */
  players: Players;
  /** Where strategies report overlay events for the metrics. */
  probe: Probe;
  /** The strategy's own random stream (`strategy/<name>`), shared with no one. */
  random: RandomStream;
  /** The stream. */
  stream: StreamInfo;
  /** The workload (capacities, latencies); read-only. */
  workload: Workload;
  /** How long after an abrupt departure its neighbours notice, microseconds. */
  detectionDelayMicros: number;
  /** Number of node ids (source plus every session). */
  nodes: number;
  /** On-demand mode's settings for this run; absent in live mode. */
  onDemand?: OnDemandRun;
}

/** On-demand mode in engine units (chunks of the stored video, all available from time 0). */
export interface OnDemandRun {
  /** Chunks in the video (`stream.length` / chunk duration, rounded up). */
  videoChunks: number;
  /** Chunks a peer keeps of what it watched to serve others (its cache). */
  cacheChunks: number;
  /** Chunks ahead of its playout point a viewer asks for. */
  prefetchChunks: number;
  /** Chunk each workload session starts watching at (session i at index i). */
  startChunk: Int32Array;
}

/**
 * A peercasting strategy: how peers find upstreams and move the stream. The run calls these
 * hooks; everything else happens through events the strategy schedules and messages it sends.
 */
export interface Strategy {
  /** Called once at time 0, before any peer joins: start the source. */
  start(): void;
  /** A peer session joins (its player has just joined). */
  join(peer: number): void;
  /**
   * A peer session leaves. Called before the transport marks the node down, so a graceful
   * leaver can still send goodbyes.
   */
  leave(peer: number, abrupt: boolean): void;
  /**
   * Strategy-specific summary figures, numbers or distributions (added to the strategy's entry
   * in summary.json).
   */
  summary?(): Record<string, ExtraFigure>;
  /** Strategy-specific time-series columns, sampled with the metrics interval. */
  sample?(): Record<string, number>;
  /** On-demand mode: the viewer's player has just jumped to `chunk` (a seek). */
  seek?(peer: number, chunk: number): void;
}

/** What of the scenario a strategy's options may be checked against (resolved before them). */
export interface StrategySetting {
  /** Chunk duration, seconds. */
  chunkSeconds: number;
  /** Stream bit rate, bits per second. */
  bitrateBitsPerSecond: number;
  /** Simulated time, seconds. */
  durationSeconds: number;
}

/** The registry entry of a strategy type: its options and its factory. */
export interface StrategyDefinition<Options = unknown> {
  /** The `type:` name used in scenarios. */
  type: string;
  /** One-line description for `sim strategies` and docs. */
  description: string;
  /**
   * Resolves this strategy's options from its scenario entry (other keys than name/type). The
   * scenario passes `setting` (its stream and duration) so options that must fit the stream can
   * be checked at load time, with errors naming the entry's YAML path.
   */
  resolveOptions(reader: OptionReader, setting?: StrategySetting): Options;
  /** Seconds of stream the peers' players must remember (back buffers); default 0. */
  memorySeconds?(options: Options): number;
  /** Creates the strategy for one run. */
  create(context: StrategyContext, options: Options): Strategy;
  /**
   * Creates the strategy for a run in `stream.mode: on-demand` (`context.onDemand` is set).
   * Strategies without it are refused at load time in that mode.
   */
  createOnDemand?(context: StrategyContext, options: Options): Strategy;
  /** True for strategies that work only in on-demand mode. */
  onDemandOnly?: boolean;
}

/** Narrows a definition's options type away for storage in the registry. */
export function defineStrategy<Options>(
  definition: StrategyDefinition<Options>,
): StrategyDefinition<unknown> {
  return definition as StrategyDefinition<unknown>;
}
