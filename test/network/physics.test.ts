import { describe, expect, it } from "vitest";
import { loadScenario, parseScenario } from "../../sim/scenario/load.ts";
import { runScenario } from "../support/checkedRun.ts";

/*
 * The two overdraws found on whole runs (issue 8), reproduced: before the fix, control messages
 * left an idle uplink without advancing its busy time (a 64 kbps striped peer retrying every
 * 0.1 s uploaded about 5 times what its link allows here), and the source's load per interval
 * was counted when bytes were queued (a 20 Mbit/s source "sent" 65 Mbit/s in an interval).
 */

const slowPeers = (strategy: string) => `name: slow-peers
seed: 1
duration: 3min
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 2Mbps }
peers:
  classes:
    - { name: slow, share: 0.9, upload: 64kbps, download: 450kbps }
    - { name: mid, share: 0.1, upload: 1Mbps, download: 2Mbps }
  latency: { model: plane, access: 5ms, propagation: 60ms }
churn:
  arrivals: [{ type: poisson, rate: 1/s }, { type: flash-crowd, count: 60, at: 30s, over: 2s }]
  session: { distribution: exponential, mean: 1min }
  abruptShare: 0.5
strategies:
  - ${strategy}
`;

describe("links are never overdrawn on whole runs", () => {
  it("a 64 kbps striped peer retrying every 0.1 s uploads no more than its link carries", () => {
    const text = slowPeers(
      "{ name: s, type: striped, code: reed-solomon, k: 8, n: 10, retry: 0.1s }",
    );
    const result = runScenario(parseScenario(text, "slow-peers.yaml"));
    const { workload, scenario } = result;
    const transport = result.runs[0].transport;
    const end = scenario.durationSeconds * 1e6;
    let slowPeersSeen = 0;
    let worst = 0;
    for (let peer = 1; peer <= workload.size; peer++) {
      const join = workload.joinMicros[peer - 1];
      if (join > end) continue;
      const online = Math.min(workload.leaveMicros[peer - 1], end) - join;
      const rate = transport.controlBitsPerSecond(peer);
      if (rate === 64e3) slowPeersSeen++;
      // Its uplink sends only while it is online, plus what was on its wire when it left (at
      // most one symbol and a few control messages: 10 kB is ample).
      const allowance = (rate * online) / 8e6 + 10_000;
      worst = Math.max(worst, transport.uploadedBytes[peer] / allowance);
    }
    expect(slowPeersSeen).toBeGreaterThan(100);
    expect(worst).toBeLessThanOrEqual(1);
    // Not vacuous: some slow peer used most of its link (the retries fill it).
    expect(worst).toBeGreaterThan(0.5);
  });

  it("the source load in timeseries.csv never exceeds the source's capacity", () => {
    const scenario = loadScenario("scenarios/high-churn.yaml", [
      { path: "duration", value: "2min" },
      { path: "strategies", value: "[{name: cs, type: client-server}]" },
    ]);
    const [run] = runScenario(scenario).runs;
    const loads = run.timeseries.map((row) => row.sourceUploadBitsPerSecond);
    expect(loads.length).toBe(12);
    // Client-server past capacity: the source's uplink is saturated, never more.
    expect(Math.max(...loads)).toBeLessThanOrEqual(20e6 * (1 + 1e-12));
    expect(Math.max(...loads)).toBeGreaterThan(0.99 * 20e6);
  });
});
