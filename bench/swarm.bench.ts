/**
 * Minute-swarming throughput: 5,000 viewers (a flash crowd over the first two minutes, sessions
 * of two hours on average, half of the departures abrupt) watch a 400 kbps stream for 30 minutes
 * through a swarm per 60 s slice, with the default options (64 KiB pieces, 20 neighbours, 4 + 1
 * upload slots): about 6 million pieces move, each with its request, HAVEs and queueing, and 30
 * swarms form with some 30,000 connections each.
 *
 * Then runs the same crowd with 32 KiB pieces (twice the pieces), to show how the cost scales
 * with the piece count.
 *
 * Reports wall time, events and events per second of the run alone (the workload is generated
 * first, outside the timing). Absolute rates depend on the machine and its load.
 */

import { runStrategy } from "../sim/run/runStrategy.ts";
import { parseScenario } from "../sim/scenario/load.ts";
import { generateWorkload } from "../sim/workload/workload.ts";

const SCENARIO = `name: swarm-bench
seed: 1
duration: 30min
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 20Mbps }
peers:
  latency: { model: plane, access: 5ms, propagation: 60ms }
churn:
  arrivals: [{ type: flash-crowd, count: 5000, at: 0s, over: 2min }]
  session: { distribution: exponential, mean: 2h }
  abruptShare: 0.5
  detectionDelay: 4s
strategies:
  - { name: default-64KiB, type: minute-swarming }
  - { name: pieces-32KiB, type: minute-swarming, pieceSize: 32KiB }
`;

export async function run(): Promise<void> {
  const scenario = parseScenario(SCENARIO, "swarm.bench.ts");
  const workload = generateWorkload(
    {
      seed: scenario.seed,
      durationSeconds: scenario.durationSeconds,
      churn: scenario.churn,
      classes: scenario.peers.classes,
      latency: scenario.peers.latency,
    },
    scenario.source.uploadBitsPerSecond,
    scenario.source.downloadBitsPerSecond,
  );
  console.log(
    `${workload.size} sessions, ${scenario.durationSeconds / 60} min simulated, ` +
      `60 s slices, ${scenario.stream.bitrateBitsPerSecond / 1e3} kbps`,
  );
  console.log("");
  console.log("| run | wall s | events | events/s | pieces served | continuity |");
  console.log("|:---|---:|---:|---:|---:|---:|");
  for (const entry of scenario.strategies) {
    // The wall clock is read here, in the benchmark, never inside the model.
    const started = process.hrtime.bigint();
    const result = runStrategy(scenario, workload, entry);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const served = result.summary.piecesServed as number;
    console.log(
      `| ${entry.name} | ${seconds.toFixed(1)} | ${(result.events / 1e6).toFixed(1)}M | ` +
        `${(result.events / seconds / 1e6).toFixed(2)}M | ${(served / 1e6).toFixed(1)}M | ` +
        `${result.summary.continuityIndex.toFixed(4)} |`,
    );
  }
}
