import type { Simulator } from "../engine/simulator.ts";
import type { OptionReader } from "../scenario/reader.ts";
import type { LatencyModel } from "./latency.ts";
import { MessagePool, MessageState } from "./messagePool.ts";
import {
  type MessageHandler,
  Traffic,
  type TrafficCounters,
  type TrafficValue,
  type TransportObserver,
} from "./traffic.ts";

export {
  type MessageHandler,
  Traffic,
  type TrafficCounters,
  type TrafficValue,
  type TransportObserver,
} from "./traffic.ts";

/** Options of the transport (`network:` in a scenario). */
export interface TransportOptions {
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
   * Most messages queued or in flight at once across the network (a limit, enforced: reaching it
   * stops the run with an error naming `network.maxInFlightMessages`, as `limits.maxEvents`
   * does). Default 50 million.
   */
  maxInFlightMessages: number;
}

/** Resolves `network`. */
export function resolveTransportOptions(reader: OptionReader): TransportOptions {
  return {
    maxBacklogSeconds: reader.durationSeconds("maxBacklog", 30, { above: 0 }),
    controlFloorBitsPerSecond: reader.bitsPerSecond("controlFloor", 64e3, { above: 0 }),
    maxInFlightMessages: reader.integer("maxInFlightMessages", 50_000_000, { min: 1 }),
  };
}

/** The end of a queue (no message). */
const NO_HANDLE = -1;

/**
 * The only way nodes talk. Every message, data or control, is serialized on the sender's uplink
 * (at its upload capacity), travels the pairwise one-way latency, and is serialized on the
 * receiver's downlink (store and forward at both access links).
 *
 * Uplink: one message on the wire at a time, never preempted. Data waits in a FIFO queue;
 * control goes ahead of waiting data (as routers and TCP stacks prioritise it) but behind the
 * message on the wire and behind earlier control, so its slot on the wire is known when it is
 * sent. Data that cannot start at once is queued and put on the wire when the wire frees (one
 * event per queued message). Over any window an uplink therefore carries at most its capacity
 * times the window plus one message. Control from a node whose upload is below
 * `controlFloor` is serialized at the floor rate (a free rider still sends requests), so such a
 * node's uplink may carry up to the floor rate; that is the only excess over capacity.
 *
 * Downlink: a FIFO of reservations made when a message is put on the uplink (its arrival time
 * is then known). A reservation made out of arrival order leaves an idle gap before it; the last
 * such gap is remembered and a later, earlier-arriving message that fits is placed in it, so a
 * message booked far ahead does not block the link. Reservations never overlap, so a downlink
 * carries at most its capacity.
 *
 * A message is lost if its sender leaves abruptly before the message has left its uplink (it
 * counts as sent and lost), or if the receiver is offline when it arrives. A graceful leaver's
 * message on the wire and its control still go out; its queued data is discarded. Data that
 * would wait longer than `maxBacklogSeconds` is refused at once. Strategies can read
 * {@link uplinkBacklogMicros} to avoid that.
 */
export class Transport {
  /** Counters, updated as messages are sent, delivered or dropped. */
  readonly counters: TrafficCounters = {
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
  /** Bytes each node has sent (any class), counted as {@link TrafficCounters} count them. */
  readonly uploadedBytes: Float64Array;
  /** Bytes each node has received (any class). */
  readonly downloadedBytes: Float64Array;

  private readonly sim: Simulator;
  private readonly latency: LatencyModel;
  private readonly upload: Float64Array;
  private readonly download: Float64Array;
  private readonly controlFloor: number;
  private readonly horizonMicros: number;
  private readonly deliverKind: number;
  private readonly uplinkKind: number;
  private readonly handlers: MessageHandler[] = [];
  private readonly classes: TrafficValue[] = [];
  private readonly names: string[] = [];
  /** When each uplink has sent the message on its wire and the control booked after it, µs. */
  private readonly upFreeAt: Float64Array;
  /** Each uplink's data queue (handles linked through the pool's `next`), head and tail. */
  private readonly queueHead: Int32Array;
  private readonly queueTail: Int32Array;
  /** Serialization time (µs) and bytes of each uplink's queued data. */
  private readonly queueMicros: Float64Array;
  private readonly queueBytes: Float64Array;
  /** 1 while an uplink has a wire-free event pending. */
  private readonly uplinkPending: Uint8Array;
  /** End of each downlink's last reservation, and the idle gap [gapStart, gapEnd) before it. */
  private readonly downFreeAt: Float64Array;
  private readonly gapStart: Float64Array;
  private readonly gapEnd: Float64Array;
  private readonly downSince: Float64Array;
  private readonly downAbrupt: Uint8Array;
  private readonly maxBacklogMicros: number;
  private readonly pool: MessagePool;
  /** Recipients of multicasts waiting in an uplink queue, by handle (rare: copied once). */
  private readonly waitingRecipients = new Map<number, Int32Array>();
  private observers: TransportObserver[] = [];
  private sendObservers: TransportObserver[] = [];
  private receiveObservers: TransportObserver[] = [];

  /**
   * @param upload, download capacities of node n in bits/s (node 0 is the source).
   * @param horizonMicros end of the run: a message whose transmission ends later counts as
   *   pending, not sent (default: never).
   */
  constructor(
    sim: Simulator,
    latency: LatencyModel,
    upload: Float64Array,
    download: Float64Array,
    options: TransportOptions,
    horizonMicros = Number.POSITIVE_INFINITY,
  ) {
    this.sim = sim;
    this.latency = latency;
    this.upload = upload;
    this.download = download;
    this.controlFloor = options.controlFloorBitsPerSecond;
    this.horizonMicros = horizonMicros;
    const nodes = upload.length;
    this.upFreeAt = new Float64Array(nodes);
    this.queueHead = new Int32Array(nodes).fill(NO_HANDLE);
    this.queueTail = new Int32Array(nodes).fill(NO_HANDLE);
    this.queueMicros = new Float64Array(nodes);
    this.queueBytes = new Float64Array(nodes);
    this.uplinkPending = new Uint8Array(nodes);
    this.downFreeAt = new Float64Array(nodes);
    this.gapStart = new Float64Array(nodes);
    this.gapEnd = new Float64Array(nodes);
    this.downSince = new Float64Array(nodes).fill(Number.POSITIVE_INFINITY);
    this.downAbrupt = new Uint8Array(nodes);
    this.uploadedBytes = new Float64Array(nodes);
    this.downloadedBytes = new Float64Array(nodes);
    this.maxBacklogMicros = Math.round(options.maxBacklogSeconds * 1e6);
    this.pool = new MessagePool(options.maxInFlightMessages);
    this.deliverKind = sim.register("transport/deliver", ["handle"], (handle) =>
      this.deliver(handle),
    );
    this.uplinkKind = sim.register("transport/uplink-free", ["node"], (node) =>
      this.uplinkFree(node),
    );
  }

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

  /** The rate control messages from `node` are serialized at, bits/s (upload or the floor). */
  controlBitsPerSecond(node: number): number {
    return Math.max(this.upload[node], this.controlFloor);
  }

  /** How long data sent by `node` now would wait before its uplink starts sending it, µs. */
  uplinkBacklogMicros(node: number): number {
    return Math.max(0, this.upFreeAt[node] - this.sim.nowMicros) + this.queueMicros[node];
  }

  /** Messages queued or in flight now. */
  get liveMessages(): number {
    return this.pool.live;
  }

  /**
   * Marks a node as gone; what reaches it from now on is lost. Its queued data is discarded.
   * After an abrupt departure what it had not finished sending is lost too; after a graceful
   * one, the message on its wire and the control booked behind it (goodbyes sent at the moment
   * of leaving) still go out.
   */
  nodeDown(node: number, abrupt: boolean): void {
    this.downSince[node] = this.sim.nowMicros;
    this.downAbrupt[node] = abrupt ? 1 : 0;
    const pool = this.pool;
    for (let h = this.queueHead[node]; h !== NO_HANDLE; ) {
      const next = pool.next[h];
      const bytes = pool.bytes[h];
      this.counters.droppedAtSender++;
      this.counters.discardedBytes += bytes;
      if (this.classes[pool.type[h]] === Traffic.Data) this.counters.droppedDataBytes += bytes;
      this.waitingRecipients.delete(h);
      pool.release(h);
      h = next;
    }
    this.queueHead[node] = NO_HANDLE;
    this.queueTail[node] = NO_HANDLE;
    this.queueMicros[node] = 0;
    this.queueBytes[node] = 0;
  }

  /** True when the node is not marked down. */
  isUp(node: number): boolean {
    return this.downSince[node] === Number.POSITIVE_INFINITY;
  }

  /**
   * Sends a message of `bytes` bytes from `from` to `to`. Returns false when it was dropped at
   * once (the sender is down, has no capacity for data, or its uplink backlog is over the limit).
   */
  send(from: number, to: number, type: number, bytes: number, p0 = 0, p1 = 0): boolean {
    if (this.downSince[from] !== Number.POSITIVE_INFINITY) return false;
    const control = this.classes[type] === Traffic.Control;
    if (!control && !this.acceptsData(from, bytes)) return false;
    const h = this.newMessage(type, from, to, bytes, p0, p1);
    this.counters.acceptedBytes += bytes;
    this.dispatch(h, from, control);
    return true;
  }

  /**
   * Ideal network-layer multicast of one data message: the sender's uplink carries it once, the
   * network replicates it, and each recipient gets it after the sender's serialization, its own
   * latency from the sender and its own download serialization. The reference point that no
   * overlay can beat. Returns false when the message was dropped at the sender.
   */
  multicast(
    from: number,
    recipients: { readonly size: number; at(index: number): number },
    type: number,
    bytes: number,
    p0 = 0,
    p1 = 0,
  ): boolean {
    if (recipients.size === 0) return true;
    if (this.downSince[from] !== Number.POSITIVE_INFINITY) return false;
    if (!this.acceptsData(from, bytes)) return false;
    const h = this.newMessage(type, from, NO_HANDLE, bytes, p0, p1);
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
   * as {@link send} charges a control message: the sender's uplink (ahead of waiting data),
   * the receiver's downlink, the counters, the observers; it counts as delivered. `type` must be
   * a registered control type. Returns the time the message reaches `to` (µs, as {@link send}
   * would deliver it), or -1 when the sender is down. Whether the receiver is still up on
   * arrival is the caller's to check.
   */
  sendUndelivered(from: number, to: number, type: number, bytes: number): number {
    if (this.downSince[from] !== Number.POSITIVE_INFINITY) return -1;
    this.counters.acceptedBytes += bytes;
    const done = this.bookUplink(from, to, type, bytes, true);
    return this.undelivered(from, to, type, bytes, done);
  }

  /**
   * Sends one control message of `bytesEach` bytes to each of the first `count` nodes in
   * `receivers`, without delivery events (a HAVE announced to every neighbour, whose effect the
   * caller derives from the arrival times). The copies leave the sender's uplink back to back,
   * as one burst of `count` x `bytesEach` bytes ahead of waiting data, and each copy is
   * serialized on its receiver's downlink, so a fan-out is charged on every link it crosses, as
   * {@link sendUndelivered} charges one message. Returns when the burst has left the uplink
   * (µs), or -1 when the sender is down.
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
    const done = this.bookUplink(from, NO_HANDLE, type, bytes, true);
    for (let i = 0; i < count; i++) this.undelivered(from, receivers[i], type, bytesEach, done);
    return done;
  }

  /**
   * Settles the counters at the end of the run: data still waiting in uplink queues is added to
   * {@link TrafficCounters.pendingBytes}. Call once, after the last event.
   */
  finish(): void {
    for (let node = 0; node < this.queueBytes.length; node++) {
      this.counters.pendingBytes += this.queueBytes[node];
    }
  }

  /**
   * Bytes dispatched and counted as sent whose delivery has not happened yet (in flight on the
   * network or a downlink). A scan of the pool, for checks at the end of a run.
   */
  inFlightBytes(): number {
    const pool = this.pool;
    let bytes = 0;
    for (let h = 0; h < pool.extent; h++) {
      if (pool.state[h] === MessageState.Scheduled && pool.done[h] <= this.horizonMicros) {
        bytes += pool.bytes[h];
      }
    }
    return bytes + this.undeliveredInFlight;
  }

  /** Bytes of undelivered control (no event) that arrive after the horizon. */
  private undeliveredInFlight = 0;

  /** A pooled message with these fields (throws at `network.maxInFlightMessages`). */
  private newMessage(
    type: number,
    from: number,
    to: number,
    bytes: number,
    p0: number,
    p1: number,
  ): number {
    const pool = this.pool;
    const h = pool.allocate(this.sim.nowMicros);
    pool.type[h] = type;
    pool.from[h] = from;
    pool.to[h] = to;
    pool.bytes[h] = bytes;
    pool.p0[h] = p0;
    pool.p1[h] = p1;
    return h;
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

  /**
   * Puts an accepted message on its sender's wire, or queues it: control goes at once (ahead of
   * waiting data, behind the wire); data goes at once only when the wire is free and no data
   * waits.
   */
  private dispatch(h: number, from: number, control: boolean): void {
    const now = this.sim.nowMicros;
    if (control || (this.upFreeAt[from] <= now && this.queueHead[from] === NO_HANDLE)) {
      this.putOnWire(h, Math.max(now, this.upFreeAt[from]));
      return;
    }
    const pool = this.pool;
    pool.state[h] = MessageState.Queued;
    pool.next[h] = NO_HANDLE;
    const tail = this.queueTail[from];
    if (tail === NO_HANDLE) this.queueHead[from] = h;
    else pool.next[tail] = h;
    this.queueTail[from] = h;
    const bytes = pool.bytes[h];
    this.queueMicros[from] += this.serialization(bytes, this.upload[from]);
    this.queueBytes[from] += bytes;
    if (this.uplinkPending[from] === 0) {
      this.uplinkPending[from] = 1;
      this.sim.at(this.upFreeAt[from], this.uplinkKind, from);
    }
  }

  /** The wire of `node` is free (or was, when the event was set): its next queued data goes. */
  private uplinkFree(node: number): void {
    this.uplinkPending[node] = 0;
    const h = this.queueHead[node];
    if (h === NO_HANDLE) return;
    const now = this.sim.nowMicros;
    if (this.upFreeAt[node] > now) {
      // Control took the wire meanwhile; the data waits for it.
      this.uplinkPending[node] = 1;
      this.sim.at(this.upFreeAt[node], this.uplinkKind, node);
      return;
    }
    const pool = this.pool;
    const next = pool.next[h];
    this.queueHead[node] = next;
    if (next === NO_HANDLE) this.queueTail[node] = NO_HANDLE;
    const bytes = pool.bytes[h];
    this.queueMicros[node] -= this.serialization(bytes, this.upload[node]);
    this.queueBytes[node] -= bytes;
    this.putOnWire(h, now);
    if (next !== NO_HANDLE) {
      this.uplinkPending[node] = 1;
      this.sim.at(this.upFreeAt[node], this.uplinkKind, node);
    }
  }

  /**
   * Puts message h on its sender's wire from `start` (µs), reserves each receiver's downlink and
   * schedules the deliveries.
   */
  private putOnWire(h: number, start: number): void {
    const pool = this.pool;
    const from = pool.from[h];
    const to = pool.to[h];
    const type = pool.type[h];
    const bytes = pool.bytes[h];
    const control = this.classes[type] === Traffic.Control;
    const done = this.bookUplink(from, to, type, bytes, control, start);
    const counted = done <= this.horizonMicros;
    if (to !== NO_HANDLE) {
      pool.state[h] = MessageState.Scheduled;
      pool.start[h] = start;
      pool.done[h] = done;
      if (counted) this.counters.dispatchedBytes += bytes;
      this.sim.at(this.arrival(from, to, type, bytes, done), this.deliverKind, h);
      return;
    }
    // A multicast: one copy per recipient from here on.
    const list = this.waitingRecipients.get(h)!;
    this.waitingRecipients.delete(h);
    const p0 = pool.p0[h];
    const p1 = pool.p1[h];
    pool.release(h);
    for (let i = 0; i < list.length; i++) {
      const r = list[i];
      const copy = this.newMessage(type, from, r, bytes, p0, p1);
      pool.state[copy] = MessageState.Scheduled;
      pool.start[copy] = start;
      pool.done[copy] = done;
      if (counted) this.counters.dispatchedBytes += bytes;
      this.sim.at(this.arrival(from, r, type, bytes, done), this.deliverKind, copy);
    }
  }

  /**
   * Occupies `from`'s wire with one message from `start` (default: as soon as the wire and the
   * control booked on it allow) and counts it; returns when it has left (µs).
   */
  private bookUplink(
    from: number,
    to: number,
    type: number,
    bytes: number,
    control: boolean,
    start = Math.max(this.sim.nowMicros, this.upFreeAt[from]),
  ): number {
    const rate = control ? Math.max(this.upload[from], this.controlFloor) : this.upload[from];
    const done = start + this.serialization(bytes, rate);
    this.upFreeAt[from] = done;
    const c = this.counters;
    if (done <= this.horizonMicros) {
      if (control) c.controlBytes += bytes;
      else {
        c.dataBytes += bytes;
        if (from === 0) c.sourceDataBytes += bytes;
      }
      this.uploadedBytes[from] += bytes;
    } else {
      c.pendingBytes += bytes;
    }
    for (const o of this.sendObservers) o.onSend!(from, to, type, bytes, start, done);
    return done;
  }

  /** Charges an undelivered control message's downlink and counts it as delivered. */
  private undelivered(from: number, to: number, type: number, bytes: number, done: number): number {
    const at = this.arrival(from, to, type, bytes, done);
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

  /** Serialization time (µs) of `bytes` at `rate` bits/s; 0 for an unlimited (0) rate. */
  private serialization(bytes: number, rate: number): number {
    return rate > 0 ? Math.ceil((bytes * 8 * 1e6) / rate) : 0;
  }

  /**
   * When a message that leaves `from`'s uplink at `done` is delivered at `to`: it reaches the
   * downlink after the latency and is serialized there in the last idle gap if it fits,
   * otherwise after the downlink's last reservation.
   */
  private arrival(from: number, to: number, type: number, bytes: number, done: number): number {
    const arrive = done + this.latency.micros(from, to);
    const serialization = this.serialization(bytes, this.download[to]);
    const free = this.downFreeAt[to];
    let start: number;
    if (arrive >= free) {
      start = arrive;
      this.gapStart[to] = free;
      this.gapEnd[to] = arrive;
      this.downFreeAt[to] = arrive + serialization;
    } else {
      const inGap = Math.max(arrive, this.gapStart[to]);
      if (inGap + serialization <= this.gapEnd[to]) {
        start = inGap;
        this.gapStart[to] = inGap + serialization;
      } else {
        start = free;
        this.downFreeAt[to] = free + serialization;
      }
    }
    const deliverAt = start + serialization;
    for (const o of this.receiveObservers) o.onReceive!(from, to, type, bytes, start, deliverAt);
    return deliverAt;
  }

  private deliver(h: number): void {
    const pool = this.pool;
    const from = pool.from[h];
    const to = pool.to[h];
    const type = pool.type[h];
    const bytes = pool.bytes[h];
    const p0 = pool.p0[h];
    const p1 = pool.p1[h];
    const cut = this.downAbrupt[from] === 1 && this.downSince[from] < pool.done[h];
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
    this.handlers[type](from, to, p0, p1, bytes);
  }
}
