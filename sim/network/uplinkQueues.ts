import { MessageF64, MessageI32, type MessagePool } from "./messagePool.ts";
import { UplinkF64, UplinkI32, type UplinkRecords } from "./uplinkRecords.ts";

/** The end of a queue (no message). */
const NONE = -1;

/**
 * Each node's queue of data waiting for its uplink's wire: pooled message handles linked
 * through the pool's `next`, FIFO, with the serialization time and bytes they add up to (what a
 * strategy reads as the uplink's backlog). The ends and sums live in the node's
 * {@link UplinkRecords} record, next to the wire state the same message touches.
 */
export class UplinkQueues {
  private readonly records: UplinkRecords;
  private readonly pool: MessagePool;

  constructor(records: UplinkRecords, pool: MessagePool) {
    this.records = records;
    this.pool = pool;
  }

  /** Bytes of `node`'s queued data. */
  bytes(node: number): number {
    return this.records.f64[node * UplinkF64.Stride + UplinkF64.QueueBytes];
  }

  /** Appends message `h` (`bytes` long, `micros` on the wire) to `node`'s queue. */
  push(node: number, h: number, bytes: number, micros: number): void {
    const poolInts = this.pool.i32;
    const { f64, i32 } = this.records;
    const at = node * UplinkF64.Stride;
    const tailAt = node * UplinkI32.Stride + UplinkI32.QueueTail;
    poolInts[h * MessageI32.Stride + MessageI32.Next] = NONE;
    const tail = i32[tailAt];
    if (tail === NONE) i32[node * UplinkI32.Stride + UplinkI32.QueueHead] = h;
    else poolInts[tail * MessageI32.Stride + MessageI32.Next] = h;
    i32[tailAt] = h;
    f64[at + UplinkF64.QueueMicros] += micros;
    f64[at + UplinkF64.QueueBytes] += bytes;
  }

  /** The message at the head of `node`'s queue, or -1. */
  peek(node: number): number {
    return this.records.i32[node * UplinkI32.Stride + UplinkI32.QueueHead];
  }

  /** Removes the head of `node`'s queue, which took `micros` on the wire; returns it. */
  shift(node: number, micros: number): number {
    const pool = this.pool;
    const { f64, i32 } = this.records;
    const at = node * UplinkF64.Stride;
    const ints = node * UplinkI32.Stride;
    const h = i32[ints + UplinkI32.QueueHead];
    const next = pool.i32[h * MessageI32.Stride + MessageI32.Next];
    i32[ints + UplinkI32.QueueHead] = next;
    if (next === NONE) i32[ints + UplinkI32.QueueTail] = NONE;
    f64[at + UplinkF64.QueueMicros] -= micros;
    f64[at + UplinkF64.QueueBytes] -= pool.f64[h * MessageF64.Stride + MessageF64.Bytes];
    return h;
  }

  /** Empties `node`'s queue, showing each message to `visit` (which may release it). */
  clear(node: number, visit: (h: number) => void): void {
    const { f64, i32 } = this.records;
    const ints = node * UplinkI32.Stride;
    for (let h = i32[ints + UplinkI32.QueueHead]; h !== NONE; ) {
      const next = this.pool.next(h);
      visit(h);
      h = next;
    }
    i32[ints + UplinkI32.QueueHead] = NONE;
    i32[ints + UplinkI32.QueueTail] = NONE;
    f64[node * UplinkF64.Stride + UplinkF64.QueueMicros] = 0;
    f64[node * UplinkF64.Stride + UplinkF64.QueueBytes] = 0;
  }
}
