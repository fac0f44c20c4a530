import { describe, expect, it } from "vitest";
import { parseScenario } from "../../sim/scenario/load.ts";
import { runScenario } from "../support/checkedRun.ts";

/*
 * Ideal multicast with constant 20 ms latency, a 400 kbps stream in 1 s chunks (50,000 bytes),
 * a 10 Mbps source and 40 Mbps downloads. A chunk reaches every member (c + 1) s + 40,000 us
 * (upload serialization) + 20,000 us (latency) + 10,000 us (download) after it exists, however
 * many members there are.
 */
const scenario = (count: number) => `
name: multicast
duration: 30s
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 10Mbps, download: 10Mbps }
peers:
  classes: [{ name: only, share: 1, upload: 1Mbps, download: 40Mbps }]
  latency: { model: constant, oneWay: 20ms }
churn:
  arrivals: [{ type: flash-crowd, count: ${count}, at: 5.5s }]
  session: { distribution: fixed, mean: 1h }
player: { startupBuffer: 2s }
strategies:
  - { name: multicast, type: ideal-multicast }
`;

describe("ideal multicast", () => {
  it("delivers every chunk after exactly one serialization and one latency, at any audience size", () => {
    for (const count of [1, 50, 500]) {
      const { runs } = runScenario(parseScenario(scenario(count), "multicast.yaml"));
      const q = runs[0].qos;
      // The request (100 B) reaches the source at 5.5 s + 800 + 20,000 + 80 us = 5.520880, when
      // the newest chunk is 4; the member's first chunk is the next multicast one, 5, which
      // arrives at 6.07 s; chunk 6 arrives at 7.07 s and completes the 2 s startup buffer.
      for (let peer = 1; peer <= count; peer++) expect(q.startupMicros[peer]).toBe(1_570_000);
      expect(runs[0].summary.stallRatio).toBe(0);
      // The source sends one copy of each chunk from 5 to 28, whatever the audience; chunk 29
      // exists at the last instant (30 s) and is still on the source's wire when the run ends,
      // so it counts as pending, not sent (bytes count when they leave the uplink).
      const chunkBytes = 50_000;
      expect(runs[0].transport.counters.sourceDataBytes).toBe(24 * chunkBytes);
      expect(runs[0].transport.counters.pendingBytes).toBe(chunkBytes);
      expect(runs[0].transport.counters.deliveredDataBytes).toBe(count * 24 * chunkBytes);
    }
  });
});
