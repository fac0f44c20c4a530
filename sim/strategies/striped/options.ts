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
import { STRIPE_PARENT_POLICIES, type StripeParentPolicy } from "./directory.ts";

/** Where an orphaned stripe resumes after it finds a new parent (as in tree relay). */
export const STRIPE_RESUME_MODES = ["jump-to-live", "back-buffer"] as const;

/** Options of the `striped` strategy. */
export interface StripedOptions {
  /** Code family: `parity` (n = k + 1), `reed-solomon` or `fountain`. Default `parity`. */
  code: CodeName;
  /** Code parameters: k source symbols and n stripes per block, plus the fountain model's. */
  codeParameters: CodeParameters;
  /**
   * SplitStream's rule: a peer forwards (is interior) in at most one stripe tree. Default true.
   * False: trees are built independently and any peer's upload serves any stripe.
   */
  interiorDisjoint: boolean;
  /** Most children a peer takes in one stripe tree, whatever its capacity. Default 64. */
  maxChildren: number;
  /** Most children the source takes in one stripe tree (its upload also bounds it). Default: capacity only. */
  sourceMaxChildren: number;
  /**
   * Share of upload capacity a node (the source included) commits to stripe children, in
   * (0, 1]: it forwards at most floor(slotUtilization x upload / stripe rate) stripe symbols per
   * block, over all stripes. Default 0.9, as in tree relay: fine-grained stripes can fill an
   * uplink to the last bit, and a fully committed uplink has no room for control messages or
   * catch-up bursts, so its queue (and every descendant's lag) grows without bound.
   */
  slotUtilization: number;
  /** Parent choice in each stripe tree (as in tree relay). Default `shallowest`. */
  policy: StripeParentPolicy;
  /** Candidates the directory returns per query. Default 4. */
  candidates: number;
  /** Per stripe: `jump-to-live` (default) skips what the stripe missed; `back-buffer` resends it. */
  resume: (typeof STRIPE_RESUME_MODES)[number];
  /** Seconds of stream a relay keeps to serve orphaned stripes in `back-buffer` mode. Default 20 s. */
  backBufferSeconds: number;
  /** Size of a control message, bytes. Default 100. */
  controlBytes: number;
  /** Period of child-to-parent heartbeats in each stripe, seconds; 0 turns them off. Default 5 s. */
  heartbeatSeconds: number;
  /** Wait before asking the directory again when no candidate accepted, seconds. Default 1 s. */
  retrySeconds: number;
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
    maxChildren: reader.integer("maxChildren", 64, { min: 1, max: 10_000 }),
    sourceMaxChildren: reader.integer("sourceMaxChildren", 100_000, { min: 1 }),
    slotUtilization: reader.number("slotUtilization", 0.9, { above: 0, max: 1 }),
    policy: reader.choice("policy", STRIPE_PARENT_POLICIES, "shallowest"),
    candidates: reader.integer("candidates", 4, { min: 1, max: 64 }),
    resume: reader.choice("resume", STRIPE_RESUME_MODES, "jump-to-live"),
    backBufferSeconds: reader.durationSeconds("backBuffer", 20),
    controlBytes: reader.bytes("controlBytes", 100, { min: 1 }),
    heartbeatSeconds: reader.durationSeconds("heartbeat", 5),
    retrySeconds: reader.durationSeconds("retry", 1, { above: 0 }),
  };
}

/** The code model an options object describes. */
export function codeOf(options: StripedOptions): ErasureCode {
  return createCode(options.code, options.codeParameters);
}
