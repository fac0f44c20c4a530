import { describe, expect, it } from "vitest";
import { parseScenario } from "../../sim/scenario/load.ts";
import { runScenario } from "../support/checkedRun.ts";

/**
 * A small on-demand scenario: 800 kbps, 1 s chunks (100 kB), a 10-minute video; peers upload
 * 1 Mbps and download 100 Mbps; the server uploads 8 Mbps; 10 ms between any two nodes; the
 * player starts with one chunk and asks for 4 s ahead.
 */
function scenario(parts: {
  arrivals: string;
  strategy: string;
  cache?: string;
  player?: string;
  session?: string;
  duration?: string;
}) {
  return parseScenario(
    `
duration: ${parts.duration ?? "60s"}
stream: { bitrate: 800kbps, chunkDuration: 1s, mode: on-demand, length: 10min }
source: { upload: 8Mbps }
peers:
  classes: [{ name: a, share: 1, upload: 1Mbps, download: 100Mbps }]
  latency: { model: constant, oneWay: 10ms }
  cache: ${parts.cache ?? "all"}
churn:
  arrivals: [${parts.arrivals}]
  session: ${parts.session ?? "{ distribution: fixed, mean: 1h }"}
player: { startupBuffer: 1s, prefetch: 4s${parts.player ?? ""} }
strategies:
  - ${parts.strategy}
`,
    "vod.yaml",
  );
}

/** Data sends (bigger than any control message) as from -> to pairs, recorded by an observer. */
function runWithSends(s: ReturnType<typeof scenario>) {
  const sends: { from: number; to: number; start: number }[] = [];
  const result = runScenario(s, {
    onContext: (context) =>
      context.transport.observe({
        // One downlink reservation per message (the uplink reports data interrupted by control
        // in parts), made when the data has left its sender: `start` orders them by departure.
        onReceive: (from, to, _type, bytes, start) => {
          if (bytes >= 100_000) sends.push({ from, to, start });
        },
      }),
  });
  return { run: result.runs[0], workload: result.workload, sends };
}

describe("on-demand client-server", () => {
  it("serves a lone viewer from the start of the video with hand-computed startup", () => {
    const { run, sends } = runWithSends(
      scenario({
        arrivals: "{ type: flash-crowd, count: 1, at: 1s }",
        strategy: "{ type: client-server }",
      }),
    );
    // At 1 s the viewer asks for chunks 0..3: four 100 B requests at 1 Mbps (0.8 ms each); the
    // first reaches the server at 1 + 0.0008 + 0.010 + 0.0001 (100 B at 8 Mbps) = 1.0109 s,
    // which sends 100 kB at 8 Mbps (0.1 s): done 1.1109 s, + 10 ms + 8 ms on the viewer's
    // 100 Mbps downlink = 1.1289 s. One chunk fills the startup buffer: 0.1289 s.
    expect(run.summary.startupLatencySeconds.mean).toBeCloseTo(0.1289, 9);
    expect(sends.slice(0, 4).map((s) => s.to)).toEqual([1, 1, 1, 1]);
    // Everything comes from the server, in video order from chunk 0, every chunk on time.
    expect(sends.every((s) => s.from === 0)).toBe(true);
    expect(run.summary.sourceUploadShare).toBe(1);
    expect(run.summary.continuityIndex).toBe(1);
    // Playback runs from 1.1289 s to 60 s: chunks 0..58 are due; the viewer keeps 4 s ahead.
    expect(run.summary.seeks).toBe(0);
  });

  it("times every seek and counts seeks per minute", () => {
    const { run, workload } = runWithSends(
      scenario({
        arrivals: "{ type: flash-crowd, count: 1, at: 1s }",
        strategy: "{ type: client-server }",
        player: ", seeks: { rate: 6/min, distance: uniform, max: 2min, backwardShare: 0.5 }",
        duration: "5min",
        cache: "1s",
      }),
    );
    const viewing = workload.viewing!;
    // The seeks the workload drew before the end of the run (the session outlasts it).
    let expected = 0;
    for (let k = viewing.seekFirst[0]; k < viewing.seekFirst[1]; k++) {
      if (1e6 + viewing.seekAfterMicros[k] < 300e6) expected++;
    }
    expect(expected).toBeGreaterThan(10);
    expect(run.summary.seeks).toBe(expected);
    // Online from 1 s to 300 s: 299 s = 4.9833 minutes.
    expect(run.summary.seeksPerMinute).toBeCloseTo(expected / (299 / 60), 6);
    // A seek empties the buffer and (with a 1 s cache, nothing to replay locally) asks for
    // 4 chunks anew: the first comes back after the
    // request and one chunk's transfer (0.1289 s, as at startup), plus at most the chunks the
    // server was still sending for the old position (up to 4 x 0.1 s).
    const latency = run.summary.seekLatencySeconds as { mean: number; max: number; p50: number };
    expect(latency.p50).toBeGreaterThanOrEqual(0.1289 - 1e-9);
    expect(latency.max).toBeLessThanOrEqual(0.1289 + 0.4 + 1e-6);
  });
});

describe("on-demand chaining (tree relay, P2Cast)", () => {
  const arrivals =
    "{ type: flash-crowd, count: 1, at: 0s }, { type: flash-crowd, count: 1, at: 30s }";

  it("a viewer that starts within an earlier viewer's cache is served by it, not the server", () => {
    const { run, sends } = runWithSends(
      scenario({ arrivals, strategy: "{ type: tree-relay, maxChildren: 4 }" }),
    );
    // Viewer 1 (node 1, upload 1 Mbps: one 800 kbps slot) watched chunks 0..29 by the time
    // viewer 2 joins and caches all: it becomes viewer 2's parent and sends every chunk.
    const toSecond = sends.filter((s) => s.to === 2);
    expect(toSecond.length).toBeGreaterThan(25);
    expect(toSecond.every((s) => s.from === 1)).toBe(true);
    expect(sends.filter((s) => s.to === 1).every((s) => s.from === 0)).toBe(true);
    expect(run.summary.continuityIndex).toBe(1);
  });

  it("with a 10 s cache the first viewer no longer holds the start, and the server serves both", () => {
    const { sends } = runWithSends(
      scenario({ arrivals, strategy: "{ type: tree-relay, maxChildren: 4 }", cache: "10s" }),
    );
    expect(sends.filter((s) => s.to === 2).every((s) => s.from === 0)).toBe(true);
  });
});

describe("on-demand mesh", () => {
  it("peer caches take most of the load off the server", () => {
    const { run } = runWithSends(
      scenario({
        arrivals: "{ type: poisson, rate: 0.5/s, until: 3min }",
        strategy: "{ type: vod-mesh }",
        session: "{ distribution: exponential, mean: 4min }",
        duration: "3min",
      }),
    );
    expect(run.summary.peers as number).toBeGreaterThan(60);
    expect(run.summary.sourceUploadShare).toBeLessThan(0.5);
    // A viewer that is serving a chunk (100 kB: 0.8 s on its 1 Mbps uplink) sends its own
    // requests only after that chunk (control overtakes queued data, never the message on the
    // wire), so with 4 s of prefetch some chunks come late: measured 0.84 (above 0.95 while
    // control could leave during a transmission, overdrawing the uplink).
    expect(run.summary.continuityIndex as number).toBeGreaterThan(0.8);
  });
});

describe("on-demand options", () => {
  const live = (extra: string) =>
    `stream: { bitrate: 800kbps }\n${extra}\nstrategies:\n  - type: client-server\n`;

  it("refuses strategies that cannot run on demand, naming them and the ones that can", () => {
    expect(() =>
      scenario({ arrivals: "{ type: flash-crowd, count: 1 }", strategy: "{ type: striped }" }),
    ).toThrow(
      "vod.yaml:14: strategies[0].type: striped does not support stream.mode: on-demand (on-demand strategies: client-server, tree-relay, vod-mesh)",
    );
  });

  it("refuses on-demand settings in a live scenario and an on-demand strategy live", () => {
    expect(() => parseScenario(live("player: { seeks: { rate: 1/min } }"), "l.yaml")).toThrow(
      "l.yaml:2: player.seeks: applies only with stream.mode: on-demand",
    );
    expect(() => parseScenario(live("peers: { cache: all }"), "l.yaml")).toThrow(
      "peers.cache: applies only with stream.mode: on-demand",
    );
    expect(() => parseScenario("strategies:\n  - type: vod-mesh\n", "l.yaml")).toThrow(
      "strategies[0].type: vod-mesh works only with stream.mode: on-demand",
    );
  });

  it("requires the video's length in on-demand mode", () => {
    expect(() =>
      parseScenario(
        "stream: { mode: on-demand }\nstrategies:\n  - type: client-server\n",
        "l.yaml",
      ),
    ).toThrow("stream.length: is required");
  });
});

describe("on-demand with a CDN", () => {
  it("the CDN holds every chunk of the video from the start", () => {
    const s = parseScenario(
      `
duration: 60s
stream: { bitrate: 800kbps, chunkDuration: 1s, mode: on-demand, length: 10min }
source: { upload: 8Mbps }
peers:
  classes: [{ name: a, share: 1, upload: 1Mbps, download: 100Mbps }]
  latency: { model: constant, oneWay: 10ms }
churn:
  arrivals: [{ type: flash-crowd, count: 1, at: 1s }]
  session: { distribution: fixed, mean: 1h }
player: { startupBuffer: 1s, prefetch: 4s, startPosition: uniform }
cdn: { edges: 1, upload: 8Mbps, latency: 10ms, margin: 0.5s, startupWait: 10ms }
strategies:
  - type: client-server
`,
      "vod-cdn.yaml",
    );
    const toEdge: number[] = [];
    const result = runScenario(s, {
      onContext: (context) =>
        context.transport.observe({
          onSend: (_from, to, _type, _bytes, start) => {
            if (to === 2) toEdge.push(start);
          },
        }),
    });
    const run = result.runs[0];
    // The viewer starts somewhere in the video, far past what a live source would have made
    // by 1 s; the server's copy of its first chunk takes 0.1289 s, so 10 ms after joining the
    // viewer asks the CDN for it (and gets it second, a duplicate): once, at 1.01 s.
    expect(result.workload.viewing!.startSeconds[0]).toBeGreaterThan(10);
    expect(toEdge[0]).toBe(1_010_000);
    expect(run.summary.cdnRequests).toBe(1);
    expect(run.summary.cdnDuplicateChunks).toBe(1);
    // After that the server keeps 4 s ahead and the 0.5 s margin is never reached.
    expect(run.summary.continuityIndex).toBe(1);
  });
});
