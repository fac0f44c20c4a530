import type { TrafficValue, TransportObserver } from "./traffic.ts";

/**
 * Bytes one node's uplink sends per interval, counted as they leave it: a message on the wire
 * from `start` to `done` adds to each interval the share of its bytes that the part of
 * [start, done) inside that interval carries. Since an uplink holds one message at a time at no
 * more than its capacity, no interval ever shows more than the capacity (the control floor
 * aside, see {@link FifoTransport}). An observer: it counts and never steers.
 */
export class UplinkMeter implements TransportObserver {
  /** Bytes sent in interval i, i.e. during [i, i + 1) x the interval. */
  readonly bytes: Float64Array;
  private readonly node: number;
  private readonly traffic: TrafficValue | undefined;
  private readonly trafficOf: (type: number) => TrafficValue;
  private readonly intervalMicros: number;

  /**
   * @param node the node whose uplink is metered.
   * @param traffic the traffic class counted, or undefined for both.
   * @param trafficOf the class of a message type (the transport's `trafficOf`).
   * @param intervalMicros interval length, µs; `intervals` how many are kept (later bytes are
   *   not counted).
   */
  constructor(
    node: number,
    traffic: TrafficValue | undefined,
    trafficOf: (type: number) => TrafficValue,
    intervalMicros: number,
    intervals: number,
  ) {
    this.node = node;
    this.traffic = traffic;
    this.trafficOf = trafficOf;
    this.intervalMicros = intervalMicros;
    this.bytes = new Float64Array(intervals);
  }

  onSend(
    from: number,
    _to: number,
    type: number,
    bytes: number,
    startMicros: number,
    doneMicros: number,
  ): void {
    if (from !== this.node) return;
    if (this.traffic !== undefined && this.trafficOf(type) !== this.traffic) return;
    spread(this.bytes, this.intervalMicros, startMicros, doneMicros, bytes);
  }
}

/**
 * Adds `amount` spread uniformly over [start, end) to the bins of width `width` (bin i covers
 * [i width, (i + 1) width)) held in `bins[offset .. offset + count)`; an empty span adds it all
 * to the bin of `start`. Bins past `count` are ignored.
 */
export function spread(
  bins: Float64Array,
  width: number,
  start: number,
  end: number,
  amount: number,
  offset = 0,
  count = bins.length,
): void {
  if (!(end > start)) {
    const i = Math.floor(start / width);
    if (i < count) bins[offset + i] += amount;
    return;
  }
  const perMicro = amount / (end - start);
  const last = Math.min(Math.floor((end - 1) / width), count - 1);
  for (let i = Math.floor(start / width); i <= last; i++) {
    const from = Math.max(start, i * width);
    const to = Math.min(end, (i + 1) * width);
    bins[offset + i] += (to - from) * perMicro;
  }
}
