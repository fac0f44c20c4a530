import type { StrategySummary } from "../results/schema.ts";
import { type ScenarioRun, scenarioWorkload } from "../run/runScenario.ts";
import type { StrategyRun } from "../run/runStrategy.ts";
import type { Scenario } from "../scenario/scenario.ts";
import type { TaskPool } from "./pool.ts";
import { type ReplicatedSummaries, replicationSeed } from "./replications.ts";
import type { StrategyTask } from "./task.ts";

/** A scenario run with all its replications. */
export interface ReplicatedRun {
  /** Replication 0 in full (the scenario's own seed): what the detailed result files show. */
  run: ScenarioRun;
  /** Every replication's summaries, `summaries[r][s]`. */
  replicated: ReplicatedSummaries;
  /** Events processed over all replications and strategies. */
  events: number;
}

/** The scenario of replication `index`: the same scenario with that replication's seed. */
export function replicationScenario(scenario: Scenario, index: number): Scenario {
  return { ...scenario, seed: replicationSeed(scenario.seed, index) };
}

/**
 * Runs every strategy of every replication of `scenario` on `pool` (`replications` defaults to
 * the scenario's own). `onTaskDone(done, total)` reports progress. Results are placed by
 * replication and strategy index, never by finishing order, so they do not depend on the pool.
 */
export async function runReplicated(
  scenario: Scenario,
  pool: TaskPool,
  options: { replications?: number; onTaskDone?: (done: number, total: number) => void } = {},
): Promise<ReplicatedRun> {
  const replications = options.replications ?? scenario.replications;
  const strategies = scenario.strategies.length;
  const tasks: StrategyTask[] = [];
  const seeds: number[] = [];
  for (let r = 0; r < replications; r++) {
    const replica = replicationScenario(scenario, r);
    seeds.push(replica.seed);
    for (let s = 0; s < strategies; s++)
      tasks.push({ scenario: replica, strategy: s, detail: r === 0 });
  }
  let done = 0;
  const results = await Promise.all(
    tasks.map(async (task) => {
      const result = await pool.run(task);
      options.onTaskDone?.(++done, tasks.length);
      return result;
    }),
  );
  const summaries: StrategySummary[][] = [];
  for (let r = 0; r < replications; r++)
    summaries.push(results.slice(r * strategies, (r + 1) * strategies).map((x) => x.summary));
  const runs = results.slice(0, strategies).map((x) => x.run as StrategyRun);
  return {
    run: { scenario, workload: scenarioWorkload(scenario), runs },
    replicated: { strategies: scenario.strategies.map((e) => e.name), seeds, summaries },
    events: results.reduce((sum, x) => sum + x.events, 0),
  };
}
