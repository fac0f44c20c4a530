import { FOUNTAIN_MODELS } from "../../fec/fountain.ts";
import {
  CODE_NAMES,
  type CodeName,
  CodeParameterError,
  type CodeParameters,
  createCode,
  DEFAULT_CODE_PARAMETERS,
  type ErasureCode,
} from "../../fec/index.ts";
import type { OptionReader } from "../../scenario/reader.ts";
import { resolveTreeOptions, type TreeOptions } from "../tree/options.ts";

/**
 * Options of the `striped` strategy: the code, and the tree options of every stripe tree (as in
 * tree relay, per stripe: `maxChildren` (default 64) counts children in one stripe tree, and
 * slots follow from the stripe rate; `resume` applies per stripe).
 */
export interface StripedOptions extends TreeOptions {
  /** Code family: `parity` (n = k + 1), `reed-solomon` or `fountain`. Default `parity`. */
  code: CodeName;
  /** Code parameters: k source symbols and n stripes per block, plus the fountain model's. */
  codeParameters: CodeParameters;
  /**
   * SplitStream's rule: a peer forwards (is interior) in at most one stripe tree. Default true.
   * False: trees are built independently and any peer's upload serves any stripe.
   */
  interiorDisjoint: boolean;
}

/** Resolves a `striped` entry; the code is built here so that bad parameters fail at load time. */
export function resolveStripedOptions(reader: OptionReader): StripedOptions {
  const code = reader.choice("code", CODE_NAMES, "parity");
  const k = reader.integer("k", 4, { min: 1, max: 254 });
  const n = reader.integer("n", k + 1, { min: 1, max: 255 });
  const codeParameters: CodeParameters = { ...DEFAULT_CODE_PARAMETERS, k, n };
  if (code === "fountain") {
    codeParameters.fountainModel = reader.choice(
      "fountainModel",
      FOUNTAIN_MODELS,
      DEFAULT_CODE_PARAMETERS.fountainModel,
    );
    if (codeParameters.fountainModel === "lt") {
      codeParameters.epsilon = reader.number("epsilon", DEFAULT_CODE_PARAMETERS.epsilon, {
        min: 0,
        max: 10,
      });
    } else {
      codeParameters.raptorqFailureRatio = reader.number(
        "raptorqFailureRatio",
        DEFAULT_CODE_PARAMETERS.raptorqFailureRatio,
        { above: 0, max: 0.99 },
      );
    }
  }
  try {
    createCode(code, codeParameters);
  } catch (error) {
    if (error instanceof CodeParameterError) throw reader.error(error.parameter, error.message);
    throw error;
  }
  return {
    code,
    codeParameters,
    interiorDisjoint: reader.boolean("interiorDisjoint", true),
    ...resolveTreeOptions(reader, 64),
  };
}

/** The code model an options object describes. */
export function codeOf(options: StripedOptions): ErasureCode {
  return createCode(options.code, options.codeParameters);
}
