import type { OptionReader } from "../../scenario/reader.ts";
import { PARENT_POLICIES, type ParentPolicy } from "./directory.ts";

/** Where an orphan resumes after it finds a new relay. */
export const RESUME_MODES = ["jump-to-live", "back-buffer"] as const;

/** One of {@link RESUME_MODES}. */
export type ResumeMode = (typeof RESUME_MODES)[number];

/** Options of the tree join protocol, shared by every strategy built on relay trees. */
export interface TreeOptions {
  /** Most children a relay takes in one tree, whatever its capacity. Default per strategy. */
  maxChildren: number;
  /**
   * Most children the source takes in one tree; its slots are also bounded by its upload
   * capacity. Default: capacity only.
   */
  sourceMaxChildren: number;
  /**
   * Share of upload capacity a relay (the source included) commits to children, in (0, 1]:
   * slots are floor(slotUtilization x upload / tree rate). Default 0.9: a relay that commits
   * its whole uplink has no room left for control traffic or catch-up bursts, so its queue (and
   * every descendant's lag) grows without bound.
   */
  slotUtilization: number;
  /** Parent choice (see {@link PARENT_POLICIES}). Default `shallowest`. */
  policy: ParentPolicy;
  /** Candidates the directory returns per query. Default 4. */
  candidates: number;
  /**
   * `jump-to-live` (default): an orphan skips what it missed. `back-buffer`: the new relay
   * serves the orphan from where it left off if that is still in its back buffer.
   */
  resume: ResumeMode;
  /** Seconds of stream a relay keeps to serve orphans in `back-buffer` mode. Default 20 s. */
  backBufferSeconds: number;
  /** Size of a control message (query, request, reply, heartbeat, goodbye), bytes. Default 100. */
  controlBytes: number;
  /** Period of child-to-parent heartbeats, seconds; 0 turns them off. Default 5 s. */
  heartbeatSeconds: number;
  /** Wait before asking the directory again when no candidate accepted, seconds. Default 1 s. */
  retrySeconds: number;
}

/**
 * Resolves the tree options of a strategy entry.
 * @param defaultMaxChildren the strategy's default for `maxChildren`.
 */
export function resolveTreeOptions(reader: OptionReader, defaultMaxChildren: number): TreeOptions {
  return {
    maxChildren: reader.integer("maxChildren", defaultMaxChildren, { min: 1, max: 10_000 }),
    sourceMaxChildren: reader.integer("sourceMaxChildren", 100_000, { min: 1 }),
    slotUtilization: reader.number("slotUtilization", 0.9, { above: 0, max: 1 }),
    policy: reader.choice("policy", PARENT_POLICIES, "shallowest"),
    candidates: reader.integer("candidates", 4, { min: 1, max: 64 }),
    resume: reader.choice("resume", RESUME_MODES, "jump-to-live"),
    backBufferSeconds: reader.durationSeconds("backBuffer", 20),
    controlBytes: reader.bytes("controlBytes", 100, { min: 1 }),
    heartbeatSeconds: reader.durationSeconds("heartbeat", 5),
    retrySeconds: reader.durationSeconds("retry", 1, { above: 0 }),
  };
}

/** Seconds of stream the players must remember for these options (the back buffer, if used). */
export function treeMemorySeconds(options: TreeOptions): number {
  return options.resume === "back-buffer" ? options.backBufferSeconds : 0;
}
