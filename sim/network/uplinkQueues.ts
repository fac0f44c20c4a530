import type { MessagePool } from "./messagePool.ts";

/** The end of a queue (no message). */
const NONE = -1;

/**
 * Each node's queue of data waiting for its uplink's wire: pooled message handles linked
 * through the pool's `next`, FIFO, with the serialization time and bytes they add up to (what a
 * strategy reads as the uplink's backlog).
 */
export class UplinkQueues {
  /** Serialization time (µs) and bytes of each node's queued data. */
  readonly micros: Float64Array;
  readonly bytes: Float64Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly pool: MessagePool;

  constructor(nodes: number, pool: MessagePool) {
    this.pool = pool;
    this.micros = new Float64Array(nodes);
    this.bytes = new Float64Array(nodes);
    this.head = new Int32Array(nodes).fill(NONE);
    this.tail = new Int32Array(nodes).fill(NONE);
  }

  /** Appends message `h` (`micros` on the wire) to `node`'s queue. */
  push(node: number, h: number, micros: number): void {
    const pool = this.pool;
    pool.next[h] = NONE;
    const tail = this.tail[node];
    if (tail === NONE) this.head[node] = h;
    else pool.next[tail] = h;
    this.tail[node] = h;
    this.micros[node] += micros;
    this.bytes[node] += pool.bytes[h];
  }

  /** The message at the head of `node`'s queue, or -1. */
  peek(node: number): number {
    return this.head[node];
  }

  /** Removes the head of `node`'s queue, which took `micros` on the wire; returns it. */
  shift(node: number, micros: number): number {
    const h = this.head[node];
    const next = this.pool.next[h];
    this.head[node] = next;
    if (next === NONE) this.tail[node] = NONE;
    this.micros[node] -= micros;
    this.bytes[node] -= this.pool.bytes[h];
    return h;
  }

  /** Empties `node`'s queue, showing each message to `visit` (which may release it). */
  clear(node: number, visit: (h: number) => void): void {
    for (let h = this.head[node]; h !== NONE; ) {
      const next = this.pool.next[h];
      visit(h);
      h = next;
    }
    this.head[node] = NONE;
    this.tail[node] = NONE;
    this.micros[node] = 0;
    this.bytes[node] = 0;
  }
}
