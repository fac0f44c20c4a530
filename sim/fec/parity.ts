import { CodeParameterError, type ErasureCode } from "./code.ts";

/** Most source symbols a parity block may have (a limit: stripes are tracked per peer). */
export const MAX_PARITY_SOURCE_SYMBOLS = 254;

/**
 * XOR parity, as in RAID 5: k source symbols plus one parity symbol, their byte-wise XOR
 * (n = k + 1). Any k of the k + 1 symbols rebuild the block: a missing source symbol is the
 * XOR of the other k. Two losses cannot be repaired. Decoding is exact (no randomness).
 */
export function parityCode(k: number, n: number): ErasureCode {
  if (!Number.isInteger(k) || k < 1 || k > MAX_PARITY_SOURCE_SYMBOLS) {
    throw new CodeParameterError("k", `parity needs 1 <= k <= ${MAX_PARITY_SOURCE_SYMBOLS}`);
  }
  if (n !== k + 1) {
    throw new CodeParameterError(
      "n",
      `parity has exactly one parity stripe: n must be k + 1 = ${k + 1}`,
    );
  }
  return {
    name: "parity",
    sourceSymbols: k,
    codedSymbols: n,
    minimumSymbols: k,
    failureProbability: (received) => (received >= k ? 0 : 1),
    decodesWith: (received) => received >= k,
  };
}

/**
 * Reference XOR-parity codec (tests use it to check the decode rule above on real bytes):
 * returns the k source symbols followed by their XOR.
 */
export function parityEncode(source: readonly Uint8Array[]): Uint8Array[] {
  const parity = new Uint8Array(source[0].length);
  for (const symbol of source) for (let b = 0; b < parity.length; b++) parity[b] ^= symbol[b];
  return [...source.map((symbol) => Uint8Array.from(symbol)), parity];
}

/**
 * Rebuilds the k source symbols from the coded symbols held (`held[i]` is symbol i or
 * undefined when lost); undefined when more than one of the k + 1 is missing.
 */
export function parityDecode(held: readonly (Uint8Array | undefined)[]): Uint8Array[] | undefined {
  const k = held.length - 1;
  const missing = held.map((symbol, i) => (symbol === undefined ? i : -1)).filter((i) => i >= 0);
  if (missing.length > 1) return undefined;
  const present = held.filter((symbol): symbol is Uint8Array => symbol !== undefined);
  const source = held.slice(0, k).map((symbol) => symbol && Uint8Array.from(symbol));
  if (missing.length === 1 && missing[0] < k) {
    const rebuilt = new Uint8Array(present[0].length);
    for (const symbol of present) for (let b = 0; b < rebuilt.length; b++) rebuilt[b] ^= symbol[b];
    source[missing[0]] = rebuilt;
  }
  return source as Uint8Array[];
}
