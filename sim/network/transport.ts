import type { Simulator } from "../engine/simulator.ts";
import type { OptionReader } from "../scenario/reader.ts";
import type { LatencyModel } from "./latency.ts";

/** Traffic classes the transport counts separately. */
export const Traffic = {
  /** Join requests, tracker queries, heartbeats, goodbyes, buffer maps, piece requests. */
  Control: 0,
  /** Stream content: chunks, pieces, coded symbols. */
  Data: 1,
} as const;

/** One of {@link Traffic}'s values. */
export type TrafficValue = (typeof Traffic)[keyof typeof Traffic];

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
  /** Most messages in flight at once across the network (a limit). Default 50 million. */
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

/**
 * Called when a message arrives. `p0` and `p1` are the two payload words given to
 * {@link Transport.send}; `bytes` the message size.
 */
export type MessageHandler = (
  from: number,
  to: number,
  p0: number,
  p1: number,
  bytes: number,
) => void;

/** Optional observer of every send, for invariant checks and traces. */
export interface TransportObserver {
  onSend(
    from: number,
    to: number,
    type: number,
    bytes: number,
    startMicros: number,
    doneMicros: number,
  ): void;
}

/** Counters the transport keeps (bytes are counted when the sender's uplink sends them). */
export interface TrafficCounters {
  /** Bytes sent, by traffic class. */
  controlBytes: number;
  dataBytes: number;
  /** Data bytes sent by node 0, the source. */
  sourceDataBytes: number;
  /** Messages delivered. */
  delivered: number;
  /** Data bytes delivered to their receivers. */
  deliveredDataBytes: number;
  /** Data bytes from the source delivered to their receivers. */
  sourceDeliveredDataBytes: number;
  /** Messages dropped: at the sender (backlog limit) or in flight (an end left). */
  droppedAtSender: number;
  droppedInFlight: number;
  /** Bytes of dropped data messages. */
  droppedDataBytes: number;
}

/**
 * The only way nodes talk. Every message is charged serialization time on the sender's upload
 * capacity, the pairwise one-way latency, and serialization time on the receiver's download
 * capacity (store and forward at both access links).
 *
 * Sharing: a node's uplink is a FIFO queue. Data messages wait behind the data queued before
 * them, so concurrent sends share the capacity in order of sending and the node never sends
 * faster than its upload capacity; over any interval the uplink moves at most capacity times the
 * interval (plus one message). Control messages are small and are sent ahead of queued data (as
 * routers and TCP stacks prioritise them), but their serialization time still occupies the
 * uplink and pushes queued data back. The receiver's downlink is a FIFO in the order messages
 * reach it as computed at send time.
 *
 * A message is lost if its sender leaves before the message has left its uplink, or if the
 * receiver is offline when it arrives. Data that would wait longer than `maxBacklogSeconds` in
 * the uplink is dropped at once. Strategies can read {@link uplinkBacklogMicros} to avoid that.
 */
export class Transport {
  /** Counters, updated as messages are sent, delivered or dropped. */
  readonly counters: TrafficCounters = {
    controlBytes: 0,
    dataBytes: 0,
    sourceDataBytes: 0,
    delivered: 0,
    deliveredDataBytes: 0,
    sourceDeliveredDataBytes: 0,
    droppedAtSender: 0,
    droppedInFlight: 0,
    droppedDataBytes: 0,
  };
  /** Bytes each node has sent (any class). */
  readonly uploadedBytes: Float64Array;
  /** Bytes each node has received (any class). */
  readonly downloadedBytes: Float64Array;

  private readonly sim: Simulator;
  private readonly latency: LatencyModel;
  private readonly upload: Float64Array;
  private readonly download: Float64Array;
  private readonly options: TransportOptions;
  private readonly deliverKind: number;
  private readonly handlers: MessageHandler[] = [];
  private readonly classes: TrafficValue[] = [];
  private readonly names: string[] = [];
  private readonly upBusyUntil: Float64Array;
  private readonly downBusyUntil: Float64Array;
  private readonly downSince: Float64Array;
  private readonly downAbrupt: Uint8Array;
  private readonly maxBacklogMicros: number;
  private observer: TransportObserver | undefined;

  // Message pool: parallel typed arrays indexed by a message handle, with a free stack.
  private mType = new Int32Array(1024);
  private mFrom = new Int32Array(1024);
  private mTo = new Int32Array(1024);
  private mBytes = new Float64Array(1024);
  private mP0 = new Float64Array(1024);
  private mP1 = new Float64Array(1024);
  private mDone = new Float64Array(1024);
  private mStart = new Float64Array(1024);
  private free: number[] = [];
  private used = 0;

  /**
   * @param upload, download capacities of node n in bits/s (node 0 is the source).
   */
  constructor(
    sim: Simulator,
    latency: LatencyModel,
    upload: Float64Array,
    download: Float64Array,
    options: TransportOptions,
  ) {
    this.sim = sim;
    this.latency = latency;
    this.upload = upload;
    this.download = download;
    this.options = options;
    const nodes = upload.length;
    this.upBusyUntil = new Float64Array(nodes);
    this.downBusyUntil = new Float64Array(nodes);
    this.downSince = new Float64Array(nodes).fill(Number.POSITIVE_INFINITY);
    this.downAbrupt = new Uint8Array(nodes);
    this.uploadedBytes = new Float64Array(nodes);
    this.downloadedBytes = new Float64Array(nodes);
    this.maxBacklogMicros = Math.round(options.maxBacklogSeconds * 1e6);
    this.deliverKind = sim.register("transport/deliver", ["handle"], (handle) =>
      this.deliver(handle),
    );
  }

  /** Registers a message type and its handler; returns the type id for {@link send}. */
  register(name: string, traffic: TrafficValue, handler: MessageHandler): number {
    this.handlers.push(handler);
    this.classes.push(traffic);
    this.names.push(name);
    return this.handlers.length - 1;
  }

  /** Sets (or clears) the send observer. */
  observe(observer: TransportObserver | undefined): void {
    this.observer = observer;
  }

  /** One-way latency between two nodes, microseconds. */
  latencyMicros(a: number, b: number): number {
    return this.latency.micros(a, b);
  }

  /** Upload capacity of a node, bits/s. */
  uploadBitsPerSecond(node: number): number {
    return this.upload[node];
  }

  /** How long data sent by `node` now would wait before its uplink starts sending it, µs. */
  uplinkBacklogMicros(node: number): number {
    return Math.max(0, this.upBusyUntil[node] - this.sim.nowMicros);
  }

  /**
   * Marks a node as gone; what reaches it from now on is lost. After an abrupt departure what it
   * had not finished sending is lost too; after a graceful one, messages it had started sending
   * (including goodbyes sent at the moment of leaving) still go out, and queued data that had
   * not started is lost.
   */
  nodeDown(node: number, abrupt: boolean): void {
    this.downSince[node] = this.sim.nowMicros;
    this.downAbrupt[node] = abrupt ? 1 : 0;
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
    let start: number;
    let done: number;
    let deliverAt: number;
    if (this.classes[type] === Traffic.Data) {
      done = this.queueData(from, bytes);
      if (done < 0) return false;
      start = this.queuedStart;
      deliverAt = this.dataArrival(from, to, bytes, done);
    } else {
      start = this.sim.nowMicros;
      done = this.queueControl(from, bytes);
      deliverAt = done + this.latency.micros(from, to) + this.downSerialization(to, bytes);
    }
    this.observer?.onSend(from, to, type, bytes, start, done);
    this.enqueue(type, from, to, bytes, p0, p1, start, done, deliverAt);
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
    const done = this.queueData(from, bytes);
    if (done < 0) return false;
    const start = this.queuedStart;
    this.observer?.onSend(from, -1, type, bytes, start, done);
    for (let i = 0; i < recipients.size; i++) {
      const to = recipients.at(i);
      const deliverAt = this.dataArrival(from, to, bytes, done);
      this.enqueue(type, from, to, bytes, p0, p1, start, done, deliverAt);
    }
    return true;
  }

  /**
   * Sends a control message without scheduling its delivery, for a caller that models the
   * arrival itself (an aggregated fan-out of HAVE announcements, or a request the receiver will
   * find when it next looks). It is charged exactly as {@link send} charges a control message:
   * the sender's uplink time, the upload and control counters, the observer; it counts as
   * delivered. `type` must be a registered control type. With `to` >= 0 returns the time the
   * message reaches `to` (µs, as {@link send} would deliver it); with `to` = -1 (a fan-out) the
   * time it leaves the sender's uplink. Returns -1 when the sender is down. Whether the receiver
   * is still up on arrival is the caller's to check.
   */
  sendUndelivered(from: number, to: number, type: number, bytes: number): number {
    if (this.downSince[from] !== Number.POSITIVE_INFINITY) return -1;
    const now = this.sim.nowMicros;
    const done = this.queueControl(from, bytes);
    this.observer?.onSend(from, to, type, bytes, now, done);
    if (to < 0) return done;
    this.counters.delivered++;
    this.downloadedBytes[to] += bytes;
    return done + this.latency.micros(from, to) + this.downSerialization(to, bytes);
  }

  /** Start time (µs) of the data message last queued by {@link queueData}. */
  private queuedStart = 0;

  /**
   * Queues data on the sender's FIFO uplink and counts it. Returns when it will have left the
   * uplink (µs), or -1 when it is dropped (no capacity, or a backlog over the limit); its start
   * time is left in {@link queuedStart} (no object per message on this hot path).
   */
  private queueData(from: number, bytes: number): number {
    const now = this.sim.nowMicros;
    const rate = this.upload[from];
    const start = Math.max(now, this.upBusyUntil[from]);
    if (!(rate > 0) || start - now > this.maxBacklogMicros) {
      this.counters.droppedAtSender++;
      this.counters.droppedDataBytes += bytes;
      return -1;
    }
    const done = start + Math.ceil((bytes * 8 * 1e6) / rate);
    this.upBusyUntil[from] = done;
    this.counters.dataBytes += bytes;
    if (from === 0) this.counters.sourceDataBytes += bytes;
    this.uploadedBytes[from] += bytes;
    this.queuedStart = start;
    return done;
  }

  /**
   * Sends a control message ahead of queued data (its serialization still pushes that data
   * back) and counts it. Returns when it will have left the uplink (µs).
   */
  private queueControl(from: number, bytes: number): number {
    const now = this.sim.nowMicros;
    const rate = Math.max(this.upload[from], this.options.controlFloorBitsPerSecond);
    const serialization = Math.ceil((bytes * 8 * 1e6) / rate);
    if (this.upBusyUntil[from] > now) this.upBusyUntil[from] += serialization;
    this.counters.controlBytes += bytes;
    this.uploadedBytes[from] += bytes;
    return now + serialization;
  }

  /** Serialization time (µs) of `bytes` on node `to`'s downlink. */
  private downSerialization(to: number, bytes: number): number {
    const rate = this.download[to];
    return rate > 0 ? Math.ceil((bytes * 8 * 1e6) / rate) : 0;
  }

  /**
   * When data that leaves `from`'s uplink at `done` is delivered at `to`: after the latency,
   * in turn on `to`'s FIFO downlink, which it then occupies.
   */
  private dataArrival(from: number, to: number, bytes: number, done: number): number {
    const arrive = done + this.latency.micros(from, to);
    const deliverAt = Math.max(arrive, this.downBusyUntil[to]) + this.downSerialization(to, bytes);
    this.downBusyUntil[to] = deliverAt;
    return deliverAt;
  }

  /** Stores a message in the pool and schedules its delivery. */
  private enqueue(
    type: number,
    from: number,
    to: number,
    bytes: number,
    p0: number,
    p1: number,
    start: number,
    done: number,
    deliverAt: number,
  ): void {
    const handle = this.allocate();
    this.mType[handle] = type;
    this.mFrom[handle] = from;
    this.mTo[handle] = to;
    this.mBytes[handle] = bytes;
    this.mP0[handle] = p0;
    this.mP1[handle] = p1;
    this.mDone[handle] = done;
    this.mStart[handle] = start;
    this.sim.at(deliverAt, this.deliverKind, handle);
  }

  private allocate(): number {
    const h = this.free.pop();
    if (h !== undefined) return h;
    if (this.used === this.mType.length) this.grow();
    return this.used++;
  }

  private grow(): void {
    const capacity = this.mType.length * 2;
    if (this.used >= this.options.maxInFlightMessages) {
      throw new RangeError(
        `transport limit reached: ${this.options.maxInFlightMessages} messages in flight`,
      );
    }
    const growInt = (a: Int32Array) => {
      const b = new Int32Array(capacity);
      b.set(a);
      return b;
    };
    const growFloat = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a);
      return b;
    };
    this.mType = growInt(this.mType);
    this.mFrom = growInt(this.mFrom);
    this.mTo = growInt(this.mTo);
    this.mBytes = growFloat(this.mBytes);
    this.mP0 = growFloat(this.mP0);
    this.mP1 = growFloat(this.mP1);
    this.mDone = growFloat(this.mDone);
    this.mStart = growFloat(this.mStart);
  }

  private deliver(handle: number): void {
    const from = this.mFrom[handle];
    const to = this.mTo[handle];
    const type = this.mType[handle];
    const bytes = this.mBytes[handle];
    const p0 = this.mP0[handle];
    const p1 = this.mP1[handle];
    const senderGone = this.downSince[from];
    const lostAtSender =
      senderGone !== Number.POSITIVE_INFINITY &&
      (this.downAbrupt[from] === 1
        ? senderGone < this.mDone[handle]
        : senderGone < this.mStart[handle]);
    this.free.push(handle);
    if (lostAtSender || this.downSince[to] !== Number.POSITIVE_INFINITY) {
      this.counters.droppedInFlight++;
      if (this.classes[type] === Traffic.Data) this.counters.droppedDataBytes += bytes;
      return;
    }
    this.counters.delivered++;
    if (this.classes[type] === Traffic.Data) {
      this.counters.deliveredDataBytes += bytes;
      if (from === 0) this.counters.sourceDeliveredDataBytes += bytes;
    }
    this.downloadedBytes[to] += bytes;
    this.handlers[type](from, to, p0, p1, bytes);
  }
}
