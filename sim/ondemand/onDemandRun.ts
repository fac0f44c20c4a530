import type { Scenario } from "../scenario/scenario.ts";
import type { OnDemandRun } from "../strategies/types.ts";
import type { Workload } from "../workload/workload.ts";

/** On-demand mode in engine units for one run (chunks of the video, start chunk per session). */
export function onDemandRun(scenario: Scenario, workload: Workload): OnDemandRun {
  const options = scenario.onDemand!;
  const chunkSeconds = scenario.stream.chunkSeconds;
  const videoChunks = Math.ceil(options.lengthSeconds / chunkSeconds - 1e-9);
  const startChunk = new Int32Array(workload.size);
  const starts = workload.viewing?.startSeconds;
  for (let i = 0; i < workload.size; i++) {
    const chunk = starts ? Math.floor(starts[i] / chunkSeconds) : 0;
    startChunk[i] = Math.min(videoChunks - 1, Math.max(0, chunk));
  }
  return {
    videoChunks,
    cacheChunks:
      options.cacheSeconds === "all"
        ? videoChunks
        : Math.max(1, Math.ceil(options.cacheSeconds / chunkSeconds - 1e-9)),
    prefetchChunks: Math.max(1, Math.ceil(options.prefetchSeconds / chunkSeconds - 1e-9)),
    startChunk,
  };
}
