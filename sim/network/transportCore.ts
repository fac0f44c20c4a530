import type { Simulator } from "../engine/simulator.ts";
import type { LatencyModel } from "./latency.ts";
import { MessageF64, MessageI32, MessagePool, MessageState } from "./messagePool.ts";
import {
  type MessageHandler,
  newTrafficCounters,
  Traffic,
  type TrafficCounters,
  type TrafficValue,
  type TransportObserver,
} from "./traffic.ts";
import type { NetworkModel, NetworkModelInput } from "./transport.ts";

/** The end of a queue, or a multicast's missing single receiver (no message, no node). */
export const NO_HANDLE = -1;

/**
 * What every network model shares: the registry of message types, the observers, the
 * counters, the pooled messages, who is up, and delivery. A model decides how the links carry
 * messages: it implements {@link dispatch} (put an accepted message on its way), the control
 * booking behind {@link sendUndelivered} and {@link sendFanOut}, the backlog, departures and
 * the end-of-run settlement.
 */
export abstract class TransportCore implements NetworkModel {
  abstract readonly concurrentData: boolean;
  /** Counters, updated as messages are sent, delivered or dropped. */
  readonly counters: TrafficCounters = newTrafficCounters();
  /** Bytes each node has sent (any class), counted as {@link TrafficCounters} count them. */
  readonly uploadedBytes: Float64Array;
  /** Bytes each node has received (any class). */
  readonly downloadedBytes: Float64Array;

  protected readonly sim: Simulator;
  protected readonly latency: LatencyModel;
  protected readonly upload: Float64Array;
  protected readonly download: Float64Array;
  protected readonly controlFloor: number;
  protected readonly horizonMicros: number;
  protected readonly deliverKind: number;
  protected readonly classes: TrafficValue[] = [];
  protected readonly downSince: Float64Array;
  protected readonly downAbrupt: Uint8Array;
  protected readonly maxBacklogMicros: number;
  protected readonly pool: MessagePool;
  /** Recipients of multicasts not yet through the uplink, by handle (rare: copied once). */
  protected readonly waitingRecipients = new Map<number, Int32Array>();
  protected sendObservers: TransportObserver[] = [];
  protected receiveObservers: TransportObserver[] = [];
  /** Bytes of undelivered control (no event) that arrive after the horizon. */
  protected undeliveredInFlight = 0;
  private readonly handlers: MessageHandler[] = [];
  private readonly names: string[] = [];
  private observers: TransportObserver[] = [];

  constructor(input: NetworkModelInput) {
    const { sim, latency, upload, download, options } = input;
    this.sim = sim;
    this.latency = latency;
    this.upload = upload;
    this.download = download;
    this.controlFloor = options.controlFloorBitsPerSecond;
    this.horizonMicros = input.horizonMicros ?? Number.POSITIVE_INFINITY;
    const nodes = upload.length;
    this.downSince = new Float64Array(nodes).fill(Number.POSITIVE_INFINITY);
    this.downAbrupt = new Uint8Array(nodes);
    this.uploadedBytes = new Float64Array(nodes);
    this.downloadedBytes = new Float64Array(nodes);
    this.maxBacklogMicros = Math.round(options.maxBacklogSeconds * 1e6);
    this.pool = new MessagePool(options.maxInFlightMessages);
    // The event carries the ends as well as the handle, so that the receiver's state can be
    // fetched from memory at the same time as the message's record, not after it.
    this.deliverKind = sim.register("transport/deliver", ["handle", "from", "to"], (h, from, to) =>
      this.deliver(h, from, to),
    );
  }

  abstract controlBitsPerSecond(node: number): number;
  abstract uplinkBacklogMicros(node: number): number;
  abstract nodeDown(node: number, abrupt: boolean): void;
  abstract finish(): void;
  /** Puts an accepted message (counted as accepted) on its way. */
  protected abstract dispatch(h: number, from: number, control: boolean): void;
  /**
   * Occupies `from`'s uplink with one control message (or a fan-out burst, `to` -1), counts it
   * as sent and reports it; returns when it has left the uplink (µs).
   */
  protected abstract bookControl(from: number, to: number, type: number, bytes: number): number;
  /**
   * Charges `to`'s downlink for a control message that left `from`'s uplink at `done`, reports
   * it, and returns when it is delivered (µs).
   */
  protected abstract controlArrival(
    from: number,
    to: number,
    type: number,
    bytes: number,
    done: number,
  ): number;

  /** When data that left `from`'s uplink at `done` is delivered at `to` (µs), its downlink charged. */
  protected abstract dataArrival(
    from: number,
    to: number,
    type: number,
    bytes: number,
    done: number,
  ): number;

  /** Registers a message type and its handler; returns the type id for {@link send}. */
  register(name: string, traffic: TrafficValue, handler: MessageHandler): number {
    this.handlers.push(handler);
    this.classes.push(traffic);
    this.names.push(name);
    return this.handlers.length - 1;
  }

  /** Traffic class of a registered message type. */
  trafficOf(type: number): TrafficValue {
    return this.classes[type];
  }

  /** Name of a registered message type. */
  nameOf(type: number): string {
    return this.names[type];
  }

  /** Adds a link observer (several may watch; they run in the order added). */
  observe(observer: TransportObserver): void {
    this.observers.push(observer);
    this.sendObservers = this.observers.filter((o) => o.onSend);
    this.receiveObservers = this.observers.filter((o) => o.onReceive);
  }

  /** One-way latency between two nodes, microseconds. */
  latencyMicros(a: number, b: number): number {
    return this.latency.micros(a, b);
  }

  /** Upload capacity of a node, bits/s. */
  uploadBitsPerSecond(node: number): number {
    return this.upload[node];
  }

  /** Download capacity of a node, bits/s. */
  downloadBitsPerSecond(node: number): number {
    return this.download[node];
  }

  /** Messages queued or in flight now. */
  get liveMessages(): number {
    return this.pool.live;
  }

  /** True when the node is not marked down. */
  isUp(node: number): boolean {
    return this.downSince[node] === Number.POSITIVE_INFINITY;
  }

  /**
   * Sends a message of `bytes` bytes from `from` to `to`. Returns false when it was dropped at
   * once (the sender is down, has no capacity for data, or its uplink backlog is over the limit).
   */
  send(from: number, to: number, type: number, bytes: number, p0 = 0, p1 = 0, p2 = 0): boolean {
    if (this.downSince[from] !== Number.POSITIVE_INFINITY) return false;
    const control = this.classes[type] === Traffic.Control;
    if (!control && !this.acceptsData(from, bytes)) return false;
    const h = this.pool.allocate(this.sim.nowMicros, type, from, to, bytes, p0, p1, p2);
    this.counters.acceptedBytes += bytes;
    this.dispatch(h, from, control);
    return true;
  }

  /**
   * Ideal network-layer multicast of one data message: the sender's uplink carries it once, the
   * network replicates it (every copy with the same payload words), and each recipient gets it
   * after the sender's serialization, its own latency from the sender and its own download
   * serialization. The reference point that no overlay can beat. Returns false when the message
   * was dropped at the sender.
   */
  multicast(
    from: number,
    recipients: { readonly size: number; at(index: number): number },
    type: number,
    bytes: number,
    p0 = 0,
    p1 = 0,
    p2 = 0,
  ): boolean {
    if (recipients.size === 0) return true;
    if (this.downSince[from] !== Number.POSITIVE_INFINITY) return false;
    if (!this.acceptsData(from, bytes)) return false;
    const h = this.pool.allocate(this.sim.nowMicros, type, from, NO_HANDLE, bytes, p0, p1, p2);
    const list = new Int32Array(recipients.size);
    for (let i = 0; i < list.length; i++) list[i] = recipients.at(i);
    this.waitingRecipients.set(h, list);
    this.counters.acceptedBytes += bytes;
    this.dispatch(h, from, false);
    return true;
  }

  /**
   * Sends a control message without scheduling its delivery, for a caller that models the
   * arrival itself (a request the receiver will find when it next looks). It is charged exactly
   * as {@link send} charges a control message: the sender's uplink, the receiver's downlink,
   * the counters, the observers; it counts as delivered. `type` must be a registered control
   * type. Returns the time the message reaches `to` (µs, as {@link send} would deliver it), or
   * -1 when the sender is down. Whether the receiver is still up on arrival is the caller's to
   * check.
   */
  sendUndelivered(from: number, to: number, type: number, bytes: number): number {
    if (this.downSince[from] !== Number.POSITIVE_INFINITY) return -1;
    this.counters.acceptedBytes += bytes;
    const done = this.bookControl(from, to, type, bytes);
    return this.undelivered(from, to, type, bytes, done);
  }

  /**
   * Sends one control message of `bytesEach` bytes to each of the first `count` nodes in
   * `receivers`, without delivery events (a HAVE announced to every neighbour, whose effect the
   * caller derives from the arrival times). The copies leave the sender's uplink back to back,
   * as one burst of `count` x `bytesEach` bytes, and each copy is serialized on its receiver's
   * downlink, so a fan-out is charged on every link it crosses, as {@link sendUndelivered}
   * charges one message. Returns when the burst has left the uplink (µs), or -1 when the sender
   * is down.
   */
  sendFanOut(
    from: number,
    type: number,
    bytesEach: number,
    receivers: Int32Array,
    count: number,
  ): number {
    if (this.downSince[from] !== Number.POSITIVE_INFINITY) return -1;
    const bytes = bytesEach * count;
    this.counters.acceptedBytes += bytes;
    const done = this.bookControl(from, NO_HANDLE, type, bytes);
    for (let i = 0; i < count; i++) this.undelivered(from, receivers[i], type, bytesEach, done);
    return done;
  }

  /**
   * Bytes dispatched and counted as sent whose delivery has not happened yet (in flight on the
   * network or a downlink). A scan of the pool, for checks at the end of a run.
   */
  inFlightBytes(): number {
    const pool = this.pool;
    let bytes = 0;
    for (let h = 0; h < pool.extent; h++) {
      if (pool.state(h) === MessageState.Scheduled && pool.done(h) <= this.horizonMicros) {
        bytes += pool.bytes(h) * pool.refs(h);
      }
    }
    return bytes + this.undeliveredInFlight;
  }

  /** Books an accepted control message on its sender's uplink and schedules its delivery. */
  protected dispatchControl(h: number, from: number): void {
    const pool = this.pool;
    const mi = h * MessageI32.Stride;
    const to = pool.i32[mi + MessageI32.To];
    const type = pool.i32[mi + MessageI32.Type];
    const bytes = pool.f64[h * MessageF64.Stride + MessageF64.Bytes];
    const done = this.bookControl(from, to, type, bytes);
    pool.i32[mi + MessageI32.State] = MessageState.Scheduled;
    pool.f64[h * MessageF64.Stride + MessageF64.Done] = done;
    if (done <= this.horizonMicros) this.counters.dispatchedBytes += bytes;
    this.sim.at(this.controlArrival(from, to, type, bytes, done), this.deliverKind, h, from, to);
  }

  /**
   * Counts a control message (or fan-out burst) that occupies `from`'s uplink over [start,
   * done) as sent, or as pending past the end of the run, and reports it; returns `done`.
   */
  protected controlSent(
    from: number,
    to: number,
    type: number,
    bytes: number,
    start: number,
    done: number,
  ): number {
    if (done <= this.horizonMicros) {
      this.counters.controlBytes += bytes;
      this.uploadedBytes[from] += bytes;
    } else {
      this.counters.pendingBytes += bytes;
    }
    this.reportSend(from, to, type, bytes, start, done);
    return done;
  }

  /**
   * Counts a data message of `bytes` from `from` as sent: its last byte left the sender's uplink
   * at `now`. Past the end of the run (an unbounded test run only) it is pending instead, and
   * never delivered. Returns whether it counted as sent.
   */
  protected countSent(from: number, bytes: number, now: number): boolean {
    const c = this.counters;
    if (now > this.horizonMicros) {
      c.pendingBytes += bytes;
      return false;
    }
    c.dataBytes += bytes;
    if (from === 0) c.sourceDataBytes += bytes;
    this.uploadedBytes[from] += bytes;
    return true;
  }

  /**
   * Schedules the delivery of data message h from `from` to `to` (-1: a multicast, one copy per
   * recipient from here on), which left its sender's uplink at `now`, each at its
   * {@link dataArrival}.
   */
  protected scheduleDelivery(
    h: number,
    from: number,
    to: number,
    now: number,
    counted: boolean,
  ): void {
    const pool = this.pool;
    const c = this.counters;
    const m = h * MessageF64.Stride;
    const mi = h * MessageI32.Stride;
    const type = pool.i32[mi + MessageI32.Type];
    const bytes = pool.f64[m + MessageF64.Bytes];
    if (to !== NO_HANDLE) {
      pool.i32[mi + MessageI32.State] = MessageState.Scheduled;
      pool.f64[m + MessageF64.Done] = now;
      if (counted) c.dispatchedBytes += bytes;
      this.sim.at(this.dataArrival(from, to, type, bytes, now), this.deliverKind, h, from, to);
      return;
    }
    // One delivery per receiver, all reading the multicast's own record (each event carries
    // its receiver).
    const list = this.waitingRecipients.get(h)!;
    this.waitingRecipients.delete(h);
    pool.share(h, list.length, this.sim.nowMicros);
    pool.setState(h, MessageState.Scheduled);
    pool.setDone(h, now);
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      if (counted) c.dispatchedBytes += bytes;
      this.sim.at(this.dataArrival(from, r, type, bytes, now), this.deliverKind, h, from, r);
    }
  }

  /** Marks `node` down from now (what reaches it from now on is lost). */
  protected markDown(node: number, abrupt: boolean): void {
    this.downSince[node] = this.sim.nowMicros;
    this.downAbrupt[node] = abrupt ? 1 : 0;
  }

  /** Counts accepted data that never left its departed sender's uplink, and frees it. */
  protected discard(h: number): void {
    const pool = this.pool;
    const bytes = pool.bytes(h);
    this.counters.droppedAtSender++;
    this.counters.discardedBytes += bytes;
    if (this.classes[pool.type(h)] === Traffic.Data) this.counters.droppedDataBytes += bytes;
    this.waitingRecipients.delete(h);
    pool.release(h);
  }

  /** Tells the send observers that `bytes` of a message left `from`'s uplink in [start, done], µs. */
  protected reportSend(
    from: number,
    to: number,
    type: number,
    bytes: number,
    start: number,
    done: number,
  ): void {
    for (const o of this.sendObservers) o.onSend!(from, to, type, bytes, start, done);
  }

  /** Tells the receive observers that `bytes` crossed `to`'s downlink in [start, done], µs. */
  protected reportReceive(
    from: number,
    to: number,
    type: number,
    bytes: number,
    start: number,
    done: number,
  ): void {
    for (const o of this.receiveObservers) o.onReceive!(from, to, type, bytes, start, done);
  }

  /** Whether `from` may queue `bytes` of data now; counts the refusal when not. */
  private acceptsData(from: number, bytes: number): boolean {
    if (this.upload[from] > 0 && this.uplinkBacklogMicros(from) <= this.maxBacklogMicros) {
      return true;
    }
    this.counters.droppedAtSender++;
    this.counters.refusedBytes += bytes;
    this.counters.droppedDataBytes += bytes;
    return false;
  }

  /** Charges an undelivered control message's downlink and counts it as delivered. */
  private undelivered(from: number, to: number, type: number, bytes: number, done: number): number {
    const at = this.controlArrival(from, to, type, bytes, done);
    if (done > this.horizonMicros) return at;
    this.counters.dispatchedBytes += bytes;
    if (at <= this.horizonMicros) {
      this.counters.delivered++;
      this.counters.deliveredBytes += bytes;
      this.downloadedBytes[to] += bytes;
    } else {
      this.undeliveredInFlight += bytes;
    }
    return at;
  }

  /**
   * Delivers message h, from `from` to `to`: lost when its sender left abruptly before it was
   * through the uplink or its receiver is gone; otherwise counted and handed to its type's
   * handler.
   */
  private deliver(h: number, from: number, to: number): void {
    const pool = this.pool;
    const f64 = pool.f64;
    const m = h * MessageF64.Stride;
    const type = pool.i32[h * MessageI32.Stride + MessageI32.Type];
    const bytes = f64[m + MessageF64.Bytes];
    const p0 = f64[m + MessageF64.P0];
    const p1 = f64[m + MessageF64.P1];
    const p2 = f64[m + MessageF64.P2];
    const cut = this.downSince[from] < f64[m + MessageF64.Done] && this.downAbrupt[from] === 1;
    pool.release(h);
    const c = this.counters;
    const data = this.classes[type] === Traffic.Data;
    if (cut || this.downSince[to] !== Number.POSITIVE_INFINITY) {
      c.droppedInFlight++;
      c.lostBytes += bytes;
      if (data) c.droppedDataBytes += bytes;
      return;
    }
    c.delivered++;
    c.deliveredBytes += bytes;
    if (data) {
      c.deliveredDataBytes += bytes;
      if (from === 0) c.sourceDeliveredDataBytes += bytes;
    }
    this.downloadedBytes[to] += bytes;
    this.handlers[type](from, to, p0, p1, bytes, p2);
  }
}
