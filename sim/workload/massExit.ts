import { hashUnit, type RandomStream } from "../engine/random.ts";
import type { OptionReader } from "../scenario/reader.ts";

/**
 * A correlated departure: at `atSeconds`, a `share` of the viewers online leave, spread
 * uniformly over the next `overSeconds` (all at once when 0), like the audience of a match at the
 * final whistle. `abrupt` says whether they leave without a goodbye (closing the tab) or
 * gracefully. Viewers whose own session ends sooner keep their earlier leave time.
 */
export interface MassExitOptions {
  /** When the exit starts, seconds. */
  atSeconds: number;
  /** Share of the audience online at `atSeconds` that leaves, in [0, 1]. */
  share: number;
  /** Window over which they leave, seconds. Default 0 (all at once). */
  overSeconds: number;
  /** True when they leave without a goodbye. Default false (graceful). */
  abrupt: boolean;
}

/** Departure kinds of a mass exit. */
export const MASS_EXIT_DEPARTURES = ["graceful", "abrupt"] as const;

/** Resolves one entry of `churn.massExits`. */
export function resolveMassExit(reader: OptionReader): MassExitOptions {
  return {
    atSeconds: reader.durationSeconds("at"),
    share: reader.probability("share"),
    overSeconds: reader.durationSeconds("over", 0),
    abrupt: reader.choice("departure", MASS_EXIT_DEPARTURES, "graceful") === "abrupt",
  };
}

/** The sessions a mass exit changes, as parallel arrays indexed by session. */
export interface MassExitSessions {
  joinMicros: Float64Array;
  leaveMicros: Float64Array;
  abrupt: Uint8Array;
  /** Stable identity of each session (independent of the other arrival processes). */
  identity: Uint32Array;
}

/**
 * Applies a mass exit in place. Exactly round(share * online) of the sessions online at the
 * start (joined at or before it, leaving after it) leave: those with the smallest values of a
 * hash of their identity and a salt drawn once from `random`, so who leaves, and when, depends on
 * the sessions' identities, never on the order in which they were generated, and a session's
 * exit time within the window depends on its identity alone. Returns the number picked.
 */
export function applyMassExit(
  exit: MassExitOptions,
  sessions: MassExitSessions,
  random: RandomStream,
): number {
  const salt = Math.floor(random.next() * 4294967296);
  const at = Math.round(exit.atSeconds * 1e6);
  const online: number[] = [];
  for (let i = 0; i < sessions.joinMicros.length; i++) {
    if (sessions.joinMicros[i] <= at && sessions.leaveMicros[i] > at) online.push(i);
  }
  const rank = (i: number) => hashUnit(salt, sessions.identity[i], 0);
  // Ties in the hash are vanishingly rare; the index breaks them deterministically.
  online.sort((a, b) => rank(a) - rank(b) || a - b);
  const leaving = Math.round(exit.share * online.length);
  for (let k = 0; k < leaving; k++) {
    const i = online[k];
    const offset = exit.overSeconds > 0 ? hashUnit(salt, sessions.identity[i], 1) : 0;
    const leave = Math.max(at, Math.round((exit.atSeconds + offset * exit.overSeconds) * 1e6));
    // A session lasts at least one microsecond, as in the rest of the workload.
    const exitMicros = Math.max(sessions.joinMicros[i] + 1, leave);
    if (exitMicros < sessions.leaveMicros[i]) {
      sessions.leaveMicros[i] = exitMicros;
      sessions.abrupt[i] = exit.abrupt ? 1 : 0;
    }
  }
  return leaving;
}
