import { describe, expect, it } from "vitest";
import { runScenario } from "../../sim/run/runScenario.ts";
import { parseScenario } from "../../sim/scenario/load.ts";

describe("client-server", () => {
  const scenario = (sourceUpload: string, arrivals: string, session: string) => `name: cs
seed: 5
duration: 2min
stream: { bitrate: 500kbps, chunkDuration: 1s }
source: { upload: ${sourceUpload} }
peers:
  classes: [{ name: viewer, share: 1, upload: 1Mbps, download: 10Mbps }]
  latency: { model: constant, oneWay: 30ms }
churn:
  arrivals: [${arrivals}]
  session: ${session}
  abruptShare: 0.5
strategies:
  - { name: cs, type: client-server }
`;

  it("a source with room for K viewers serving 2K makes them stall, and is the only sender", () => {
    // 5 Mbps at 500 kbps: exactly K = 10 viewers; 20 arrive and stay. The source can deliver
    // at most K/N = half of the content viewers need, so at least about half of their watch
    // time is stalled (less a little for startup and the first seconds before the queue grew).
    const result = runScenario(
      parseScenario(
        scenario(
          "5Mbps",
          "{ type: flash-crowd, count: 20, at: 2s, over: 2s }",
          "{ distribution: fixed, mean: 1h }",
        ),
        "cs.yaml",
      ),
    );
    const s = result.runs[0].summary;
    expect(s.peers).toBe(20);
    expect(s.sourceUploadShare).toBe(1);
    expect(s.stallsPerMinute).toBeGreaterThan(0);
    expect(s.stallRatio).toBeGreaterThan(0.4);
    expect(s.continuityIndex).toBeLessThan(1);
    // The source's uplink is the bottleneck: over the 120 s it delivers at most its capacity
    // (plus one chunk in service), and being saturated from the crowd's arrival it delivers
    // nearly that much.
    const delivered = result.runs[0].transport.counters.deliveredDataBytes;
    const capacityBytes = (5e6 * 120) / 8;
    expect(delivered).toBeLessThanOrEqual(capacityBytes + 500e3 / 8);
    expect(delivered).toBeGreaterThan(0.9 * capacityBytes);
  });

  it("a source with room for every viewer gives no stalls and continuity 1", () => {
    // 15 Mbps: 30 streams; Poisson arrivals of 10/min with 1-minute sessions keep about 10
    // viewers online (rarely more than 20), departures included.
    const result = runScenario(
      parseScenario(
        scenario(
          "15Mbps",
          "{ type: poisson, rate: 10/min }",
          "{ distribution: exponential, mean: 1min }",
        ),
        "cs.yaml",
      ),
    );
    const s = result.runs[0].summary;
    expect(s.peers).toBeGreaterThan(10);
    expect(s.sourceUploadShare).toBe(1);
    expect(s.stallsPerMinute).toBe(0);
    expect(s.stallRatio).toBe(0);
    expect(s.continuityIndex).toBe(1);
  });
});
