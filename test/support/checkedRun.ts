import type { RunListener } from "../../sim/metrics/probe.ts";
import { InvariantChecker } from "../../sim/network/invariants.ts";
import { minimumLatencyMicros } from "../../sim/network/latency.ts";
import { runScenario as runUnchecked, type ScenarioRun } from "../../sim/run/runScenario.ts";
import type { RunHooks } from "../../sim/run/runStrategy.ts";
import type { Scenario } from "../../sim/scenario/scenario.ts";
import { secondsToMicros } from "../../sim/scenario/units.ts";

/** Thrown when a run broke the physics the invariant checker watches. */
export class InvariantViolation extends Error {
  constructor(
    readonly strategy: string,
    readonly problems: string[],
  ) {
    super(`strategy '${strategy}' broke invariants:\n  ${problems.join("\n  ")}`);
    this.name = "InvariantViolation";
  }
}

/**
 * Runs a scenario as {@link runUnchecked} does, with an {@link InvariantChecker} watching every
 * strategy's transport and probe; throws an {@link InvariantViolation} naming the first broken
 * invariants. Strategy tests import this in place of the plain runner, so every run they make
 * is also a physics check.
 */
export function runScenario(
  scenario: Scenario,
  hooks: RunHooks & { onStrategy?: (index: number, name: string) => void } = {},
): ScenarioRun {
  const checkers: InvariantChecker[] = [];
  let current: InvariantChecker | undefined;
  const forward: RunListener = {
    onChunkReceived: (peer, chunk, time) => current?.onChunkReceived(peer, chunk, time),
  };
  const minLatency = Math.min(
    minimumLatencyMicros(scenario.peers.latency),
    scenario.cdn ? secondsToMicros(scenario.cdn.latencySeconds) : Number.POSITIVE_INFINITY,
  );
  const result = runUnchecked(scenario, {
    ...hooks,
    listeners: [...(hooks.listeners ?? []), forward],
    onContext(context) {
      const { transport } = context;
      current = new InvariantChecker(transport, {
        nodes: transport.uploadedBytes.length,
        intervalMicros: secondsToMicros(scenario.metrics.intervalSeconds),
        endMicros: context.stream.durationMicros,
        chunkMicros: context.stream.chunkMicros,
        minLatencyMicros: scenario.stream.mode === "live" ? minLatency : undefined,
      });
      checkers.push(current);
      transport.observe(current);
      hooks.onContext?.(context);
    },
  });
  result.runs.forEach((run, i) => {
    const t = run.transport;
    const problems = checkers[i].finish(
      t.counters,
      t.uploadedBytes,
      t.downloadedBytes,
      t.inFlightBytes(),
    );
    if (problems.length > 0) throw new InvariantViolation(run.entry.name, problems);
  });
  return result;
}

export type { ScenarioRun };
