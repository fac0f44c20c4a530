import { Downlinks, serializationMicros } from "./downlinks.ts";
import { MessageState } from "./messagePool.ts";
import type { NetworkModelInput } from "./transport.ts";
import { NO_HANDLE, TransportCore } from "./transportCore.ts";
import { UplinkQueues } from "./uplinkQueues.ts";

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
export class FifoTransport extends TransportCore {
  /** Data shares no link at once: each uplink sends one message after the other. */
  readonly concurrentData = false;
  private readonly uplinkKind: number;
  private readonly wireDoneKind: number;
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

  constructor(input: NetworkModelInput) {
    const { sim, upload, download } = input;
    super(input);
    const nodes = upload.length;
    this.upFreeAt = new Float64Array(nodes);
    this.uplinkPending = new Uint8Array(nodes);
    this.wireHandle = new Int32Array(nodes).fill(NO_HANDLE);
    this.segmentStart = new Float64Array(nodes);
    this.wireReportedBytes = new Float64Array(nodes);
    this.downlinks = new Downlinks(download);
    this.queues = new UplinkQueues(nodes, this.pool);
    this.uplinkKind = sim.register("transport/uplink-free", ["node"], (node) => {
      this.uplinkPending[node] = 0;
      this.startNext(node);
    });
    this.wireDoneKind = sim.register("transport/wire-done", ["handle"], (handle) =>
      this.wireDone(handle),
    );
  }

  /** The rate control messages from `node` are serialized at, bits/s (upload or the floor). */
  controlBitsPerSecond(node: number): number {
    return Math.max(this.upload[node], this.controlFloor);
  }

  /** How long data sent by `node` now would wait before its uplink starts sending it, µs. */
  uplinkBacklogMicros(node: number): number {
    return Math.max(0, this.upFreeAt[node] - this.sim.nowMicros) + this.queues.micros[node];
  }

  /**
   * Marks a node as gone; what reaches it from now on is lost. Its queued data is discarded.
   * After an abrupt departure what it had not finished sending is lost too; after a graceful
   * one, the message on its wire and the control booked behind it (goodbyes sent at the moment
   * of leaving) still go out.
   */
  nodeDown(node: number, abrupt: boolean): void {
    this.markDown(node, abrupt);
    this.queues.clear(node, (h) => this.discard(h));
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
   * Sends an accepted message: control goes on the uplink at once (interleaved with the data on
   * the wire, see {@link bookControl}) and its delivery is scheduled; data goes on the wire at
   * once when the wire is free and no data waits, and is queued otherwise.
   */
  protected dispatch(h: number, from: number, control: boolean): void {
    if (control) {
      this.dispatchControl(h, from);
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
    const counted = this.countSent(h, now);
    if (this.downAbrupt[from] === 1 && this.downSince[from] < now) {
      const c = this.counters;
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
    } else {
      this.scheduleDelivery(h, now, counted);
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
  protected bookControl(from: number, to: number, type: number, bytes: number): number {
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
    return this.controlSent(from, to, type, bytes, start, done);
  }

  /** A control message's downlink: the shared FIFO of reservations, as data's. */
  protected controlArrival(
    from: number,
    to: number,
    type: number,
    bytes: number,
    done: number,
  ): number {
    return this.dataArrival(from, to, type, bytes, done);
  }

  /**
   * When a message that leaves `from`'s uplink at `done` is delivered at `to`: it reaches the
   * downlink after the latency and waits for its turn there (see {@link Downlinks}).
   */
  protected dataArrival(
    from: number,
    to: number,
    type: number,
    bytes: number,
    done: number,
  ): number {
    const downlinks = this.downlinks;
    const deliverAt = downlinks.reserve(to, bytes, done + this.latency.micros(from, to));
    this.reportReceive(from, to, type, bytes, downlinks.lastStartMicros, deliverAt);
    return deliverAt;
  }
}
