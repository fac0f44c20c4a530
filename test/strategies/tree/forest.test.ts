import { describe, expect, it } from "vitest";
import { TreeForest, TreeState } from "../../../sim/strategies/tree/forest.ts";

/** A forest of `trees` trees over four nodes with room for everything; node 0 is the source. */
function forest(trees: number, ownerFields?: number) {
  const f = new TreeForest({
    nodes: 4,
    trees,
    interiorDisjoint: false,
    favourForwarders: false,
    maxChildren: 4,
    sourceSlotsPerTree: 4,
    capacitySlots: new Int32Array(4).fill(16),
    ...(ownerFields === undefined ? {} : { ownerFields }),
  });
  for (let node = 1; node < 4; node++) {
    f.join(node);
    for (let t = 0; t < trees; t++) f.setState(node, t, TreeState.Attached);
  }
  return f;
}

/** The children of `node` in `tree` with their resume points, in sending order. */
function children(f: TreeForest, node: number, tree: number): [number, number][] {
  const out: [number, number][] = [];
  for (let c = f.firstChildOf(node, tree); c !== -1; c = f.nextChild(c, tree)) {
    out.push([c, f.childFromOf(c, tree)]);
  }
  return out;
}

describe("the forest's link records", () => {
  it("keep each relay's children in the order they were linked, per tree, across unlinks", () => {
    const f = forest(2);
    f.link(1, 0, 3, 7);
    f.link(1, 0, 1, 8);
    f.link(1, 0, 2, 9);
    f.link(0, 0, 2, 5);
    expect(children(f, 0, 1)).toEqual([
      [3, 7],
      [1, 8],
      [2, 9],
    ]);
    f.dropChild(1, 0, 1);
    expect(children(f, 0, 1)).toEqual([
      [3, 7],
      [2, 9],
    ]);
    f.link(1, 0, 1, 10);
    expect(children(f, 0, 1)).toEqual([
      [3, 7],
      [2, 9],
      [1, 10],
    ]);
    expect(children(f, 0, 0)).toEqual([[2, 5]]);
  });

  it("give the owner its fields beside the first child, starting at -1 and apart per pair", () => {
    const f = forest(3, 2);
    expect(f.linkStride).toBe(8);
    const at = (node: number, tree: number) => f.linkOf(node, tree) + f.ownerFieldOffset;
    for (let node = 0; node < 4; node++) {
      for (let t = 0; t < 3; t++)
        expect([f.links[at(node, t)], f.links[at(node, t) + 1]]).toEqual([-1, -1]);
    }
    f.links[at(2, 1)] = 41;
    f.links[at(2, 1) + 1] = 42;
    f.link(1, 0, 2, 3);
    f.link(1, 2, 3, 4);
    expect([f.links[at(2, 1)], f.links[at(2, 1) + 1]]).toEqual([41, 42]);
    expect(children(f, 2, 1)).toEqual([[3, 4]]);
    expect([f.links[at(2, 0)], f.links[at(1, 1)], f.links[at(3, 1)]]).toEqual([-1, -1, -1]);
    // A record never straddles two 64-byte cache lines: the stride divides 16 integers.
    expect(16 % f.linkStride).toBe(0);
    expect(forest(1).linkStride).toBe(4);
  });

  it("refuse more owner fields than a record holds, and chunk numbers beyond 32 bits", () => {
    expect(() => forest(1, 6)).toThrow(/0\.\.5 owner fields, got 6/);
    expect(() => forest(1, -1)).toThrow(/owner fields/);
    const f = forest(1);
    expect(() => f.link(0, 0, 1, 2 ** 31)).toThrow(/chunk 2147483648/);
    f.link(0, 0, 1, 2 ** 31 - 1);
    expect(f.childFromOf(1, 0)).toBe(2 ** 31 - 1);
  });
});
