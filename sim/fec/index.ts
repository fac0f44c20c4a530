import { CodeParameterError, type ErasureCode } from "./code.ts";
import { type FountainModel, fountainCode, RAPTORQ_FAILURE_RATIO } from "./fountain.ts";
import { parityCode } from "./parity.ts";
import { reedSolomonCode } from "./reedSolomon.ts";

/** Everything a scenario may say about a code; each family reads what it needs. */
export interface CodeParameters {
  /** k: source symbols per block. */
  k: number;
  /** n: coded symbols per block (stripes). */
  n: number;
  /** Fountain decoder model (fountain only). Default `raptorq`. */
  fountainModel: FountainModel;
  /** LT reception overhead (fountain `lt` only). Default 0.05. */
  epsilon: number;
  /** RaptorQ-style failure ratio (fountain `raptorq` only). Default 0.01 (RFC 6330). */
  raptorqFailureRatio: number;
}

/** Makes a code model from scenario parameters; throws {@link CodeParameterError} if invalid. */
export type CodeFactory = (parameters: CodeParameters) => ErasureCode;

/**
 * Every code family a scenario can name, mapped to its factory. Adding a code means adding one
 * file and one entry here.
 */
export const CODES = {
  parity: (p: CodeParameters) => parityCode(p.k, p.n),
  "reed-solomon": (p: CodeParameters) => reedSolomonCode(p.k, p.n),
  fountain: (p: CodeParameters) =>
    fountainCode({
      k: p.k,
      n: p.n,
      model: p.fountainModel,
      epsilon: p.epsilon,
      failureRatio: p.raptorqFailureRatio,
    }),
} as const satisfies Record<string, CodeFactory>;

/** A code family name: a key of {@link CODES}. */
export type CodeName = keyof typeof CODES;

/** The code family names, in a fixed order (for option choices and docs). */
export const CODE_NAMES = Object.keys(CODES) as CodeName[];

/** Default parameters a scenario may leave out. */
export const DEFAULT_CODE_PARAMETERS: Omit<CodeParameters, "k" | "n"> = {
  fountainModel: "raptorq",
  epsilon: 0.05,
  raptorqFailureRatio: RAPTORQ_FAILURE_RATIO,
};

/** Creates the model of code family `name`. */
export function createCode(name: CodeName, parameters: CodeParameters): ErasureCode {
  return CODES[name](parameters);
}

export { CodeParameterError, type ErasureCode };
