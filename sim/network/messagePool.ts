import { SimulationError } from "../engine/simulator.ts";

/** Where a pooled message is in its life. */
export const MessageState = {
  /** The handle is free. */
  Free: 0,
  /** Waiting in its sender's uplink queue (data that could not start at once). */
  Queued: 1,
  /** Through the sender's uplink (or control on it), its delivery scheduled. */
  Scheduled: 2,
  /** Data on its sender's wire; its delivery is scheduled once it has left the uplink. */
  OnWire: 3,
} as const;

/**
 * A message record seen through the pool's Float64Array view: the record of handle h starts at
 * `h * MessageF64.Stride`. A record is 64 bytes, one cache line, so a message costs one miss,
 * not one per field. (Enums, because the bundler inlines their values as literals.)
 */
export enum MessageF64 {
  /** Float64 slots per record. */
  Stride = 8,
  /** Size of the message, bytes. */
  Bytes = 0,
  /** The three payload words the sender passed (see `Transport.send`). */
  P0 = 1,
  P1 = 2,
  P2 = 3,
  /** When the message finishes (or finished) leaving its sender's uplink, µs. */
  Done = 4,
}

/**
 * The same record seen through the pool's Int32Array view, from `h * MessageI32.Stride`: the
 * integer fields follow the five Float64 slots (bytes 40-59); bytes 60-63 are padding.
 */
export enum MessageI32 {
  /** Int32 slots per record. */
  Stride = 16,
  /** Registered message type. */
  Type = 10,
  /** Sender node. */
  From = 11,
  /** Receiver node, or -1 for a multicast. */
  To = 12,
  /** Next handle in the sender's uplink queue; -1 at the end. */
  Next = 13,
  /** A {@link MessageState}. */
  State = 14,
  /**
   * Deliveries still to come of this record: 1, or a multicast's receivers left (its copies
   * share the record, see {@link MessagePool.share}).
   */
  Refs = 15,
}

/** Records allocated at first. */
const INITIAL_CAPACITY = 1024;

/**
 * The transport's messages, indexed by a handle, with no object per message on the hot path.
 * Each message is one 64-byte record in a single ArrayBuffer, read through a Float64Array view
 * (bytes, payload words, done time) and an Int32Array view (type, ends, queue link, state), so
 * everything the transport reads or writes about a message lies in one cache line: at 100k
 * peers the pool no longer fits in cache, and parallel arrays cost a miss per field. Free
 * handles wait on a stack of their own, so the most recently freed (and still cached) record is
 * reused first, and finding a free handle reads the top of that stack, not a cold record. The
 * number of live handles (queued or in flight) is bounded by `network.maxInFlightMessages`;
 * reaching it is an error that names the option, as reaching `limits.maxEvents` is (a run that
 * holds that many messages at once has run away).
 */
export class MessagePool {
  /** Live handles now. */
  live = 0;
  private readonly limit: number;
  private capacity = INITIAL_CAPACITY;
  /**
   * The records as Float64s and as Int32s (see {@link MessageF64} and {@link MessageI32}), for
   * the transport's hot paths. Both are replaced when the pool grows: read them again after
   * {@link allocate}.
   */
  f64 = new Float64Array(INITIAL_CAPACITY * MessageF64.Stride);
  i32 = new Int32Array(this.f64.buffer);
  private freeStack = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private used = 0;

  /** @param limit most live handles at once (`network.maxInFlightMessages`). */
  constructor(limit: number) {
    this.limit = limit;
  }

  /**
   * A message with these fields (`bytes` long; `p0`-`p2` the payload words; `to` -1 for a
   * multicast) in a free handle, which it returns; throws when `limit` handles are live.
   */
  allocate(
    nowMicros: number,
    type: number,
    from: number,
    to: number,
    bytes: number,
    p0: number,
    p1: number,
    p2: number,
  ): number {
    if (this.live >= this.limit) {
      throw new SimulationError(
        `network.maxInFlightMessages: ${this.limit} messages queued or in flight at once at ` +
          `${nowMicros / 1e6} s (raise the limit if the scenario really needs more)`,
      );
    }
    this.live++;
    let h: number;
    if (this.freeCount > 0) h = this.freeStack[--this.freeCount];
    else {
      if (this.used === this.capacity) this.grow();
      h = this.used++;
    }
    const f = h * MessageF64.Stride;
    const i = h * MessageI32.Stride;
    this.i32[i + MessageI32.Type] = type;
    this.i32[i + MessageI32.From] = from;
    this.i32[i + MessageI32.To] = to;
    this.f64[f + MessageF64.Bytes] = bytes;
    this.f64[f + MessageF64.P0] = p0;
    this.f64[f + MessageF64.P1] = p1;
    this.f64[f + MessageF64.P2] = p2;
    this.i32[i + MessageI32.Refs] = 1;
    return h;
  }

  /**
   * Makes message h stand for `copies` messages, one per receiver of a multicast, which then
   * share its record: each counts as live (and against the limit) until {@link release}d. One
   * record read by every delivery stays in cache, where a record per receiver was written when
   * the multicast left and read cold at each delivery.
   */
  share(h: number, copies: number, nowMicros: number): void {
    if (this.live - 1 + copies > this.limit) {
      throw new SimulationError(
        `network.maxInFlightMessages: ${this.limit} messages queued or in flight at once at ` +
          `${nowMicros / 1e6} s (raise the limit if the scenario really needs more)`,
      );
    }
    this.live += copies - 1;
    this.i32[h * MessageI32.Stride + MessageI32.Refs] = copies;
  }

  /** Deliveries still to come of h's record (see {@link share}). */
  refs(h: number): number {
    return this.i32[h * MessageI32.Stride + MessageI32.Refs];
  }

  /** Returns a handle to the pool (for a shared record, one of its copies). */
  release(handle: number): void {
    this.live--;
    const at = handle * MessageI32.Stride + MessageI32.Refs;
    if (this.i32[at] > 1) {
      this.i32[at]--;
      return;
    }
    this.i32[handle * MessageI32.Stride + MessageI32.State] = MessageState.Free;
    this.freeStack[this.freeCount++] = handle;
  }

  /** Handles ever used (the scan range for {@link MessageState} walks). */
  get extent(): number {
    return this.used;
  }

  /** Registered type of message h. */
  type(h: number): number {
    return this.i32[h * MessageI32.Stride + MessageI32.Type];
  }

  /** Sender of message h. */
  from(h: number): number {
    return this.i32[h * MessageI32.Stride + MessageI32.From];
  }

  /** Receiver of message h, or -1 for a multicast. */
  to(h: number): number {
    return this.i32[h * MessageI32.Stride + MessageI32.To];
  }

  /** Size of message h, bytes. */
  bytes(h: number): number {
    return this.f64[h * MessageF64.Stride + MessageF64.Bytes];
  }

  /** Payload words of message h. */
  p0(h: number): number {
    return this.f64[h * MessageF64.Stride + MessageF64.P0];
  }

  p1(h: number): number {
    return this.f64[h * MessageF64.Stride + MessageF64.P1];
  }

  p2(h: number): number {
    return this.f64[h * MessageF64.Stride + MessageF64.P2];
  }

  /** When message h finishes leaving its sender's uplink, µs. */
  done(h: number): number {
    return this.f64[h * MessageF64.Stride + MessageF64.Done];
  }

  setDone(h: number, micros: number): void {
    this.f64[h * MessageF64.Stride + MessageF64.Done] = micros;
  }

  /** The {@link MessageState} of handle h. */
  state(h: number): number {
    return this.i32[h * MessageI32.Stride + MessageI32.State];
  }

  setState(h: number, state: number): void {
    this.i32[h * MessageI32.Stride + MessageI32.State] = state;
  }

  /** Next handle in the sender's uplink queue after h, or -1. */
  next(h: number): number {
    return this.i32[h * MessageI32.Stride + MessageI32.Next];
  }

  private grow(): void {
    const capacity = Math.min(this.capacity * 2, Math.max(this.limit, INITIAL_CAPACITY));
    const f64 = new Float64Array(capacity * MessageF64.Stride);
    f64.set(this.f64);
    this.f64 = f64;
    this.i32 = new Int32Array(f64.buffer);
    const freeStack = new Int32Array(capacity);
    freeStack.set(this.freeStack);
    this.freeStack = freeStack;
    this.capacity = capacity;
  }
}
