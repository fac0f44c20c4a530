/** Message classes, handlers, observers and counters of the transport (its vocabulary). */

/** Traffic classes the transport counts separately. */
export const Traffic = {
  /** Join requests, tracker queries, heartbeats, goodbyes, buffer maps, piece requests. */
  Control: 0,
  /** Stream content: chunks, pieces, coded symbols. */
  Data: 1,
} as const;

/** One of {@link Traffic}'s values. */
export type TrafficValue = (typeof Traffic)[keyof typeof Traffic];

/**
 * Called when a message arrives. `p0`, `p1` and `p2` are the three payload words given to
 * {@link NetworkModel.send} (each a double, 0 when not given, so a strategy passes separate
 * values instead of packing them into one); `bytes` the message size. `p2` comes last so that
 * handlers that use two words need not name it.
 */
export type MessageHandler = (
  from: number,
  to: number,
  p0: number,
  p1: number,
  bytes: number,
  p2: number,
) => void;

/**
 * Optional observer of the links, for invariant checks, traces and per-interval meters. It
 * watches and never steers. Times are microseconds.
 */
export interface TransportObserver {
  /**
   * A message occupies `from`'s uplink from `startMicros` to `doneMicros` (`to` is -1 for a
   * multicast or an aggregated fan-out).
   */
  onSend?(
    from: number,
    to: number,
    type: number,
    bytes: number,
    startMicros: number,
    doneMicros: number,
  ): void;
  /** A message occupies `to`'s downlink from `startMicros` to `doneMicros` (its delivery). */
  onReceive?(
    from: number,
    to: number,
    type: number,
    bytes: number,
    startMicros: number,
    doneMicros: number,
  ): void;
}

/**
 * Counters the transport keeps. Bytes are counted as sent when they leave the sender's uplink:
 * a message is counted when it is put on the wire, if its transmission ends by the run's
 * horizon; what is still queued or on the wire at the horizon is {@link pendingBytes}.
 * Conservation: accepted = sent + discarded + pending; dispatched (sent, with a multicast
 * counted once per recipient) = delivered + lost + in flight.
 */
export interface TrafficCounters {
  /** Bytes sent, by traffic class. */
  controlBytes: number;
  dataBytes: number;
  /** Data bytes sent by node 0, the source. */
  sourceDataBytes: number;
  /** Bytes accepted onto uplinks (queued or sent at once), both classes. */
  acceptedBytes: number;
  /** Accepted bytes still queued or on the wire at the horizon (see {@link NetworkModel.finish}). */
  pendingBytes: number;
  /** Bytes handed to the network for delivery: sent, a multicast once per recipient. */
  dispatchedBytes: number;
  /** Messages delivered. */
  delivered: number;
  /** Bytes delivered (both classes). */
  deliveredBytes: number;
  /** Data bytes delivered to their receivers. */
  deliveredDataBytes: number;
  /** Data bytes from the source delivered to their receivers. */
  sourceDeliveredDataBytes: number;
  /**
   * Messages dropped at the sender: refused (backlog over the limit, no upload capacity) or
   * discarded from the queue because the sender left before they could start.
   */
  droppedAtSender: number;
  /** Messages lost after leaving the sender: its abrupt departure cut them, or the receiver left. */
  droppedInFlight: number;
  /** Bytes refused at the sender (never accepted). */
  refusedBytes: number;
  /** Accepted bytes discarded from a departed sender's queue (never sent). */
  discardedBytes: number;
  /** Dispatched bytes lost in flight. */
  lostBytes: number;
  /** Bytes of dropped data messages (refused, discarded or lost). */
  droppedDataBytes: number;
}

/** Counters at zero, for a new transport. */
export function newTrafficCounters(): TrafficCounters {
  return {
    controlBytes: 0,
    dataBytes: 0,
    sourceDataBytes: 0,
    acceptedBytes: 0,
    pendingBytes: 0,
    dispatchedBytes: 0,
    delivered: 0,
    deliveredBytes: 0,
    deliveredDataBytes: 0,
    sourceDeliveredDataBytes: 0,
    droppedAtSender: 0,
    droppedInFlight: 0,
    refusedBytes: 0,
    discardedBytes: 0,
    lostBytes: 0,
    droppedDataBytes: 0,
  };
}
