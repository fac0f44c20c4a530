import type { OptionReader } from "../scenario/reader.ts";
import { type ArrivalOptions, resolveArrival } from "./arrivals.ts";
import { type MassExitOptions, resolveMassExit } from "./massExit.ts";
import { DEFAULT_SESSION_LENGTH, type SessionLengthOptions } from "./sessionLength.ts";
import { resolveSession } from "./sessionPresets.ts";

/** Who arrives when, how long they stay and how they leave. */
export interface ChurnOptions {
  /** Arrival processes, merged. Default: one Poisson process at 1 arrival per second. */
  arrivals: ArrivalOptions[];
  /** Session length distribution. Default: exponential, mean 10 minutes. */
  session: SessionLengthOptions;
  /** Share of departures that are abrupt (no goodbye), in [0, 1]. Default 0.5. */
  abruptShare: number;
  /** How long neighbours take to notice an abrupt departure, in seconds. Default 5 s. */
  detectionDelaySeconds: number;
  /** Correlated departures, applied in order. Default none. */
  massExits?: MassExitOptions[];
}

/** Resolves `churn`. */
export function resolveChurn(reader: OptionReader, durationSeconds: number): ChurnOptions {
  const arrivals = reader.has("arrivals")
    ? reader.list("arrivals", (item, path) => {
        const r = reader.child(item, path);
        const arrival = resolveArrival(r, durationSeconds, path);
        r.done();
        return arrival;
      })
    : [
        {
          type: "poisson" as const,
          ratePerSecond: 1,
          fromSeconds: 0,
          untilSeconds: durationSeconds,
        },
      ];
  const session = reader.has("session")
    ? reader.object("session", resolveSession)
    : DEFAULT_SESSION_LENGTH;
  return {
    arrivals,
    session,
    abruptShare: reader.probability("abruptShare", 0.5),
    detectionDelaySeconds: reader.durationSeconds("detectionDelay", 5),
    massExits: reader.list("massExits", (item, path) => {
      const r = reader.child(item, path);
      const exit = resolveMassExit(r);
      r.done();
      return exit;
    }),
  };
}
