import type { Simulator } from "../engine/simulator.ts";
import type { LatencyModel } from "./latency.ts";
import type {
  MessageHandler,
  TrafficCounters,
  TrafficValue,
  TransportObserver,
} from "./traffic.ts";

export {
  type MessageHandler,
  Traffic,
  type TrafficCounters,
  type TrafficValue,
  type TransportObserver,
} from "./traffic.ts";

import type { TransportOptions } from "./transportOptions.ts";

export {
  type NetworkModelName,
  resolveTransportOptions,
  type TransportOptions,
} from "./transportOptions.ts";

/** What a network model is built from. */
export interface NetworkModelInput {
  sim: Simulator;
  latency: LatencyModel;
  /** Upload and download capacity of node n, bits/s (node 0 is the source; 0 download: unlimited). */
  upload: Float64Array;
  download: Float64Array;
  options: TransportOptions;
  /**
   * End of the run, µs: a message whose transmission ends later counts as pending, not sent
   * (default: never).
   */
  horizonMicros?: number;
}

/**
 * The payload words of a message, `p0`, `p1`, `p2`: numbers (doubles) handed to its type's
 * {@link MessageHandler} on delivery, each 0 when not given. Kept in the transport's typed
 * arrays, so a message allocates nothing, and three so that a strategy passes its values apart
 * (a half, a serial, a piece) instead of packing two into one number.
 */
export type PayloadWords = [p0?: number, p1?: number, p2?: number];

/**
 * The network as strategies and the run see it: the only way nodes talk. A scenario chooses
 * the model behind it with `network.model` (see `sim/network/models.ts`): `fifo` serializes
 * each uplink (data FIFO, control between its packets), `fair-share` shares each uplink and
 * downlink among the flows crossing it (max-min fairness). Both charge every message to the
 * sender's uplink, the pairwise latency and the receiver's downlink, keep the same counters and
 * report each link's use to the same observers, so metrics and checks work on either.
 *
 * Node 0 is the source. Times are microseconds, capacities bits/s, sizes bytes.
 */
export interface NetworkModel {
  /**
   * True when several data messages may cross one link at once (`fair-share`): each is then
   * reported to observers as segments at a constant rate, concurrent with others, and its
   * downlink segments coincide with its uplink ones (a flow crosses both links at once). False
   * when each uplink sends one message after the other and a message reaches the downlink only
   * after it has left the uplink and crossed the latency (`fifo`).
   */
  readonly concurrentData: boolean;
  /** Counters, updated as messages are sent, delivered or dropped. */
  readonly counters: TrafficCounters;
  /** Bytes each node has sent (any class), counted as {@link TrafficCounters} count them. */
  readonly uploadedBytes: Float64Array;
  /** Bytes each node has received (any class). */
  readonly downloadedBytes: Float64Array;
  /** Messages queued or in flight now. */
  readonly liveMessages: number;

  /** Registers a message type and its handler; returns the type id for {@link send}. */
  register(name: string, traffic: TrafficValue, handler: MessageHandler): number;
  /** Traffic class of a registered message type. */
  trafficOf(type: number): TrafficValue;
  /** Name of a registered message type. */
  nameOf(type: number): string;
  /** Adds a link observer (several may watch; they run in the order added). */
  observe(observer: TransportObserver): void;

  /** One-way latency between two nodes, µs. */
  latencyMicros(a: number, b: number): number;
  /** Upload capacity of a node, bits/s. */
  uploadBitsPerSecond(node: number): number;
  /** Download capacity of a node, bits/s (0: unlimited). */
  downloadBitsPerSecond(node: number): number;
  /** The rate control messages from `node` are serialized at, bits/s. */
  controlBitsPerSecond(node: number): number;
  /**
   * How long data sent by `node` now would wait behind what its uplink already holds, µs (the
   * figure `network.maxBacklog` limits; strategies read it to avoid refusals).
   */
  uplinkBacklogMicros(node: number): number;

  /**
   * Marks a node as gone; what reaches it from now on is lost. What it had not finished
   * sending is lost or discarded as the model documents.
   */
  nodeDown(node: number, abrupt: boolean): void;
  /** True when the node is not marked down. */
  isUp(node: number): boolean;

  /**
   * Sends a message of `bytes` bytes from `from` to `to`; its handler runs on delivery with
   * the payload words `p0`, `p1` and `p2` (0 when not given). Returns false when it was dropped
   * at once (the sender is down, has no capacity for data, or its uplink backlog is over
   * `network.maxBacklog`).
   */
  send(from: number, to: number, type: number, bytes: number, ...payload: PayloadWords): boolean;
  /**
   * Ideal network-layer multicast of one data message: the sender's uplink carries it once and
   * the network replicates it to each recipient, every copy with the same payload words.
   * Returns false when dropped at the sender.
   */
  multicast(
    from: number,
    recipients: { readonly size: number; at(index: number): number },
    type: number,
    bytes: number,
    ...payload: PayloadWords
  ): boolean;
  /**
   * Sends a control message without scheduling its delivery, for a caller that models the
   * arrival itself; charged and counted as a delivered control message. Returns the time it
   * reaches `to` (µs), or -1 when the sender is down.
   */
  sendUndelivered(from: number, to: number, type: number, bytes: number): number;
  /**
   * Sends one control message of `bytesEach` bytes to each of the first `count` nodes in
   * `receivers`, without delivery events, charged on the sender's uplink as one burst and on
   * each receiver's downlink. Returns when the burst has left the uplink (µs), or -1 when the
   * sender is down.
   */
  sendFanOut(
    from: number,
    type: number,
    bytesEach: number,
    receivers: Int32Array,
    count: number,
  ): number;

  /** Settles the counters at the end of the run (unsent data becomes pending). Call once. */
  finish(): void;
  /** Bytes counted as sent whose delivery has not happened yet, for checks at the end. */
  inFlightBytes(): number;
}
