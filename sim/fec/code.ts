import type { RandomStream } from "../engine/random.ts";

/**
 * What the simulator needs to know about an erasure code: how many coded symbols make a block,
 * and whether a block decodes from the symbols a peer holds. No bytes are coded during a run;
 * each model states what the real code needs to decode (see `sim/fec/*.ts` for the sources),
 * and the reference codecs beside the models check those statements in the tests.
 *
 * A block is k source symbols, coded into n symbols (stripe i carries symbol i). Symbols are
 * counted as distinct: a duplicate never helps a decoder.
 */
export interface ErasureCode {
  /** The name scenarios use (`parity`, `reed-solomon`, `fountain`). */
  readonly name: string;
  /** k: source symbols per block. */
  readonly sourceSymbols: number;
  /** n: coded symbols per block (one per stripe). */
  readonly codedSymbols: number;
  /** Fewest distinct coded symbols with which decoding can succeed. */
  readonly minimumSymbols: number;
  /**
   * Probability that decoding fails with `received` distinct coded symbols: 1 below
   * {@link minimumSymbols}, non-increasing in `received`.
   */
  failureProbability(received: number): number;
  /**
   * Asked once per arriving distinct symbol while a block is not yet decoded, with `received`
   * the number of distinct symbols now held (the first call has `received` equal to
   * {@link minimumSymbols}); true when the block decodes now. Probabilistic codes draw from
   * `random` so that, over the sequence of calls, a block still fails with `received` symbols
   * with exactly {@link failureProbability}(received); exact codes never draw.
   */
  decodesWith(received: number, random: RandomStream): boolean;
}

/**
 * The draw behind {@link ErasureCode.decodesWith} for any failure curve: having failed with
 * `received - 1` symbols, decoding succeeds with `received` with probability
 * 1 - P(received) / P(received - 1), so that the chance to have failed at every step up to
 * `received` telescopes to P(received). Draws only when the outcome is uncertain.
 */
export function decodesAfterFailure(
  code: ErasureCode,
  received: number,
  random: RandomStream,
): boolean {
  const now = code.failureProbability(received);
  if (now <= 0) return true;
  const before = code.failureProbability(received - 1);
  if (now >= before) return false;
  return random.next() >= now / before;
}

/** Thrown when a code's parameters cannot describe a real code of that family. */
export class CodeParameterError extends RangeError {
  /** The parameter at fault (`k`, `n`, `epsilon`, ...), for error messages that name it. */
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super(message);
    this.name = "CodeParameterError";
    this.parameter = parameter;
  }
}
