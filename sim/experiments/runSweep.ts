import type { StrategySummary, UnitResult } from "../results/schema.ts";
import type { TaskPool } from "./pool.ts";
import { replicationScenario } from "./runReplicated.ts";
import type { Sweep } from "./sweepFile.ts";
import type { UnitFailure } from "./sweepResults.ts";

/** What running some units of a sweep gave. */
export interface SweepOutcome {
  results: UnitResult[];
  failures: UnitFailure[];
}

/**
 * Runs `units` of a sweep (unit = point * replications + replication) on the pool, one task per
 * strategy. A unit whose strategy throws is reported as a failure with that point's values and
 * the error; the other units still finish. `onUnit` sees each unit as it ends (to record it for
 * --resume); the outcome lists units in unit order, not finishing order.
 */
export async function runSweepUnits(
  sweep: Sweep,
  units: readonly number[],
  pool: TaskPool,
  onUnit: (outcome: UnitResult | UnitFailure) => void = () => {},
): Promise<SweepOutcome> {
  const outcomes = await Promise.all(
    units.map(async (unit): Promise<UnitResult | UnitFailure> => {
      const point = Math.floor(unit / sweep.replications);
      const replication = unit % sweep.replications;
      const scenario = replicationScenario(sweep.points[point].scenario, replication);
      const settled = await Promise.allSettled(
        scenario.strategies.map((_, strategy) => pool.run({ scenario, strategy, detail: false })),
      );
      // The first failing strategy in scenario order, so the report does not depend on timing.
      const failed = settled.findIndex((s) => s.status === "rejected");
      let outcome: UnitResult | UnitFailure;
      if (failed >= 0) {
        const reason = (settled[failed] as PromiseRejectedResult).reason;
        const message = reason instanceof Error ? reason.message : String(reason);
        outcome = {
          point,
          replication,
          strategy: sweep.strategies[failed],
          error: message.split("\n")[0],
        };
      } else {
        const summaries: Record<string, StrategySummary> = {};
        settled.forEach((s, i) => {
          summaries[sweep.strategies[i]] = (
            s as PromiseFulfilledResult<{ summary: StrategySummary }>
          ).value.summary;
        });
        outcome = { point, replication, seed: scenario.seed, summaries };
      }
      onUnit(outcome);
      return outcome;
    }),
  );
  return {
    results: outcomes.filter((o): o is UnitResult => "summaries" in o),
    failures: outcomes.filter((o): o is UnitFailure => "error" in o),
  };
}
