import { describe, expect, it } from "vitest";
import { createStream } from "../../sim/engine/random.ts";
import { CodeParameterError } from "../../sim/fec/code.ts";
import { gfCombine, gfInv, gfInvert, gfMul, gfRank } from "../../sim/fec/gf256.ts";
import {
  reedSolomonCode,
  reedSolomonDecode,
  reedSolomonEncode,
  reedSolomonGenerator,
} from "../../sim/fec/reedSolomon.ts";

const random = createStream("test/fec/reed-solomon");

function randomSymbols(count: number, length: number): Uint8Array[] {
  return Array.from({ length: count }, () => Uint8Array.from({ length }, () => random.int(256)));
}

/** Every subset of {0..n-1} of the given size, in lexicographic order. */
function subsets(n: number, size: number): number[][] {
  const out: number[][] = [];
  const pick = (from: number, chosen: number[]) => {
    if (chosen.length === size) {
      out.push([...chosen]);
      return;
    }
    for (let i = from; i < n; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

describe("GF(256) arithmetic", () => {
  it("every non-zero byte times its inverse is 1, and multiplication distributes over XOR", () => {
    for (let a = 1; a < 256; a++) expect(gfMul(a, gfInv(a))).toBe(1);
    for (let i = 0; i < 2000; i++) {
      const a = random.int(256);
      const b = random.int(256);
      const c = random.int(256);
      expect(gfMul(a, b ^ c)).toBe(gfMul(a, b) ^ gfMul(a, c));
      expect(gfMul(a, b)).toBe(gfMul(b, a));
    }
    expect(() => gfInv(0)).toThrow(RangeError);
  });

  it("inverts a random invertible matrix and reports a singular one", () => {
    const m = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6), Uint8Array.of(7, 8, 10)];
    const inv = gfInvert(m)!;
    const product = gfCombine(m, inv);
    expect(product.map((row) => [...row])).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    // Row 3 = row 1 XOR row 2: rank 2, no inverse.
    const singular = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6), Uint8Array.of(5, 7, 5)];
    expect(gfRank(singular)).toBe(2);
    expect(gfInvert(singular)).toBeUndefined();
  });
});

describe("Reed-Solomon decode rule (any k of n, never k - 1)", () => {
  it("the model decodes with k distinct symbols and not with k - 1, for every k < n <= 255", () => {
    for (const [k, n] of [
      [1, 2],
      [4, 5],
      [8, 12],
      [10, 14],
      [100, 255],
      [254, 255],
    ]) {
      const code = reedSolomonCode(k, n);
      expect(code.minimumSymbols).toBe(k);
      expect(code.decodesWith(k - 1, random)).toBe(false);
      expect(code.decodesWith(k, random)).toBe(true);
      expect(code.failureProbability(k - 1)).toBe(1);
      expect(code.failureProbability(k)).toBe(0);
      expect(code.failureProbability(n)).toBe(0);
    }
  });

  it.each([
    [4, 7],
    [8, 12],
  ])("the reference codec (k = %i, n = %i) rebuilds the block from every k-subset", (k, n) => {
    const generator = reedSolomonGenerator(k, n);
    const source = randomSymbols(k, 32);
    const coded = reedSolomonEncode(generator, source);
    // Systematic: the first k coded symbols are the source.
    for (let i = 0; i < k; i++) expect(coded[i]).toEqual(source[i]);
    const all = subsets(n, k);
    expect(all.length).toBeGreaterThan(30);
    for (const indices of all) {
      const decoded = reedSolomonDecode(
        generator,
        indices,
        indices.map((i) => coded[i]),
      );
      expect(decoded).toEqual(source);
    }
  });

  it("with k - 1 symbols two different blocks agree on every symbol held: undecodable", () => {
    const k = 8;
    const n = 12;
    const generator = reedSolomonGenerator(k, n);
    for (const held of [
      [0, 1, 2, 3, 4, 5, 6],
      [5, 6, 7, 8, 9, 10, 11],
      [0, 2, 4, 6, 8, 10, 11],
    ]) {
      const rows = held.map((i) => generator[i]);
      expect(gfRank(rows)).toBe(k - 1);
      // A non-zero x with G_held x = 0: complete the rows to an invertible square matrix with a
      // unit row e_j, then x solves G_held x = 0, x_j = 1.
      let x: Uint8Array | undefined;
      for (let j = 0; j < k && !x; j++) {
        const unit = new Uint8Array(k);
        unit[j] = 1;
        const inverse = gfInvert([...rows, unit]);
        if (inverse) x = Uint8Array.from(inverse.map((row) => row[k - 1]));
      }
      expect(x).toBeDefined();
      // Blocks a and a + x (per byte position, x as a column of symbols).
      const a = randomSymbols(k, 1);
      const b = a.map((symbol, j) => Uint8Array.of(symbol[0] ^ x![j]));
      expect(b).not.toEqual(a);
      const codedA = reedSolomonEncode(generator, a);
      const codedB = reedSolomonEncode(generator, b);
      for (const i of held) expect(codedB[i]).toEqual(codedA[i]);
      expect(
        reedSolomonDecode(
          generator,
          held,
          held.map((i) => codedA[i]),
        ),
      ).toBeUndefined();
      // Duplicates add nothing: k - 1 distinct symbols sent twice still do not decode.
      expect(
        reedSolomonDecode(
          generator,
          [...held, held[0]],
          [...held, held[0]].map((i) => codedA[i]),
        ),
      ).toBeUndefined();
    }
  });

  it("rejects parameters no byte-wise Reed-Solomon code has", () => {
    expect(() => reedSolomonCode(8, 256)).toThrow(CodeParameterError);
    expect(() => reedSolomonCode(12, 12)).toThrow(/k < n/);
    expect(() => reedSolomonCode(0, 4)).toThrow(CodeParameterError);
    expect(() => reedSolomonCode(2.5, 4)).toThrow(CodeParameterError);
  });
});
