import { describe, expect, it } from "vitest";
import { parseScenario } from "../../sim/scenario/load.ts";
import { runScenario } from "../support/checkedRun.ts";

/**
 * A scenario whose peers can deliver nothing: the source's 100 kbps is below the 800 kbps
 * stream, so the tree relay has no slot to offer and every chunk must come from the CDN.
 * Chunks are 1 s (100 kB); one 8 Mbps edge 10 ms from everyone; peers upload 1 Mbps and
 * download 100 Mbps; the player starts with one chunk.
 */
const scenario = (changes: {
  arrivals?: string;
  cdn?: string;
  strategy?: string;
  source?: string;
}) =>
  parseScenario(
    `
duration: 10s
stream: { bitrate: 800kbps, chunkDuration: 1s }
source: { upload: ${changes.source ?? "100kbps"} }
peers:
  classes: [{ name: a, share: 1, upload: 1Mbps, download: 100Mbps }]
  latency: { model: constant, oneWay: 10ms }
churn:
  arrivals: [${changes.arrivals ?? "{ type: flash-crowd, count: 1, at: 0.5s }"}]
  session: { distribution: fixed, mean: 1h }
player: { startupBuffer: 1s }
cdn: ${changes.cdn ?? "{ edges: 1, upload: 8Mbps, latency: 10ms, margin: 3s, startupWait: 1s }"}
metrics: { interval: 5s }
strategies:
  - ${changes.strategy ?? "{ type: tree-relay }"}
`,
    "cdn.yaml",
  );

describe("CDN fallback", () => {
  it("serves a viewer the peers cannot serve, with hand-computed timing and bytes", () => {
    const run = runScenario(scenario({})).runs[0];
    // Join 0.5 s; chunk 0 appears at 1 s; the peers get 1 s to deliver it, so it is asked for
    // at 2 s: request 300 B at 1 Mbps (2.4 ms) + 10 ms + 300 B on the edge's 8 Mbps downlink
    // (0.3 ms) = 2.0127 s; the edge sends 100 kB at 8 Mbps (100 ms) + 10 ms + 100 kB on the
    // 100 Mbps downlink (8 ms): playback starts at 2.1307 s, 1.6307 s after joining.
    expect(run.summary.startupLatencySeconds.mean).toBe(1.6307);
    // Each later chunk c is asked for when it appears at (c + 1) s (the 3 s margin exceeds the
    // lag) and arrives 130.7 ms later, before its deadline: every chunk on time, no stall.
    expect(run.summary.continuityIndex).toBe(1);
    expect(run.summary.stallsPerMinute).toBe(0);
    // Chunks 0..8 are sent (chunk 9 appears at the end of the run): 900 kB, all from the CDN.
    expect(run.summary.cdnEgressBytes).toBe(900_000);
    expect(run.summary.cdnShare).toBe(1);
    expect(run.summary.cdnRequests).toBe(10);
    // Egress over time, counted as chunks leave the edge: chunks 0..3 (the last leaves at
    // 4.1127 s) in the first 5 s = 640 kbps; chunks 4..8 in the next 5 s = 800 kbps.
    expect(run.timeseries.map((row) => row.extra.cdnEgressBitsPerSecond)).toEqual([
      640_000, 800_000,
    ]);
  });

  it("stays idle while the peers deliver with more than the margin to spare", () => {
    // Client-server with ample capacity: chunks arrive about 0.1 s after they appear; with a
    // 4 s startup buffer they are due 4 s later, so a 1 s margin is never reached.
    const run = runScenario(
      parseScenario(
        `
duration: 20s
stream: { bitrate: 800kbps, chunkDuration: 1s }
source: { upload: 10Mbps }
peers:
  classes: [{ name: a, share: 1, upload: 1Mbps, download: 100Mbps }]
  latency: { model: constant, oneWay: 10ms }
churn:
  arrivals: [{ type: flash-crowd, count: 3, at: 0.5s }]
  session: { distribution: fixed, mean: 1h }
player: { startupBuffer: 4s }
cdn: { edges: 1, upload: 8Mbps, latency: 10ms, margin: 1s, startupWait: 1s }
strategies:
  - type: client-server
`,
        "cdn.yaml",
      ),
    ).runs[0];
    expect(run.summary.continuityIndex).toBe(1);
    expect(run.summary.cdnRequests).toBe(0);
    expect(run.summary.cdnEgressBytes).toBe(0);
    expect(run.summary.cdnShare).toBe(0);
  });

  it("edges never send faster than their capacity, and share the load", () => {
    // 20 viewers need 16 Mbps; two 4 Mbps edges can send 8 Mbps: they run flat out.
    const sends: { from: number; start: number; done: number }[] = [];
    const run = runScenario(
      scenario({
        arrivals: "{ type: flash-crowd, count: 20, at: 0.5s }",
        cdn: "{ edges: 2, upload: 4Mbps, latency: 10ms, margin: 3s, startupWait: 1s }",
      }),
      {
        onContext: (context) =>
          context.transport.observe({
            onSend: (from, _to, _type, bytes, start, done) => {
              if (from > 20 && bytes > 1000) sends.push({ from, start, done });
            },
          }),
      },
    ).runs[0];
    // Each edge's sends follow one another on its uplink, each taking size / capacity.
    for (const edge of [21, 22]) {
      const mine = sends.filter((send) => send.from === edge);
      expect(mine.length).toBeGreaterThan(30);
      for (let i = 0; i < mine.length; i++) {
        expect(mine[i].done - mine[i].start).toBe(200_000); // 100 kB at 4 Mbps
        if (i > 0) expect(mine[i].start).toBeGreaterThanOrEqual(mine[i - 1].done);
      }
    }
    // Every interval's egress stays within the two edges' 8 Mbps (one chunk of slack each).
    for (const row of run.timeseries) {
      expect(row.extra.cdnEgressBitsPerSecond).toBeLessThanOrEqual(8e6 + (2 * 800e3) / 5);
    }
    expect(run.summary.cdnShare).toBe(1);
    expect(run.summary.stallsPerMinute as number).toBeGreaterThan(0);
  });

  it("a scenario's cdn section is checked field by field", () => {
    expect(() => scenario({ cdn: "{ edges: 0 }" })).toThrow(
      "cdn.yaml:12: cdn.edges: must be at least 1, got 0",
    );
    expect(() => scenario({ cdn: "{ edgs: 2 }" })).toThrow(
      "cdn.edgs: unknown key (did you mean 'edges'?)",
    );
  });
});
