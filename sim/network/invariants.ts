import type { RunListener } from "../metrics/probe.ts";
import { spread } from "./linkMeter.ts";
import { Traffic, type TrafficCounters, type TransportObserver } from "./traffic.ts";

/** What the checker needs to know of the links and the stream. */
export interface InvariantLinks {
  /** Upload and download capacity of node n, bits/s (0 download: unlimited). */
  uploadBitsPerSecond(node: number): number;
  downloadBitsPerSecond(node: number): number;
  /** The rate control from `node` is serialized at (its upload, or the control floor above it). */
  controlBitsPerSecond(node: number): number;
  /** One-way latency between two nodes, µs. */
  latencyMicros(a: number, b: number): number;
  /** Traffic class of a message type. */
  trafficOf(type: number): number;
  /**
   * True when data messages share links at once (the `fair-share` model): each is reported as
   * segments at a constant rate, concurrent with others, crossing uplink and downlink together.
   */
  readonly concurrentData: boolean;
}

/** Options of an {@link InvariantChecker}. */
export interface InvariantOptions {
  /** Node ids are 0 .. nodes - 1. */
  nodes: number;
  /** The metrics interval the per-interval capacity check uses, µs. */
  intervalMicros: number;
  /** End of the run, µs. */
  endMicros: number;
  /** Stream chunk duration, µs: chunk c exists at the source at (c + 1) x this. */
  chunkMicros: number;
  /**
   * A lower bound on the latency of any path between two nodes, µs (the smallest one-way
   * latency of the model). Undefined turns the chunk-timing check off (on-demand streams,
   * whose chunks all exist from the start).
   */
  minLatencyMicros: number | undefined;
}

/** Most problems kept: the first few tell the story. */
const MAX_PROBLEMS = 20;

/**
 * A run's physics, checked as it happens, in the spirit of a VOPR: an observer of the transport
 * and the probe that never steers. After {@link finish} its {@link problems} list every broken
 * invariant (empty when all held):
 *
 * - each uplink holds one message at a time, each for at least its serialization time at the
 *   sender's rate (data at its upload, control at the model's control rate: in `fifo`
 *   max(upload, controlFloor), the documented floor), and each downlink reservation lasts at
 *   least its serialization at the download rate; where data shares links
 *   (`concurrentData`), the one-at-a-time rule holds for control only, and each data segment
 *   runs no faster than the link;
 * - per node and metrics interval, the bytes its uplink and its downlink carry (spread over
 *   each message's time on the link) stay within capacity x interval, plus one message of
 *   rounding (times are whole microseconds);
 * - a message reaches a downlink no earlier than it left the uplink plus the pair's latency
 *   (a data segment that shares links: no earlier than it started on the uplink, since a flow
 *   crosses both links at once and its latency comes after);
 * - no chunk reaches a peer before it exists at the source plus the smallest latency;
 * - at the end: accepted = sent + discarded + pending bytes, dispatched = delivered + lost + in
 *   flight, delivered <= dispatched, and the per-node byte counters add up to the totals.
 */
export class InvariantChecker implements TransportObserver, RunListener {
  /** Broken invariants, in the order found (at most 20). */
  readonly problems: string[] = [];
  private readonly links: InvariantLinks;
  private readonly o: InvariantOptions;
  private readonly bins: number;
  private readonly upBins: Float64Array;
  private readonly downBins: Float64Array;
  private readonly upLastDone: Float64Array;
  private lastFrom = -1;
  private lastStart = 0;
  private lastDone = 0;
  private maxMessageBytes = 0;
  private upRateSeen: Float64Array;

  constructor(links: InvariantLinks, options: InvariantOptions) {
    this.links = links;
    this.o = options;
    this.bins = Math.max(1, Math.ceil(options.endMicros / options.intervalMicros) + 1);
    const cells = options.nodes * this.bins;
    if (cells > 50_000_000) {
      throw new RangeError(`invariant checker: ${cells} node-intervals exceed the limit of 5e7`);
    }
    this.upBins = new Float64Array(cells);
    this.downBins = new Float64Array(cells);
    this.upLastDone = new Float64Array(options.nodes);
    this.upRateSeen = new Float64Array(options.nodes);
  }

  onSend(
    from: number,
    _to: number,
    type: number,
    bytes: number,
    startMicros: number,
    doneMicros: number,
  ): void {
    const control = this.links.trafficOf(type) === Traffic.Control;
    const rate = control
      ? this.links.controlBitsPerSecond(from)
      : this.links.uploadBitsPerSecond(from);
    this.upRateSeen[from] = Math.max(this.upRateSeen[from], rate);
    this.maxMessageBytes = Math.max(this.maxMessageBytes, bytes);
    // Shared links: data segments overlap each other and the control share's messages.
    const serial = control || !this.links.concurrentData;
    if (serial && startMicros < this.upLastDone[from]) {
      this.problem(
        `node ${from}'s uplink sent two messages at once: one from ${startMicros} us while ` +
          `another ran until ${this.upLastDone[from]} us`,
      );
    }
    if (!(rate > 0) || doneMicros - startMicros < Math.floor((bytes * 8e6) / rate)) {
      this.problem(
        `node ${from} sent ${bytes} B in ${doneMicros - startMicros} us, faster than ${rate} bit/s`,
      );
    }
    if (serial) this.upLastDone[from] = doneMicros;
    this.lastFrom = from;
    this.lastStart = startMicros;
    this.lastDone = doneMicros;
    this.add(this.upBins, from, startMicros, doneMicros, bytes);
  }

  onReceive(
    from: number,
    to: number,
    type: number,
    bytes: number,
    startMicros: number,
    doneMicros: number,
  ): void {
    // The transport reports a message's downlink right after its uplink.
    if (from !== this.lastFrom) this.problem(`a downlink reservation for ${to} had no send`);
    const flow = this.links.concurrentData && this.links.trafficOf(type) !== Traffic.Control;
    const earliest = flow ? this.lastStart : this.lastDone + this.links.latencyMicros(from, to);
    if (startMicros < earliest) {
      this.problem(
        `a message from ${from} reached ${to}'s downlink at ${startMicros} us, before it could ` +
          `arrive (${earliest} us)`,
      );
    }
    const rate = this.links.downloadBitsPerSecond(to);
    if (rate > 0 && doneMicros - startMicros < Math.floor((bytes * 8e6) / rate)) {
      this.problem(`node ${to} received ${bytes} B faster than ${rate} bit/s`);
    }
    this.add(this.downBins, to, startMicros, doneMicros, bytes);
  }

  onChunkReceived(peer: number, chunk: number, timeMicros: number): void {
    const minLatency = this.o.minLatencyMicros;
    if (minLatency === undefined) return;
    const earliest = (chunk + 1) * this.o.chunkMicros + minLatency;
    if (timeMicros < earliest) {
      this.problem(
        `peer ${peer} got chunk ${chunk} at ${timeMicros} us, before it could exist there ` +
          `(${earliest} us)`,
      );
    }
  }

  /**
   * Checks the per-interval capacities and the end-of-run conservation laws. `counters` and
   * the per-node byte arrays are the transport's after its `finish`; `inFlightBytes` is what it
   * still had in flight.
   */
  finish(
    counters: TrafficCounters,
    uploadedBytes: Float64Array,
    downloadedBytes: Float64Array,
    inFlightBytes: number,
  ): string[] {
    this.checkIntervals();
    const c = counters;
    const sent = c.dataBytes + c.controlBytes;
    const near = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
    if (!near(c.acceptedBytes, sent + c.discardedBytes + c.pendingBytes)) {
      this.problem(
        `accepted ${c.acceptedBytes} B != sent ${sent} + discarded ${c.discardedBytes} + ` +
          `pending ${c.pendingBytes}`,
      );
    }
    if (!near(c.dispatchedBytes, c.deliveredBytes + c.lostBytes + inFlightBytes)) {
      this.problem(
        `dispatched ${c.dispatchedBytes} B != delivered ${c.deliveredBytes} + lost ` +
          `${c.lostBytes} + in flight ${inFlightBytes}`,
      );
    }
    if (c.deliveredBytes > c.dispatchedBytes) {
      this.problem(`delivered ${c.deliveredBytes} B > sent ${c.dispatchedBytes}`);
    }
    const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
    if (!near(sum(uploadedBytes), sent)) {
      this.problem(`per-node uploads sum to ${sum(uploadedBytes)} B, not the ${sent} B sent`);
    }
    if (!near(sum(downloadedBytes), c.deliveredBytes)) {
      this.problem(
        `per-node downloads sum to ${sum(downloadedBytes)} B, not the ${c.deliveredBytes} B delivered`,
      );
    }
    return this.problems;
  }

  private checkIntervals(): void {
    const interval = this.o.intervalMicros;
    // Rounding: each transmission lasts a whole number of µs, at most 1 µs longer than exact;
    // a message spread over that span is short of its bits by at most one message in total.
    const slack = this.maxMessageBytes;
    for (let node = 0; node < this.o.nodes; node++) {
      const upRate = this.upRateSeen[node];
      const downRate = this.links.downloadBitsPerSecond(node);
      for (let b = 0; b < this.bins; b++) {
        const up = this.upBins[node * this.bins + b];
        if (up > (upRate * interval) / 8e6 + slack) {
          this.problem(
            `node ${node} sent ${up} B in interval ${b}, over ${upRate} bit/s x ${interval} us`,
          );
        }
        const down = this.downBins[node * this.bins + b];
        if (downRate > 0 && down > (downRate * interval) / 8e6 + slack) {
          this.problem(
            `node ${node} received ${down} B in interval ${b}, over ${downRate} bit/s x ${interval} us`,
          );
        }
      }
    }
  }

  /** Spreads a message's bytes over the intervals of its time on one node's link. */
  private add(bins: Float64Array, node: number, start: number, end: number, bytes: number): void {
    spread(bins, this.o.intervalMicros, start, end, bytes, node * this.bins, this.bins);
  }

  private problem(text: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
  }
}
