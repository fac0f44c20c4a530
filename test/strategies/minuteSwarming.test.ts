import { resolve } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PlayerState } from "../../sim/metrics/probe.ts";
import type { RunHooks, StrategyRun } from "../../sim/run/runStrategy.ts";
import { loadScenario, parseScenario } from "../../sim/scenario/load.ts";
import { ScenarioError } from "../../sim/scenario/reader.ts";
import type { StrategyContext } from "../../sim/strategies/types.ts";
import { runScenario, type ScenarioRun } from "../support/checkedRun.ts";

afterEach(() => {
  vi.restoreAllMocks();
});

const run = (yaml: string, hooks: RunHooks = {}): ScenarioRun =>
  runScenario(parseScenario(yaml, "swarm-test.yaml"), hooks);

const extra = (r: StrategyRun, key: string): number => r.summary[key] as number;

/**
 * Every control byte is either swarm formation or piece exchange, and the transport agrees: the
 * strategy counts what its uplinks accepted, the transport what left them by the end (the rest
 * is still pending there).
 */
function expectControlAgrees(r: StrategyRun): void {
  const counted = extra(r, "formationControlBytes") + extra(r, "exchangeControlBytes");
  const { controlBytes, pendingBytes } = r.transport.counters;
  expect(counted).toBeGreaterThanOrEqual(controlBytes);
  expect(counted).toBeLessThanOrEqual(controlBytes + pendingBytes);
}

/*
 * One slice of P = 200 pieces (a 200 s slice at 400 kbps in 50,000-byte pieces) for N = 63
 * peers whose upload, like the source's, is the stream rate: every holder sends one piece per
 * piece-time (1 s). No schedule can finish before P - 1 + ceil(log2(N + 1)) = 205 piece-times
 * after the slice exists: the source needs P piece-times to send each piece once, and the last
 * piece then reaches at most twice as many peers each piece-time.
 *
 * Two regular unchoke slots and no optimistic one: identical peers have no better partner to
 * discover, and the bound's model is an uploader sending whole pieces to one peer at a time.
 *
 * The bound ignores control, which takes uplink time: each piece a peer gets costs HAVEs to its
 * neighbours (about 2% of its uplink here), and a request waits behind the piece on its
 * sender's wire (up to one piece-time: control overtakes queued data, never the wire). With one
 * request out per neighbour the uploader then idles while the next request waits (measured: no
 * peer completes within 270 s); two keep it busy, and the last completes within 30% of the
 * bound (measured 1.24 and 1.25 for seeds 1 and 2).
 */
const singleSlice = (seed: number) => `name: single-slice
seed: ${seed}
duration: 480s
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 400kbps, download: 40Mbps }
peers:
  classes: [{ name: same, share: 1, upload: 400kbps, download: 40Mbps }]
  latency: { model: constant, oneWay: 5ms }
churn:
  arrivals: [{ type: flash-crowd, count: 63, at: 1s }]
  session: { distribution: fixed, mean: 1h }
strategies:
  - name: swarm
    type: minute-swarming
    sliceDuration: 200s
    pieceSize: 50000B
    slices: 1
    swarmLifetime: 270s # ends, and reports, before the run does
    unchokeSlots: 2
    optimisticUnchoke: false
    pipeline: 2
`;

describe("minute swarming: one slice", () => {
  it("every peer completes, the last no earlier than the bound P - 1 + ceil(log2(N + 1)) piece-times and within 30% of it", () => {
    const pieces = 200;
    const peers = 63;
    const pieceSeconds = (50_000 * 8) / 400e3;
    const bound = (pieces - 1 + Math.ceil(Math.log2(peers + 1))) * pieceSeconds;
    for (const seed of [1, 2]) {
      const [r] = run(singleSlice(seed)).runs;
      expect(extra(r, "piecesPerSlice")).toBe(pieces);
      expect(extra(r, "slices")).toBe(1);
      const gauge = (name: string) => r.gauges.filter((g) => g.name === name && g.peer === 0);
      expect(gauge("swarmSize").map((g) => g.value)).toEqual([peers]);
      expect(gauge("sliceCompletions").map((g) => g.value)).toEqual([peers]);
      const [last] = gauge("sliceLastDoneSeconds").map((g) => g.value);
      expect(last).toBeGreaterThanOrEqual(bound);
      expect(last).toBeLessThanOrEqual(1.3 * bound);
      expect(extra(r, "slicesCompleted")).toBe(peers);
      expect(extra(r, "slicesAbandoned")).toBe(0);
    }
  });
});

const overheadScenario = `name: overhead
seed: 3
duration: 5min
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 4Mbps }
peers:
  classes: [{ name: dsl, share: 1, upload: 1Mbps, download: 10Mbps }]
  latency: { model: plane, access: 5ms, propagation: 60ms }
churn:
  arrivals: [{ type: flash-crowd, count: 60, at: 1s, over: 10s }]
  session: { distribution: fixed, mean: 1h }
strategies:
  - { name: s20, type: minute-swarming, sliceDuration: 20s, pieceSize: 16KiB }
  - { name: s10, type: minute-swarming, sliceDuration: 10s, pieceSize: 16KiB }
`;

describe("minute swarming: the cost of forming swarms", () => {
  it("halving the slice duration doubles formation bytes per stream byte and raises control bytes per stream byte", () => {
    const [s20, s10] = run(overheadScenario).runs;
    for (const r of [s20, s10]) {
      expectControlAgrees(r);
      expect(extra(r, "slicesAbandoned")).toBe(0);
    }
    expect(extra(s10, "swarmsFormed")).toBe(2 * extra(s20, "swarmsFormed"));
    // Twice the swarms, each costing the same announces, handshakes and bitfields.
    const formation =
      extra(s10, "formationBytesPerStreamByte") / extra(s20, "formationBytesPerStreamByte");
    expect(formation).toBeGreaterThan(1.8);
    expect(formation).toBeLessThan(2.2);
    // Piece exchange (requests, HAVEs) costs the same per stream byte either way, so the total
    // rises by less than formation: measured 0.0531 -> 0.0588 (x1.11) for this workload.
    const total = extra(s10, "controlBytesPerStreamByte") / extra(s20, "controlBytesPerStreamByte");
    expect(total).toBeGreaterThan(1.05);
    expect(total).toBeLessThan(formation);
    expect(s10.summary.overheadRatio).toBeGreaterThan(s20.summary.overheadRatio);
  });
});

const churny = (strategies: string, extraChurn = "") => `name: swarm-churn
seed: 21
duration: 4min
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 4Mbps }
peers:
  classes:
    - { name: free-rider, share: 0.2, upload: 0bps, download: 3Mbps }
    - { name: small, share: 0.4, upload: 512kbps, download: 4Mbps }
    - { name: big, share: 0.4, upload: 2Mbps, download: 20Mbps }
  latency: { model: plane, access: 5ms, propagation: 60ms }
churn:
  arrivals:
    - { type: poisson, rate: 40/min }
    - { type: flash-crowd, count: 30, at: 70s, over: 5s }
  session: { distribution: pareto, mean: 1min, shape: 1.8 }
  abruptShare: 0.5
  detectionDelay: 4s
${extraChurn}
strategies:
${strategies}
`;

const FILE_AND_PROGRESSIVE = `  - { name: file, type: minute-swarming, sliceDuration: 20s, pieceSize: 16KiB }
  - name: progressive
    type: minute-swarming
    sliceDuration: 20s
    pieceSize: 16KiB
    pieceSelection: in-order
    playback: progressive`;

describe("minute swarming: playback lag", () => {
  it("no peer ever plays less than one slice behind live, in file or progressive playback", () => {
    const sliceMicros = 20e6;
    let lagsSeen = 0;
    let tooClose = 0;
    const listener = {
      onPlayerState(_peer: number, _t: number, state: number, lag: number) {
        if (state !== PlayerState.Playing && state !== PlayerState.Stalled) return;
        lagsSeen++;
        if (lag < sliceMicros) tooClose++;
      },
    };
    const { runs } = run(churny(FILE_AND_PROGRESSIVE), { listeners: [listener] });
    expect(lagsSeen).toBeGreaterThan(200);
    expect(tooClose).toBe(0);
    for (const r of runs) {
      const q = r.qos;
      let watched = 0;
      for (let peer = 1; peer < q.joinMicros.length; peer++) {
        const watch = q.playingMicros[peer] + q.stalledMicros[peer];
        if (watch <= 0) continue;
        watched++;
        expect(q.lagIntegral[peer] / watch).toBeGreaterThanOrEqual(sliceMicros);
      }
      expect(watched).toBeGreaterThan(50);
      expect(r.summary.playbackLagOfStartedSeconds.max).not.toBeNull();
      expect(r.summary.playbackLagOfStartedSeconds.p50!).toBeGreaterThanOrEqual(20);
    }
  });

  it("playing pieces in order as they arrive starts sooner than waiting for the whole slice", () => {
    const [file, progressive] = run(churny(FILE_AND_PROGRESSIVE)).runs;
    expect(progressive.summary.startupLatencySeconds.p50!).toBeLessThan(
      file.summary.startupLatencySeconds.p50!,
    );
    expect(progressive.summary.playbackLagSeconds.p50!).toBeLessThan(
      file.summary.playbackLagSeconds.p50!,
    );
  });
});

/*
 * Upload is scarce: 160 viewers want 64 Mbps; 80 contributors at 600 kbps and the source give
 * 52 Mbps. Seeding is short, so most upload happens between leechers, where tit-for-tat ranks.
 * Every node's control messages leave at 2 Mbps: with the default 64 kbps floor a free rider's
 * tracker announce would also arrive last and meet the source less often, which alone slows it;
 * here the only difference between the classes is what they give.
 */
const freeRiders = `name: tit-for-tat
seed: 5
duration: 8min
stream: { bitrate: 400kbps, chunkDuration: 1s }
source: { upload: 4Mbps }
peers:
  classes:
    - { name: free-rider, share: 0.5, upload: 0bps, download: 10Mbps }
    - { name: contributor, share: 0.5, upload: 600kbps, download: 10Mbps }
  latency: { model: constant, oneWay: 20ms }
churn:
  arrivals: [{ type: flash-crowd, count: 160, at: 1s, over: 10s }]
  session: { distribution: fixed, mean: 1h }
network: { controlFloor: 2Mbps }
strategies:
  - { name: swarm, type: minute-swarming, sliceDuration: 60s, pieceSize: 16KiB, seedTime: 10s }
`;

describe("minute swarming: tit-for-tat", () => {
  it("free riders download more slowly than contributors when upload is scarce", () => {
    const { runs, workload, scenario } = run(freeRiders);
    const [r] = runs;
    const rate = [0, 0];
    const count = [0, 0];
    const end = scenario.durationSeconds * 1e6;
    for (let i = 0; i < workload.size; i++) {
      const online = (Math.min(workload.leaveMicros[i], end) - workload.joinMicros[i]) / 1e6;
      const c = workload.classIndex[i];
      rate[c] += (r.transport.downloadedBytes[i + 1] * 8) / online;
      count[c]++;
    }
    expect(count[0]).toBeGreaterThan(60);
    expect(count[1]).toBeGreaterThan(60);
    const freeRider = rate[0] / count[0];
    const contributor = rate[1] / count[1];
    // Measured 230 kbps against 331 kbps (0.69). Ranking uploads at random instead gives both
    // classes the same rate (293 and 295 kbps): only optimistic unchokes and seeds feed free
    // riders, while contributors also earn regular slots.
    expect(contributor).toBeGreaterThan(300e3);
    expect(freeRider).toBeLessThan(0.85 * contributor);
  });
});

describe("minute swarming: determinism and invariants", () => {
  const STRATEGIES = `  - { name: swarm-20s, type: minute-swarming, sliceDuration: 20s, pieceSize: 16KiB }
  - { name: swarm-4s, type: minute-swarming, sliceDuration: 4s, pieceSize: 16KiB, seedTime: 20s }`;

  it("two runs of the same scenario produce identical summaries, time series and gauges", () => {
    const a = run(churny(STRATEGIES));
    const b = run(churny(STRATEGIES));
    for (let i = 0; i < a.runs.length; i++) {
      expect(JSON.stringify(b.runs[i].summary)).toBe(JSON.stringify(a.runs[i].summary));
      expect(b.runs[i].timeseries).toEqual(a.runs[i].timeseries);
      expect(b.runs[i].gauges).toEqual(a.runs[i].gauges);
    }
  });

  it("no chunk plays before its slice exists and no node sends faster than its uplink", () => {
    const problems: string[] = [];
    let dataSends = 0;
    let deliveries = 0;
    const sliceMicrosOf = [20e6, 4e6];
    let index = -1;
    const hooks: RunHooks = {
      onContext(context: StrategyContext) {
        index++;
        const sliceMicros = sliceMicrosOf[index];
        const chunksPerSlice = sliceMicros / context.stream.chunkMicros;
        const { sim, transport, players } = context;
        const lastDone = new Float64Array(context.nodes);
        const names = (transport as unknown as { names: string[] }).names;
        transport.observe({
          onSend(from, _to, type, bytes, start, done) {
            if (names[type] !== "swarm/piece") return;
            dataSends++;
            const rate = transport.uploadBitsPerSecond(from);
            if (!(rate > 0)) problems.push(`node ${from} with no upload sent ${bytes} B`);
            if (start < lastDone[from]) problems.push(`node ${from} overlapped two pieces`);
            if (done - start < Math.floor((bytes * 8e6) / rate))
              problems.push(`node ${from} sent ${bytes} B faster than ${rate} bit/s`);
            if (start < sliceMicros)
              problems.push(`a piece moved at ${start} us, before any slice`);
            lastDone[from] = done;
          },
        });
        const receive = players.receive.bind(players);
        vi.spyOn(players, "receive").mockImplementation((peer, chunk) => {
          deliveries++;
          const slice = Math.floor(chunk / chunksPerSlice);
          if (sim.nowMicros < (slice + 1) * sliceMicros)
            problems.push(`chunk ${chunk} reached peer ${peer} at ${sim.nowMicros} us`);
          return receive(peer, chunk);
        });
      },
    };
    const { runs } = run(churny(STRATEGIES), hooks);
    expect(problems.slice(0, 5)).toEqual([]);
    expect(dataSends).toBeGreaterThan(10_000);
    expect(deliveries).toBeGreaterThan(5_000);
    for (const r of runs) {
      expect(extra(r, "handshakes")).toBeGreaterThan(0);
      expectControlAgrees(r);
    }
  });

  it("requests left with a peer that vanished time out and are made elsewhere", () => {
    // Departures noticed only after a minute: the request timeout is what rescues the pieces.
    const yaml = churny(
      "  - { name: swarm, type: minute-swarming, sliceDuration: 20s, pieceSize: 16KiB, requestTimeout: 3s }",
    ).replace("detectionDelay: 4s", "detectionDelay: 60s");
    const [r] = run(yaml).runs;
    expect(extra(r, "requestTimeouts")).toBeGreaterThan(0);
    expect(r.summary.continuityIndex).toBeGreaterThan(0.9);
  });
});

describe("minute swarming: options", () => {
  const withStrategy = (line: string) =>
    churny(`  - ${line}`).replace("chunkDuration: 1s", "chunkDuration: 2s");

  it("rejects a slice that is not a whole number of chunks, naming the entry's field", () => {
    const parse = () =>
      parseScenario(withStrategy("{ type: minute-swarming, sliceDuration: 5s }"), "bad.yaml");
    expect(parse).toThrow(ScenarioError);
    expect(parse).toThrow(/strategies\[0\]\.sliceDuration: must be a whole number of chunks/);
  });

  it("rejects pieces so small that a slice would have too many", () => {
    const parse = () =>
      parseScenario(
        withStrategy("{ type: minute-swarming, sliceDuration: 10min, pieceSize: 16B }"),
        "bad.yaml",
      );
    expect(parse).toThrow(/strategies\[0\]\.pieceSize: cuts a 600s slice into/);
  });
});

describe("minute swarming's results are pinned", () => {
  it("a mid-size run (scale-100k at 400 viewers, 4 minutes, two variants) keeps its summary exactly", () => {
    // Making the swarm faster must not move a single number: the summary of this run (every
    // distribution, count and strategy figure, to the last digit, and the event count) is kept
    // as a snapshot. Update it only for a change that is meant to alter swarming's results.
    const scenario = loadScenario(resolve(import.meta.dirname, "../../scenarios/scale-100k.yaml"), [
      { path: "duration", value: "4min" },
      { path: "churn.arrivals[0].count", value: "400" },
      { path: "churn.arrivals[1].rate", value: "80/min" },
      {
        path: "strategies",
        value:
          "[{name: swarm, type: minute-swarming, sliceDuration: 60s}, {name: in-order, type: minute-swarming, sliceDuration: 30s, pieceSelection: in-order, playback: progressive, pipeline: 2}]",
      },
    ]);
    const result = runScenario(scenario);
    const summaries = Object.fromEntries(
      result.runs.map((r) => [r.entry.name, { ...r.summary, events: r.events }]),
    );
    expect(JSON.stringify(summaries, null, 1)).toMatchSnapshot();
  });
});
