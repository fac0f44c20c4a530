import { Downlinks, serializationMicros } from "./downlinks.ts";
import { MessageF64, MessageI32, MessageState } from "./messagePool.ts";
import type { NetworkModelInput } from "./transport.ts";
import { NO_HANDLE, TransportCore } from "./transportCore.ts";
import { UplinkQueues } from "./uplinkQueues.ts";
import { UplinkF64, UplinkI32, UplinkRecords } from "./uplinkRecords.ts";

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
  /** Each node's uplink: capacity, wire and queue state in one record. */
  private readonly uplinks: UplinkRecords;
  private readonly queues: UplinkQueues;
  private readonly downlinks: Downlinks;

  constructor(input: NetworkModelInput) {
    const { sim, upload, download } = input;
    super(input);
    this.uplinks = new UplinkRecords(upload);
    this.downlinks = new Downlinks(download);
    this.queues = new UplinkQueues(this.uplinks, this.pool);
    this.uplinkKind = sim.register("transport/uplink-free", ["node"], (node) => {
      this.uplinks.i32[node * UplinkI32.Stride + UplinkI32.Pending] = 0;
      this.startNext(node);
    });
    // The event carries the ends as well as the handle, so that the sender's uplink record and
    // the receiver's downlink can be fetched from memory at the same time as the message's
    // record, not after it.
    this.wireDoneKind = sim.register(
      "transport/wire-done",
      ["handle", "from", "to"],
      (h, from, to) => this.wireDone(h, from, to),
    );
  }

  /** The rate control messages from `node` are serialized at, bits/s (upload or the floor). */
  controlBitsPerSecond(node: number): number {
    return Math.max(
      this.uplinks.f64[node * UplinkF64.Stride + UplinkF64.Upload],
      this.controlFloor,
    );
  }

  /** How long data sent by `node` now would wait before its uplink starts sending it, µs. */
  uplinkBacklogMicros(node: number): number {
    const f64 = this.uplinks.f64;
    const at = node * UplinkF64.Stride;
    return (
      Math.max(0, f64[at + UplinkF64.FreeAt] - this.sim.nowMicros) + f64[at + UplinkF64.QueueMicros]
    );
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
      this.counters.pendingBytes += this.queues.bytes(node);
      // Data still on the wire at the end has not left: pending too.
      const h = this.uplinks.i32[node * UplinkI32.Stride + UplinkI32.WireHandle];
      if (h !== NO_HANDLE) this.counters.pendingBytes += this.pool.bytes(h);
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
    pool.i32[h * MessageI32.Stride + MessageI32.State] = MessageState.Queued;
    const upload = this.uplinks.f64[from * UplinkF64.Stride + UplinkF64.Upload];
    const bytes = pool.f64[h * MessageF64.Stride + MessageF64.Bytes];
    this.queues.push(from, h, bytes, serializationMicros(bytes, upload));
    this.startNext(from);
  }

  /**
   * Puts `node`'s next queued data on its wire if the wire is free now; when control holds the
   * wire, tries again when it frees. The message on the wire starts the next one itself.
   */
  private startNext(node: number): void {
    const { f64, i32 } = this.uplinks;
    const at = node * UplinkF64.Stride;
    const ints = node * UplinkI32.Stride;
    if (i32[ints + UplinkI32.WireHandle] !== NO_HANDLE) return;
    const head = i32[ints + UplinkI32.QueueHead];
    if (head === NO_HANDLE) return;
    const now = this.sim.nowMicros;
    const freeAt = f64[at + UplinkF64.FreeAt];
    if (freeAt > now) {
      if (i32[ints + UplinkI32.Pending] === 0) {
        i32[ints + UplinkI32.Pending] = 1;
        this.sim.at(freeAt, this.uplinkKind, node);
      }
      return;
    }
    const pool = this.pool;
    const m = head * MessageF64.Stride;
    const serialization = serializationMicros(
      pool.f64[m + MessageF64.Bytes],
      f64[at + UplinkF64.Upload],
    );
    const to = pool.i32[head * MessageI32.Stride + MessageI32.To];
    const h = this.queues.shift(node, serialization);
    pool.i32[h * MessageI32.Stride + MessageI32.State] = MessageState.OnWire;
    pool.f64[m + MessageF64.Done] = now + serialization;
    f64[at + UplinkF64.FreeAt] = now + serialization;
    f64[at + UplinkF64.SegmentStart] = now;
    f64[at + UplinkF64.WireReportedBytes] = 0;
    i32[ints + UplinkI32.WireHandle] = h;
    this.sim.at(now + serialization, this.wireDoneKind, h, node, to);
  }

  /**
   * The time the data message h (from `from` to `to`, -1 for a multicast) on its sender's wire was
   * due to leave has come. Control
   * interleaved meanwhile has pushed it back: wait again. Otherwise it has left: count it, reserve
   * each receiver's downlink, schedule the deliveries, and start the next queued data.
   */
  private wireDone(h: number, from: number, to: number): void {
    const pool = this.pool;
    const now = this.sim.nowMicros;
    const m = h * MessageF64.Stride;
    const done = pool.f64[m + MessageF64.Done];
    if (done > now) {
      this.sim.at(done, this.wireDoneKind, h, from, to);
      return;
    }
    const type = pool.i32[h * MessageI32.Stride + MessageI32.Type];
    const bytes = pool.f64[m + MessageF64.Bytes];
    const { f64, i32 } = this.uplinks;
    const at = from * UplinkF64.Stride;
    i32[from * UplinkI32.Stride + UplinkI32.WireHandle] = NO_HANDLE;
    this.reportSend(
      from,
      to,
      type,
      bytes - f64[at + UplinkF64.WireReportedBytes],
      f64[at + UplinkF64.SegmentStart],
      now,
    );
    const counted = this.countSent(from, bytes, now);
    if (this.downSince[from] < now && this.downAbrupt[from] === 1) {
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
      this.scheduleDelivery(h, from, to, now, counted);
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
    const { f64, i32 } = this.uplinks;
    const at = from * UplinkF64.Stride;
    const upload = f64[at + UplinkF64.Upload];
    const serialization = serializationMicros(bytes, Math.max(upload, this.controlFloor));
    const now = this.sim.nowMicros;
    const h = i32[from * UplinkI32.Stride + UplinkI32.WireHandle];
    let start: number;
    // Data whose last bit leaves exactly now still counts as on the wire (its event has not
    // run yet): the control goes first and the data ends a control-time later.
    if (h === NO_HANDLE) {
      start = Math.max(now, f64[at + UplinkF64.FreeAt]);
      f64[at + UplinkF64.FreeAt] = start + serialization;
    } else {
      const segmentStart = f64[at + UplinkF64.SegmentStart];
      start = Math.max(now, segmentStart);
      const pool = this.pool;
      if (start > segmentStart) {
        // The data ran from its segment's start until now: report that part as sent.
        const reported = f64[at + UplinkF64.WireReportedBytes];
        const part = Math.min(((start - segmentStart) * upload) / 8e6, pool.bytes(h) - reported);
        this.reportSend(from, pool.to(h), pool.type(h), part, segmentStart, start);
        f64[at + UplinkF64.WireReportedBytes] = reported + part;
      }
      f64[at + UplinkF64.SegmentStart] = start + serialization;
      pool.f64[h * MessageF64.Stride + MessageF64.Done] += serialization;
      f64[at + UplinkF64.FreeAt] += serialization;
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
