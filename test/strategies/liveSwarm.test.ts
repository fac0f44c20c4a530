import { describe, expect, it } from "vitest";
import type { StrategyRun } from "../../sim/run/runStrategy.ts";
import { parseScenario } from "../../sim/scenario/load.ts";
import { ScenarioError } from "../../sim/scenario/reader.ts";
import { figure as extra, runYaml, STEADY_CHURN, scenarioYaml } from "../support/scenarios.ts";

const workload = (strategies: string[], giverUpload = "2Mbps") =>
  scenarioYaml({
    name: "live-swarm",
    seed: 6,
    duration: "3min",
    source: "upload: 4Mbps",
    classes: [
      "{ name: free-rider, share: 0.3, upload: 0bps, download: 10Mbps }",
      `{ name: giver, share: 0.7, upload: ${giverUpload}, download: 20Mbps }`,
    ],
    churn: STEADY_CHURN,
    strategies,
  });

describe("live swarm: the sliding window", () => {
  it("never requests a piece older than the window behind the live edge", () => {
    const requests: { chunk: number; micros: number }[] = [];
    let chunkMicros = 0;
    const yaml = workload(["{ name: live, type: live-swarm, window: 8s }"]);
    const [r] = runYaml(yaml, "window.yaml", {
      onContext(context) {
        chunkMicros = context.stream.chunkMicros;
        const t = context.transport;
        const register = t.register.bind(t);
        let requestType = -1;
        t.register = (name, traffic, handler) => {
          const type = register(name, traffic, handler);
          if (name === "live/request") requestType = type;
          return type;
        };
        const send = t.send.bind(t);
        t.send = (from, to, type, bytes, p0 = 0, p1 = 0) => {
          if (type === requestType) requests.push({ chunk: p0, micros: context.sim.nowMicros });
          return send(from, to, type, bytes, p0, p1);
        };
      },
    }).runs;
    expect(extra(r, "windowChunks")).toBe(8);
    expect(requests.length).toBeGreaterThan(1000);
    for (const { chunk, micros } of requests) {
      const liveEdge = Math.floor(micros / chunkMicros) - 1;
      expect(chunk).toBeGreaterThan(liveEdge - 8);
      expect(chunk).toBeLessThanOrEqual(liveEdge);
    }
  });
});

describe("live swarm: tit-for-tat", () => {
  // Tit-for-tat only tells givers from free riders when upload is scarce: at 2 Mbps per giver
  // (3.5 times the demand) everyone is served and the two classes differ by noise (measured
  // 0.9305 vs 0.9317), while at 1 Mbps (1.75 times) givers play 0.93 and riders 0.88.
  const run = runYaml(
    workload(
      [
        "{ name: live, type: live-swarm }",
        "{ name: no-optimistic, type: live-swarm, optimisticUnchoke: false }",
      ],
      "1Mbps",
    ),
    "tft.yaml",
  );
  const [withOptimistic, without] = run.runs;
  const uploads = run.workload.uploadBitsPerSecond;

  /** Chunks on time / chunks due over the sessions of one upload class. */
  const continuity = (r: StrategyRun, upload: (bits: number) => boolean, uploads: Float64Array) => {
    let onTime = 0;
    let due = 0;
    for (let peer = 1; peer < r.qos.onTime.length; peer++) {
      if (r.qos.joinMicros[peer] < 0 || !upload(uploads[peer])) continue;
      onTime += r.qos.onTime[peer];
      due += r.qos.onTime[peer] + r.qos.late[peer] + r.qos.missed[peer];
    }
    return onTime / due;
  };

  it("serves peers that upload better than free riders, who live on optimistic unchokes", () => {
    const givers = continuity(withOptimistic, (u) => u > 0, uploads);
    const riders = continuity(withOptimistic, (u) => u === 0, uploads);
    expect(givers).toBeGreaterThan(riders);
    // Without the optimistic slot a free rider is unchoked only by the source or a slot that
    // nobody who gives wants.
    const ridersWithout = continuity(without, (u) => u === 0, uploads);
    expect(ridersWithout).toBeLessThan(riders);
  });

  it("announces every new piece to each neighbour (HAVE), counted as control bytes", () => {
    for (const r of [withOptimistic, without]) {
      expect(extra(r, "haveBytes")).toBeGreaterThan(0);
      expect(extra(r, "haveBytes") % 100).toBe(0);
      expect(extra(r, "haveBytes")).toBeLessThan(r.transport.counters.controlBytes);
      expect(extra(r, "chokeMessages")).toBeGreaterThan(0);
    }
  });

  it("reports each session's neighbours and window fill as the mesh gauges", () => {
    const partners = withOptimistic.gauges.filter((g) => g.name === "meshPartners");
    expect(partners.length).toBeGreaterThan(0.9 * withOptimistic.summary.peers);
    for (const g of partners) expect(g.value).toBeLessThanOrEqual(16);
    const fill = withOptimistic.gauges.filter((g) => g.name === "bufferMapFill");
    expect(fill.length).toBe(partners.length);
  });
});

describe("live swarm: options", () => {
  it("rejects an optimistic interval shorter than the rechoke interval, naming the field", () => {
    const parse = () =>
      parseScenario(
        workload(["{ name: l, type: live-swarm, rechokeInterval: 10s, optimisticInterval: 5s }"]),
        "bad.yaml",
      );
    expect(parse).toThrow(ScenarioError);
    expect(parse).toThrow(/strategies\[0\]\.optimisticInterval: must be at least 10s/);
  });
});
