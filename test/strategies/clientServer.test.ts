import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { comparisonTable } from "../../sim/cli/table.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import { runScenario } from "../support/checkedRun.ts";

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
  - { name: cs, type: client-server, admission: queue }
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

/*
 * Admission control, hand-computed. The source uploads 2 Mbps (and downloads at that rate), the
 * stream is 500 kbps in 1 s chunks (62,500 bytes): floor(2 Mbps / 500 kbps) = 4 slots. Viewers
 * upload 1 Mbps and download 10 Mbps; latency 30 ms. Ten join at 10 s; each 100-byte request
 * takes 800 us on its uplink, 30 ms, then 400 us on the source's downlink, where they queue: the
 * first four reach the source at 10.0312, 10.0316, 10.0320, 10.0324 s and are admitted; the six
 * others are refused (silently) and ask again every 10 s.
 *
 * A chunk takes 0.25 s on the source's uplink, 30 ms and 50 ms to download. Admitted at
 * 10.0312 s, viewer 1 gets chunk 9 at once; the four chunk-9 copies fill the uplink until
 * 11.0312 s, so chunk 10 (made at 11 s) reaches viewer k at 11.3612 + 0.25 (k - 1) s, when its
 * 2-chunk startup buffer (9 and 10) is full: startup 1.3612, 1.6112, 1.8612, 2.1112 s. The
 * uplink then carries exactly four streams and chunk c reaches viewer k two seconds before its
 * deadline: no stall, constant lag 2.3612 + 0.25 (k - 1) s.
 */
describe("client-server admission: reject", () => {
  const scenario = (file: string, extra = "") => `name: cs-admission
seed: 5
duration: 60s
stream: { bitrate: 500kbps, chunkDuration: 1s }
source: { upload: 2Mbps }
peers:
  classes: [{ name: viewer, share: 1, upload: 1Mbps, download: 10Mbps }]
  latency: { model: constant, oneWay: 30ms }
churn:
  arrivals: [{ type: trace, file: ${file} }]
  session: { distribution: fixed, mean: 1h }
  abruptShare: 0
player: { startupBuffer: 2s, rebufferThreshold: 1s }
strategies:
  - { name: cs, type: client-server${extra} }
`;
  const run = (text: string) =>
    runScenario(parseScenario(text, resolve(import.meta.dirname, "fixtures", "cs.yaml"))).runs[0];

  it("serves floor(upload / bitrate) = 4 viewers in full and refuses the other 6", () => {
    const r = run(scenario("cs-admission-stay.csv"));
    const q = r.qos;
    const startups = [1.3612, 1.6112, 1.8612, 2.1112];
    for (let k = 1; k <= 4; k++) {
      expect(q.startupMicros[k]).toBe(Math.round(startups[k - 1] * 1e6));
      expect(q.stalls[k]).toBe(0);
      expect(q.lagIntegral[k] / q.playingMicros[k]).toBeCloseTo((startups[k - 1] + 1) * 1e6, 3);
      // Served in full: playing from startup to the end of the run.
      expect(q.playingMicros[k]).toBe(Math.round((50 - startups[k - 1]) * 1e6));
    }
    for (let k = 5; k <= 10; k++) expect(q.startupMicros[k]).toBe(-1);
    const s = r.summary;
    expect(s.admissionSlots).toBe(4);
    expect(s.rejectedShare).toBe(0.6);
    // Each refused viewer asks at 10, 20, 30, 40 and 50 s (the request sent at 60 s arrives
    // after the end): 6 x 5 refusals.
    expect(s.refusals).toBe(30);
    expect(s.neverStartedShare).toBe(0.6);
    // Playing: sum of (50 - startup) over the four, of 10 x 50 s online.
    const playing = 4 * 50 - (1.3612 + 1.6112 + 1.8612 + 2.1112);
    expect(s.playingShare).toBeCloseTo(playing / 500, 9);
    // On time: chunk 9 + j is due at 10 + startup + j; deadlines up to 60 s: 49, 49, 49, 48.
    // The six refused are owed 50 - 2 = 48 chunks each.
    expect(s.continuityIndex).toBeCloseTo(195 / (195 + 6 * 48), 9);
    expect(s.startupLatencyOfStartedSeconds.p50).toBeCloseTo((1.6112 + 1.8612) / 2, 9);
    expect(s.startupLatencySeconds.p50).toBeNull();
    // The source never sends more than its uplink: 4 streams plus the start chunks.
    expect(s.sourceUploadShare).toBe(1);
    const row = comparisonTable({ cs: s }).split("\n")[2].trim().split(/\s+/);
    expect(row.at(-1)).toBe("0.6000");
  });

  it("admits a refused viewer at its first retry after a slot frees", () => {
    // Viewer 1 leaves at 30 s and its goodbye (sent before the refused viewers' 30 s retries,
    // which were scheduled later) reaches the source first, at 30.0312 s; viewer 5's request
    // follows at 30.0316 s and takes the slot. Viewers 6..10 stay refused.
    const r = run(scenario("cs-admission.csv"));
    const q = r.qos;
    // Joined at 10 s, admitted at 30.0316 s, playing within a few seconds.
    expect(q.startupMicros[5]).toBeGreaterThan(20_031_600);
    expect(q.startupMicros[5]).toBeLessThan(23e6);
    for (let k = 6; k <= 10; k++) expect(q.startupMicros[k]).toBe(-1);
    for (let k = 2; k <= 5; k++) expect(q.stalls[k]).toBe(0);
    const s = r.summary;
    expect(s.rejectedShare).toBe(0.6);
    // Refused at 10 and 20 s (6 each), then at 30, 40 and 50 s (5 each).
    expect(s.refusals).toBe(6 * 2 + 5 * 3);
    expect(s.neverStartedShare).toBe(0.5);
  });

  it("a retryAfter of 4 s makes refused viewers ask at 10, 14, ..., 58 s", () => {
    const r = run(scenario("cs-admission-stay.csv", ", retryAfter: 4s"));
    // Requests at 10 + 4 i < 60 - 0.0312: i = 0..12, 13 per refused viewer.
    expect(r.summary.refusals).toBe(6 * 13);
  });

  it("admission: queue serves all ten, each getting the stream ever later", () => {
    const r = run(scenario("cs-admission-stay.csv", ", admission: queue"));
    const s = r.summary;
    expect(s.neverStartedShare).toBe(0);
    expect(s.rejectedShare).toBe(0);
    expect(s.refusals).toBe(0);
    expect(s.admissionSlots).toBeUndefined();
    // Ten streams on an uplink for four: most of the watch time is stalled.
    expect(s.stallRatio).toBeGreaterThan(0.5);
  });
});

describe("client-server options", () => {
  it("names the YAML path of a bad admission mode", () => {
    const text = `name: bad
strategies:
  - { name: cs, type: client-server, admission: refuse }
`;
    expect(() => parseScenario(text, "bad.yaml")).toThrow(/strategies\[0\]\.admission/);
  });
});
