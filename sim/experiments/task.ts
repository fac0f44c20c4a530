import type { QosCollector } from "../metrics/qos.ts";
import type { NetworkModel } from "../network/transport.ts";
import type { StrategySummary } from "../results/schema.ts";
import { scenarioWorkload } from "../run/runScenario.ts";
import { runStrategy, type StrategyRun } from "../run/runStrategy.ts";
import type { Scenario } from "../scenario/scenario.ts";

/**
 * One unit of work for the pool: one strategy of one (fully resolved) scenario, whose seed is
 * already the replication's. Plain data, so it crosses to a worker thread by structured clone.
 */
export interface StrategyTask {
  scenario: Scenario;
  /** Index into `scenario.strategies`. */
  strategy: number;
  /**
   * Whether to return the whole run (per-peer arrays, time series, gauges) for the detailed
   * result files, or only the summary.
   */
  detail: boolean;
}

/** What a task gives back: always the summary and event count; the run itself when detailed. */
export interface TaskResult {
  summary: StrategySummary;
  events: number;
  run?: StrategyRun;
}

/**
 * Copies the data of a model object (typed arrays, numbers, plain records) and leaves out what
 * cannot cross threads (the simulator, handlers, closures). The copy is read-only evidence for
 * the result writers, which only read counters and arrays; {@link attach} gives it back its
 * class so getters still work.
 */
function detach(object: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === "function") continue;
    if (value === null || typeof value !== "object" || ArrayBuffer.isView(value)) {
      out[key] = value;
      continue;
    }
    try {
      out[key] = structuredClone(value);
    } catch {
      // Holds functions or engine state: not evidence, leave it behind.
    }
  }
  return out;
}

/** Runs one task (on a worker thread or in-process). */
export function runTask(task: StrategyTask): TaskResult {
  const workload = scenarioWorkload(task.scenario);
  const run = runStrategy(task.scenario, workload, task.scenario.strategies[task.strategy]);
  if (!task.detail) return { summary: run.summary, events: run.events };
  return {
    summary: run.summary,
    events: run.events,
    run: {
      ...run,
      qos: detach(run.qos) as unknown as QosCollector,
      transport: detach(run.transport) as unknown as NetworkModel,
    },
  };
}

/** Gives a detached run's collector and transport their classes back (in the main thread). */
export function attach(run: StrategyRun, classes: { qos: object; transport: object }): StrategyRun {
  Object.setPrototypeOf(run.qos, classes.qos);
  Object.setPrototypeOf(run.transport, classes.transport);
  return run;
}
