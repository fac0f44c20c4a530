const NONE = -1;
/** Ints in the smallest block: a header and three (child, chunk) entries, the last for the end mark. */
const SMALLEST_BLOCK = 8;
/** Most ints the pool holds (2^30: 4 GiB); beyond it {@link ChildLists.append} throws. */
const MAX_POOL_INTS = 2 ** 30;

/**
 * The ordered child lists of a forest, one per (node, tree) pair, each a contiguous block of
 * (child, resume chunk) entries in one shared pool of 32-bit integers, plus a small record per
 * pair that says where its list starts and holds fields of the list's owner.
 *
 * Why contiguous: forwarding a chunk reads every child of the relay with its resume point. In a
 * linked list each child's entry sat in the child's own record, one cache miss per child once
 * thousands of peers are online; in a block the relay's children sit side by side, eight to a
 * cache line.
 *
 * Layout: a pair's record is {@link stride} ints at `stride x pair`: at 0 the pool offset of its
 * first entry, then the owner's fields (from {@link ownerFieldOffset}, starting at -1). A list
 * ends at the first entry whose child is -1. A pair without children points at offset 0, where
 * the pool holds a permanent end mark, so iterating needs no test for a missing block:
 *
 * ```ts
 * for (let e = lists.records[lists.recordOf(pair)]; lists.pool[e] !== -1; e += 2) {
 *   const child = lists.pool[e], fromChunk = lists.pool[e + 1];
 * }
 * ```
 *
 * Blocks are powers of two (8, 16, 32, ... ints: a header with the block size, then entries),
 * taken when a pair gets its first child, moved to a block twice the size when full, and given
 * back to a free list of their size when the list empties, so memory follows the children that
 * exist. Removal keeps the order of the others (an existing child keeps its place in the sending
 * order). The pool grows by doubling; {@link pool} is replaced then, so a caller re-reads it
 * after any append.
 */
export class ChildLists {
  /** The per-pair records, {@link stride} ints each. */
  readonly records: Int32Array;
  /** Ints per record: 1, 2, 4 or 8 (a power of two, so that a record never straddles cache lines). */
  readonly stride: number;
  /** Offset of the owner's first field within a record. */
  readonly ownerFieldOffset = 1;
  /** The blocks; offset 0 holds the end mark every empty list points at. */
  pool: Int32Array;
  /** First pool offset never handed out. */
  private top = SMALLEST_BLOCK;
  /** Per size class (block of 8 << k ints): offsets of free blocks. */
  private readonly free: number[][] = [];

  /**
   * @param pairs number of (node, tree) pairs.
   * @param ownerFields ints per record the owner keeps, 0 to 7.
   */
  constructor(pairs: number, ownerFields: number) {
    if (!(Number.isInteger(ownerFields) && ownerFields >= 0 && ownerFields <= 7)) {
      throw new RangeError(`a child-list record keeps 0..7 owner fields, got ${ownerFields}`);
    }
    let stride = 1;
    while (stride < 1 + ownerFields) stride *= 2;
    this.stride = stride;
    this.records = new Int32Array(stride * pairs).fill(NONE);
    for (let p = 0; p < pairs; p++) this.records[stride * p] = 0;
    this.pool = new Int32Array(1024);
    this.pool[0] = NONE;
  }

  /** Where the record of `pair` starts in {@link records}. */
  recordOf(pair: number): number {
    return pair * this.stride;
  }

  /** Pool offset of the first entry of `pair`'s list (an end mark when it is empty). */
  first(pair: number): number {
    return this.records[pair * this.stride];
  }

  /** Appends `child` with its resume chunk at the end of `pair`'s list. */
  append(pair: number, child: number, fromChunk: number): void {
    const r = pair * this.stride;
    let e = this.records[r];
    if (e === 0) {
      e = this.allocate(SMALLEST_BLOCK) + 1;
      this.pool[e] = NONE;
      this.records[r] = e;
    }
    let end = e;
    while (this.pool[end] !== NONE) end += 2;
    const size = this.pool[e - 1];
    // The new entry and the end mark after it must fit in the block [e - 1, e - 1 + size).
    if (end + 3 > e - 1 + size) {
      const bigger = this.allocate(2 * size) + 1;
      const pool = this.pool;
      pool.copyWithin(bigger, e, end + 1);
      this.release(e - 1);
      end = bigger + (end - e);
      e = bigger;
      this.records[r] = e;
    }
    const pool = this.pool;
    pool[end] = child;
    pool[end + 1] = fromChunk;
    pool[end + 2] = NONE;
  }

  /**
   * Removes `child` from `pair`'s list, keeping the order of the others; the block is given
   * back when the list empties. Returns false when the child is not in the list.
   */
  remove(pair: number, child: number): boolean {
    const r = pair * this.stride;
    const e = this.records[r];
    const pool = this.pool;
    let at = e;
    while (pool[at] !== NONE && pool[at] !== child) at += 2;
    if (pool[at] === NONE) return false;
    let end = at;
    while (pool[end] !== NONE) end += 2;
    pool.copyWithin(at, at + 2, end + 1);
    if (pool[e] === NONE) {
      this.release(e - 1);
      this.records[r] = 0;
    }
    return true;
  }

  /** Takes a block of `size` ints (a power of two, at least 8), aligned to its size. */
  private allocate(size: number): number {
    const k = Math.log2(size / SMALLEST_BLOCK);
    const reused = this.free[k]?.pop();
    const block = reused ?? Math.ceil(this.top / size) * size;
    if (reused === undefined) {
      this.top = block + size;
      if (this.top > this.pool.length) {
        if (this.top > MAX_POOL_INTS) {
          throw new RangeError(`child lists exceed the limit of ${MAX_POOL_INTS} ints`);
        }
        let length = this.pool.length;
        while (length < this.top) length *= 2;
        const pool = new Int32Array(Math.min(length, MAX_POOL_INTS));
        pool.set(this.pool);
        this.pool = pool;
      }
    }
    this.pool[block] = size;
    return block;
  }

  /** Gives the block at `block` back to the free list of its size. */
  private release(block: number): void {
    const k = Math.log2(this.pool[block] / SMALLEST_BLOCK);
    while (this.free.length <= k) this.free.push([]);
    this.free[k].push(block);
  }
}
