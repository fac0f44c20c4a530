/**
 * A set of small non-negative integers (node ids) with O(1) add, remove, membership and
 * uniform random pick, kept in two typed arrays. Iteration order is insertion order perturbed
 * by swap-removal, which is deterministic for a given sequence of operations.
 */
export class IndexedSet {
  private items: Int32Array;
  private where: Int32Array;
  private count = 0;

  /** @param universe ids are in [0, universe). */
  constructor(universe: number) {
    this.items = new Int32Array(Math.max(4, Math.min(universe, 1024)));
    this.where = new Int32Array(universe).fill(-1);
  }

  /** Number of members. */
  get size(): number {
    return this.count;
  }

  /** True when `id` is a member. */
  has(id: number): boolean {
    return this.where[id] >= 0;
  }

  /** Adds `id` (no effect if present). */
  add(id: number): void {
    if (this.where[id] >= 0) return;
    if (this.count === this.items.length) {
      const grown = new Int32Array(this.items.length * 2);
      grown.set(this.items);
      this.items = grown;
    }
    this.where[id] = this.count;
    this.items[this.count++] = id;
  }

  /** Removes `id` (no effect if absent) by moving the last member into its place. */
  delete(id: number): void {
    const i = this.where[id];
    if (i < 0) return;
    const last = this.items[--this.count];
    this.items[i] = last;
    this.where[last] = i;
    this.where[id] = -1;
  }

  /** The member at position `i` (0 <= i < size). */
  at(i: number): number {
    return this.items[i];
  }
}
