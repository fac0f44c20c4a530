import { describe, expect, it } from "vitest";
import { TreeForest, TreeState } from "../../../sim/strategies/tree/forest.ts";

const NONE_CHILD = -1;

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
  const pool = f.childLists.pool;
  for (let e = f.childrenOf(node, tree); pool[e] !== -1; e += 2) out.push([pool[e], pool[e + 1]]);
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

  it("give the owner its fields in each pair's record, starting at -1 and apart per pair", () => {
    const f = forest(3, 2);
    const lists = f.childLists;
    expect(lists.stride).toBe(4);
    const at = (node: number, tree: number) =>
      lists.recordOf(f.at(node, tree)) + lists.ownerFieldOffset;
    for (let node = 0; node < 4; node++) {
      for (let t = 0; t < 3; t++) {
        expect([lists.records[at(node, t)], lists.records[at(node, t) + 1]]).toEqual([-1, -1]);
      }
    }
    lists.records[at(2, 1)] = 41;
    lists.records[at(2, 1) + 1] = 42;
    f.link(1, 0, 2, 3);
    f.link(1, 2, 3, 4);
    expect([lists.records[at(2, 1)], lists.records[at(2, 1) + 1]]).toEqual([41, 42]);
    expect(children(f, 2, 1)).toEqual([[3, 4]]);
    expect([lists.records[at(2, 0)], lists.records[at(1, 1)], lists.records[at(3, 1)]]).toEqual([
      -1, -1, -1,
    ]);
    expect(forest(1).childLists.stride).toBe(1);
  });

  it("finds the most recently linked leaf to push down by walking the list from its end", () => {
    const f = new TreeForest({
      nodes: 5,
      trees: 1,
      interiorDisjoint: false,
      favourForwarders: true,
      maxChildren: 3,
      sourceSlotsPerTree: 3,
      capacitySlots: Int32Array.of(3, 0, 2, 0, 2),
    });
    for (let node = 1; node < 5; node++) f.join(node);
    f.link(0, 0, 1, 0);
    f.link(0, 0, 2, 0);
    f.link(0, 0, 3, 0);
    // Nodes 1 and 3 cannot forward: full, the source pushes down its last leaf for node 4.
    expect(f.pushDownVictim(0, 0, 4)).toBe(3);
    f.dropChild(0, 0, 3);
    f.link(0, 0, 4, 0);
    // Walking back from node 4 (forwards) and node 2 (forwards), the last leaf is node 1.
    expect(f.pushDownVictim(0, 0, 2)).toBe(1);
    expect(children(f, 0, 0)).toEqual([
      [1, 0],
      [2, 0],
      [4, 0],
    ]);
    // A leaf that left (still listed until the relay learns it) is no victim.
    f.leave(1);
    expect(f.pushDownVictim(0, 0, 2)).toBe(NONE_CHILD);
  });

  it("refuse more owner fields than a record holds, and chunk numbers beyond 32 bits", () => {
    expect(() => forest(1, 8)).toThrow(/0\.\.7 owner fields, got 8/);
    expect(() => forest(1, -1)).toThrow(/owner fields/);
    const f = forest(1);
    expect(() => f.link(0, 0, 1, 2 ** 31)).toThrow(/chunk 2147483648/);
    f.link(0, 0, 1, 2 ** 31 - 1);
    expect(children(f, 0, 0)).toEqual([[1, 2 ** 31 - 1]]);
  });
});
