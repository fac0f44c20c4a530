import { CodeParameterError, type ErasureCode } from "./code.ts";
import { gfCombine, gfInv, gfInvert } from "./gf256.ts";

/** Most coded symbols of a Reed-Solomon block over GF(256) (n <= 255, as byte-wise RS codecs allow). */
export const MAX_REED_SOLOMON_SYMBOLS = 255;

/**
 * Reed-Solomon over GF(256): a maximum-distance-separable (MDS) code, so any k of the n coded
 * symbols rebuild the block and k - 1 never do (Reed and Solomon, 1960; the MDS property is
 * what RAID 6 and erasure-coded storage rely on). Decoding is exact (no randomness).
 */
export function reedSolomonCode(k: number, n: number): ErasureCode {
  if (!Number.isInteger(n) || n < 2 || n > MAX_REED_SOLOMON_SYMBOLS) {
    throw new CodeParameterError("n", `reed-solomon needs 2 <= n <= ${MAX_REED_SOLOMON_SYMBOLS}`);
  }
  if (!Number.isInteger(k) || k < 1 || k >= n) {
    throw new CodeParameterError("k", `reed-solomon needs 1 <= k < n (n = ${n})`);
  }
  return {
    name: "reed-solomon",
    sourceSymbols: k,
    codedSymbols: n,
    minimumSymbols: k,
    failureProbability: (received) => (received >= k ? 0 : 1),
    decodesWith: (received) => received >= k,
  };
}

/**
 * Generator matrix of the reference systematic Reed-Solomon codec (n rows of k bytes): the
 * identity on top (symbols 0..k-1 are the source) and a Cauchy matrix below, entry
 * 1 / (x_i + y_j) with x_i = k + i and y_j = j. Every square submatrix of a Cauchy matrix is
 * invertible, which makes every k rows of [I; C] invertible: the MDS property, on real bytes.
 */
export function reedSolomonGenerator(k: number, n: number): Uint8Array[] {
  reedSolomonCode(k, n);
  const rows: Uint8Array[] = [];
  for (let i = 0; i < k; i++) {
    const row = new Uint8Array(k);
    row[i] = 1;
    rows.push(row);
  }
  for (let i = 0; i < n - k; i++) {
    const row = new Uint8Array(k);
    for (let j = 0; j < k; j++) row[j] = gfInv((k + i) ^ j);
    rows.push(row);
  }
  return rows;
}

/** Encodes k source symbols (equal-length byte arrays) into n coded symbols. */
export function reedSolomonEncode(
  generator: readonly Uint8Array[],
  source: readonly Uint8Array[],
): Uint8Array[] {
  return gfCombine(generator, source);
}

/**
 * Rebuilds the k source symbols from coded symbols `indices[i]` holding `symbols[i]`; uses the
 * first k distinct indices and returns undefined when there are fewer than k (the system is
 * then underdetermined: the tests show two different blocks agreeing on those symbols).
 */
export function reedSolomonDecode(
  generator: readonly Uint8Array[],
  indices: readonly number[],
  symbols: readonly Uint8Array[],
): Uint8Array[] | undefined {
  const k = generator[0].length;
  const seen = new Set<number>();
  const rows: Uint8Array[] = [];
  const held: Uint8Array[] = [];
  indices.forEach((index, i) => {
    if (seen.has(index) || rows.length === k) return;
    seen.add(index);
    rows.push(generator[index]);
    held.push(symbols[i]);
  });
  if (rows.length < k) return undefined;
  const inverse = gfInvert(rows);
  if (!inverse) return undefined;
  return gfCombine(inverse, held);
}
