import type { Scenario } from "../scenario/scenario.ts";
import { generateWorkload, type Workload } from "../workload/workload.ts";
import { type RunHooks, runStrategy, type StrategyRun } from "./runStrategy.ts";

/** The outcome of running every strategy of a scenario. */
export interface ScenarioRun {
  scenario: Scenario;
  workload: Workload;
  runs: StrategyRun[];
}

/** The scenario's workload: every strategy of the scenario runs on this same one. */
export function scenarioWorkload(scenario: Scenario): Workload {
  return generateWorkload(
    {
      seed: scenario.seed,
      durationSeconds: scenario.durationSeconds,
      churn: scenario.churn,
      classes: scenario.peers.classes,
      latency: scenario.peers.latency,
      ...(scenario.onDemand ? { onDemand: scenario.onDemand } : {}),
    },
    scenario.source.uploadBitsPerSecond,
    scenario.source.downloadBitsPerSecond,
  );
}

/**
 * Generates the scenario's workload once and runs each strategy on it in turn.
 * `onStrategy(i, name)` is called before strategy i starts (for progress displays).
 */
export function runScenario(
  scenario: Scenario,
  hooks: RunHooks & { onStrategy?: (index: number, name: string) => void } = {},
): ScenarioRun {
  const workload = scenarioWorkload(scenario);
  const runs = scenario.strategies.map((entry, index) => {
    hooks.onStrategy?.(index, entry.name);
    return runStrategy(scenario, workload, entry, hooks);
  });
  return { scenario, workload, runs };
}
