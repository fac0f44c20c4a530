import { describe, expect, it } from "vitest";
import { Receive } from "../../sim/player/player.ts";
import { runYaml, scenarioYaml, stayingAudience } from "../support/scenarios.ts";

/*
 * Checks of the pull strategies against results from the literature (see REFERENCES.md).
 */

/** Both mesh-pull schedulers and live swarming, with their default options. */
const PULL_STRATEGIES = [
  "{ name: mesh-rarest, type: mesh-pull }",
  "{ name: mesh-deadline, type: mesh-pull, scheduler: deadline }",
  "{ name: live-swarm, type: live-swarm }",
];

describe("minimum chunk diffusion delay (Abeni, Kiraly, Lo Cigno 2009)", () => {
  /*
   * The source and every peer upload exactly one chunk per chunk-time. A chunk then reaches
   * all N peers no sooner than ceil(log2 N) + 1 chunk-times after it exists: the source sends
   * each chunk once, and the number of holders at most doubles per chunk-time afterwards.
   */
  const scenario = (peers: number) =>
    scenarioYaml({
      name: "min-delay",
      seed: 1,
      duration: "40s",
      source: "upload: 400kbps, download: 100Mbps",
      classes: ["{ name: same, share: 1, upload: 400kbps, download: 100Mbps }"],
      latency: "{ model: constant, oneWay: 5ms }",
      churn: stayingAudience(`{ type: flash-crowd, count: ${peers}, at: 0s, over: 0.5s }`),
      strategies: ["{ name: mesh, type: mesh-pull, sourcePartners: 10 }"],
    });

  /** Chunk-times from each chunk's creation to its arrival at the last of N peers. */
  function fullDiffusionDelays(peers: number): number[] {
    const last = new Map<number, { count: number; micros: number }>();
    let chunkMicros = 0;
    runYaml(scenario(peers), "min-delay.yaml", {
      onContext(context) {
        chunkMicros = context.stream.chunkMicros;
        const players = context.players;
        const receive = players.receive.bind(players);
        players.receive = (peer, chunk) => {
          const result = receive(peer, chunk);
          if (result === Receive.New) {
            const seen = last.get(chunk) ?? { count: 0, micros: 0 };
            seen.count++;
            seen.micros = Math.max(seen.micros, context.sim.nowMicros);
            last.set(chunk, seen);
          }
          return result;
        };
      },
    });
    const delays: number[] = [];
    for (const [chunk, seen] of last) {
      if (seen.count === peers)
        delays.push((seen.micros - (chunk + 1) * chunkMicros) / chunkMicros);
    }
    return delays;
  }

  for (const [peers, bound] of [
    [1024, 11],
    [1025, 12],
  ]) {
    it(`mesh-pull never reaches all ${peers} peers in fewer than ${bound} chunk-times, and its best chunk takes under three times that`, () => {
      expect(Math.ceil(Math.log2(peers)) + 1).toBe(bound);
      const delays = fullDiffusionDelays(peers);
      expect(delays.length).toBeGreaterThan(0);
      for (const d of delays) expect(d).toBeGreaterThanOrEqual(bound);
      // How close it comes. The bound counts data only; here buffer maps and requests share
      // the same uplinks (12.7% of all bytes sent), so with no spare capacity the first chunks,
      // spread before the uplinks fill, measured 25.5 chunk-times for N = 1024 and 32.7 for
      // N = 1025 (2.3 and 2.7 x the bound). The pull mesh then falls behind and later chunks
      // never reach everyone.
      expect(Math.min(...delays)).toBeLessThan(3 * bound);
    });
  }
});

describe("capacity bound (Kumar, Liu, Ross 2007)", () => {
  /*
   * Source 2 Mbps, 100 peers at 0.4 Mbps: r_max = min(u_s, (u_s + sum u_i) / N) = 420 kbps. At a
   * 450 kbps stream no strategy can deliver more than r_max x N x duration bits on time.
   */
  const yaml = scenarioYaml({
    name: "capacity",
    seed: 5,
    duration: "2min",
    bitrate: "450kbps",
    source: "upload: 2Mbps",
    classes: ["{ name: same, share: 1, upload: 400kbps, download: 10Mbps }"],
    churn: stayingAudience("{ type: flash-crowd, count: 100, at: 0s, over: 1s }"),
    strategies: PULL_STRATEGIES,
  });

  it("on-time stream bits stay below min(u_s, (u_s + sum u_i) / N) x N x duration, and the pull strategies deliver a tenth of it or more", () => {
    const run = runYaml(yaml, "capacity.yaml");
    const rMax = Math.min(2e6, (2e6 + 100 * 400e3) / 100);
    expect(rMax).toBe(420e3);
    const bound = rMax * 100 * 120;
    const chunkBits = Math.ceil((450e3 * 1) / 8) * 8;
    for (const r of run.runs) {
      let onTime = 0;
      for (let peer = 1; peer < r.qos.onTime.length; peer++) onTime += r.qos.onTime[peer];
      expect(onTime * chunkBits).toBeLessThanOrEqual(bound);
      // Measured: 25% (rarest-first) and 12% (deadline) of the bound. With demand above
      // capacity, peers that progress together hold the same chunks and have little to trade,
      // so uplinks idle (they carried 58% of their capacity), and stalled players fall behind.
      expect(onTime * chunkBits).toBeGreaterThan(0.1 * bound);
    }
  });
});

describe("ample capacity, no churn", () => {
  const yaml = scenarioYaml({
    name: "ample",
    seed: 2,
    duration: "5min",
    source: "upload: 4Mbps",
    classes: ["{ name: same, share: 1, upload: 1.6Mbps, download: 20Mbps }"],
    churn: stayingAudience("{ type: poisson, rate: 3/s, until: 60s }"),
    strategies: PULL_STRATEGIES,
  });

  it("with upload 4 x the stream rate, mesh-pull and live-swarm peers play at least 85% of their time online", () => {
    const run = runYaml(yaml, "ample.yaml");
    for (const r of run.runs) {
      expect(r.summary.neverStarted).toBe(0);
      expect(r.summary.playingShare).toBeGreaterThanOrEqual(0.85);
    }
  });
});
