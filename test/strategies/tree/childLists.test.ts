import { describe, expect, it } from "vitest";
import { ChildLists } from "../../../sim/strategies/tree/childLists.ts";

/** The (child, chunk) entries of `pair`'s list, in order. */
function entries(lists: ChildLists, pair: number): [number, number][] {
  const out: [number, number][] = [];
  const pool = lists.pool;
  for (let e = lists.first(pair); pool[e] !== -1; e += 2) out.push([pool[e], pool[e + 1]]);
  return out;
}

describe("contiguous child lists", () => {
  it("keep the order of appends while lists grow past their blocks, side by side", () => {
    const lists = new ChildLists(3, 0);
    const expected: [number, number][][] = [[], [], []];
    // Interleaved appends, so that each growth moves a list past the others' blocks; 40
    // children take the list through blocks of 8, 16, 32, 64 and 128 ints.
    for (let i = 0; i < 40; i++) {
      for (let pair = 0; pair < 3; pair++) {
        if (pair === 2 && i >= 5) continue;
        lists.append(pair, 100 * pair + i, 1000 + i);
        expected[pair].push([100 * pair + i, 1000 + i]);
      }
    }
    for (let pair = 0; pair < 3; pair++) expect(entries(lists, pair)).toEqual(expected[pair]);
    // 40 entries and the end mark take 82 ints and the header one: a block of 128.
    expect(lists.pool[lists.first(0) - 1]).toBe(128);
    expect(lists.pool[lists.first(2) - 1]).toBe(16);
  });

  it("remove a child keeping the others' order, and refuse one that is not listed", () => {
    const lists = new ChildLists(2, 0);
    for (const child of [5, 6, 7, 8]) lists.append(0, child, child * 10);
    expect(lists.remove(0, 6)).toBe(true);
    expect(lists.remove(0, 8)).toBe(true);
    expect(lists.remove(0, 6)).toBe(false);
    expect(lists.remove(1, 5)).toBe(false);
    expect(entries(lists, 0)).toEqual([
      [5, 50],
      [7, 70],
    ]);
    lists.append(0, 9, 90);
    expect(entries(lists, 0)).toEqual([
      [5, 50],
      [7, 70],
      [9, 90],
    ]);
  });

  it("give an emptied list's block back for the next list of that size", () => {
    const lists = new ChildLists(3, 0);
    expect(lists.first(0)).toBe(0);
    expect(lists.pool[lists.first(0)]).toBe(-1);
    lists.append(0, 1, 0);
    const block = lists.first(0);
    lists.append(1, 2, 0);
    expect(lists.first(1)).not.toBe(block);
    lists.remove(0, 1);
    // Empty: back at the permanent end mark.
    expect(lists.first(0)).toBe(0);
    lists.append(2, 3, 0);
    expect(lists.first(2)).toBe(block);
    expect(entries(lists, 2)).toEqual([[3, 0]]);
  });

  it("keep the owner's fields per pair, starting at -1, in records of a power-of-two size", () => {
    for (const [fields, stride] of [
      [0, 1],
      [1, 2],
      [2, 4],
      [3, 4],
      [4, 8],
      [7, 8],
    ]) {
      const lists = new ChildLists(2, fields);
      expect(lists.stride).toBe(stride);
      for (let f = 0; f < fields; f++) {
        expect(lists.records[lists.recordOf(1) + lists.ownerFieldOffset + f]).toBe(-1);
      }
    }
    expect(() => new ChildLists(2, 8)).toThrow(/0\.\.7 owner fields, got 8/);
    const lists = new ChildLists(2, 2);
    lists.records[lists.recordOf(0) + lists.ownerFieldOffset] = 7;
    lists.append(0, 4, 4);
    lists.append(1, 5, 5);
    expect(lists.records[lists.recordOf(0) + lists.ownerFieldOffset]).toBe(7);
    expect(lists.records[lists.recordOf(1) + lists.ownerFieldOffset]).toBe(-1);
  });
});
