import type { OptionReader } from "../../scenario/reader.ts";
import type { StrategySetting } from "../types.ts";

/** How a peer picks the next piece to request from a neighbour. */
export const PIECE_SELECTIONS = ["rarest-first", "in-order"] as const;
/** When a slice's content reaches the player. */
export const PLAYBACK_MODES = ["file", "progressive"] as const;

/** Most pieces one slice may be cut into (pieces are indexed in 16 bits inside messages). */
export const MAX_PIECES_PER_SLICE = 65_535;
/** Most neighbours one peer may hold in one swarm (a limit on the per-swarm link tables). */
export const MAX_NEIGHBOURS = 1_000;

/** Options of the `minute-swarming` strategy. Sizes in bytes, times in seconds. */
export interface MinuteSwarmingOptions {
  /**
   * Duration of one slice file, seconds (`sliceDuration`). A whole number of the scenario's
   * chunks. Default 60 s.
   */
  sliceSeconds: number;
  /**
   * Size of one piece, bytes (`pieceSize`): the unit requested and sent (BitTorrent's block),
   * so the unit of every per-piece cost. The last piece of a slice may be shorter. Default
   * 64 KiB (46 pieces for a minute at 400 kbps); short slices want smaller pieces.
   */
  pieceBytes: number;
  /** Most slices the source publishes (`slices`); 0 (default) publishes every whole slice of the run. */
  slices: number;
  /** Peers the tracker returns per announce, chosen at random from the swarm. Default 10. */
  trackerPeers: number;
  /** Most neighbours a peer keeps in one swarm, outgoing and incoming together. Default 20. */
  maxNeighbours: number;
  /** Regular upload slots of a peer (across all its swarms); tit-for-tat fills them. Default 4. */
  unchokeSlots: number;
  /** Regular upload slots of the source; 0 (default) sizes them as source upload / bit rate. */
  sourceUnchokeSlots: number;
  /** Whether each uploader also keeps one optimistic unchoke, rotated on a period. Default true. */
  optimisticUnchoke: boolean;
  /** Period of the optimistic unchoke's rotation, seconds (`optimisticInterval`). Default 30 s. */
  optimisticSeconds: number;
  /** Period of the tit-for-tat re-ranking, seconds (`rechokeInterval`). Default 10 s. */
  rechokeSeconds: number;
  /**
   * Whether the source super-seeds: it reveals to each peer only the pieces it has uploaded
   * least, so that its scarce upload injects new pieces rather than copies. Default true.
   */
  superSeeding: boolean;
  /**
   * BitTorrent's endgame: once every missing piece is requested, idle links ask for pieces
   * already requested elsewhere, and the first copy cancels the other. Default true.
   */
  endgame: boolean;
  /**
   * Requests a peer keeps outstanding per unchoking neighbour. Default 1: uploaders queue the
   * requests of all their unchoked neighbours, so one each keeps them busy, and a second would
   * only tie a piece to one uploader longer.
   */
  pipeline: number;
  /**
   * `rarest-first` (default, with a random first piece) or `in-order` (lowest missing piece
   * first: deadline-first, what a streaming client does).
   */
  pieceSelection: (typeof PIECE_SELECTIONS)[number];
  /**
   * `file` (default): a slice plays only once complete. `progressive`: chunks play as the
   * contiguous prefix of received pieces covers them.
   */
  playback: (typeof PLAYBACK_MODES)[number];
  /** How long a peer keeps seeding a slice after completing it, seconds (`seedTime`). Default 60 s. */
  seedSeconds: number;
  /**
   * How long a slice's swarm lives after the slice exists, seconds (`swarmLifetime`); then every
   * member leaves it and a peer still missing pieces gives the slice up. Default: the larger of
   * 3 minutes and 3 slices.
   */
  swarmLifetimeSeconds: number;
  /**
   * A neighbour with requests outstanding that sends no piece for this long is dropped and its
   * requests are made elsewhere; also the handshake timeout. Seconds (`requestTimeout`).
   * Default 20 s.
   */
  requestTimeoutSeconds: number;
  /** BitTorrent handshake, bytes. Default 68. */
  handshakeBytes: number;
  /** One HAVE announcement to one neighbour, bytes. Default 9. */
  haveBytes: number;
  /** One piece request, bytes. Default 17. */
  requestBytes: number;
  /** Choke, unchoke, interested, not interested, bytes. Default 5. */
  messageBytes: number;
  /** Tracker announce and the fixed part of its reply (the reply adds 6 bytes a peer), bytes. Default 300. */
  trackerBytes: number;
  /** Transport headers added to every control message (TCP/IP), bytes. Default 40. */
  headerBytes: number;
}

/**
 * Resolves a `minute-swarming` entry. With the scenario's stream known (`setting`), checks here,
 * at load time, that a slice is a whole number of chunks and not too many pieces.
 */
export function resolveMinuteSwarmingOptions(
  reader: OptionReader,
  setting?: StrategySetting,
): MinuteSwarmingOptions {
  const sliceSeconds = reader.durationSeconds("sliceDuration", 60, { above: 0, max: 86_400 });
  const pieceBytes = reader.bytes("pieceSize", 64 * 1024, { min: 16, max: 64 * 1024 * 1024 });
  if (setting) {
    const problem = sliceProblem(sliceSeconds, pieceBytes, setting);
    if (problem) throw reader.error(problem.key, problem.message);
  }
  const seedSeconds = reader.durationSeconds("seedTime", 60);
  const options: MinuteSwarmingOptions = {
    sliceSeconds,
    pieceBytes,
    slices: reader.integer("slices", 0, { min: 0 }),
    trackerPeers: reader.integer("trackerPeers", 10, { min: 1, max: 200 }),
    maxNeighbours: reader.integer("maxNeighbours", 20, { min: 1, max: MAX_NEIGHBOURS }),
    unchokeSlots: reader.integer("unchokeSlots", 4, { min: 1, max: 64 }),
    sourceUnchokeSlots: reader.integer("sourceUnchokeSlots", 0, { min: 0, max: 1024 }),
    optimisticUnchoke: reader.boolean("optimisticUnchoke", true),
    optimisticSeconds: reader.durationSeconds("optimisticInterval", 30, { above: 0 }),
    rechokeSeconds: reader.durationSeconds("rechokeInterval", 10, { above: 0 }),
    superSeeding: reader.boolean("superSeeding", true),
    endgame: reader.boolean("endgame", true),
    pipeline: reader.integer("pipeline", 1, { min: 1, max: 16 }),
    pieceSelection: reader.choice("pieceSelection", PIECE_SELECTIONS, "rarest-first"),
    playback: reader.choice("playback", PLAYBACK_MODES, "file"),
    seedSeconds,
    swarmLifetimeSeconds: reader.durationSeconds("swarmLifetime", Math.max(180, 3 * sliceSeconds), {
      min: sliceSeconds,
    }),
    requestTimeoutSeconds: reader.durationSeconds("requestTimeout", 20, { min: 0.01 }),
    handshakeBytes: reader.bytes("handshakeBytes", 68, { min: 1 }),
    haveBytes: reader.bytes("haveBytes", 9, { min: 0 }),
    requestBytes: reader.bytes("requestBytes", 17, { min: 1 }),
    messageBytes: reader.bytes("messageBytes", 5, { min: 1 }),
    trackerBytes: reader.bytes("trackerBytes", 300, { min: 1 }),
    headerBytes: reader.bytes("headerBytes", 40, { min: 0 }),
  };
  return options;
}

/**
 * What is wrong with a slice duration and piece size for a stream, or undefined when they fit:
 * the slice must hold a whole number of chunks (at least one), and at most
 * {@link MAX_PIECES_PER_SLICE} pieces.
 */
export function sliceProblem(
  sliceSeconds: number,
  pieceBytes: number,
  setting: StrategySetting,
): { key: string; message: string } | undefined {
  const ratio = sliceSeconds / setting.chunkSeconds;
  const chunks = Math.round(ratio);
  if (chunks < 1 || Math.abs(ratio - chunks) > 1e-9 * Math.max(1, ratio)) {
    return {
      key: "sliceDuration",
      message:
        `must be a whole number of chunks (stream.chunkDuration is ${setting.chunkSeconds}s), ` +
        `got ${sliceSeconds}s`,
    };
  }
  const chunkBytes = Math.ceil((setting.bitrateBitsPerSecond * setting.chunkSeconds) / 8);
  const pieces = Math.ceil((chunks * chunkBytes) / pieceBytes);
  if (pieces > MAX_PIECES_PER_SLICE) {
    return {
      key: "pieceSize",
      message: `cuts a ${sliceSeconds}s slice into ${pieces} pieces; at most ${MAX_PIECES_PER_SLICE} are allowed`,
    };
  }
  return undefined;
}
