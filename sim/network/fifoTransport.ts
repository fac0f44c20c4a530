import type { Simulator } from "../engine/simulator.ts";
import { Downlinks, serializationMicros } from "./downlinks.ts";
import type { LatencyModel } from "./latency.ts";
import { MessagePool, MessageState } from "./messagePool.ts";
import {
  type MessageHandler,
  newTrafficCounters,
  Traffic,
  type TrafficCounters,
  type TrafficValue,
  type TransportObserver,
} from "./traffic.ts";
import type { NetworkModel } from "./transport.ts";
import type { TransportOptions } from "./transportOptions.ts";
import { UplinkQueues } from "./uplinkQueues.ts";

/** The end of a queue (no message). */
const NO_HANDLE = -1;

/**
 * The `fifo` network model (the default): the only way nodes talk. Every message, data or control, is serialized on the sender's uplink
 * (at its upload capacity), travels the pairwise one-way latency, and is serialized on the
 * receiver's downlink (store and forward at both access links).
 *
 * Uplink: data leaves in FIFO order, one message after the other, as a train of packets;
 * control goes between two packets of the data on the wire (as TCP interleaves segments), ahead
 * of waiting data and behind earlier control, so its slot on the wire is known when it is sent,
 * and the data it interrupts leaves that much later. Data is put on the wire when the wire
 * frees and reserves its receiver's downlink when it has left (one event per data message).
 * Over any window an uplink carries at most its capacity times the window. Control from a node
 * whose upload is below `controlFloor` is serialized at the floor rate (a free rider still
 * sends requests), so such a node's uplink may carry up to the floor rate; that is the only
 * excess over capacity.
 *
 * Downlink: reserved when a message's arrival time is known (control when sent, data when it
 * has left the uplink), as {@link Downlinks} describes; it carries at most its capacity.
 *
 * A message is lost if its sender leaves abruptly before the message has left its uplink (it
 * counts as sent and lost), or if the receiver is offline when it arrives. A graceful leaver's
 * message on the wire and its control still go out; its queued data is discarded. Data that
 * would wait longer than `maxBacklogSeconds` is refused at once. Strategies can read
 * {@link uplinkBacklogMicros} to avoid that.
 */
export class FifoTransport implements NetworkModel {
  /** Data shares no link at once: each uplink sends one message after the other. */
  readonly concurrentData = false;
  /** Counters, updated as messages are sent, delivered or dropped. */
  readonly counters: TrafficCounters = newTrafficCounters();
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
  private readonly wireDoneKind: number;
  private readonly handlers: MessageHandler[] = [];
  private readonly classes: TrafficValue[] = [];
  private readonly names: string[] = [];
  /** When each uplink has sent the message on its wire and the control booked after it, µs. */
  private readonly upFreeAt: Float64Array;
  private readonly queues: UplinkQueues;
  /** 1 while an uplink has a wire-free event pending. */
  private readonly uplinkPending: Uint8Array;
  /** The data message on each uplink's wire, or -1. */
  private readonly wireHandle: Int32Array;
  /** When the wire message's current segment started (or resumes, after booked control), µs. */
  private readonly segmentStart: Float64Array;
  /** Bytes of the wire message already reported to observers (segments before control). */
  private readonly wireReportedBytes: Float64Array;
  private readonly downlinks: Downlinks;
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
    this.uplinkPending = new Uint8Array(nodes);
    this.wireHandle = new Int32Array(nodes).fill(NO_HANDLE);
    this.segmentStart = new Float64Array(nodes);
    this.wireReportedBytes = new Float64Array(nodes);
    this.downlinks = new Downlinks(download);
    this.downSince = new Float64Array(nodes).fill(Number.POSITIVE_INFINITY);
    this.downAbrupt = new Uint8Array(nodes);
    this.uploadedBytes = new Float64Array(nodes);
    this.downloadedBytes = new Float64Array(nodes);
    this.maxBacklogMicros = Math.round(options.maxBacklogSeconds * 1e6);
    this.pool = new MessagePool(options.maxInFlightMessages);
    this.queues = new UplinkQueues(nodes, this.pool);
    this.deliverKind = sim.register("transport/deliver", ["handle"], (handle) =>
      this.deliver(handle),
    );
    this.uplinkKind = sim.register("transport/uplink-free", ["node"], (node) => {
      this.uplinkPending[node] = 0;
      this.startNext(node);
    });
    this.wireDoneKind = sim.register("transport/wire-done", ["handle"], (handle) =>
      this.wireDone(handle),
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
    return Math.max(0, this.upFreeAt[node] - this.sim.nowMicros) + this.queues.micros[node];
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
    this.queues.clear(node, (h) => {
      const bytes = pool.bytes[h];
      this.counters.droppedAtSender++;
      this.counters.discardedBytes += bytes;
      if (this.classes[pool.type[h]] === Traffic.Data) this.counters.droppedDataBytes += bytes;
      this.waitingRecipients.delete(h);
      pool.release(h);
    });
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
    const done = this.bookControl(from, to, type, bytes);
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
    const done = this.bookControl(from, NO_HANDLE, type, bytes);
    for (let i = 0; i < count; i++) this.undelivered(from, receivers[i], type, bytesEach, done);
    return done;
  }

  /**
   * Settles the counters at the end of the run: data still waiting in uplink queues is added to
   * {@link TrafficCounters.pendingBytes}. Call once, after the last event.
   */
  finish(): void {
    for (let node = 0; node < this.upload.length; node++) {
      this.counters.pendingBytes += this.queues.bytes[node];
      // Data still on the wire at the end has not left: pending too.
      const h = this.wireHandle[node];
      if (h !== NO_HANDLE) this.counters.pendingBytes += this.pool.bytes[h];
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
   * Sends an accepted message: control goes on the uplink at once (interleaved with the data on
   * the wire, see {@link bookControl}) and its delivery is scheduled; data goes on the wire at
   * once when the wire is free and no data waits, and is queued otherwise.
   */
  private dispatch(h: number, from: number, control: boolean): void {
    if (control) {
      const pool = this.pool;
      const to = pool.to[h];
      const type = pool.type[h];
      const bytes = pool.bytes[h];
      const done = this.bookControl(from, to, type, bytes);
      pool.state[h] = MessageState.Scheduled;
      pool.done[h] = done;
      if (done <= this.horizonMicros) this.counters.dispatchedBytes += bytes;
      this.sim.at(this.arrival(from, to, type, bytes, done), this.deliverKind, h);
      return;
    }
    const pool = this.pool;
    pool.state[h] = MessageState.Queued;
    this.queues.push(from, h, serializationMicros(pool.bytes[h], this.upload[from]));
    this.startNext(from);
  }

  /**
   * Puts `node`'s next queued data on its wire if the wire is free now; when control holds the
   * wire, tries again when it frees. The message on the wire starts the next one itself.
   */
  private startNext(node: number): void {
    if (this.wireHandle[node] !== NO_HANDLE) return;
    const head = this.queues.peek(node);
    if (head === NO_HANDLE) return;
    const now = this.sim.nowMicros;
    if (this.upFreeAt[node] > now) {
      if (this.uplinkPending[node] === 0) {
        this.uplinkPending[node] = 1;
        this.sim.at(this.upFreeAt[node], this.uplinkKind, node);
      }
      return;
    }
    const pool = this.pool;
    const serialization = serializationMicros(pool.bytes[head], this.upload[node]);
    const h = this.queues.shift(node, serialization);
    pool.state[h] = MessageState.OnWire;
    pool.done[h] = now + serialization;
    this.upFreeAt[node] = now + serialization;
    this.wireHandle[node] = h;
    this.segmentStart[node] = now;
    this.wireReportedBytes[node] = 0;
    this.sim.at(now + serialization, this.wireDoneKind, h);
  }

  /**
   * The time the data message h on its sender's wire was due to leave has come. Control
   * interleaved meanwhile has pushed it back: wait again. Otherwise it has left: count it, reserve
   * each receiver's downlink, schedule the deliveries, and start the next queued data.
   */
  private wireDone(h: number): void {
    const pool = this.pool;
    const now = this.sim.nowMicros;
    if (pool.done[h] > now) {
      this.sim.at(pool.done[h], this.wireDoneKind, h);
      return;
    }
    const from = pool.from[h];
    const to = pool.to[h];
    const type = pool.type[h];
    const bytes = pool.bytes[h];
    this.wireHandle[from] = NO_HANDLE;
    this.reportSend(
      from,
      to,
      type,
      bytes - this.wireReportedBytes[from],
      this.segmentStart[from],
      now,
    );
    const c = this.counters;
    // Past the end of the run (an unbounded test run only): not sent, and never delivered.
    const counted = now <= this.horizonMicros;
    if (counted) {
      c.dataBytes += bytes;
      if (from === 0) c.sourceDataBytes += bytes;
      this.uploadedBytes[from] += bytes;
    } else {
      c.pendingBytes += bytes;
    }
    if (this.downAbrupt[from] === 1 && this.downSince[from] < now) {
      // The sender left abruptly before the message was out: it was cut (sent, and lost).
      const copies = to === NO_HANDLE ? this.waitingRecipients.get(h)!.length : 1;
      this.waitingRecipients.delete(h);
      pool.release(h);
      if (counted) {
        c.dispatchedBytes += bytes * copies;
        c.droppedInFlight += copies;
        c.lostBytes += bytes * copies;
        c.droppedDataBytes += bytes * copies;
      }
    } else if (to !== NO_HANDLE) {
      pool.state[h] = MessageState.Scheduled;
      if (counted) c.dispatchedBytes += bytes;
      this.sim.at(this.arrival(from, to, type, bytes, now), this.deliverKind, h);
    } else {
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
        pool.done[copy] = now;
        if (counted) c.dispatchedBytes += bytes;
        this.sim.at(this.arrival(from, r, type, bytes, now), this.deliverKind, copy);
      }
    }
    this.startNext(from);
  }

  /**
   * Occupies `from`'s uplink with one control message and counts it; returns when it has left
   * (µs). Data is sent as a train of packets, so control goes between two of them, as TCP
   * interleaves segments: it starts now (or after control booked earlier) even when data is on
   * the wire, and that data, and everything queued behind it, leaves later by the control's
   * serialization time. The uplink carries one thing at a time and never more than its rate
   * (packet granularity is below the microsecond resolution that matters here).
   */
  private bookControl(from: number, to: number, type: number, bytes: number): number {
    const rate = Math.max(this.upload[from], this.controlFloor);
    const serialization = serializationMicros(bytes, rate);
    const now = this.sim.nowMicros;
    const h = this.wireHandle[from];
    let start: number;
    // Data whose last bit leaves exactly now still counts as on the wire (its event has not
    // run yet): the control goes first and the data ends a control-time later.
    if (h === NO_HANDLE) {
      start = Math.max(now, this.upFreeAt[from]);
      this.upFreeAt[from] = start + serialization;
    } else {
      start = Math.max(now, this.segmentStart[from]);
      if (start > this.segmentStart[from]) {
        // The data ran from its segment's start until now: report that part as sent.
        const pool = this.pool;
        const part = Math.min(
          ((start - this.segmentStart[from]) * this.upload[from]) / 8e6,
          pool.bytes[h] - this.wireReportedBytes[from],
        );
        this.reportSend(from, pool.to[h], pool.type[h], part, this.segmentStart[from], start);
        this.wireReportedBytes[from] += part;
      }
      this.segmentStart[from] = start + serialization;
      this.pool.done[h] += serialization;
      this.upFreeAt[from] += serialization;
    }
    const done = start + serialization;
    if (done <= this.horizonMicros) {
      this.counters.controlBytes += bytes;
      this.uploadedBytes[from] += bytes;
    } else {
      this.counters.pendingBytes += bytes;
    }
    this.reportSend(from, to, type, bytes, start, done);
    return done;
  }

  private reportSend(
    from: number,
    to: number,
    type: number,
    bytes: number,
    start: number,
    done: number,
  ): void {
    for (const o of this.sendObservers) o.onSend!(from, to, type, bytes, start, done);
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

  /**
   * When a message that leaves `from`'s uplink at `done` is delivered at `to`: it reaches the
   * downlink after the latency and waits for its turn there (see {@link Downlinks}).
   */
  private arrival(from: number, to: number, type: number, bytes: number, done: number): number {
    const downlinks = this.downlinks;
    const deliverAt = downlinks.reserve(to, bytes, done + this.latency.micros(from, to));
    const start = downlinks.lastStartMicros;
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
