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
 * The transport's messages as parallel typed arrays indexed by a handle, with a free stack: no
 * object per message on the hot path. The number of live handles (queued or in flight) is
 * bounded by `network.maxInFlightMessages`; reaching it is an error that names the option, as
 * reaching `limits.maxEvents` is (a run that holds that many messages at once has run away).
 */
export class MessagePool {
  type = new Int32Array(1024);
  from = new Int32Array(1024);
  to = new Int32Array(1024);
  /** Next handle in the sender's uplink queue, or -1. */
  next = new Int32Array(1024);
  state = new Uint8Array(1024);
  bytes = new Float64Array(1024);
  p0 = new Float64Array(1024);
  p1 = new Float64Array(1024);
  p2 = new Float64Array(1024);
  /** When the message finishes leaving its sender's uplink, µs. */
  done = new Float64Array(1024);
  /** Live handles now. */
  live = 0;
  private readonly limit: number;
  private freeStack = new Int32Array(1024);
  private freeCount = 0;
  private used = 0;

  /** @param limit most live handles at once (`network.maxInFlightMessages`). */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** A free handle; throws when `limit` handles are live. */
  allocate(nowMicros: number): number {
    if (this.live >= this.limit) {
      throw new SimulationError(
        `network.maxInFlightMessages: ${this.limit} messages queued or in flight at once at ` +
          `${nowMicros / 1e6} s (raise the limit if the scenario really needs more)`,
      );
    }
    this.live++;
    if (this.freeCount > 0) return this.freeStack[--this.freeCount];
    if (this.used === this.type.length) this.grow();
    return this.used++;
  }

  /** Returns a handle to the pool. */
  release(handle: number): void {
    this.state[handle] = MessageState.Free;
    this.live--;
    this.freeStack[this.freeCount++] = handle;
  }

  /** Handles ever used (the scan range for {@link MessageState} walks). */
  get extent(): number {
    return this.used;
  }

  private grow(): void {
    const capacity = Math.min(this.type.length * 2, Math.max(this.limit, 1024));
    const grow = <T extends Int32Array | Uint8Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a);
      return b;
    };
    this.type = grow(this.type);
    this.from = grow(this.from);
    this.to = grow(this.to);
    this.next = grow(this.next);
    this.state = grow(this.state);
    this.bytes = grow(this.bytes);
    this.p0 = grow(this.p0);
    this.p1 = grow(this.p1);
    this.p2 = grow(this.p2);
    this.done = grow(this.done);
    this.freeStack = grow(this.freeStack);
  }
}
