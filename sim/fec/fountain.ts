import { CodeParameterError, decodesAfterFailure, type ErasureCode } from "./code.ts";

/** Fountain decoder models. */
export const FOUNTAIN_MODELS = ["lt", "raptorq"] as const;

/** One of {@link FOUNTAIN_MODELS}. */
export type FountainModel = (typeof FOUNTAIN_MODELS)[number];

/** Most symbols (stripes) a fountain block may be sent as (a limit: stripes are tracked per peer). */
export const MAX_FOUNTAIN_SYMBOLS = 255;

/** Default failure ratio of the RaptorQ-style model: RFC 6330's 1e-2, 1e-4, 1e-6 sequence. */
export const RAPTORQ_FAILURE_RATIO = 0.01;

/** Parameters of a fountain code model. */
export interface FountainParameters {
  /** k: source symbols per block. */
  k: number;
  /** n: encoding symbols sent per block (one per stripe); a rateless code can make any number. */
  n: number;
  /** Which decoder model. */
  model: FountainModel;
  /** LT reception overhead: the decoder needs ceil(k (1 + epsilon)) symbols. */
  epsilon: number;
  /** RaptorQ-style model: decoding with k + h symbols fails with probability ratio^(h + 1). */
  failureRatio: number;
}

/**
 * A rateless (fountain) code: the encoder makes as many encoding symbols as wanted from k
 * source symbols; the stream sends n of them per block, one per stripe. Two decoder models:
 *
 * - `lt`: an LT code (Luby, "LT codes", FOCS 2002) decoded by belief propagation needs
 *   k + O(sqrt(k) ln^2(k / delta)) symbols to succeed with probability 1 - delta; the model
 *   folds that into a fixed reception overhead epsilon: decoding succeeds exactly when
 *   ceil(k (1 + epsilon)) distinct symbols are held (MacKay, Information Theory, Inference and
 *   Learning Algorithms, ch. 50, reports overheads of 5-10% for k in the thousands; small
 *   blocks need more). Deterministic.
 * - `raptorq`: a RaptorQ code (RFC 6330) decoded by inactivation decoding. RFC 6330, section
 *   5.8, requires a conforming decoder to fail at most 1 time in 100 with K' received symbols,
 *   1 in 10,000 with K' + 1 and 1 in 1,000,000 with K' + 2 (for random encoding symbol ids).
 *   The model takes those bounds as the failure probabilities and extends the geometric
 *   sequence: P_fail(k + h) = ratio^(h + 1), ratio = 0.01, and fails surely below k. Decoding
 *   is retried on every further symbol; draws come from the strategy's seeded stream.
 */
export function fountainCode(p: FountainParameters): ErasureCode {
  const { k, n } = p;
  if (!Number.isInteger(k) || k < 1 || k >= MAX_FOUNTAIN_SYMBOLS) {
    throw new CodeParameterError("k", `fountain needs 1 <= k < ${MAX_FOUNTAIN_SYMBOLS}`);
  }
  if (!Number.isInteger(n) || n < 1 || n > MAX_FOUNTAIN_SYMBOLS) {
    throw new CodeParameterError("n", `fountain needs 1 <= n <= ${MAX_FOUNTAIN_SYMBOLS}`);
  }
  if (p.model === "lt") {
    if (!(p.epsilon >= 0 && p.epsilon <= 10)) {
      throw new CodeParameterError("epsilon", "LT overhead epsilon must lie in [0, 10]");
    }
    // The small tolerance keeps k (1 + epsilon) = 8.0000000001 from rounding up to 9.
    const needed = Math.max(k, Math.ceil(k * (1 + p.epsilon) - 1e-9));
    if (n < needed) {
      throw new CodeParameterError(
        "n",
        `an LT block with k = ${k}, epsilon = ${p.epsilon} needs ${needed} symbols: n must be at least ${needed}`,
      );
    }
    return {
      name: "fountain",
      sourceSymbols: k,
      codedSymbols: n,
      minimumSymbols: needed,
      failureProbability: (received) => (received >= needed ? 0 : 1),
      decodesWith: (received) => received >= needed,
    };
  }
  if (!(p.failureRatio > 0 && p.failureRatio < 1)) {
    throw new CodeParameterError("raptorqFailureRatio", "must lie strictly between 0 and 1");
  }
  if (n < k) throw new CodeParameterError("n", `a RaptorQ block needs n >= k = ${k}`);
  const ratio = p.failureRatio;
  const code: ErasureCode = {
    name: "fountain",
    sourceSymbols: k,
    codedSymbols: n,
    minimumSymbols: k,
    failureProbability: (received) => (received < k ? 1 : ratio ** (received - k + 1)),
    decodesWith: (received, random) => decodesAfterFailure(code, received, random),
  };
  return code;
}
