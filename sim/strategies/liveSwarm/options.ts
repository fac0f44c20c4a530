import type { OptionReader } from "../../scenario/reader.ts";
import { MAX_PEER_PARTNERS } from "../meshPull/options.ts";

/** Options of the `live-swarm` strategy. Times in seconds, sizes in bytes. */
export interface LiveSwarmOptions {
  /** Neighbours a peer seeks from the tracker. Default 8. */
  neighbours: number;
  /** Most neighbours a peer keeps, sought and accepted together. Default twice `neighbours`. */
  maxNeighbours: number;
  /** Peers the tracker returns per query. Default twice `neighbours`. */
  candidates: number;
  /**
   * Seconds behind the live edge a piece stays valid (`window`): older pieces are dropped, never
   * requested or served. Rounded up to a power of two chunks. Default 30 s.
   */
  windowSeconds: number;
  /**
   * Seconds of stream after the playout point fetched in playout order (`urgent`): near the
   * playhead the deadline rules; beyond it, rarest first. Default 5 s.
   */
  urgentSeconds: number;
  /** Regular (tit-for-tat) upload slots of a peer. Default 4. */
  unchokeSlots: number;
  /** Whether each uploader keeps one optimistic unchoke. Default true. */
  optimisticUnchoke: boolean;
  /** Period of the tit-for-tat re-ranking, seconds (`rechokeInterval`). Default 10 s. */
  rechokeSeconds: number;
  /** Period of the optimistic unchoke's rotation, seconds (`optimisticInterval`). Default 30 s. */
  optimisticSeconds: number;
  /**
   * Fewest requests a peer keeps outstanding at each neighbour that unchokes it; more when the
   * neighbour's measured throughput delivers more within `requestHorizon`. Default 2.
   */
  pipeline: number;
  /**
   * Seconds of data an uploader may already have queued and still take a request; beyond it
   * it refuses (the piece would come too late). Also how long a request stands beyond its
   * expected service time before it is given up. Default 3 s.
   */
  requestHorizonSeconds: number;
  /** Period at which a peer tops up its requests to every neighbour, seconds. Default 1 s. */
  tickSeconds: number;
  /** Wait before asking the tracker again when a query left the peer short, seconds. Default 1 s. */
  retrySeconds: number;
  /** Size of a control message (membership, HAVE, request, choke), bytes. Default 100. */
  controlBytes: number;
}

/** Resolves the options of a `live-swarm` entry. */
export function resolveLiveSwarmOptions(reader: OptionReader): LiveSwarmOptions {
  const neighbours = reader.integer("neighbours", 8, { min: 1, max: MAX_PEER_PARTNERS });
  const rechokeSeconds = reader.durationSeconds("rechokeInterval", 10, { above: 0 });
  return {
    neighbours,
    maxNeighbours: reader.integer("maxNeighbours", Math.min(2 * neighbours, MAX_PEER_PARTNERS), {
      min: neighbours,
      max: MAX_PEER_PARTNERS,
    }),
    candidates: reader.integer("candidates", 2 * neighbours, { min: 1, max: 256 }),
    windowSeconds: reader.durationSeconds("window", 30, { above: 0, max: 3600 }),
    urgentSeconds: reader.durationSeconds("urgent", 5),
    unchokeSlots: reader.integer("unchokeSlots", 4, { min: 1, max: MAX_PEER_PARTNERS }),
    optimisticUnchoke: reader.boolean("optimisticUnchoke", true),
    rechokeSeconds,
    optimisticSeconds: reader.durationSeconds("optimisticInterval", 30, { min: rechokeSeconds }),
    pipeline: reader.integer("pipeline", 2, { min: 1, max: 64 }),
    requestHorizonSeconds: reader.durationSeconds("requestHorizon", 3, { above: 0 }),
    tickSeconds: reader.durationSeconds("tick", 1, { above: 0 }),
    retrySeconds: reader.durationSeconds("retry", 1, { above: 0 }),
    controlBytes: reader.bytes("controlBytes", 100, { min: 1 }),
  };
}
