import type { OptionReader } from "../scenario/reader.ts";

/** The network models a scenario may choose with `network.model` (see `models.ts`). */
export const NETWORK_MODEL_NAMES = ["fifo", "fair-share"] as const;

/** One of {@link NETWORK_MODEL_NAMES}. */
export type NetworkModelName = (typeof NETWORK_MODEL_NAMES)[number];

/** Options of the transport (`network:` in a scenario). */
export interface TransportOptions {
  /**
   * The network model: `fifo` (each uplink sends one message after the other, control between
   * the packets of data) or `fair-share` (max-min fair sharing of each link among concurrent
   * flows). Default `fifo`.
   */
  model: NetworkModelName;
  /**
   * Most seconds of queued data a node's uplink may hold; a data message that would wait longer
   * is dropped at the sender and counted. Default 30 s. Bounds every queue in the model.
   */
  maxBacklogSeconds: number;
  /**
   * Rate used to send control messages from a node whose upload capacity is below it (a free
   * rider still sends requests). Default 64 kbps.
   */
  controlFloorBitsPerSecond: number;
  /**
   * `fair-share` only: the share of every downlink kept for arriving control messages, which
   * are serialized one after the other in it (so their arrival is known when they are sent);
   * data flows share the rest (on uplinks control has priority instead). Default 0.05.
   */
  controlShare: number;
  /**
   * Most messages queued or in flight at once across the network (a limit, enforced: reaching it
   * stops the run with an error naming `network.maxInFlightMessages`, as `limits.maxEvents`
   * does). Default 50 million.
   */
  maxInFlightMessages: number;
  /**
   * `fair-share` only: most data flows in progress at once across the network (a limit,
   * enforced like `maxInFlightMessages`, naming `network.maxFlows`). Default 1 million.
   */
  maxFlows: number;
}

/** Resolves `network`. */
export function resolveTransportOptions(reader: OptionReader): TransportOptions {
  return {
    model: reader.choice("model", NETWORK_MODEL_NAMES, "fifo"),
    maxBacklogSeconds: reader.durationSeconds("maxBacklog", 30, { above: 0 }),
    controlFloorBitsPerSecond: reader.bitsPerSecond("controlFloor", 64e3, { above: 0 }),
    controlShare: reader.number("controlShare", 0.05, { above: 0, max: 0.5 }),
    maxInFlightMessages: reader.integer("maxInFlightMessages", 50_000_000, { min: 1 }),
    maxFlows: reader.integer("maxFlows", 1_000_000, { min: 1 }),
  };
}
