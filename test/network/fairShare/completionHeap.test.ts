import { describe, expect, it } from "vitest";
import { CompletionHeap } from "../../../sim/network/fairShare/completionHeap.ts";

describe("completion heap", () => {
  it("yields the earliest live completion, ties to the smaller flow, skipping stale entries", () => {
    const version = new Int32Array(600);
    const heap = new CompletionHeap((f) => version[f]);
    heap.push(500, 3, 0, 4);
    heap.push(200, 2, 0, 4);
    heap.push(200, 1, 0, 4);
    heap.push(100, 0, 0, 4);
    // Flow 0's rate changed: its entry at 100 is stale, the new one is at 700.
    version[0] = 1;
    heap.push(700, 0, 1, 4);
    const order: [number, number][] = [];
    for (let f = heap.top(); f >= 0; f = heap.top()) {
      order.push([heap.topTime(), f]);
      heap.removeTop();
    }
    expect(order).toEqual([
      [200, 1],
      [200, 2],
      [500, 3],
      [700, 0],
    ]);
  });

  it("stays within a small multiple of the live flows when entries go stale", () => {
    const version = new Int32Array(1);
    const heap = new CompletionHeap((f) => version[f]);
    // One flow rescheduled 10 000 times: the stale entries are dropped as they pile up.
    for (let i = 0; i < 10_000; i++) heap.push(10_000 - i, 0, ++version[0], 1);
    expect(heap.top()).toBe(0);
    expect(heap.topTime()).toBe(1);
    heap.removeTop();
    expect(heap.top()).toBe(-1);
  });
});
