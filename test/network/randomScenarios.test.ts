import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseScenario } from "../../sim/scenario/load.ts";
import { ScenarioError } from "../../sim/scenario/reader.ts";
import { InvariantViolation, runScenario } from "../support/checkedRun.ts";

/*
 * A property test in the spirit of a VOPR: random valid scenarios, small enough that 300 of
 * them run in well under a minute, each run with the invariant checker on. Every strategy type,
 * every FEC code, every arrival and session kind, abrupt departures and mass exits, every
 * latency model, both network models (fifo and fair-share), live and on-demand streams. A
 * broken invariant fails with the scenario printed as YAML (fast-check then shrinks it to a
 * smaller one that still breaks).
 *
 * The seed is fixed so the run is the same everywhere; set PROPERTY_SEED to explore others.
 */

const pick = <T>(...values: T[]) => fc.constantFrom(...values);

const peerClass = fc.record({
  upload: pick("0bps", "64kbps", "128kbps", "384kbps", "1Mbps", "5Mbps"),
  download: pick("1Mbps", "3Mbps", "20Mbps"),
  weight: fc.integer({ min: 1, max: 4 }),
});

const latency = fc.oneof(
  pick("{ model: constant, oneWay: 5ms }", "{ model: constant, oneWay: 40ms }"),
  pick("{ model: uniform, min: 2ms, max: 80ms }", "{ model: uniform, min: 10ms, max: 10ms }"),
  pick(
    "{ model: plane, access: 5ms, propagation: 60ms }",
    "{ model: plane, access: 1ms, propagation: 20ms }",
  ),
);

const arrival = fc.oneof(
  fc
    .record({ rate: pick("0.3/s", "1/s", "2/s"), from: pick(0, 5), until: pick(15, 20) })
    .map((a) => `{ type: poisson, rate: ${a.rate}, from: ${a.from}s, until: ${a.until}s }`),
  fc
    .record({ count: fc.integer({ min: 1, max: 40 }), at: pick(0, 3, 12), over: pick(0, 2) })
    .map((a) => `{ type: flash-crowd, count: ${a.count}, at: ${a.at}s, over: ${a.over}s }`),
);

const session = pick(
  "{ distribution: fixed, mean: 1h }",
  "{ distribution: exponential, mean: 20s }",
  "{ distribution: pareto, mean: 30s, shape: 1.8 }",
  "{ distribution: weibull, mean: 40s, shape: 0.6 }",
  "{ distribution: lognormal, mean: 25s, sigma: 1.2 }",
);

const live = pick(
  "{ type: client-server }",
  "{ type: client-server, admission: queue }",
  "{ type: ideal-multicast }",
  "{ type: tree-relay }",
  "{ type: tree-relay, policy: random, retry: 0.1s, maxChildren: 2 }",
  "{ type: tree-relay, policy: nearest, resume: back-buffer, backBuffer: 5s, heartbeat: 0s }",
  "{ type: striped, code: parity, k: 4, n: 5 }",
  "{ type: striped, code: parity, k: 2, n: 3, retry: 0.1s, interiorDisjoint: false }",
  "{ type: striped, code: reed-solomon, k: 6, n: 8, resume: back-buffer, backBuffer: 5s }",
  "{ type: striped, code: fountain, fountainModel: lt, k: 8, n: 12 }",
  "{ type: striped, code: fountain, fountainModel: raptorq, k: 4, n: 6 }",
  "{ type: minute-swarming, sliceDuration: 2s, pieceSize: 16KiB }",
  "{ type: minute-swarming, sliceDuration: 4s, pieceSize: 8KiB, playback: progressive, pieceSelection: in-order }",
  "{ type: minute-swarming, sliceDuration: 10s, pieceSize: 32KiB, pipeline: 2, seedTime: 0s }",
  "{ type: mesh-pull }",
  "{ type: live-swarm }",
);

const onDemand = pick(
  "{ type: client-server }",
  "{ type: tree-relay, maxChildren: 3 }",
  "{ type: vod-mesh }",
);

/** A random valid scenario, as the YAML a user would write. */
const scenarioText = fc
  .record({
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    duration: pick(20, 30, 45),
    bitrate: pick("200kbps", "400kbps", "800kbps"),
    source: pick("4Mbps", "20Mbps"),
    classes: fc.array(peerClass, { minLength: 1, maxLength: 3 }),
    latency,
    arrivals: fc.array(arrival, { minLength: 1, maxLength: 2 }),
    session,
    abruptShare: pick(0, 0.5, 1),
    massExit: fc.option(pick("graceful", "abrupt"), { nil: undefined }),
    maxBacklog: pick("1s", "5s", "30s"),
    controlFloor: pick("16kbps", "64kbps"),
    model: pick("fifo", "fair-share"),
    interval: pick("5s", "10s"),
    onDemand: fc.boolean(),
    liveStrategy: live,
    onDemandStrategy: onDemand,
  })
  .map((s) => {
    const total = s.classes.reduce((sum, c) => sum + c.weight, 0);
    const shares = s.classes.map((c) => c.weight / total);
    // Shares must sum to 1 exactly: the last takes the remainder.
    shares[shares.length - 1] = 1 - shares.slice(0, -1).reduce((a, b) => a + b, 0);
    const classes = s.classes
      .map(
        (c, i) =>
          `    - { name: c${i}, share: ${shares[i]}, upload: ${c.upload}, download: ${c.download} }`,
      )
      .join("\n");
    const stream = s.onDemand
      ? `{ bitrate: ${s.bitrate}, chunkDuration: 1s, mode: on-demand, length: 2min }`
      : `{ bitrate: ${s.bitrate}, chunkDuration: 1s }`;
    const exits = s.massExit
      ? `\n  massExits: [{ at: 15s, share: 0.5, over: 1s, departure: ${s.massExit} }]`
      : "";
    return `name: random
seed: ${s.seed}
duration: ${s.duration}s
stream: ${stream}
source: { upload: ${s.source} }
peers:
  classes:
${classes}
  latency: ${s.latency}
churn:
  arrivals: [${s.arrivals.join(", ")}]
  session: ${s.session}
  abruptShare: ${s.abruptShare}
  detectionDelay: 2s${exits}
network: { model: ${s.model}, maxBacklog: ${s.maxBacklog}, controlFloor: ${s.controlFloor} }
metrics: { interval: ${s.interval} }
strategies:
  - ${s.onDemand ? s.onDemandStrategy : s.liveStrategy}
`;
  });

describe("random valid scenarios", () => {
  it("never break physics: 300 runs with the invariant checker on", () => {
    const seed = Number(process.env.PROPERTY_SEED ?? 8);
    const types = new Set<string>();
    const models = new Map<string, number>();
    let streamed = 0;
    fc.assert(
      fc.property(scenarioText, (text) => {
        let scenario: ReturnType<typeof parseScenario>;
        try {
          scenario = parseScenario(text, "random.yaml");
        } catch (error) {
          // Only valid scenarios are the subject: one the reader refuses is skipped.
          if (error instanceof ScenarioError) fc.pre(false);
          throw error;
        }
        try {
          const [run] = runScenario(scenario).runs;
          types.add(run.entry.type);
          const model = scenario.network.model;
          models.set(model, (models.get(model) ?? 0) + 1);
          if (run.transport.counters.deliveredDataBytes > 0) streamed++;
        } catch (error) {
          const why = error instanceof InvariantViolation ? error.message : String(error);
          throw new Error(`${why}\nin this scenario:\n---\n${text}---`);
        }
      }),
      { numRuns: 300, seed, endOnFailure: false },
    );
    // Not vacuous: every strategy type ran, and most runs moved stream data.
    expect([...types].sort()).toEqual([
      "client-server",
      "ideal-multicast",
      "live-swarm",
      "mesh-pull",
      "minute-swarming",
      "striped",
      "tree-relay",
      "vod-mesh",
    ]);
    expect(streamed).toBeGreaterThan(200);
    expect(models.get("fifo")).toBeGreaterThan(100);
    expect(models.get("fair-share")).toBeGreaterThan(100);
  }, 600_000);
});
